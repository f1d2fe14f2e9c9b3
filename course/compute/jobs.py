"""A job, described in one declarative spec (like an Akash SDL file) that any backend accepts.

    spec = JobSpec.from_dict({"workload": "matmul", "params": {"size": 128},
                              "max_price": 40, "redundancy": 2})

Every field is checked when the spec is made; a bad one raises ``JobSpecError`` naming the
field, the value and the rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from course.compute.workloads import check_params, get_workload

SPEC_FIELDS = ("workload", "params", "max_price", "redundancy", "min_stake", "timeout_s", "gpu",
               "name")


class JobSpecError(ValueError):
    """A job spec breaks a rule; the message names the field."""


def _integer(value: Any, field_name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise JobSpecError(f"{field_name}: expected an integer >= {minimum}, got {value!r}")
    return value


@dataclass(frozen=True)
class JobSpec:
    """What a requester wants run, and on what terms.

    ``max_price`` is what one provider may earn for one run, in integer credits;
    ``redundancy`` is how many independent providers run it (their results are compared);
    ``min_stake`` is the stake a provider must have bonded to be trusted with it;
    ``timeout_s`` is the (simulated) time after which a run counts as lost.
    """

    workload: str
    params: Mapping[str, Any] = field(default_factory=dict)
    max_price: int = 100
    redundancy: int = 1
    min_stake: int = 0
    timeout_s: float = 60.0
    gpu: bool = False
    name: str = ""

    def __post_init__(self) -> None:
        try:
            check_params(self.workload, self.params)  # also rejects an unknown workload
        except ValueError as error:
            raise JobSpecError(str(error)) from None
        _integer(self.max_price, "max_price", 0)
        _integer(self.redundancy, "redundancy", 1)
        _integer(self.min_stake, "min_stake", 0)
        timeout_ok = isinstance(self.timeout_s, int | float) and not isinstance(
            self.timeout_s, bool)
        if not timeout_ok or not self.timeout_s > 0:
            raise JobSpecError(f"timeout_s: expected a number of seconds > 0, got "
                               f"{self.timeout_s!r}")
        if not isinstance(self.gpu, bool):
            raise JobSpecError(f"gpu: expected True or False, got {self.gpu!r}")
        if not isinstance(self.name, str):
            raise JobSpecError(f"name: expected a string, got {self.name!r}")
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> JobSpec:
        """Build a spec from plain data (parsed YAML/JSON); unknown keys are an error."""
        if not isinstance(spec, Mapping):
            raise JobSpecError(f"spec: expected a mapping of fields, got {type(spec).__name__}")
        unknown = sorted(set(spec) - set(SPEC_FIELDS))
        if unknown:
            raise JobSpecError(f"spec: unknown field(s) {unknown}; allowed: {list(SPEC_FIELDS)}")
        if "workload" not in spec:
            raise JobSpecError("workload: required, e.g. 'matmul'")
        return cls(**spec)

    def to_dict(self) -> dict[str, Any]:
        """The spec as plain data (round-trips through ``from_dict``)."""
        return {name: dict(self.params) if name == "params" else getattr(self, name)
                for name in SPEC_FIELDS}

    @property
    def flops(self) -> int:
        """Floating-point operations one run of this job does."""
        return get_workload(self.workload).count_flops(**self.params)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in self.to_dict().items())
        return f"JobSpec({fields})"

    def __reduce__(self) -> tuple:  # a MappingProxy does not pickle; send plain data
        return (JobSpec.from_dict, (self.to_dict(),))

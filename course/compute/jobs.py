"""A job, described in one declarative spec (like an Akash SDL file) that any backend accepts.

    spec = JobSpec.from_dict({"workload": "matmul", "params": {"size": 128},
                              "max_price": 40, "redundancy": 2})

Every field is checked when the spec is made; a bad one raises ``JobSpecError`` naming the
field, the value and the rule.

Taught in notebook 13 (and used by 13 and 15).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from course.compute.errors import JobSpecError, WorkloadError
from course.compute.precision import check_precision
from course.compute.workloads import check_params, get_workload
from course.validation import (
    ensure,
    ensure_bool,
    ensure_int,
    ensure_number,
    ensure_text,
    fail,
)

SPEC_FIELDS = ("workload", "params", "max_price", "redundancy", "min_stake", "timeout_s", "gpu",
               "name", "precision")
MAX_REDUNDANCY = 100  # more replicas than any market has providers


@dataclass(frozen=True)
class JobSpec:
    """What a requester wants run, and on what terms.

    ``max_price`` is what one provider may earn for one run, in integer credits;
    ``redundancy`` is how many independent providers run it (their results are compared);
    ``min_stake`` is the stake a provider must have bonded to be trusted with it;
    ``timeout_s`` is the (simulated) time after which a run counts as lost;
    ``precision`` is the arithmetic every provider must use (``"fp32"``, ``"tf32"`` or
    ``"bf16"``): the verifier's tolerance follows from it.
    """

    workload: str
    params: Mapping[str, Any] = field(default_factory=dict)
    max_price: int = 100
    redundancy: int = 1
    min_stake: int = 0
    timeout_s: float = 60.0
    gpu: bool = False
    name: str = ""
    precision: str = "fp32"

    def __post_init__(self) -> None:
        try:
            params = check_params(self.workload, self.params)  # rejects an unknown workload
        except WorkloadError as error:
            raise JobSpecError(str(error)) from None
        ensure_int(self.max_price, "max_price", minimum=0, meaning="credits per run",
                   error=JobSpecError)
        ensure_int(self.redundancy, "redundancy", minimum=1, maximum=MAX_REDUNDANCY,
                   meaning="providers that run the job", error=JobSpecError)
        ensure_int(self.min_stake, "min_stake", minimum=0, meaning="credits",
                   error=JobSpecError)
        ensure_number(self.timeout_s, "timeout_s", above=0, meaning="seconds",
                      error=JobSpecError)
        ensure_bool(self.gpu, "gpu", error=JobSpecError)
        ensure_text(self.name, "name", allow_empty=True, error=JobSpecError)
        check_precision(self.precision, error=JobSpecError)
        object.__setattr__(self, "params", MappingProxyType(params))

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> JobSpec:
        """Build a spec from plain data (parsed YAML/JSON); unknown keys are an error."""
        ensure(isinstance(spec, Mapping), JobSpecError, "spec", spec, "a mapping of fields")
        unknown = sorted(set(spec) - set(SPEC_FIELDS), key=repr)
        if unknown:
            fail(JobSpecError, "spec", unknown, f"a mapping of the fields "
                 f"{', '.join(SPEC_FIELDS)} only")
        if "workload" not in spec:
            fail(JobSpecError, "workload", None, "given, e.g. 'matmul'")
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

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        """Pickle as plain data: a MappingProxy does not pickle."""
        return (JobSpec.from_dict, (self.to_dict(),))

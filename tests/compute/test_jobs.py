import pickle

import pytest

from course.compute.jobs import JobSpec, JobSpecError
from course.compute.workloads import matmul_flops


def test_a_spec_from_plain_data_round_trips():
    data = {"workload": "matmul", "params": {"size": 64, "seed": 3}, "max_price": 40,
            "redundancy": 3, "min_stake": 10, "timeout_s": 5.0, "gpu": False, "name": "mm",
            "precision": "tf32"}
    spec = JobSpec.from_dict(data)
    assert spec.to_dict() == data
    assert JobSpec.from_dict(spec.to_dict()) == spec


def test_flops_come_from_the_workload():
    assert JobSpec("matmul", {"size": 100}).flops == matmul_flops(100) == 2_000_000


def test_a_spec_survives_pickling_for_worker_processes():
    spec = JobSpec("train_mlp", {"steps": 3}, max_price=9)
    assert pickle.loads(pickle.dumps(spec)) == spec


def test_params_cannot_be_changed_after_validation():
    spec = JobSpec("matmul", {"size": 8})
    with pytest.raises(TypeError):
        spec.params["size"] = 10**6


@pytest.mark.parametrize(
    ("fields", "names"),
    [
        ({"workload": "mine_bitcoin"}, "workload"),
        ({"workload": "matmul", "params": {"colour": 1}}, "params"),
        ({"workload": "matmul", "params": {"size": -4}}, "params.size"),
        ({"workload": "matmul", "params": {"size": "big"}}, "params.size"),
        ({"workload": "matmul", "params": [1, 2]}, "params"),
        ({"workload": "matmul", "max_price": -1}, "max_price"),
        ({"workload": "matmul", "max_price": 2.5}, "max_price"),
        ({"workload": "matmul", "redundancy": 0}, "redundancy"),
        ({"workload": "matmul", "redundancy": True}, "redundancy"),
        ({"workload": "matmul", "min_stake": -5}, "min_stake"),
        ({"workload": "matmul", "timeout_s": 0}, "timeout_s"),
        ({"workload": "matmul", "gpu": "yes"}, "gpu"),
        ({"workload": "matmul", "name": 7}, "name"),
        ({"workload": "matmul", "memory_gb": 8},
         r"spec must be a mapping of the fields .* only, got \['memory_gb'\]"),
        ({"params": {"size": 8}}, "workload must be given"),
    ],
)
def test_a_bad_spec_is_rejected_naming_the_field(fields, names):
    with pytest.raises(JobSpecError, match=names):
        JobSpec.from_dict(fields)


def test_a_spec_that_is_not_a_mapping_is_rejected():
    with pytest.raises(JobSpecError, match="spec must be a mapping"):
        JobSpec.from_dict(["matmul"])

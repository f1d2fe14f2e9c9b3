import pytest

from course.compute.jobs import JobSpec
from course.compute.providers import Provider, ProviderError, Task, execute, garbage_result
from course.compute.verification import results_agree
from course.compute.workloads import run_workload

JOB = JobSpec("matmul", {"size": 32, "seed": 1}, max_price=100)  # 65,536 FLOPs


def test_a_bid_is_price_times_megaflops_rounded_up_and_at_least_one():
    assert Provider("a", price_per_mflop=10).bid(JOB) == 1  # 0.66 credits -> 1
    assert Provider("a", price_per_mflop=100).bid(JOB) == 7  # 6.55 -> 7
    assert Provider("a", price_per_mflop=10).bid(JobSpec("matmul", {"size": 100})) == 20


def test_a_slow_provider_takes_longer_in_simulated_time():
    fast, slow = Provider("f", throughput_gflops=100), Provider("s", throughput_gflops=100,
                                                                 slowdown=20)
    assert slow.duration(JOB) > fast.duration(JOB) > 0


def test_an_honest_provider_returns_the_true_result():
    outcome = execute(Task(0, JOB, Provider("h"), attempt=1))
    assert outcome.result == run_workload("matmul", JOB.params)


def test_a_lazy_provider_returns_garbage_that_does_not_pass_for_the_result():
    outcome = execute(Task(0, JOB, Provider("l", behaviour="lazy"), attempt=1))
    assert outcome.result == garbage_result(outcome.task)
    assert not results_agree(outcome.result, run_workload("matmul", JOB.params))


def test_a_flaky_provider_drops_out_about_as_often_as_its_drop_rate():
    flaky = Provider("f", behaviour="flaky", drop_rate=0.3)
    outcomes = [execute(Task(job, JOB, flaky, attempt=1)) for job in range(400)]
    dropped = sum(outcome.result is None for outcome in outcomes)
    assert 0.22 < dropped / 400 < 0.38


def test_the_dice_are_the_same_for_the_same_task_whoever_rolls_them():
    task = Task(7, JOB, Provider("f", behaviour="flaky", drop_rate=0.5), attempt=2, seed=9)
    assert [execute(task).result is None for _ in range(5)] == [execute(task).result is None] * 5


def test_a_crash_provider_only_drops_out_when_it_runs_in_the_learners_process():
    crasher = Provider("c", behaviour="crash", drop_rate=1.0)
    outcome = execute(Task(0, JOB, crasher, attempt=1), may_kill_process=False)
    assert outcome.result is None and outcome.note == "crashed"


@pytest.mark.parametrize(
    ("fields", "names"),
    [
        ({"name": ""}, "name"),
        ({"name": "a", "behaviour": "evil"}, "behaviour of a"),
        ({"name": "a", "price_per_mflop": 0}, "price_per_mflop of a"),
        ({"name": "a", "throughput_gflops": -1}, "throughput_gflops of a"),
        ({"name": "a", "stake": -1}, "stake of a"),
        ({"name": "a", "stake": 1.5}, "stake of a"),
        ({"name": "a", "drop_rate": 1.5}, "drop_rate of a"),
        ({"name": "a", "slots": 0}, "slots of a"),
    ],
)
def test_a_bad_provider_is_rejected_naming_the_field(fields, names):
    with pytest.raises(ProviderError, match=names):
        Provider(**fields)

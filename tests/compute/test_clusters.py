"""The simulated cluster of notebook 14's driver exercise: deterministic, Ray-shaped, and hard to
fool (a driver that retries forever or spins is stopped, a bad call is refused by name)."""

from __future__ import annotations

import contextlib
import threading

import pytest

from course.compute.clusters import (
    MIN_WAIT_S,
    ClusterError,
    Handle,
    RetriedTooOften,
    SimulatedCluster,
    TooManyCalls,
    WorkerDied,
)
from tests.exercises.test_run_all_exercise import driver_with_wait


def square(job):
    return job * job


def test_the_same_seed_and_the_same_calls_tell_the_same_story():
    stories = []
    for _ in range(2):
        cluster = SimulatedCluster(square, workers=2, seed=9, death_rate=0.3)
        driver_with_wait({f"j{i}": i for i in range(10)}, cluster, 3)
        stories.append(
            [(a.job, a.attempt, a.dies, a.finished_at) for a in cluster.attempts.values()]
        )
    assert stories[0] == stories[1]


def test_a_poison_job_kills_every_worker_and_a_flaky_one_only_its_first():
    cluster = SimulatedCluster(square, workers=2, death_rate=0, poison=[7], flaky={3: 1})
    results, gave_up = driver_with_wait({"p": 7, "f": 3, "ok": 2}, cluster, 3)
    assert results == {"f": 9, "ok": 4} and gave_up == {"p"}
    assert [a.dies for a in cluster.attempts_of(7)] == [True] * 3
    assert [a.dies for a in cluster.attempts_of(3)] == [True, False]


def test_get_on_a_dead_run_raises_worker_died_every_time_and_wait_keeps_input_order():
    cluster = SimulatedCluster(square, workers=3, death_rate=0, poison=[1])
    handles = [cluster.submit(job) for job in (5, 1, 4)]
    ready, not_ready = cluster.wait(handles, num_returns=3)
    assert ready == handles and not_ready == []
    for _ in range(2):
        with pytest.raises(WorkerDied, match="job 1 .attempt 1. died"):
            cluster.get(handles[1])
    assert cluster.get([handles[0], handles[2]]) == [25, 16]


def test_wait_with_a_timeout_returns_what_is_ready_then():
    cluster = SimulatedCluster(square, workers=1, death_rate=0)
    handles = [cluster.submit(job) for job in range(3)]
    ready, not_ready = cluster.wait(handles, num_returns=3, timeout=0)
    assert ready == [] and not_ready == handles
    assert cluster.now == MIN_WAIT_S  # a poll takes a little time, as on a real cluster
    polls = 0
    while not cluster.wait(handles, timeout=0)[0]:
        polls += 1
    assert 0.5 <= cluster.now <= 3.0 + MIN_WAIT_S and polls >= 40


def test_the_cluster_refuses_calls_it_cannot_serve():
    cluster = SimulatedCluster(square)
    with pytest.raises(ClusterError, match="num_returns=1 but 0 handle"):
        cluster.wait([])
    with pytest.raises(ClusterError, match="not a handle"):
        cluster.get("a string")
    with pytest.raises(ClusterError, match="workers must be"):
        SimulatedCluster(square, workers=0)
    with pytest.raises(ClusterError, match="death_rate"):
        SimulatedCluster(square, death_rate=1.0)


def test_runaway_drivers_are_stopped_even_through_except_exception():
    cluster = SimulatedCluster(square, poison=[1], refuse_after=2)

    def stubborn():
        while True:
            try:
                cluster.get(cluster.submit(1))
            except Exception:  # noqa: BLE001 (the point: it cannot swallow the stop)
                continue

    with pytest.raises(RetriedTooOften):
        stubborn()
    busy = SimulatedCluster(square, max_calls=50)
    handle = busy.submit(2)
    with pytest.raises(TooManyCalls):
        while True:
            busy.wait([handle])


def test_a_handle_from_another_cluster_or_made_up_is_refused():
    one, other = SimulatedCluster(square), SimulatedCluster(square)
    foreign = [one.submit(1), one.submit(2)][1]
    with pytest.raises(ClusterError, match="not a handle returned by this cluster"):
        other.get(foreign)
    with pytest.raises(ClusterError, match="not a handle"):
        one.wait([Handle(99)])


def test_an_unhashable_job_is_refused_by_name():
    with pytest.raises(ClusterError, match="a job must be hashable .* got list"):
        SimulatedCluster(square).submit([1, 2])


def test_time_moves_only_while_the_driver_waits():
    cluster = SimulatedCluster(square, workers=1, death_rate=0)
    handles = [cluster.submit(job) for job in range(3)]
    assert cluster.now == 0 and cluster.in_flight() == 3
    cluster.get(handles[2])  # the last one: the two before it run first, on the only worker
    assert all(cluster.attempts[h].finished for h in handles)
    starts = [cluster.attempts[h].started_at for h in handles]
    assert starts == sorted(starts) and starts[0] == 0


def test_a_caught_stop_is_still_on_record():
    cluster = SimulatedCluster(square, poison=[1], refuse_after=1)
    cluster.submit(1)
    with contextlib.suppress(BaseException):  # a driver that swallows the stop
        cluster.submit(1)
    assert isinstance(cluster.stopped, RetriedTooOften) and cluster.stopped.args == (1, 2)


def test_get_marks_the_attempts_whose_result_the_driver_received():
    cluster = SimulatedCluster(square, workers=2, death_rate=0, poison=[3])
    taken, left, dead = (cluster.submit(job) for job in (2, 4, 3))
    cluster.wait([taken, left, dead], num_returns=3)
    assert cluster.get(taken) == 4
    with pytest.raises(WorkerDied):
        cluster.get(dead)
    assert [cluster.attempts[h].collected for h in (taken, left, dead)] == [True, False, False]


def test_only_the_given_jobs_can_be_submitted():
    cluster = SimulatedCluster(square, jobs=[10, 17])
    cluster.submit(17)
    with pytest.raises(ClusterError, match="'job-0' is not one of the jobs given .10, 17, ...."):
        cluster.submit("job-0")


def test_calls_from_a_second_thread_are_refused_and_recorded():
    cluster = SimulatedCluster(square)
    errors = []

    def drive():
        try:
            cluster.submit(1)
        except ClusterError as error:
            errors.append(error)

    thread = threading.Thread(target=drive)
    thread.start()
    thread.join()
    assert "submit was called from a second thread" in str(errors[0])
    assert cluster.stopped is errors[0] and cluster.attempts == {}

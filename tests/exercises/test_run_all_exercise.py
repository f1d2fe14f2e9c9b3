"""Try it 2 of notebook 14 (a job driver that loses no job), run on simulated clusters both
ways: correct drivers in three styles pass; each typical mistake fails with its own reason."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor

import pytest

from course.exercises import FAILED, PASSED
from course.exercises.scaling_out_with_ray import DRIVER_CASES, _work, check_run_all
from tests.exercises.both_ways import placeholder

# --- correct drivers, three styles -------------------------------------------------------------


def driver_with_wait(jobs, cluster, max_attempts):
    """ray.wait style: every job in flight; collect whichever finishes first."""
    pending = {cluster.submit(job): (job_id, 1) for job_id, job in jobs.items()}
    results, gave_up = {}, set()
    while pending:
        (handle,), _ = cluster.wait(list(pending), num_returns=1)
        job_id, attempt = pending.pop(handle)
        try:
            results[job_id] = cluster.get(handle)
        except cluster.WorkerDied:
            if attempt < max_attempts:
                pending[cluster.submit(jobs[job_id])] = (job_id, attempt + 1)
            else:
                gave_up.add(job_id)
    return results, gave_up


def driver_with_a_queue(jobs, cluster, max_attempts):
    """A queue of (job id, handle) and an attempts counter per job, collected in queue order."""
    tries = dict.fromkeys(jobs, 1)
    queue = deque((job_id, cluster.submit(job)) for job_id, job in jobs.items())
    done, failed = {}, []
    while queue:
        job_id, handle = queue.popleft()
        try:
            done[job_id] = cluster.get(handle)
        except cluster.WorkerDied:
            if tries[job_id] == max_attempts:
                failed.append(job_id)
            else:
                tries[job_id] += 1
                queue.append((job_id, cluster.submit(jobs[job_id])))
    return done, failed


def driver_with_a_window(jobs, cluster, max_attempts):
    """At most 4 in flight (back-pressure), everything by job id."""
    todo = deque(jobs)
    attempts = dict.fromkeys(jobs, 0)
    flying, results, gave_up = {}, {}, set()

    def send(job_id):
        attempts[job_id] += 1
        flying[cluster.submit(jobs[job_id])] = job_id

    while todo or flying:
        while todo and len(flying) < 4:
            send(todo.popleft())
        ready, _ = cluster.wait(list(flying))
        for handle in ready:
            job_id = flying.pop(handle)
            try:
                results[job_id] = cluster.get(handle)
            except cluster.WorkerDied:
                if attempts[job_id] < max_attempts:
                    todo.append(job_id)
                else:
                    gave_up.add(job_id)
    return results, {job_id: attempts[job_id] for job_id in gave_up}


# --- wrong drivers ------------------------------------------------------------------------------


def no_retry(jobs, cluster, max_attempts):
    pending = {cluster.submit(job): job_id for job_id, job in jobs.items()}
    results = {}
    while pending:
        (handle,), _ = cluster.wait(list(pending))
        job_id = pending.pop(handle)
        try:  # noqa: SIM105 (written as a learner would)
            results[job_id] = cluster.get(handle)
        except cluster.WorkerDied:
            pass  # the job is simply dropped
    return results, set()


def gives_up_at_once(jobs, cluster, max_attempts):
    return driver_with_wait(jobs, cluster, 1)


def retries_forever(jobs, cluster, max_attempts):
    return driver_with_wait(jobs, cluster, float("inf"))


def one_retry_too_many(jobs, cluster, max_attempts):
    return driver_with_wait(jobs, cluster, max_attempts + 1)


def one_retry_too_few(jobs, cluster, max_attempts):
    return driver_with_wait(jobs, cluster, max(max_attempts - 1, 1))


def sequential(jobs, cluster, max_attempts):
    results, gave_up = {}, set()
    for job_id, job in jobs.items():
        for _attempt in range(max_attempts):
            try:
                results[job_id] = cluster.get(cluster.submit(job))
                break
            except cluster.WorkerDied:
                continue
        else:
            gave_up.add(job_id)
    return results, gave_up


def keyed_by_completion_order(jobs, cluster, max_attempts):
    """Results appended as they come back, then zipped with the job ids in submission order."""
    pending = {cluster.submit(job): (job_id, 1) for job_id, job in jobs.items()}
    finished, order, gave_up = [], [], set()
    while pending:
        (handle,), _ = cluster.wait(list(pending))
        job_id, attempt = pending.pop(handle)
        try:
            finished.append(cluster.get(handle))
            order.append(job_id)
        except cluster.WorkerDied:
            if attempt < max_attempts:
                pending[cluster.submit(jobs[job_id])] = (job_id, attempt + 1)
            else:
                gave_up.add(job_id)
    return dict(zip(sorted(order), finished, strict=True)), gave_up


def hedged(jobs, cluster, max_attempts):
    """Every job sent twice, keep whichever comes first: the other run is paid too."""
    pending = {}
    for job_id, job in jobs.items():
        pending[cluster.submit(job)] = (job_id, 1)
        pending[cluster.submit(job)] = (job_id, 2)
    results, dead = {}, {}
    while pending:
        (handle,), _ = cluster.wait(list(pending))
        job_id, _ = pending.pop(handle)
        try:
            results.setdefault(job_id, cluster.get(handle))
        except cluster.WorkerDied:
            dead[job_id] = dead.get(job_id, 0) + 1
    gave_up = {j for j in jobs if j not in results}
    return results, gave_up


def resubmits_everything_on_a_death(jobs, cluster, max_attempts):
    """On a death, send again every job not collected yet (the running ones too)."""
    attempts = dict.fromkeys(jobs, 1)
    pending = {cluster.submit(job): job_id for job_id, job in jobs.items()}
    results, gave_up = {}, set()
    while pending:
        (handle,), _ = cluster.wait(list(pending))
        job_id = pending.pop(handle)
        if job_id in results or job_id in gave_up:
            continue
        try:
            results[job_id] = cluster.get(handle)
        except cluster.WorkerDied:
            if attempts[job_id] >= max_attempts:
                gave_up.add(job_id)
                continue
            for other in {*pending.values(), job_id}:
                attempts[other] += 1
                pending[cluster.submit(jobs[other])] = other
    return results, gave_up


def keeps_collected_handles(jobs, cluster, max_attempts):
    """Never takes a handle out of the pending list: waits on the same ready one forever."""
    handles = {cluster.submit(job): job_id for job_id, job in jobs.items()}
    results = {}
    while len(results) < len(jobs):
        (handle,), _ = cluster.wait(list(handles))
        try:  # noqa: SIM105 (written as a learner would)
            results[handles[handle]] = cluster.get(handle)
        except cluster.WorkerDied:
            pass
    return results, set()


def lets_the_error_escape(jobs, cluster, max_attempts):
    handles = {job_id: cluster.submit(job) for job_id, job in jobs.items()}
    return {job_id: cluster.get(h) for job_id, h in handles.items()}, set()


def drops_the_poison_job_silently(jobs, cluster, max_attempts):
    results, _ = driver_with_wait(jobs, cluster, max_attempts)
    return results, set()


def poison_job_as_none(jobs, cluster, max_attempts):
    results, gave_up = driver_with_wait(jobs, cluster, max_attempts)
    return {**results, **dict.fromkeys(gave_up)}, set()


def keyed_by_position(jobs, cluster, max_attempts):
    results, gave_up = driver_with_wait(jobs, cluster, max_attempts)
    position = {job_id: i for i, job_id in enumerate(jobs)}
    return {position[j]: r for j, r in results.items()}, gave_up


def returns_only_results(jobs, cluster, max_attempts):
    return driver_with_wait(jobs, cluster, max_attempts)[0]


def window_of_two(jobs, cluster, max_attempts):
    todo, attempts = deque(jobs), dict.fromkeys(jobs, 0)
    flying, results, gave_up = {}, {}, set()
    while todo or flying:
        while todo and len(flying) < 2:
            job_id = todo.popleft()
            attempts[job_id] += 1
            flying[cluster.submit(jobs[job_id])] = job_id
        (handle,), _ = cluster.wait(list(flying))
        job_id = flying.pop(handle)
        try:
            results[job_id] = cluster.get(handle)
        except cluster.WorkerDied:
            (todo.append if attempts[job_id] < max_attempts else gave_up.add)(job_id)
    return results, gave_up


WRONG = {
    no_retry: "was lost: its worker died on attempt 1",
    gives_up_at_once: "you gave up on job-2 (its first attempt kills its worker) after 1 attempt",
    retries_forever: "job-5 (it kills every worker it runs on) was submitted a 4th time",
    one_retry_too_many: "was submitted a 4th time",
    one_retry_too_few: "after 2 attempt(s), but max_attempts is 3",
    sequential: "only one job was ever in flight",
    keyed_by_completion_order: "'s result: keep each handle's job id with it",
    hedged: "was run to a result 2 times",
    resubmits_everything_on_a_death: "was run to a result 3 times",
    keeps_collected_handles: "does it take each handle out of its pending list",
    lets_the_error_escape: "run_all let WorkerDied escape",
    drops_the_poison_job_silently: "job-5 (it kills every worker it runs on) died on all 3 "
    "attempts and is in neither results nor gave_up",
    poison_job_as_none: "results['job-5'] is None, but every attempt of job-5",
    keyed_by_position: "results holds 0, which is not a job id: key everything by the job's id",
    returns_only_results: "run_all returned one dict: return a pair (results, gave_up)",
    window_of_two: "at most 2 jobs were in flight at once on 3 workers",
}


def test_correct_drivers_in_three_styles_pass():
    assert check_run_all.check(placeholder).status == "not done"
    for right in (driver_with_wait, driver_with_a_queue, driver_with_a_window):
        outcome = check_run_all.check(right)
        assert outcome.status == PASSED, (right.__name__, outcome.message)


@pytest.mark.parametrize("wrong", list(WRONG), ids=[w.__name__ for w in WRONG])
def test_each_typical_mistake_fails_with_its_reason(wrong):
    outcome = check_run_all.check(wrong)
    assert outcome.status == FAILED, (wrong.__name__, outcome)
    assert WRONG[wrong] in outcome.message, outcome.message
    assert "Traceback" not in outcome.message


def test_the_check_is_fast():
    start = time.perf_counter()
    check_run_all.check(driver_with_wait)
    check_run_all.check(retries_forever)
    assert time.perf_counter() - start < 3


def test_the_cases_hold_what_the_brief_promises():
    cases = [c for c in DRIVER_CASES if c.jobs]
    assert len(cases) >= 20 and any(c.max_attempts == 1 for c in cases)
    assert all(c.poison and 1 in c.flaky.values() for c in cases)
    assert {c.workers for c in cases} == {2, 3, 4}
    assert any(not c.jobs for c in DRIVER_CASES)


def test_results_come_back_out_of_order_and_the_runs_overlap():
    cluster = DRIVER_CASES[0].cluster()
    jobs = DRIVER_CASES[0].jobs
    driver_with_wait(dict(jobs), cluster, 3)
    firsts = [a for a in cluster.attempts.values() if a.attempt == 1]
    order = sorted(firsts, key=lambda a: a.finished_at)
    assert [a.job for a in order] != [a.job for a in firsts]
    assert cluster.peak_in_flight == len(jobs)


def test_results_taken_without_submitting_are_refused():
    def makes_results_up(jobs, cluster, max_attempts):
        return {job_id: _work(job) for job_id, job in jobs.items()}, set()

    assert "was never submitted: every result must come from cluster.get" in (
        check_run_all.check(makes_results_up).message
    )


# --- cheats (issue: build-task loopholes): each fails, and says why in one line -----------------


def waits_but_computes_the_results_itself(jobs, cluster, max_attempts):
    handles = [cluster.submit(job) for job in jobs.values()]
    cluster.wait(handles, num_returns=len(handles))
    return {job_id: _work(job) for job_id, job in jobs.items()}, set()


def reads_the_attempt_log_instead_of_catching(jobs, cluster, max_attempts):
    return driver_with_wait(jobs, cluster, max_attempts) if cluster.attempts else ({}, set())


def switches_the_deaths_off(jobs, cluster, max_attempts):
    simulated = cluster.submit.__self__  # the cluster behind the handed methods
    simulated.poison, simulated.death_rate = frozenset(), 0.0
    simulated.flaky.clear()
    return lets_the_error_escape(jobs, cluster, max_attempts)


def lets_the_cluster_count_the_attempts(jobs, cluster, max_attempts):
    """Resubmits until the check's own stop says no more: no max_attempts of its own."""
    pending = {cluster.submit(job): job_id for job_id, job in jobs.items()}
    results, gave_up = {}, set()
    while pending:
        (handle,), _ = cluster.wait(list(pending))
        job_id = pending.pop(handle)
        try:
            results[job_id] = cluster.get(handle)
        except cluster.WorkerDied:
            try:
                pending[cluster.submit(jobs[job_id])] = job_id
            except BaseException:  # noqa: BLE001 (the cheat: swallow the check's stop)
                gave_up.add(job_id)
    return results, gave_up


def one_thread_per_job(jobs, cluster, max_attempts):
    """Correct on Ray; the simulated cluster's story would depend on the threads' order."""

    def run_one(job_id):
        for _ in range(max_attempts):
            try:
                return job_id, cluster.get(cluster.submit(jobs[job_id]))
            except cluster.WorkerDied:
                continue
        return job_id, None

    with ThreadPoolExecutor(4) as pool:
        done = list(pool.map(run_one, jobs))
    return {j: r for j, r in done if r is not None}, {j for j, r in done if r is None}


def background_thread_driver(jobs, cluster, max_attempts):
    """Drives from a thread that swallows every error: the refusal is still the reason."""
    box = {}

    def drive():
        with contextlib.suppress(Exception):  # the refusal is swallowed here
            box["r"] = driver_with_wait(jobs, cluster, max_attempts)

    thread = threading.Thread(target=drive)
    thread.start()
    thread.join()
    return box.get("r", ({}, set()))


def submits_the_ids(jobs, cluster, max_attempts):
    return driver_with_wait({job_id: job_id for job_id in jobs}, cluster, max_attempts)


CACHE = {}


def remembers_results_across_clusters(jobs, cluster, max_attempts):
    """A job seen on an earlier cluster is not run again: its result is taken from a cache."""
    todo = {job_id: job for job_id, job in jobs.items() if job not in CACHE}
    results, gave_up = driver_with_wait(todo, cluster, max_attempts)
    CACHE.update({jobs[job_id]: result for job_id, result in results.items()})
    return {**results, **{j: CACHE[v] for j, v in jobs.items() if j not in todo}}, gave_up


def answers_for_jobs_never_given(jobs, cluster, max_attempts):
    results, gave_up = driver_with_wait(jobs, cluster, max_attempts)
    return {**results, "job-99": 0}, gave_up


class EqualToAnything(int):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = int.__hash__


def mislabelled_results_that_claim_to_be_right(jobs, cluster, max_attempts):
    results, gave_up = keyed_by_completion_order(jobs, cluster, max_attempts)
    return {job_id: EqualToAnything(r) for job_id, r in results.items()}, gave_up


CHEATS = {
    mislabelled_results_that_claim_to_be_right: "is a EqualToAnything, not the number "
    "cluster.get returned for job-0",
    waits_but_computes_the_results_itself: "cluster.get never returned a result of job-0: "
    "every result must come from cluster.get",
    reads_the_attempt_log_instead_of_catching: "has submit, wait, get and WorkerDied, nothing "
    "else (no 'attempts')",
    switches_the_deaths_off: "the simulated cluster's settings (its poison or flaky jobs",
    lets_the_cluster_count_the_attempts: "job-5 (it kills every worker it runs on) was "
    "submitted a 4th time",
    one_thread_per_job: "was called from a second thread: this simulated cluster is driven "
    "from one thread",
    background_thread_driver: "was called from a second thread",
    submits_the_ids: "submit: 'job-0' is not one of the jobs given (10, 17, 24, ...): submit "
    "the job itself (jobs[job_id]), not its id",
    remembers_results_across_clusters: "was never submitted: every result must come from "
    "cluster.get",
    answers_for_jobs_never_given: "results holds 'job-99', which is not a job id",
}


def test_a_driver_that_makes_the_published_cases_easier_changes_nothing():
    def disarms_the_cases(jobs, cluster, max_attempts):
        for case in DRIVER_CASES:
            case.flaky.clear()
            object.__setattr__(case, "poison", "")  # through the frozen dataclass
            object.__setattr__(case, "death_rate", 0.0)
        return no_retry(jobs, cluster, max_attempts)

    saved = [(case.poison, dict(case.flaky), case.death_rate) for case in DRIVER_CASES]
    try:
        check_run_all.check(disarms_the_cases)
        outcome = check_run_all.check(no_retry)
    finally:
        for case, (poison, flaky, death_rate) in zip(DRIVER_CASES, saved, strict=True):
            case.flaky.update(flaky)
            object.__setattr__(case, "poison", poison)
            object.__setattr__(case, "death_rate", death_rate)
    assert outcome.status == FAILED and WRONG[no_retry] in outcome.message, outcome.message


@pytest.mark.parametrize("cheat", list(CHEATS), ids=[c.__name__ for c in CHEATS])
def test_each_cheat_fails_with_its_reason(cheat):
    CACHE.clear()
    outcome = check_run_all.check(cheat)
    assert outcome.status == FAILED, (cheat.__name__, outcome)
    assert CHEATS[cheat] in outcome.message, outcome.message
    assert "Traceback" not in outcome.message and "\n" not in outcome.message


def driver_that_empties_jobs(jobs, cluster, max_attempts):
    """Pops each job off the dict it was given and keeps the job itself with the handle."""
    pending = {}
    while jobs:
        job_id, job = jobs.popitem()
        pending[cluster.submit(job)] = (job_id, job, 1)
    results, gave_up = {}, set()
    while pending:
        ready, _ = cluster.wait(list(pending), num_returns=1, timeout=None)
        for handle in ready:
            job_id, job, attempt = pending.pop(handle)
            try:
                results[job_id] = cluster.get([handle])[0]
            except cluster.WorkerDied:
                if attempt == max_attempts:
                    gave_up.add(job_id)
                else:
                    pending[cluster.submit(job)] = (job_id, job, attempt + 1)
    return results, frozenset(gave_up)


def driver_that_polls(jobs, cluster, max_attempts):
    """Ray style with timeout=0: asks what is ready, again and again, never blocking."""
    attempts = dict.fromkeys(jobs, 1)
    pending = {cluster.submit(job): job_id for job_id, job in jobs.items()}
    results, gave_up = {}, set()
    while pending:
        ready, _ = cluster.wait(list(pending), num_returns=len(pending), timeout=0)
        for handle in ready:
            job_id = pending.pop(handle)
            try:
                results[job_id] = cluster.get(handle)
            except cluster.WorkerDied:
                if attempts[job_id] < max_attempts:
                    attempts[job_id] += 1
                    pending[cluster.submit(jobs[job_id])] = job_id
                else:
                    gave_up.add(job_id)
    return results, gave_up


def test_unusual_but_correct_drivers_pass():
    for right in (driver_that_empties_jobs, driver_that_polls):
        outcome = check_run_all.check(right)
        assert outcome.status == PASSED, (right.__name__, outcome.message)

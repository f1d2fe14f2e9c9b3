"""The compute market, tried as a cheater would: partial work, forged summaries, colluding
rings, copycats, lazy, flaky and crashing providers, TF32 hardware, NaN jobs and exceptions mid-run.

Every run goes through the audit of ``conftest.run_audited``: no job lost, nobody paid twice,
credits conserved to the unit, no honest provider slashed, and every wrong result that is
accepted is one that only cheaters were paid for, unchecked (the runner's stated bound).
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course.compute.challenges import challenge, check_every_row, cross_check, summary_tolerance
from course.compute.jobs import JobSpec
from course.compute.providers import Provider, Task, execute
from course.compute.runner import JobRunner
from course.compute.verification import (
    accepted_wrong_bound,
    break_even_stake,
    quorum,
    sybil_profit,
)
from tests.compute.conftest import DyingWorkerBackend, run_audited

BALANCES = {"alice": 10**9}


def honest(count: int = 3, start: float = 1.0) -> list[Provider]:
    return [Provider(f"h{i}", price_per_mflop=start + i / 100, stake=1_000) for i in range(count)]


def matmuls(count: int, redundancy: int, size: int = 48, **extra: object) -> list[JobSpec]:
    return [JobSpec("matmul", {"size": size, "seed": i}, max_price=10**6, redundancy=redundancy,
                    **extra) for i in range(count)]  # type: ignore[arg-type]


def wrong_accepted(report) -> list[int]:
    return [r.job_id for r in report.records
            if r.status == "verified" and not check_every_row(r.job, r.result).passed]


# ---- partial work --------------------------------------------------------------------------


@pytest.mark.parametrize("fraction", [0.02, 0.5, 0.95])
def test_a_partial_worker_next_to_an_honest_one_is_proven_wrong_every_time(fraction):
    cheat = Provider("part", price_per_mflop=0.5, stake=1_000, behaviour="partial",
                     work_fraction=fraction)
    providers = [cheat, *honest(1)]
    with JobRunner(providers, balances=BALANCES, backend="inline") as runner:
        report = run_audited(runner, matmuls(1, redundancy=2))
    (record,) = report.records
    assert record.status == "verified" and record.paid == {"h0": record.bids["h0"]}
    assert "part" in report.slashed() and not wrong_accepted(report)


def test_a_partial_worker_alone_survives_k_challenges_about_f_to_the_k_of_the_time():
    """Redundancy 1, every job challenged: survival is f^k (k distinct rows of 48)."""
    fraction, k, jobs = 0.75, 2, 120
    survived = 0
    for seed in range(jobs):
        task = Task(seed, JobSpec("matmul", {"size": 48, "seed": seed}),
                    Provider("part", behaviour="partial", work_fraction=fraction), 1)
        result = execute(task).result
        survived += challenge(task.job, result, k, secret=seed).passed
    expected = (36 * 35) / (48 * 47)  # C(36, 2) / C(48, 2) = 0.558
    assert abs(survived / jobs - expected) < 0.12, (survived, expected)


def test_a_partial_worker_never_survives_when_its_faked_rows_are_all_checked():
    task = Task(0, JobSpec("matmul", {"size": 32}),
                Provider("part", behaviour="partial", work_fraction=0.97), 1)
    report = check_every_row(task.job, execute(task).result)
    assert report.failed == (31,)


# ---- forgers: a summary met without the work -------------------------------------------------


FORGED_JOBS = [("matmul", {"size": 64}), ("inference", {"batches": 1, "batch_size": 48}),
               ("train_mlp", {"samples": 32, "steps": 8})]


@pytest.mark.parametrize("workload, params", FORGED_JOBS)
def test_a_forgers_summary_matches_the_honest_one_but_its_rows_do_not(workload, params):
    """The attack: agreement on summaries alone would pay the forger for no work."""
    job = JobSpec(workload, params, max_price=10**6, redundancy=2)
    truth = execute(Task(0, job, Provider("h"), 1)).result
    forged = execute(Task(0, job, Provider("f", behaviour="forger"), 1)).result
    verdict = quorum({"h": truth, "f": forged}, 2, summary_tolerance(job))
    assert verdict.agreeing == ("h", "f")
    assert not check_every_row(job, forged).passed
    assert not cross_check(job, {"h": truth, "f": forged}, 8, secret=1).passed
    assert cross_check(job, {"h": truth, "g": truth}, 8, secret=1).passed


@pytest.mark.parametrize("workload, params", FORGED_JOBS)
def test_a_forger_next_to_an_honest_provider_is_proven_wrong_without_any_spot_check(
        workload, params):
    forger = Provider("forge", price_per_mflop=0.5, stake=1_000, behaviour="forger")
    jobs = [JobSpec(workload, {**params, "seed": i}, max_price=10**6, redundancy=2)
            for i in range(3)]
    with JobRunner([forger, *honest(2)], balances=BALANCES, backend="inline",
                   spot_check_rate=0.0) as runner:
        report = run_audited(runner, jobs)
    assert "forge" in report.slashed() and report.count("verified") == 3
    assert not wrong_accepted(report)
    assert all("forge" not in record.paid for record in report.records)


def test_a_forger_that_computed_part_of_the_rows_survives_about_f_to_the_k_of_the_time():
    """Next to an honest provider, with no spot check: the cross-check's k rows are its only
    chance, so it gets paid on about f^k of the jobs (the mixed term of the bound)."""
    fraction, k, jobs, survived = 0.75, 2, 120, 0
    for seed in range(jobs):
        forger = Provider("forge", price_per_mflop=0.5, stake=1_000, behaviour="forger",
                          work_fraction=fraction)
        with JobRunner([forger, *honest(1)], balances=BALANCES, backend="inline", seed=seed,
                       challenges=k) as runner:
            report = run_audited(runner, matmuls(1, redundancy=2, size=48))
        survived += "forge" in report.records[0].paid
    expected = (36 * 35) / (48 * 47)  # both drawn rows among its 36 real ones: 0.558
    assert abs(survived / jobs - expected) < 0.12, (survived, expected)
    bound = accepted_wrong_bound(0.5, 2, 0.0, challenges=k, work_fraction=fraction)
    assert bound == pytest.approx(0.25 + 0.5 * fraction**k)


# ---- colluding rings -------------------------------------------------------------------------


def test_a_colluding_majority_cannot_get_an_honest_minority_slashed():
    ring = [Provider(f"c{i}", price_per_mflop=0.5, stake=1_000, behaviour="colluding")
            for i in range(2)]
    providers = [*ring, *honest(1)]
    with JobRunner(providers, balances=BALANCES, backend="inline") as runner:
        report = run_audited(runner, matmuls(1, redundancy=3))
    (record,) = report.records
    assert record.paid == {"h0": record.bids["h0"]}
    assert set(report.slashed()) == {"c0", "c1"} and not wrong_accepted(report)


def test_a_ring_that_fills_every_replica_gets_through_only_unchecked_within_the_bound():
    """Every replica is a ring member: a wrong answer is accepted exactly when no spot
    check falls on the job; the share matches accepted_wrong_bound(1, r, p, k). (A caught
    ring is banned, so each job meets a fresh ring.)"""
    jobs, rate, accepted = 60, 0.3, 0
    for seed in range(jobs):
        ring = [Provider(f"c{i}", price_per_mflop=0.5, stake=1_000, behaviour="colluding")
                for i in range(2)]
        with JobRunner(ring, balances=BALANCES, backend="inline", spot_check_rate=rate,
                       seed=seed) as runner:
            report = run_audited(runner, matmuls(1, redundancy=2, size=16))
        (how,) = [e.detail for e in report.events if e.kind in ("verified", "failed")]
        wrong = bool(wrong_accepted(report))
        assert wrong == (how == "quorum"), "a wrong answer got through a check"
        assert wrong or set(report.slashed()) == {"c0", "c1"}
        accepted += wrong
    bound = accepted_wrong_bound(1.0, 2, rate, challenges=8)
    assert bound == pytest.approx(0.7)
    assert abs(accepted / jobs - bound) < 0.15, accepted


# ---- copycats --------------------------------------------------------------------------------


def copycat_market(honest_count: int = 1) -> list[Provider]:
    return [*honest(honest_count),
            Provider("cat", price_per_mflop=0.5, stake=1_000, behaviour="copycat")]


def test_with_open_results_a_copycat_is_paid_for_nothing():
    with JobRunner(copycat_market(), balances=BALANCES, backend="inline",
                   sealed_results=False) as runner:
        report = run_audited(runner, matmuls(2, redundancy=2))
    assert set(report.earnings()) == {"h0", "cat"}, "the naive design pays the copycat"
    assert "copied h0's result" in [e.detail for e in report.events if e.provider == "cat"]


def test_with_sealed_results_a_copycat_copies_a_seal_it_cannot_open_and_is_slashed():
    with JobRunner(copycat_market(2), balances=BALANCES, backend="inline") as runner:
        report = run_audited(runner, matmuls(2, redundancy=2))
    assert "cat" not in report.earnings() and "cat" in report.slashed()
    assert report.count("verified") == 2


# ---- precision -------------------------------------------------------------------------------


@pytest.mark.parametrize("workload, params", [
    ("matmul", {"size": 96}), ("inference", {"batches": 2, "batch_size": 64}),
    ("train_mlp", {"samples": 64, "steps": 24})])
@pytest.mark.parametrize("precision", ["fp32", "tf32", "bf16"])
def test_honest_providers_at_the_declared_precision_are_never_slashed(workload, params, precision):
    providers = [Provider("tf", price_per_mflop=0.5, stake=1_000, precision="tf32"), *honest(2)]
    jobs = [JobSpec(workload, {**params, "seed": s}, max_price=10**6, redundancy=2,
                    precision=precision) for s in range(3)]
    with JobRunner(providers, balances=BALANCES, backend="inline", spot_check_rate=1.0) as runner:
        report = run_audited(runner, jobs)
    assert report.slashed() == {} and report.count("verified") == 3


def test_a_result_computed_in_tf32_for_an_fp32_job_is_proven_wrong():
    """What an H200 with TF32 on by default would return if its software ignored the job."""
    from dataclasses import replace

    job = JobSpec("matmul", {"size": 256, "seed": 3})
    sloppy = execute(Task(0, replace(job, precision="tf32"), Provider("tf"), 1)).result
    assert not check_every_row(job, sloppy).passed
    assert check_every_row(replace(job, precision="tf32"), sloppy).passed


# ---- NaN jobs --------------------------------------------------------------------------------


def test_a_job_whose_true_output_is_nan_ends_invalid_and_its_honest_providers_are_paid():
    job = JobSpec("train_mlp", {"learning_rate": 1e6, "steps": 12, "samples": 64},
                  max_price=10**6, redundancy=3)
    with JobRunner(honest(3), balances=BALANCES, backend="inline") as runner:
        report = run_audited(runner, [job])
    (record,) = report.records
    assert record.status == "invalid" and "not finite" in record.reason
    assert set(record.paid) == {"h0", "h1", "h2"} and report.slashed() == {}


def test_a_provider_claiming_nan_for_a_finite_job_is_proven_wrong_not_paid_as_invalid():
    import torch

    from course.compute.merkle_rows import commit
    from course.compute.workloads import WorkResult

    job = JobSpec("matmul", {"size": 16})
    rows = torch.full((16, 16), float("nan"))
    claim = WorkResult("matmul", (float("nan"),) * 16, job.flops, "cpu", committed=commit(rows))
    assert not challenge(job, claim, 1, secret=0).passed
    assert not check_every_row(job, claim).passed


def test_a_lazy_provider_is_proven_wrong_and_the_market_goes_on():
    liar = Provider("liar", price_per_mflop=0.5, stake=1_000, behaviour="lazy")
    with JobRunner([liar, *honest(2)], balances=BALANCES, backend="inline") as runner:
        report = run_audited(runner, matmuls(3, redundancy=2, size=128))
    assert "liar" in report.slashed() and report.count("verified") == 3


# ---- everything at once, drawn by hypothesis ---------------------------------------------------


BEHAVIOURS = st.sampled_from([
    {"behaviour": "honest"}, {"behaviour": "lazy"}, {"behaviour": "flaky", "drop_rate": 0.5},
    {"behaviour": "crash", "drop_rate": 0.3}, {"behaviour": "colluding"},
    {"behaviour": "copycat"}, {"behaviour": "slow", "slowdown": 300},
    {"behaviour": "partial", "work_fraction": 0.3}, {"behaviour": "partial", "work_fraction": 0.9},
    {"behaviour": "honest", "precision": "tf32"}, {"behaviour": "forger"},
    {"behaviour": "forger", "work_fraction": 0.5},
])


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(kinds=st.lists(BEHAVIOURS, min_size=2, max_size=6), seed=st.integers(0, 10**6),
       spot=st.sampled_from([0.0, 0.5, 1.0]), sealed=st.booleans(),
       redundancies=st.lists(st.integers(1, 3), min_size=1, max_size=5),
       workload=st.sampled_from(["matmul", "inference", "train_mlp"]))
def test_any_market_keeps_every_promise_of_the_audit(kinds, seed, spot, sealed, redundancies,
                                                     workload):
    dice = random.Random(seed)
    providers = [Provider(f"p{i}", price_per_mflop=dice.uniform(0.5, 2), stake=1_000, **kind)
                 for i, kind in enumerate(kinds)]
    providers.append(Provider("anchor", price_per_mflop=3.0, stake=1_000))  # one honest, pricey
    params = {"matmul": {"size": 24}, "inference": {"batches": 1, "batch_size": 32},
              "train_mlp": {"samples": 32, "steps": 8}}[workload]
    jobs = [JobSpec(workload, {**params, "seed": i}, max_price=10**6, redundancy=r,
                    timeout_s=1.0) for i, r in enumerate(redundancies)]
    with JobRunner(providers, balances=BALANCES, backend="inline", seed=seed,
                   spot_check_rate=spot, sealed_results=sealed) as runner:
        runner.backend = DyingWorkerBackend()
        run_audited(runner, jobs)


# ---- the Sybil arithmetic --------------------------------------------------------------------


def test_cheating_under_fresh_names_stops_paying_at_the_break_even_stake():
    price, rate = 40, 0.1
    stake = break_even_stake(price, rate, slash_fraction=1.0)
    assert stake == pytest.approx(360)  # 40 · 0.9 / 0.1
    assert sybil_profit(stake, price, rate) == pytest.approx(0)
    assert sybil_profit(stake / 2, price, rate) > 0 > sybil_profit(stake * 2, price, rate)


def test_a_banned_cheater_that_returns_under_new_names_loses_money_above_the_break_even_stake():
    """Simulated: each identity cheats (lazy) until a spot check catches it."""
    price_rate, rate = 0.5, 0.25
    jobs = matmuls(40, redundancy=1, size=16)
    price = Provider("x", price_per_mflop=price_rate).bid(jobs[0])
    for stake, pays in [(1, True), (int(break_even_stake(price, rate)) * 4, False)]:
        sybils = [Provider(f"sybil{i}", price_per_mflop=price_rate, stake=stake,
                           behaviour="lazy") for i in range(40)]
        with JobRunner([*sybils, *honest(1, start=5.0)], balances=BALANCES, backend="inline",
                       spot_check_rate=rate, slash_fraction=1.0, seed=4) as runner:
            report = run_audited(runner, jobs)
        earned = sum(v for k, v in report.earnings().items() if k.startswith("sybil"))
        lost = sum(v for k, v in report.slashed().items() if k.startswith("sybil"))
        assert (earned > lost) == pays, (stake, earned, lost)


# ---- the same market on real worker processes ----------------------------------------------


def rogues_gallery() -> list[Provider]:
    """One of each: cheaters, a crashing provider, TF32 hardware, and honest providers."""
    return [
        Provider("part", price_per_mflop=0.5, stake=1_000, behaviour="partial",
                 work_fraction=0.5),
        Provider("c0", price_per_mflop=0.6, stake=1_000, behaviour="colluding"),
        Provider("c1", price_per_mflop=0.6, stake=1_000, behaviour="colluding"),
        Provider("cat", price_per_mflop=0.7, stake=1_000, behaviour="copycat"),
        Provider("boom", price_per_mflop=0.8, stake=1_000, behaviour="crash", drop_rate=0.5),
        Provider("tf", price_per_mflop=0.9, stake=1_000, precision="tf32"),
        *honest(3),
    ]


def gallery_jobs() -> list[JobSpec]:
    return [JobSpec("matmul", {"size": 64, "seed": i}, max_price=10**6, redundancy=1 + i % 3)
            for i in range(6)]


def test_every_adversary_at_once_on_the_local_process_pool():
    with JobRunner(rogues_gallery(), balances=BALANCES, backend="local", workers=2,
                   spot_check_rate=0.5) as runner:
        report = run_audited(runner, gallery_jobs())
    assert report.count("verified") + report.count("failed") == 6
    assert not {"h0", "h1", "h2", "tf"} & set(report.slashed())

"""Garbage in, a named refusal out: every public function and constructor of course.compute.

Each ``ValidCall`` below is a call the function accepts, with small work (8x8 matrices, a few
training steps). The fuzzer (tests/garbage.py) replaces one keyword argument at a time with
garbage (None, NaN, infinities, negatives, huge numbers, wrong types, empty things) and accepts
only an answer or a ComputeError that is also a ValueError. Sizes that set how much work a
workload does are passed positionally (not fuzzed), so a fuzzed call never computes a 16384²
matmul on the CPU; their limits are checked by the regression tests at the end.

Not listed: ``RayBackend`` (starts a Ray cluster), ``OnChainEscrow`` (deploys a contract; its
inputs are tested in tests/evm/test_onchain_escrow.py) and plain records that only hold data
(``Event``, ``RunRecord``, ``JobRecord``, ``Escrow``, ``Bid``, ``TaskOutcome``, ``Verdict``,
``Run``, ``Settlement``, ``RunReport``, ``BurnMintRun``, ``MatmulMeasurement``).
"""

from __future__ import annotations

import functools
import math
import random
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from course.compute import (
    burn_mint,
    challenges,
    commitments,
    devices,
    onchain,
    plots,
    throughput,
    verification,
)
from course.compute import workloads as work
from course.compute.backends import InlineBackend, LocalBackend, make_backend
from course.compute.errors import (
    NoProviderError,
    RunnerError,
    VerificationError,
    WorkloadError,
)
from course.compute.escrow import Ledger
from course.compute.events import RunReport
from course.compute.jobs import JobSpec
from course.compute.market import collect_bids, match, why_not
from course.compute.providers import Provider, Task, execute, garbage_result
from course.compute.reputation import Reputation, weighted_pick
from course.compute.runner import JobRecord, JobRunner
from course.errors import ComputeError
from tests.garbage import ValidCall, assert_calls_are_valid, fuzz_valid_calls

JOB = JobSpec("matmul", {"size": 8}, max_price=10)
ADA, BOB = Provider("ada", 1.0), Provider("bob", 1.2)
TASK = Task(0, JOB, ADA, 1)
RESULT = work.matmul(8)


# ---- fresh objects for calls that change state -------------------------------------------


def ledger() -> Ledger:
    ledger = Ledger({"alice": 100}, {"ada": 50})
    ledger.lock(0, "alice", 20)
    return ledger


def ledger_lock(**kwargs: Any) -> None:
    ledger().lock(**kwargs)


def ledger_pay(**kwargs: Any) -> None:
    ledger().pay(**kwargs)


def ledger_refund(**kwargs: Any) -> int:
    return ledger().refund(**kwargs)


def ledger_slash(**kwargs: Any) -> int:
    return ledger().slash(**kwargs)


def ledger_balance(**kwargs: Any) -> int:
    return ledger().balance(**kwargs) + ledger().stake(**kwargs)


def reputation_record(**kwargs: Any) -> None:
    Reputation().record(**kwargs)


def reputation_score(**kwargs: Any) -> float:
    return Reputation({"ada": 3}).score(**kwargs)


def reputation_scores(**kwargs: Any) -> dict[str, float]:
    return Reputation({"ada": 3}).scores(**kwargs)


def run_jobs(**kwargs: Any) -> RunReport:
    with JobRunner([ADA, BOB], balances={"alice": 100}, backend="inline") as runner:
        return runner.run(**kwargs)


@functools.cache
def report() -> RunReport:
    return run_jobs(jobs=[JOB], requester="alice")


def report_count(**kwargs: Any) -> int:
    return report().count(**kwargs)


def report_runs(**kwargs: Any) -> list[Any]:
    return report().runs(**kwargs)


def provider_bid(**kwargs: Any) -> int:
    return ADA.bid(**kwargs)


def provider_duration(**kwargs: Any) -> float:
    return ADA.duration(**kwargs)


def inline_round(**kwargs: Any) -> list[Any]:
    return InlineBackend().run_round(**kwargs)


def deterministic(**kwargs: Any) -> None:
    try:
        devices.make_deterministic(**kwargs)
    finally:
        torch.use_deterministic_algorithms(False)


def plotted(plot: Any) -> Any:
    def draw(**kwargs: Any) -> None:
        try:
            plot(**kwargs)
        finally:
            plt.close("all")

    draw.__qualname__ = plot.__name__
    return draw


def record() -> JobRecord:
    return JobRecord(0, JOB, "alice", paid={"ada": 5}, slashed={"cy": 50})


A, B = commitments.matmul_inputs(4, 1)
COMMITTED = commitments.commit(A @ B)
COMMITTED_RESULT = work.run_workload("matmul", {"size": 8}, commit=True)

CALLS = [
    # workloads and devices (notebook 12)
    ValidCall(work.WorkResult, {"workload": "matmul", "summary": (1.0, 2.0), "flops": 10,
                                "device": "cpu"}),
    ValidCall(work.fingerprint, {"values": [1.0, 2.5], "significant_digits": 4}),
    ValidCall(work.check_size, {"name": "size", "value": 8}),
    ValidCall(work.check_seed, {"seed": 7}),
    ValidCall(work.matmul_flops, {"size": 8}),
    ValidCall(work.matmul, {"seed": 1, "device": "cpu"}, args=(8,)),
    ValidCall(work.train_mlp_flops, {"samples": 8, "features": 2, "hidden": 4, "steps": 2}),
    ValidCall(work.train_mlp, {"learning_rate": 0.1, "seed": 1, "device": "cpu"},
              args=(8, 2, 4, 2)),
    ValidCall(work.inference_flops, {"batches": 1, "batch_size": 4, "features": 3, "hidden": 4,
                                     "classes": 2}),
    ValidCall(work.inference, {"seed": 1, "device": "cpu"}, args=(1, 4, 3, 4, 2)),
    ValidCall(work.noop, {"seed": 3, "device": "cpu"}),
    ValidCall(work.get_workload, {"name": "matmul"}),
    ValidCall(work.check_params, {"name": "matmul", "params": {"size": 8, "seed": 1}}),
    ValidCall(work.run_workload, {"name": "noop", "params": {"seed": 1}, "device": "cpu"}),
    ValidCall(devices.device_name, {"device": "cpu"}),
    ValidCall(devices.check_device_name, {"device": "cuda:0"}),
    ValidCall(devices.check_device, {"device": "cpu"}),
    ValidCall(deterministic, {"seed": 0}),
    ValidCall(throughput.matrix_product_flops, {"m": 2, "k": 3, "n": 4}),
    ValidCall(throughput.achieved_gflops, {"flops": 2e9, "seconds": 0.5}),
    ValidCall(throughput.matmul_arithmetic_intensity, {"size": 64, "bytes_per_element": 4}),
    ValidCall(throughput.roofline_gflops, {"intensity": 2.0, "peak_gflops": 100.0,
                                           "bandwidth_gb_s": 50.0}),
    ValidCall(throughput.ridge_point, {"peak_gflops": 100.0, "bandwidth_gb_s": 50.0}),
    ValidCall(throughput.time_workload, {"work": lambda: None, "device": "cpu", "repeats": 1,
                                         "warmup": 0}),
    ValidCall(throughput.measure_matmul, {"device": "cpu", "repeats": 1, "warmup": 0},
              args=(8,)),
    # the market (notebook 13)
    ValidCall(JobSpec, {"workload": "matmul", "params": {"size": 8}, "max_price": 10,
                        "redundancy": 2, "min_stake": 0, "timeout_s": 5.0, "gpu": False,
                        "name": "tiny"}),
    ValidCall(JobSpec.from_dict, {"spec": {"workload": "noop", "max_price": 3}}),
    ValidCall(Provider, {"name": "ada", "price_per_mflop": 1.0, "stake": 10,
                         "throughput_gflops": 5.0, "behaviour": "flaky", "drop_rate": 0.5,
                         "slowdown": 2.0, "device": "cpu", "gpu": False, "slots": 2}),
    ValidCall(provider_bid, {"job": JOB}),
    ValidCall(provider_duration, {"job": JOB}),
    ValidCall(Task, {"job_id": 0, "job": JOB, "provider": ADA, "attempt": 1, "seed": 3}),
    ValidCall(garbage_result, {"task": TASK}),
    ValidCall(execute, {"task": TASK, "may_kill_process": False}),
    ValidCall(why_not, {"job": JOB, "provider": ADA, "stake": 5}),
    ValidCall(collect_bids, {"job": JOB, "providers": [ADA, BOB], "exclude": ["bob"],
                             "stakes": {"ada": 10}}),
    ValidCall(match, {"job": JOB, "providers": [ADA, BOB], "exclude": (), "stakes": None,
                      "reputation": {"ada": 0.5}, "count": 2}),
    ValidCall(Ledger, {"balances": {"alice": 5}, "stakes": {"ada": 1}}),
    ValidCall(ledger_lock, {"job_id": 1, "requester": "alice", "amount": 5}),
    ValidCall(ledger_pay, {"job_id": 0, "provider": "ada", "amount": 5}),
    ValidCall(ledger_refund, {"job_id": 0}),
    ValidCall(ledger_slash, {"provider": "ada", "amount": 5, "to": "alice"}),
    ValidCall(ledger_balance, {"account": "alice"}),
    ValidCall(verification.results_agree, {"a": RESULT, "b": RESULT, "rtol": 1e-4,
                                           "atol": 1e-5}),
    ValidCall(verification.quorum, {"results": {"ada": RESULT, "bob": RESULT}, "needed": 2}),
    ValidCall(verification.should_spot_check, {"rate": 0.5, "dice": random.Random(0)}),
    ValidCall(verification.detection_probability, {"check_rate": 0.1, "cheated_jobs": 3}),
    ValidCall(verification.jobs_to_catch, {"check_rate": 0.1, "confidence": 0.9}),
    ValidCall(verification.colluding_majority_probability, {"cheater_share": 0.2,
                                                            "redundancy": 3}),
    ValidCall(Reputation, {"good": {"ada": 1}, "bad": {"bob": 2}}),
    ValidCall(reputation_record, {"provider": "ada", "outcome": "cheated"}),
    ValidCall(reputation_score, {"provider": "ada"}),
    ValidCall(reputation_scores, {"providers": ["ada", "bob"]}),
    ValidCall(weighted_pick, {"providers": ["ada", "bob"], "reputation": Reputation(),
                              "dice": random.Random(1)}),
    # the runner and its backends (notebooks 13-14)
    ValidCall(JobRunner, {"providers": [ADA, BOB], "balances": {"alice": 10}, "ledger": None,
                          "backend": "inline", "workers": 2, "address": None, "seed": 1,
                          "spot_check_rate": 0.5, "max_attempts": 3, "slash_fraction": 0.5,
                          "use_reputation": True}),
    ValidCall(run_jobs, {"jobs": [JOB], "requester": "alice", "wave_size": 1}),
    ValidCall(report_count, {"status": "verified"}),
    ValidCall(report_runs, {"provider": "ada"}),
    ValidCall(inline_round, {"tasks": [TASK]}),
    ValidCall(LocalBackend, {"workers": 2}),
    ValidCall(make_backend, {"name": "inline", "providers": [ADA], "workers": None,
                             "address": None}),
    ValidCall(plotted(plots.plot_gantt), {"report": report(), "ax": None}),
    ValidCall(plotted(plots.plot_earnings), {"report": report(), "ax": None}),
    ValidCall(plotted(plots.plot_verification), {"report": report(), "ax": None}),
    # tokenomics (notebook 15)
    ValidCall(burn_mint.emissions_per_epoch, {"initial_per_epoch": 10.0, "epochs": 5,
                                              "halving_every": 2}),
    ValidCall(burn_mint.emission_cap, {"initial_per_epoch": 10.0, "halving_every": 2}),
    ValidCall(burn_mint.constant_demand, {"usd_per_epoch": 5.0, "epochs": 3}),
    ValidCall(burn_mint.growing_demand, {"initial_usd": 5.0, "growth_per_epoch": 0.1,
                                         "epochs": 3}),
    ValidCall(burn_mint.boom_and_bust_demand, {"base_usd": 1.0, "peak_usd": 5.0, "epochs": 6,
                                               "peak_epoch": 2, "bust_usd": 0.5}),
    ValidCall(burn_mint.random_demand, {"initial_usd": 1.0, "epochs": 4, "volatility": 0.1,
                                        "seed": 1}),
    ValidCall(burn_mint.tokens_burned, {"demand_usd": 10.0, "price": 2.0}),
    ValidCall(burn_mint.equilibrium_price, {"demand_usd": 10.0, "emission_per_epoch": 5.0}),
    ValidCall(burn_mint.token_price, {"demand_usd": 10.0, "supply": 100.0, "velocity": 0.5,
                                      "speculative_usd": 1.0}),
    ValidCall(burn_mint.simulate_burn_and_mint, {"demand_usd": [10.0, 20.0], "emissions": 5.0,
                                                 "initial_supply": 100.0, "velocity": 0.1,
                                                 "speculative_usd": 0.0}),
    ValidCall(burn_mint.electricity_cost_usd, {"power_watts": 350, "hours": [1, 2],
                                               "usd_per_kwh": 0.15}),
    ValidCall(burn_mint.break_even_price, {"power_watts": 350, "hours": 24, "usd_per_kwh": 0.15,
                                           "tokens_earned": 2.0}),
    ValidCall(burn_mint.profitable_share, {"income_usd": 1.0, "costs_usd": [0.5, 2.0]}),
    # the on-chain bridge (notebook 16)
    ValidCall(onchain.credits_to_wei, {"credits": 3, "wei_per_credit": 10}),
    ValidCall(onchain.collateral_wei, {"payment_wei": 100, "collateral_percent": 50}),
    ValidCall(onchain.spec_hash, {"job": JOB}),
    ValidCall(onchain.result_hash, {"fingerprint": RESULT.fingerprint}),
    ValidCall(onchain.verdict, {"record": record(), "provider": "ada", "returned_result": True}),
    ValidCall(onchain.runs_to_settle, {"report": report()}),
    ValidCall(onchain.settlements_table, {"settlements": []}),
    # commit, then challenge (course.compute.commitments)
    ValidCall(commitments.commit, {"output": torch.ones(4, 3)}),
    ValidCall(commitments.choose_rows, {"commitment": COMMITTED.commitment, "count": 2,
                                        "verifier_secret": 9}),
    ValidCall(commitments.opening_matches, {"commitment": COMMITTED.commitment,
                                            "opening": COMMITTED.open(1)}),
    ValidCall(commitments.matmul_inputs, {"size": 4, "seed": 1}),
    ValidCall(commitments.row_error_bound, {"a_row": torch.ones(4), "b": torch.ones(4, 4),
                                            "precision": "tf32"}),
    ValidCall(commitments.verify_matmul_rows, {"commitment": COMMITTED.commitment,
                                               "openings": [COMMITTED.open(0)], "size": 4,
                                               "seed": 1, "precision": "fp32"}),
    ValidCall(commitments.partial_matmul, {"size": 4, "seed": 1, "work_fraction": 0.5}),
    ValidCall(commitments.freivalds_check, {"a": torch.eye(3), "b": torch.eye(3),
                                            "c": torch.eye(3), "rounds": 2, "seed": 0,
                                            "precision": "fp32"}),
    ValidCall(commitments.survival_probability, {"work_fraction": 0.5, "challenges": 3,
                                                 "rows": 10}),
    ValidCall(commitments.challenges_needed, {"work_fraction": 0.5, "confidence": 0.99}),
    # challenged rows and rows compared across results (course.compute.challenges)
    ValidCall(challenges.challenge, {"job": JOB, "result": COMMITTED_RESULT, "count": 2,
                                     "secret": 5, "also": [7]}),
    ValidCall(challenges.cross_check, {"job": JOB, "results": {"ada": COMMITTED_RESULT,
                                                               "bob": COMMITTED_RESULT},
                                       "count": 2, "secret": 5}),
]

NO_ARGUMENTS = [
    devices.best_device, work.noop_flops, lambda: JOB.to_dict(), lambda: JOB.flops,
    lambda: RESULT.fingerprint, lambda: ledger().total(), report().earnings, report().slashed,
    report().makespan, report().jobs_table, report().providers_table, lambda: TASK.chance(),
]

test_every_public_compute_function_answers_or_refuses_garbage = fuzz_valid_calls(
    CALLS, examples=600)


def test_the_listed_calls_are_valid():
    assert_calls_are_valid(CALLS)
    for function in NO_ARGUMENTS:
        function()


def test_every_compute_error_is_a_compute_error_and_a_value_error():
    from course.compute import errors

    classes = [value for value in vars(errors).values() if isinstance(value, type)
               and issubclass(value, Exception) and value is not ComputeError]
    assert len(classes) >= 12
    for cls in classes:
        assert issubclass(cls, ComputeError) and issubclass(cls, ValueError), cls


# ---- the silent answers of before, now named refusals ---------------------------------------


@pytest.mark.parametrize("needed", [0, -1, 1.5, True, None, 10**30])
def test_a_quorum_needs_a_whole_number_of_at_least_one_agreeing_result(needed):
    with pytest.raises(VerificationError, match="needed .* must be an integer in"):
        verification.quorum({"ada": RESULT}, needed)


@pytest.mark.parametrize("count", [-1, 0, 2.0, True, 10**30])
def test_match_refuses_a_count_that_is_not_a_whole_number_of_winners(count):
    with pytest.raises(NoProviderError, match=r"count \(winners\) must be an integer in"):
        match(JOB, [ADA, BOB], count=count)


def test_match_refuses_a_string_as_the_excluded_names():
    with pytest.raises(NoProviderError, match="exclude must be a collection"):
        match(JOB, [ADA, BOB], exclude="adam")  # "ada" in "adam" would be True


@pytest.mark.parametrize(("call", "name"), [
    (lambda: work.matmul(16_385), "size"), (lambda: work.matmul(10**30), "size"),
    (lambda: work.train_mlp(steps=10**9), "steps"), (lambda: work.inference(batches=0), "batches"),
    (lambda: work.run_workload("matmul", {"size": 10**6}), "params.size"),
    (lambda: work.run_workload("noop", {"seed": math.nan}), "params.seed"),
    (lambda: work.noop(seed=2.5), "seed"), (lambda: work.matmul(8, device="banana"), "device"),
    (lambda: throughput.measure_matmul(10**9), "size"),
    (lambda: throughput.time_workload(lambda: None, repeats=10**12), "repeats"),
])
def test_a_workload_too_big_to_run_or_with_a_bad_seed_is_refused(call, name):
    with pytest.raises(ValueError, match=rf"^{name}\b.* must be"):
        call()


def test_a_device_with_a_typo_gets_no_name():
    with pytest.raises(ValueError, match="device must be 'cpu' or 'cuda"):
        devices.device_name("gpu")


@pytest.mark.parametrize("rate", [0.0, 1e-9, 1e-300, math.nan])
def test_jobs_to_catch_refuses_a_check_rate_too_small_to_count(rate):
    with pytest.raises(VerificationError, match="check_rate"):
        verification.jobs_to_catch(rate, 0.99)


def test_redundancy_beyond_any_market_is_refused():
    with pytest.raises(VerificationError, match="redundancy"):
        verification.colluding_majority_probability(0.2, 10**9)
    with pytest.raises(ValueError, match="redundancy"):
        JobSpec("noop", redundancy=10**9)


def test_a_runner_seed_and_a_spec_seed_follow_one_rule():
    for bad in (math.nan, -1, 2**63):
        with pytest.raises(RunnerError, match=r"seed must be an integer in \[0, 2\*\*63 - 1\]"):
            JobRunner([ADA], backend="inline", seed=bad)
        with pytest.raises(WorkloadError, match=r"seed must be an integer in \[0, 2\*\*63 - 1\]"):
            work.noop(seed=bad)


def test_burn_mint_arrays_of_numeric_strings_are_refused():
    with pytest.raises(ValueError, match="must be numbers"):
        burn_mint.electricity_cost_usd(["350"], 24, 0.15)
    assert np.isclose(burn_mint.electricity_cost_usd(350, 24, 0.15), 1.26)

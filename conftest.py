"""Which tests the fast loop leaves out, and which tests share a worker in a parallel run.

`python3 start.py test --fast` runs `pytest tests -m "not slow"`: everything except the tests
below, which start processes, Ray, a browser, notebook kernels or a compiler, or fuzz for
seconds. The full suite (`python3 start.py test`) runs them all, notebooks included: first
everything but Ray's tests spread over several processes, then Ray's tests one at a time.
This file sits at the top of the repository so it applies to `notebooks/` as well as `tests/`.
"""

from __future__ import annotations

import os

import pytest

SLOW = (
    # whole modules: kernels, subprocesses, Ray, a browser, a site build, compilers
    "tests/test_browser.py",
    "tests/test_cli.py",
    "tests/test_grading.py",
    "tests/test_site.py",
    "tests/test_grade_command.py",
    "tests/test_new_notebook.py",
    "tests/test_student.py",
    "tests/test_student_copies_run_",
    "tests/test_benchmark_",
    "tests/test_benchmarks.py",
    "tests/compute/test_ray_backend.py",
    "tests/evm/test_onchain_escrow.py",
    "tests/exercises/test_contract_security.py",
    "tests/exercises/test_contract_security_levels.py",
    "tests/evm/test_magic.py::test_a_compiled_cell",
    "tests/evm/test_magic.py::test_the_magic_binds",
    "tests/evm/test_magic.py::test_a_syntax_error",
    "tests/evm/test_magic.py::test_a_custom_error",
    "tests/exercises/test_smart_contracts_with_web3.py::test_owner_reset",
    "tests/exercises/test_smart_contracts_with_web3.py::test_escrow",
    "tests/exercises/test_smart_contracts_with_web3.py::test_tip_jar",
    "tests/exercises/test_smart_contracts_with_web3.py::test_allowlist",
    "tests/exercises/test_tokens_nfts_tokenomics.py::test_transfer_from",
    "tests/exercises/test_tokens_nfts_tokenomics.py::test_vesting_wallet",
    "tests/exercises/test_tokens_nfts_tokenomics.py::test_the_solidity_checks",
    "tests/evm/test_invariants.py",
    "tests/evm/test_anvil.py::test_notebook_05",
    "tests/evm/test_learner_contracts_on_anvil.py",
    "tests/evm/test_no_compiler_notebooks.py",
    "tests/defi/test_oracle_attack.py",  # deploys a fresh on-chain market per test
    "tests/exercises/test_oracle_attack_exercise.py::test_the_checker",
    "tests/exercises/test_twap_oracle_exercise.py",  # each check deploys a market and trades
    # single tests of several seconds each
    "tests/test_notebooks.py::test_nbval_fails_when_a_stored_output_is_changed",
    "tests/test_doctor.py::test_this_machine_is_ready",
    "tests/evm/test_toolchain.py::test_artifacts_do_not_drift",
    "tests/evm/test_toolchain.py::test_an_edited_contract_compiles_live",
    "tests/evm/test_pair.py::test_random_swaps",
    "tests/compute/test_runner.py::test_a_pool_worker",
    "tests/compute/test_runner.py::test_a_crash_provider",
    "tests/compute/test_runner.py::test_the_same_seed_gives_the_same_jobs_table",
    "tests/compute/test_runner_faults.py::test_a_provider_that_kills_pool_workers",
    "tests/evm/test_escrow.py::test_random_actions_by_random_people",
    "tests/evm/test_escrow.py::test_random_actions_on_anvil",
    "tests/chain/test_adversary.py::test_a_mutated",
    "tests/chain/test_adversary.py::test_a_re_encoded",
    "tests/compute/test_adversaries.py::test_every_adversary_at_once_on_the_local_process_pool",
)


# Tests that start a Ray cluster: the full suite runs them after the parallel part, one at a
# time, because Ray's start-up times out when it shares two busy cores with other workers.
RAY = ("tests/compute/test_ray_backend.py", "notebooks/14_",
       "tests/test_student_copies_run_defi_and_compute.py::"
       "test_every_student_copy_runs_top_to_bottom_with_every_exercise_not_done[14_")


def pytest_configure(config: pytest.Config) -> None:
    """In a parallel run, each test process computes on one torch thread. Several processes
    that each spread torch's work over every core fight over them: on two cores the compute
    tests took twice as long, one of them seven times. (Notebook kernels keep the machine's
    threads: a training run's last digits depend on how its sums are split over threads, and
    the committed outputs were computed that way.)"""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        import torch

        torch.set_num_threads(1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the SLOW tests and every notebook cell ``slow``, and Ray's tests ``ray``."""
    for item in items:
        if item.nodeid.startswith(SLOW) or ".ipynb" in item.nodeid:
            item.add_marker(pytest.mark.slow)
        if item.nodeid.startswith(RAY):
            item.add_marker(pytest.mark.ray)

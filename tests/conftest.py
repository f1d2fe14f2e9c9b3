"""Shared test helpers, and which tests the fast loop leaves out.

`python3 start.py test --fast` runs `pytest tests -m "not slow"`: everything except the tests
below, which start processes, Ray, a browser, notebook kernels or a compiler, or fuzz for
seconds. The full suite (`python3 start.py test`) runs them all, notebooks included.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SLOW = (
    # whole modules: kernels, subprocesses, Ray, a browser, a site build, compilers
    "tests/test_browser.py",
    "tests/test_cli.py",
    "tests/test_grading.py",
    "tests/test_site.py",
    "tests/test_student.py",
    "tests/test_benchmark_",
    "tests/test_benchmarks.py",
    "tests/compute/test_ray_backend.py",
    "tests/evm/test_onchain_escrow.py",
    "tests/exercises/test_contract_security.py",
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
    "tests/chain/test_adversary.py::test_a_mutated",
    "tests/chain/test_adversary.py::test_a_re_encoded",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests listed in SLOW, and every notebook cell (nbval), as ``slow``."""
    for item in items:
        if item.nodeid.startswith(SLOW) or item.nodeid.endswith(".ipynb") or ".ipynb::" in (
                item.nodeid):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def course_cli() -> list[str]:
    """The `course` command, run with this interpreter (no PATH assumptions)."""
    return [sys.executable, "-m", "course.cli"]

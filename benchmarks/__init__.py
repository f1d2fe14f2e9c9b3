"""Benchmarks a user can run: `python -m benchmarks [NAME ...]` prints one table per benchmark.

Each module here has a `run() -> Table`; later parts of the course add theirs to BENCHMARKS.
Figures from a run, with the machine and the command, go in docs/benchmarks.md.
"""

BENCHMARKS = (
    "notebooks", "mining", "validation", "chain_growth", "network", "defi", "evm", "compute",
    "gpu_jobs",
)

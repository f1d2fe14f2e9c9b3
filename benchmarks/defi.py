"""100,000 paths x 365 daily steps for an LP position (aim: <= 3 s), vs a plain Python loop.

Both sides do the same work: simulate a GBM price path day by day and value a 50/50
constant-product LP position and the HODL alternative on every day of it. The loop runs on
fewer paths and its time is scaled up to the full count (its cost grows linearly in paths).
"""

from __future__ import annotations

import math
import random
import time

import numpy as np

from course.defi.paths import DAY, gbm_paths
from course.defi.risk import lp_vs_hodl
from course.display import Table

S0, MU, SIGMA, FEE_APR = 100.0, 0.0, 0.8, 0.10  # a volatile token, 10% fees a year
SEED = 2024


def vectorized(paths: int, days: int, seed: int = SEED) -> float:
    """Share of paths where the LP ends behind HODL, computed on whole arrays with numpy."""
    rng = np.random.default_rng(seed)
    prices = gbm_paths(S0, MU, SIGMA, days, paths, rng)  # (paths, days + 1)
    lp, hodl = lp_vs_hodl(prices, fee_apr=FEE_APR)  # (paths, days + 1) each
    return float(np.mean(lp[:, -1] < hodl[:, -1]))


def python_loop(paths: int, days: int, seed: int = SEED) -> float:
    """The same valuation written as two nested loops over paths and days, one number at a time."""
    rng = random.Random(seed)
    drift, volatility = (MU - SIGMA**2 / 2) * DAY, SIGMA * math.sqrt(DAY)
    fee_growth = 1 + FEE_APR * DAY
    behind = 0
    for _ in range(paths):
        price, lp_values, hodl_values = S0, [1.0], [1.0]
        for day in range(1, days + 1):
            price *= math.exp(drift + volatility * rng.gauss(0.0, 1.0))
            ratio = price / S0
            lp_values.append(math.sqrt(ratio) * fee_growth**day)
            hodl_values.append((1 + ratio) / 2)
        behind += lp_values[-1] < hodl_values[-1]
    return behind / paths


def run(paths: int = 100_000, days: int = 365, loop_paths: int = 1_000,
        repeats: int = 3) -> Table:
    vector_times = []
    for _ in range(repeats):
        start = time.perf_counter()
        vectorized(paths, days)
        vector_times.append(time.perf_counter() - start)
    vector_s = min(vector_times)

    loop_paths = min(loop_paths, paths)
    start = time.perf_counter()
    python_loop(loop_paths, days)
    loop_s = (time.perf_counter() - start) * paths / loop_paths  # scaled to all the paths

    size = f"{paths:,} x {days}"
    return Table(("method", "paths x days", "seconds", "paths/s", "speed-up"), [
        (f"numpy, vectorized (best of {repeats})", size, f"{vector_s:.2f}",
         f"{paths / vector_s:,.0f}", f"{loop_s / vector_s:.0f}x"),
        (f"plain Python loop ({loop_paths:,} paths, scaled)", size, f"{loop_s:.2f}",
         f"{paths / loop_s:,.0f}", "1x"),
    ])

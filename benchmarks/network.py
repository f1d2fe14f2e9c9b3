"""Simulating 10,000 blocks on a 10-node network (aim: <= 10 s)."""

from __future__ import annotations

import time

from course.chain.network import simulate_network
from course.display import Table

BUDGET_SECONDS = 10
INTERVAL, LATENCY = 600.0, 6.0  # Bitcoin's block interval; a delay of 1% of it on every link


def run(blocks: int = 10_000, nodes: int = 10) -> Table:
    start = time.perf_counter()
    result = simulate_network([1 / nodes] * nodes, LATENCY, INTERVAL, blocks, seed=0)
    seconds = time.perf_counter() - start
    verdict = "ok" if seconds <= BUDGET_SECONDS else f"over {BUDGET_SECONDS} s"
    row = (f"{blocks:,}", nodes, f"{seconds:.2f}", f"{blocks / seconds:,.0f}",
           f"{result.stale_rate:.4f}", verdict)
    header = ("blocks", "nodes", "seconds", "blocks/s", "stale rate", f"budget {BUDGET_SECONDS} s")
    return Table(header, [row])

"""Mining hash rate of course.chain.mining.mine_fast vs a bare double-SHA-256 loop (aim >= 0.8)."""

from __future__ import annotations

import hashlib
import time

from course.chain.blocks import BlockHeader
from course.chain.mining import mine, mine_fast
from course.display import Table

MINER = "0x0000000000000000000000000000000000000001"


def bare_loop_rate(seconds: float = 2.0) -> float:
    """Double SHA-256 per second of the simplest possible Python loop over 8-byte nonces."""
    data = b"x" * 200  # about the size of a course header
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for nonce in range(50_000):
            hashlib.sha256(hashlib.sha256(data + nonce.to_bytes(8, "little")).digest()).digest()
        count += 50_000
    return count / (time.perf_counter() - start)


def mining_rate(blocks: int = 12, target: int = 2**240, fast: bool = True) -> float:
    """Hashes per second while mining real headers (tries = winning nonce + 1)."""
    tries, start = 0, time.perf_counter()
    for height in range(blocks):
        header = BlockHeader(height, "00" * 32, "11" * 32, 1_700_000_000 + height, target,
                             MINER, 50_000)
        mined = mine_fast(header, progress=False) if fast else mine(header)
        tries += mined.nonce + 1
    return tries / (time.perf_counter() - start)


def run() -> Table:
    bare, fast, plain = bare_loop_rate(), mining_rate(), mining_rate(blocks=4, fast=False)
    return Table(("loop", "hashes/s", "vs bare loop"), [
        ("bare hashlib double SHA-256", f"{bare:,.0f}", "1.00"),
        ("course.chain.mining.mine_fast (midstate)", f"{fast:,.0f}", f"{fast / bare:.2f}"),
        ("course.chain.mining.mine (the lesson's loop)", f"{plain:,.0f}", f"{plain / bare:.2f}"),
    ])

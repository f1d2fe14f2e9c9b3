"""The numbers that define a chain: block interval, difficulty, reward schedule, limits.

Bitcoin's values are in the comments; the course's defaults are small so that a laptop mines
a block in a fraction of a second.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_HASH = 2**256 - 1


@dataclass(frozen=True)
class ChainParams:
    chain_id: int = 1337
    block_interval: int = 10  # seconds wanted between blocks (Bitcoin: 600)
    retarget_interval: int = 10  # blocks between difficulty adjustments (Bitcoin: 2016)
    retarget_clamp: int = 4  # a retarget moves the target at most 4x either way (Bitcoin: 4)
    initial_target: int = 2**244  # about 1 in 4096 hashes wins
    max_target: int = 2**250  # the easiest allowed target (Bitcoin's "pow limit")
    initial_reward: int = 50_000  # in the smallest unit (Bitcoin: 50 BTC)
    halving_interval: int = 100  # blocks between reward halvings (Bitcoin: 210,000)
    max_block_size: int = 200_000  # bytes of serialized block (Bitcoin: 1 MB, later 4M weight)
    max_future_drift: int = 2 * 60 * 60  # a timestamp may run 2 hours ahead (Bitcoin: 2 h)
    median_time_blocks: int = 11  # timestamp must exceed the median of the last 11 (Bitcoin)


def block_subsidy(height: int, params: ChainParams) -> int:
    """New coins a block at ``height`` may create: halved every ``halving_interval`` blocks."""
    halvings = height // params.halving_interval
    return params.initial_reward >> halvings if halvings < 64 else 0


def next_target(previous_target: int, actual_seconds: int, params: ChainParams) -> int:
    """Retarget: scale the target by how long the last window took versus how long it should.

    Too fast (actual < expected) lowers the target, making blocks harder; the change is
    clamped to ``retarget_clamp`` either way and never exceeds ``max_target``.
    """
    expected = params.block_interval * params.retarget_interval
    clamped = min(max(actual_seconds, expected // params.retarget_clamp),
                  expected * params.retarget_clamp)
    return min(previous_target * clamped // expected, params.max_target)


def work(target: int) -> int:
    """Expected hashes to find a block under ``target``: the "work" a block proves."""
    return (MAX_HASH + 1) // (target + 1)

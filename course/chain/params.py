"""The numbers that define a chain: block interval, difficulty, reward schedule, limits.

Bitcoin's values are in the comments; the course's defaults are small so that a laptop mines
a block in a fraction of a second. Taught in notebook 04.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from course.chain.errors import InvalidChainParams
from course.validation import ensure, ensure_instance, ensure_int

MAX_HASH = 2**256 - 1
MAX_UINT64 = 2**64 - 1  # amounts, fees, nonces and times fit in 8 bytes (as in Ethereum)


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

    def __post_init__(self) -> None:
        lowest = {"chain_id": 1, "block_interval": 1, "retarget_interval": 2,
                  "retarget_clamp": 1, "initial_target": 1, "max_target": 1,
                  "initial_reward": 0, "halving_interval": 1, "max_block_size": 1,
                  "max_future_drift": 0, "median_time_blocks": 1}
        for field in fields(self):
            value = ensure_int(getattr(self, field.name), field.name,
                               minimum=lowest[field.name], maximum=MAX_HASH,
                               error=InvalidChainParams)
            object.__setattr__(self, field.name, value)  # a numpy integer becomes an int
        ensure(self.initial_target <= self.max_target, InvalidChainParams, "initial_target",
               hex(self.initial_target), f"<= max_target ({hex(self.max_target)})")


def block_subsidy(height: int, params: ChainParams) -> int:
    """New coins a block at ``height`` may create: halved every ``halving_interval`` blocks."""
    ensure_int(height, "height", minimum=0, error=InvalidChainParams)
    ensure_instance(params, "params", ChainParams, error=InvalidChainParams)
    halvings = height // params.halving_interval
    return params.initial_reward >> halvings if halvings < 64 else 0


def next_target(previous_target: int, actual_seconds: int, params: ChainParams) -> int:
    """Retarget: scale the target by how long the last window took versus how long it should.

    ``actual_seconds`` is the time the last ``retarget_interval`` blocks took: that many
    intervals between block timestamps (the chain measures from the block *before* the
    window, so blocks exactly on schedule leave the target unchanged; see notebook 04).

    Too fast (actual < expected) lowers the target, making blocks harder; the change is
    clamped to ``retarget_clamp`` either way and never exceeds ``max_target``.
    """
    ensure_int(previous_target, "previous_target", minimum=1, maximum=MAX_HASH,
               error=InvalidChainParams)
    ensure_int(actual_seconds, "actual_seconds", error=InvalidChainParams)
    ensure_instance(params, "params", ChainParams, error=InvalidChainParams)
    expected = params.block_interval * params.retarget_interval
    clamped = min(max(actual_seconds, expected // params.retarget_clamp),
                  expected * params.retarget_clamp)
    return min(previous_target * clamped // expected, params.max_target)


def work(target: int) -> int:
    """Expected hashes to find a block under ``target``: the "work" a block proves."""
    ensure_int(target, "target", minimum=0, maximum=MAX_HASH, error=InvalidChainParams)
    return (MAX_HASH + 1) // (target + 1)

"""A small, fast chain for tests: easy difficulty, fixed wallets, a manual clock."""

from __future__ import annotations

import pytest

from course.chain.chain import Blockchain
from course.chain.clock import ManualClock
from course.chain.keys import Wallet, wallet_from_seed
from course.chain.params import ChainParams

EASY = ChainParams(
    initial_target=2**248,  # about 256 hashes per block
    max_target=2**252,
    retarget_interval=5,
    block_interval=10,
    halving_interval=4,
    initial_reward=5_000,
)


@pytest.fixture
def wallets() -> dict[str, Wallet]:
    return {name: wallet_from_seed(f"test {name}") for name in ("alice", "bob", "carol", "miner")}


@pytest.fixture
def alice() -> Wallet:
    return wallet_from_seed("test alice")


@pytest.fixture
def mallory() -> Wallet:
    return wallet_from_seed("test mallory")


@pytest.fixture
def chain(wallets) -> Blockchain:
    allocations = {wallets["alice"].address: 1_000, wallets["bob"].address: 500}
    return Blockchain(EASY, allocations, ManualClock(1_700_000_000))


def mine_next(chain: Blockchain, miner: str, seconds: int = 10, parent: str | None = None):
    chain.clock.advance(seconds)
    return chain.mine_block(miner, parent_hash=parent, progress=False)

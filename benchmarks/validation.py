"""Validating a block of 1,000 signed transactions (aim: <= 0.25 s)."""

from __future__ import annotations

import time

from course.chain.blocks import Block
from course.chain.chain import Blockchain
from course.chain.clock import ManualClock
from course.chain.keys import wallet_from_seed
from course.chain.mining import mine_fast
from course.chain.params import ChainParams
from course.chain.transactions import sign_transaction
from course.display import Table


def block_of_signed_transactions(count: int = 1_000, senders: int = 100):
    """A chain and a mined, valid, not yet added block holding ``count`` transactions."""
    params = ChainParams(initial_target=2**248, max_block_size=2_000_000)
    wallets = [wallet_from_seed("benchmark", index) for index in range(senders)]
    chain = Blockchain(params, {w.address: 10**9 for w in wallets}, ManualClock())
    for n in range(count):
        sender = wallets[n % senders]
        recipient = wallets[(n + 1) % senders].address
        chain.submit_transaction(
            sign_transaction(sender, recipient, 1 + n, 1, n // senders, params.chain_id))
    chain.clock.advance(10)
    template = chain.build_block(wallets[0].address)
    assert len(template.transactions) == count
    return chain, Block(mine_fast(template.header), template.transactions)


def run(repeats: int = 5) -> Table:
    chain, block = block_of_signed_transactions()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        chain.validate_block(block)  # every rule: signatures, nonces, funds, merkle root, ...
        times.append(time.perf_counter() - start)
    best = min(times)
    return Table(("block", "best of 5 (s)", "transactions/s"), [
        (f"{len(block.transactions)} signed transactions", f"{best:.3f}",
         f"{len(block.transactions) / best:,.0f}"),
    ])

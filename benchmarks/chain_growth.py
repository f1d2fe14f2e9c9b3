"""Growing and reloading a 10,000-block chain: a block costs the same at any height.

Each block carries 4 signed payments among 20 wallets (every rule checked: signatures, nonces,
balances, Merkle root, retarget, timestamps). Aims: the last 100 blocks cost at most 1.2x the
blocks 100-199, and the saved file reloads, fully re-validated, in under 60 s.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from course.chain.chain import Blockchain
from course.chain.clock import ManualClock
from course.chain.keys import wallet_from_seed
from course.chain.params import ChainParams
from course.chain.storage import load_chain, save_chain
from course.chain.transactions import sign_transaction
from course.display import Table

PARAMS = ChainParams(initial_target=2**251, max_target=2**252)  # ~32 hashes a block
PAYMENTS_PER_BLOCK = 4
SEGMENT = 100  # blocks per timed segment


def grow(blocks: int) -> tuple[Blockchain, list[float]]:
    """Mine ``blocks`` blocks of payments; return the chain and the seconds of each segment."""
    wallets = [wallet_from_seed("chain growth", n) for n in range(20)]
    chain = Blockchain(PARAMS, {w.address: 10**12 for w in wallets}, ManualClock(1_700_000_000))
    segments, start = [], time.perf_counter()
    for height in range(1, blocks + 1):
        for n in range(PAYMENTS_PER_BLOCK):
            sender = wallets[(height * PAYMENTS_PER_BLOCK + n) % len(wallets)]
            chain.submit_transaction(sign_transaction(
                sender, wallets[n].address, 1 + height % 7, 1, chain.nonce(sender.address),
                PARAMS.chain_id))
        chain.clock.advance(PARAMS.block_interval)
        chain.mine_block(wallets[0].address, progress=False)
        if height % SEGMENT == 0:
            now = time.perf_counter()
            segments.append(now - start)
            start = now
    return chain, segments


def run(blocks: int = 10_000) -> Table:
    chain, segments = grow(blocks)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "chain.jsonl"
        start = time.perf_counter()
        save_chain(chain, path)
        save_seconds = time.perf_counter() - start
        start = time.perf_counter()
        loaded = load_chain(path)
        load_seconds = time.perf_counter() - start
    assert loaded.tip == chain.tip and loaded.state.balances() == chain.state.balances()
    early = segments[1] if len(segments) > 1 else segments[0]  # blocks 100-199 (warm)
    late = segments[-1]
    return Table(("step", "blocks", "seconds", "blocks/s", "note"), [
        ("build (mine + validate)", blocks, f"{sum(segments):.1f}",
         f"{blocks / sum(segments):,.0f}", f"{PAYMENTS_PER_BLOCK} payments a block"),
        ("blocks 100-199", SEGMENT, f"{early:.2f}", f"{SEGMENT / early:,.0f}", ""),
        (f"last {SEGMENT} blocks", SEGMENT, f"{late:.2f}", f"{SEGMENT / late:,.0f}",
         f"{late / early:.2f}x the cost of blocks 100-199 (aim <= 1.2x)"),
        ("save (atomic)", blocks, f"{save_seconds:.2f}", f"{blocks / save_seconds:,.0f}", ""),
        ("reload (re-validate all)", blocks, f"{load_seconds:.1f}",
         f"{blocks / load_seconds:,.0f}", "aim < 60 s for 10,000 blocks"),
    ])

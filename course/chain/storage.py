"""Saving a chain to a file and loading it back, trusting nothing in the file.

The file is JSON Lines: a first line with the chain's parameters and genesis allocations,
then one block per line. Loading replays every block through full validation, so a
truncated, edited or reordered file raises CorruptChainFile instead of loading quietly.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from course.chain.blocks import Block
from course.chain.chain import Blockchain
from course.chain.clock import Clock, ManualClock
from course.chain.errors import ChainError
from course.chain.params import ChainParams

FORMAT = "course-chain/1"


class CorruptChainFile(ValueError):
    """The file is not a valid saved chain; the message names the line and the reason."""


def save_chain(chain: Blockchain, path: str | Path) -> None:
    """Write the main chain (genesis excluded: it follows from the parameters)."""
    genesis = chain.blocks[chain.genesis_hash].header
    first = {"format": FORMAT, "params": asdict(chain.params),
             "allocations": chain.states[chain.genesis_hash].balances(),
             "genesis_time": genesis.timestamp}
    lines = [json.dumps(first)] + [json.dumps(b.to_dict()) for b in chain.main_chain()[1:]]
    Path(path).write_text("\n".join(lines) + "\n")


def load_chain(path: str | Path, clock: Clock | None = None) -> Blockchain:
    """Rebuild a chain from ``save_chain`` output, re-validating every block.

    ``clock`` decides what "now" is for the timestamp rule; by default the time of the last
    block, so an old file still loads. Raises CorruptChainFile naming the line.
    """
    lines = Path(path).read_text().splitlines()
    records = []
    for number, line in enumerate(lines, start=1):
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise CorruptChainFile(f"{path}, line {number}: not valid JSON ({error.msg}); "
                                   "the file is truncated or edited") from None
    if not records or not isinstance(records[0], dict) or records[0].get("format") != FORMAT:
        raise CorruptChainFile(f"{path}, line 1: expected a '{FORMAT}' header line")
    first = records[0]
    try:
        params = ChainParams(**first["params"])
        headers = [r.get("header") for r in records[1:] if isinstance(r, dict)]
        times = [h.get("timestamp") for h in headers if isinstance(h, dict)]
        last_time = max([first["genesis_time"], *[t for t in times if isinstance(t, int)]])
        chain = Blockchain(params, first["allocations"], clock or ManualClock(last_time),
                           genesis_time=first["genesis_time"])
    except (KeyError, TypeError) as error:
        raise CorruptChainFile(f"{path}, line 1: bad chain header ({error})") from None
    for number, record in enumerate(records[1:], start=2):
        try:
            chain.add_block(Block.from_dict(record))
        except (ChainError, TypeError) as error:
            raise CorruptChainFile(f"{path}, line {number}: {error}") from None
    return chain

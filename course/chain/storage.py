"""Saving a chain to a file and loading it back, trusting nothing in the file.

The file is JSON Lines: a first line with the chain's parameters, genesis allocations, the
genesis hash, the number of blocks and the tip's hash, then one block per line. Loading
rebuilds the genesis block (which commits to the parameters and allocations) and replays every
block through full validation, so an edited, truncated, reordered or shortened file raises
CorruptChainFile naming the line, instead of loading quietly.

Saving never leaves a half-written file: it writes a temporary file beside the old one,
flushes it to disk (fsync) and renames it over the old one in one step, the way SQLite and
Git replace files; a lock file keeps two writers from interleaving. Killed mid-save, the old
file is still there, whole. Taught in notebook 04.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from course.chain.blocks import Block
from course.chain.chain import Blockchain
from course.chain.clock import Clock, ManualClock
from course.chain.errors import ChainError, InvalidChainInput
from course.chain.params import ChainParams
from course.errors import CourseError
from course.validation import ensure, ensure_instance

FORMAT = "course-chain/2"
MAX_NESTING = 8  # a saved block nests 3 deep; a line nested deeper is an attack on the parser
HEADER_KEYS = {"format", "params", "allocations", "genesis_time", "genesis_hash", "blocks", "tip"}


class CorruptChainFile(ChainError, ValueError):
    """The file is not a valid saved chain; the message names the line and the reason."""


def save_chain(chain: Blockchain, path: str | Path) -> None:
    """Write the main chain atomically: the file is the old chain or the new one, never half."""
    ensure_instance(chain, "chain", Blockchain, error=InvalidChainInput)
    path = Path(ensure_instance(path, "path", (str, os.PathLike), error=InvalidChainInput))
    blocks = chain.main_chain()[1:]  # genesis follows from the parameters and allocations
    first = {"format": FORMAT, "params": asdict(chain.params),
             "allocations": chain.states[chain.genesis_hash].balances(),
             "genesis_time": chain.blocks[chain.genesis_hash].header.timestamp,
             "genesis_hash": chain.genesis_hash, "blocks": len(blocks), "tip": chain.tip}
    lines = [json.dumps(first)] + [json.dumps(block.to_dict()) for block in blocks]
    with _locked(path):
        _replace_atomically(path, ("\n".join(lines) + "\n").encode())


def load_chain(path: str | Path, clock: Clock | None = None) -> Blockchain:
    """Rebuild a chain from ``save_chain`` output, re-validating every block.

    ``clock`` decides what "now" is for the timestamp rule; by default the time of the last
    block, so an old file still loads. Raises CorruptChainFile naming the line.
    """
    path = Path(ensure_instance(path, "path", (str, os.PathLike), error=InvalidChainInput))
    ensure(clock is None or callable(getattr(clock, "now", None)), InvalidChainInput, "clock",
           clock, "None or a clock with .now(), e.g. ManualClock(1_700_000_000)")
    records = [_parse_line(path, number, line)
               for number, line in enumerate(_read_lines(path), start=1)]
    if not records:
        raise CorruptChainFile(f"{path}, line 1: the file is empty")
    first = _check_header(path, records[0])
    blocks = records[1:]
    if len(blocks) != first["blocks"]:
        raise CorruptChainFile(
            f"{path}, line {len(records)}: the header promises {first['blocks']} blocks but "
            f"the file holds {len(blocks)}: it was cut short or lines were added")
    times = [r["header"].get("timestamp") for r in blocks
             if isinstance(r, dict) and isinstance(r.get("header"), dict)]
    last_time = max([first["genesis_time"], *[t for t in times if type(t) is int]])
    try:
        chain = Blockchain(ChainParams(**first["params"]), first["allocations"],
                           clock or ManualClock(last_time), genesis_time=first["genesis_time"])
    except (CourseError, TypeError) as error:
        raise CorruptChainFile(f"{path}, line 1: bad chain header ({error})") from None
    if chain.genesis_hash != first["genesis_hash"]:
        raise CorruptChainFile(
            f"{path}, line 1: the parameters or allocations were edited: they make genesis "
            f"{chain.genesis_hash[:16]}..., the file says {str(first['genesis_hash'])[:16]}...")
    for number, record in enumerate(blocks, start=2):
        try:
            added = chain.add_block(Block.from_dict(record))
        except (CourseError, TypeError, RecursionError) as error:
            raise CorruptChainFile(f"{path}, line {number}: {error}") from None
        if not added.became_tip:
            raise CorruptChainFile(f"{path}, line {number}: a block off the saved main chain")
    if chain.tip != first["tip"]:
        raise CorruptChainFile(f"{path}, line 1: the header's tip {str(first['tip'])[:16]}... "
                               f"is not the last block {chain.tip[:16]}...")
    return chain


# --- reading, trusting nothing ----------------------------------------------------------------


def _read_lines(path: Path) -> list[str]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CorruptChainFile(f"{path}: cannot be read ({error.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise CorruptChainFile(f"{path}, line {line}: not UTF-8 text (a flipped or "
                               "binary byte)") from None
    if text and not text.endswith("\n"):
        raise CorruptChainFile(f"{path}, line {text.count(chr(10)) + 1}: the last line has no "
                               "end: the file was cut mid-write")
    return text.splitlines()


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]")


def nesting_depth(line: str, limit: int = MAX_NESTING) -> int:
    """How deeply brackets nest in a JSON line (outside strings), counting up to ``limit + 1``.

    Checked before ``json.loads``: a line of 100,000 '[' can overflow the C stack of the
    parser and crash the interpreter instead of raising an error.
    """
    brackets = _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", line))
    depth = deepest = 0
    for bracket in brackets:
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
        if deepest > limit:
            break
    return deepest


def _parse_line(path: Path, number: int, line: str) -> Any:
    if nesting_depth(line) > MAX_NESTING:
        reason = f"nested more than {MAX_NESTING} deep, which no saved block is"
    else:
        try:
            return json.loads(line)
        except json.JSONDecodeError as error:
            reason = f"not valid JSON ({error.msg})"
        except RecursionError:
            reason = "nested too deeply to be a block"
    raise CorruptChainFile(f"{path}, line {number}: {reason}; the file is truncated or edited")


def _check_header(path: Path, first: Any) -> dict[str, Any]:
    if not isinstance(first, dict) or first.get("format") != FORMAT:
        raise CorruptChainFile(f"{path}, line 1: expected a '{FORMAT}' header line")
    if set(first) != HEADER_KEYS:
        raise CorruptChainFile(f"{path}, line 1: the header must have exactly the keys "
                               f"{sorted(HEADER_KEYS)}")
    if not isinstance(first["params"], dict) or not isinstance(first["allocations"], dict):
        raise CorruptChainFile(f"{path}, line 1: params and allocations must be objects")
    for key in ("genesis_time", "blocks"):
        if type(first[key]) is not int or first[key] < 0:
            raise CorruptChainFile(f"{path}, line 1: {key} must be a whole number >= 0")
    return first


# --- writing, atomically ----------------------------------------------------------------------


def _replace_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file in the same folder, fsync it, rename it over ``path``."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)  # atomic on POSIX and Windows: old file or new, never half
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows has no folder handles to sync)."""
    if sys.platform == "win32":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` + '.lock' so two savers take turns."""
    with open(path.with_name(path.name + ".lock"), "a+b") as lock:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(lock.fileno(), msvcrt.LK_LOCK, 1)
            try:
                yield
            finally:
                lock.seek(0)
                msvcrt.locking(lock.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

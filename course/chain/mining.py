"""Mining: try nonces until the header's hash, read as a number, is at most the target.

Two versions of the same search, side by side. ``mine`` is the loop you write in notebook 04:
change the nonce, hash the whole header, compare. ``mine_fast`` finds the same nonce about
eight times faster with the trick real miners use (the "midstate": the part of the header
before the nonce never changes, so it is hashed once and copied for every try), and shows a
progress bar on long searches. A test checks that both always find the same nonce.
Taught in notebook 04.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from tqdm.auto import tqdm

from course.chain.blocks import NONCE_BYTES, BlockHeader, check_header_form
from course.chain.errors import MalformedBlock
from course.chain.params import work

MAX_NONCE = 2 ** (8 * NONCE_BYTES) - 1


class NonceSpaceExhausted(MalformedBlock):
    """Every nonce was tried (only possible with an absurdly small target)."""


def mine(header: BlockHeader) -> BlockHeader:
    """The lesson's version: nonce 0, 1, 2, ... until ``header.meets_target()``."""
    check_header_form(header)
    nonce = 0
    while not replace(header, nonce=nonce).meets_target():
        nonce += 1
        if nonce > MAX_NONCE:
            raise NonceSpaceExhausted("block", "difficulty_target",
                                      hex(header.difficulty_target), "a target some nonce meets")
    return replace(header, nonce=nonce)


def mine_fast(header: BlockHeader, progress: bool | None = None) -> BlockHeader:
    """The same search as ``mine``, with the midstate trick; returns the same header.

    ``progress=None`` shows a bar only for long searches (over a million expected tries).
    """
    check_header_form(header)
    base = hashlib.sha256(header.prefix_bytes())  # the part of the header before the nonce
    target = header.difficulty_target
    expected_tries = work(target)
    show = expected_tries > 2**20 if progress is None else progress
    bar = tqdm(total=expected_tries, unit="hash", unit_scale=True, desc="mining", disable=not show)
    batch = 16_384  # nonces between progress-bar updates
    with bar:
        for start in range(0, MAX_NONCE + 1, batch):
            for nonce in range(start, start + batch):
                inner = base.copy()
                inner.update(nonce.to_bytes(NONCE_BYTES, "little"))
                if int.from_bytes(hashlib.sha256(inner.digest()).digest(), "big") <= target:
                    bar.update(nonce - start + 1)
                    return replace(header, nonce=nonce)
            bar.update(batch)
    raise NonceSpaceExhausted("block", "difficulty_target", hex(target),
                              "a target some nonce meets: raise the target")

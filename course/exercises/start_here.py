"""Checks for notebook 00 (Start here): three tiny warm-ups that preview the course."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable

from course.exercises import CheckFailed, Exercise, expect_function, expect_type


def sha256_hex(text: str) -> str:
    """SHA-256 of a UTF-8 string, as 64 hex characters."""
    return hashlib.sha256(text.encode()).hexdigest()


def _count_leading_zeros(hex_digest: str) -> int:
    return len(hex_digest) - len(hex_digest.lstrip("0"))


def _test_leading_zeros(answer: Callable[[str], int]) -> str:
    expect_function(answer, 1)
    cases = ["0000ab", "ab00", "000", "", "f", "0f0"]
    cases += [sha256_hex(f"block {n}") for n in range(200)]  # real digests, some start with 0s
    for digest in cases:
        got = answer(digest)
        expect_type(got, int, f"leading_zeros({digest!r})")
        expected = _count_leading_zeros(digest)
        if got != expected:
            raise CheckFailed(f"leading_zeros({digest!r}) returned {got}, expected {expected}.")
    return f"Right on {len(cases)} inputs, including 200 real SHA-256 digests."


check_leading_zeros = Exercise(
    name="leading_zeros",
    goal="Write leading_zeros(hex_digest) that returns how many '0' characters "
    "the string starts with ('00a0' -> 2).",
    hints=(
        "A hex digest is just text: walk it from the left and count, and only the zeros before "
        "the first other character count.",
        "The same idea on other data: how many spaces does '   hi  ' start with? Walk it: "
        "' ' (1), ' ' (2), ' ' (3), 'h' stops the walk: 3. Or measure what disappears when you "
        "strip the characters from the left only: len('   hi  ') - len('hi  ') = 3.",
    ),
    test=_test_leading_zeros,
)


def _test_fee_in_eth(answer: Callable[[int, float], float]) -> str:
    expect_function(answer, 2)
    cases = [(21_000, 20), (21_000, 1), (50_000, 0.5), (0, 30), (1_000_000, 150)]
    for gas_used, gas_price_gwei in cases:
        got = answer(gas_used, gas_price_gwei)
        expect_type(got, (int, float), f"fee_in_eth({gas_used}, {gas_price_gwei})")
        expected = gas_used * gas_price_gwei / 1e9
        if not math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-18):
            raise CheckFailed(
                f"fee_in_eth({gas_used}, {gas_price_gwei}) returned {got!r}, "
                f"expected {expected!r} ETH."
            )
    return "A plain transfer (21,000 gas) at 20 gwei costs 0.00042 ETH."


check_fee_in_eth = Exercise(
    name="fee_in_eth",
    goal="Write fee_in_eth(gas_used, gas_price_gwei) that returns the fee in ETH.",
    hints=(
        "A fee is a quantity times a unit price, here gas times gwei per gas; then a change of "
        "unit, since 1 ETH = 10**9 gwei.",
        "The same shape with other units: 300 km at 6 litres per 100 km is 300 * 6 / 100 = 18 "
        "litres. Likewise 50,000 gas at 2 gwei is 100,000 gwei, which is 0.0001 ETH.",
    ),
    test=_test_fee_in_eth,
)


def _smallest_nonce(prefix: str, zeros: int) -> int:
    nonce = 0
    while not sha256_hex(f"{prefix}{nonce}").startswith("0" * zeros):
        nonce += 1
    return nonce


def _test_find_nonce(answer: Callable[[str, int], int]) -> str:
    expect_function(answer, 2)
    for prefix, zeros in [("hello", 1), ("block 1:", 2), ("course", 3)]:
        got = answer(prefix, zeros)
        expect_type(got, int, f"find_nonce({prefix!r}, {zeros})")
        digest = sha256_hex(f"{prefix}{got}")
        if not digest.startswith("0" * zeros):
            raise CheckFailed(
                f"find_nonce({prefix!r}, {zeros}) returned {got}, but "
                f"sha256({prefix + str(got)!r}) = {digest[:12]}... does not start "
                f"with {zeros} zero(s)."
            )
        smallest = _smallest_nonce(prefix, zeros)
        if got != smallest:
            raise CheckFailed(
                f"find_nonce({prefix!r}, {zeros}) returned {got}; it works, but {smallest} "
                "is smaller. Start counting at 0."
            )
    return "You just did proof of work: notebook 04 builds a whole chain on this idea."


check_find_nonce = Exercise(
    name="find_nonce",
    goal="Write find_nonce(prefix, zeros) that returns the smallest nonce 0, 1, 2, ... "
    "such that sha256_hex(prefix + str(nonce)) starts with `zeros` zeros.",
    hints=(
        "Proof of work is a search: nobody can predict which nonce works, so try 0, 1, 2, ... in "
        "order and stop at the first success. Stopping at the first one is what makes it the "
        "smallest.",
        "The same search on another question: the smallest n >= 0 with n * n > 50. Start with "
        "n = 0 and add 1 as long as the test fails (0, 1, ..., 7: 49 is not > 50; 8: 64 is), "
        "then answer 8. Your test is 'the hash of prefix + str(nonce) has enough leading "
        "zeros'.",
    ),
    test=_test_find_nonce,
)

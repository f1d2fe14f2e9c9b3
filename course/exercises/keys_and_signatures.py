"""Checks for notebook 02 (Keys and signatures): addresses and elliptic-curve points by hand.
The ECDSA checks (sign, verify, nonce reuse, RFC 6979) live in course.exercises.ecdsa_by_hand
and are re-exported here."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import coincurve

from course.chain.keys import (
    SECP256K1_ORDER,
    wallet_from_private_key,
    wallet_from_seed,
)
from course.exercises import (
    CheckFailed,
    Exercise,
    NotDoneYet,
    expect_function,
    expect_type,
)
from course.exercises.ecdsa_by_hand import (  # noqa: F401 (Try its 4-6, re-exported)
    check_recover_private_key,
    check_rfc6979_nonce,
    check_sign,
    check_verify,
)


def _short(value: object, keep: int = 18) -> str:
    text = repr(value)
    return text if len(text) <= keep + 6 else f"{text[:keep]}...{text[-4:]}"


# --- Try it 1: address_from_public_key ------------------------------------------------------


def _test_address_from_public_key(answer: Callable[[bytes], str]) -> str:
    expect_function(answer, 1)
    wallets = {"private key 1": wallet_from_private_key((1).to_bytes(32, "big"))}  # G itself
    for index in range(100):
        wallets[f"wallet_from_seed('check address', {index})"] = wallet_from_seed(
            "check address", index
        )
    for label, wallet in wallets.items():
        got = answer(wallet.public_key.to_bytes())
        call = f"address_from_public_key(public key of {label})"
        expect_type(got, str, call)
        if got == wallet.address:
            continue
        if got.lower() == wallet.address.lower():
            raise CheckFailed(
                f"{call} returned {got}: the right address, but not in EIP-55 mixed case. "
                f"Pass it through to_checksum_address to get {wallet.address}."
            )
        raise CheckFailed(
            f"{call} returned {got!r}, expected {wallet.address}. Hash the 64 bytes as they "
            "are (no 0x04 prefix) with keccak256 and keep the LAST 20 bytes."
        )
    return (
        f"Right on {len(wallets)} wallets. An address is 20 bytes of a hash: "
        "nobody can turn it back into a public key, let alone a private key."
    )


check_address_from_public_key = Exercise(
    name="address_from_public_key",
    goal="Write address_from_public_key(public_key) that turns a 64-byte public key into "
    "its EIP-55 checksummed address.",
    hints=(
        "Section 1's pipeline: an address is a fingerprint of the public key. Hash its 64 "
        "bytes (x then y, no 04 prefix) with keccak256, keep the LAST 20 bytes of the digest, "
        "and write them as 0x-prefixed hex in EIP-55 mixed case.",
        "The same steps on the bytes b'hello' instead of a key: keccak256(b'hello') is "
        "1c8aff95...a36deac8 (32 bytes); its last 20 bytes are 3472287b...a36deac8; "
        "to_checksum_address('0x3472287b...') writes them as 0x3472287B56D9517B9C948127319A09a7"
        "A36dEaC8.",
    ),
    test=_test_address_from_public_key,
)


# --- Try it 2 and 3: point_add and scalar_multiply, elliptic curves by hand -----------------

Point = tuple[int, int] | None
"""A point (x, y) of y² = x³ + 7 over F_p, or None: the point at infinity."""

TOY_PRIME = 97
"""The toy curve's prime: y² = x³ + 7 mod 97 has 78 points, plus the point at infinity."""

SECP256K1_PRIME = 2**256 - 2**32 - 977
"""secp256k1's field prime p (SEC 2, §2.4.1)."""

SECP256K1_G = (
    0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
    0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8,
)
"""secp256k1's generator G (SEC 2, §2.4.1): the public key of private key 1."""


def curve_points(p: int) -> list[tuple[int, int]]:
    """Every point (x, y) of y² = x³ + 7 mod p, found by trying all p² pairs (small p only)."""
    return [(x, y) for x in range(p) for y in range(p) if (y * y - x**3 - 7) % p == 0]


def _reference_point_add(first: Point, second: Point, p: int) -> Point:
    """Test data for the toy-curve checks, not a library: the course signs with coincurve."""
    if first is None:
        return second
    if second is None:
        return first
    (x1, y1), (x2, y2) = first, second
    if x1 == x2 and (y1 + y2) % p == 0:
        return None
    if first == second:
        slope = 3 * x1 * x1 * pow(2 * y1, -1, p) % p
    else:
        slope = (y2 - y1) * pow(x2 - x1, -1, p) % p
    x3 = (slope * slope - x1 - x2) % p
    return x3, (slope * (x1 - x3) - y1) % p


def _reference_multiply(k: int, point: Point, p: int) -> Point:
    result: Point = None
    for bit in bin(k)[2:]:
        result = _reference_point_add(result, result, p)
        if bit == "1":
            result = _reference_point_add(result, point, p)
    return result


def _library_point(k: int) -> Point:
    """k·G computed by libsecp256k1 (through coincurve); None when k is a multiple of n."""
    k %= SECP256K1_ORDER
    if k == 0:
        return None
    x, y = coincurve.PublicKey.from_secret(k.to_bytes(32, "big")).point()
    return x, y


def _point_text(point: Point) -> str:
    if point is None:
        return "None"
    return f"({_short(point[0], 10)}, {_short(point[1], 10)})"


def _call_for_a_point(answer: Callable[..., Any], args: tuple, call: str, why: str) -> Point:
    """Run the learner's function; a crash or a non-point becomes a CheckFailed naming the call."""
    try:
        got = answer(*args)
    except (NotDoneYet, NotImplementedError):
        raise
    except Exception as error:
        raise CheckFailed(f"{call} raised {type(error).__name__}: {error}. {why}") from None
    if got is None:
        return None
    if isinstance(got, tuple | list) and any(isinstance(c, float) for c in got):
        raise CheckFailed(
            f"{call} returned {got!r}: floats. There are no fractions mod p: divide by d by "
            "multiplying with its inverse, pow(d, -1, p), and keep every number an int."
        )
    if (
        not isinstance(got, tuple | list)
        or len(got) != 2
        or not all(isinstance(c, int) and not isinstance(c, bool) for c in got)
    ):
        raise CheckFailed(
            f"{call} should return a point (x, y) of two ints, or None for the point at "
            f"infinity; it returned {type(got).__name__} {_short(got, 40)}."
        )
    return got[0], got[1]


def _why_sum(first: Point, second: Point, p: int) -> str:
    """What the rule is for this kind of sum: the hint a wrong or crashing answer gets."""
    if first is None or second is None:
        return "None is the point at infinity, the identity: None + Q is Q, and P + None is P."
    if first[0] == second[0] and (first[1] + second[1]) % p == 0:
        return (
            "Q is -P (same x, y2 = p - y1): the line through them is vertical and meets no "
            "third point, so P + (-P) is the point at infinity: return None."
        )
    if first == second:
        return (
            "P + P uses the tangent at P, slope 3·x1² / (2·y1), the division done as "
            "multiplication by pow(2 * y1, -1, p); the chord slope would divide by zero."
        )
    return (
        "The chord: slope = (y2 - y1) / (x2 - x1) as (y2 - y1) * pow(x2 - x1, -1, p), then "
        "x3 = slope² - x1 - x2 and y3 = slope·(x1 - x3) - y1, both mod p."
    )


def _expect_point(got: Point, expected: Point, p: int, call: str, why: str) -> None:
    if got == expected:
        return
    if got is not None and expected is not None and all(
        (a - b) % p == 0 for a, b in zip(got, expected, strict=True)
    ):
        raise CheckFailed(
            f"{call} returned {_point_text(got)}: right modulo p, but not reduced. Return "
            "x3 % p and y3 % p, numbers from 0 to p - 1, so that equal points compare equal."
        )
    raise CheckFailed(
        f"{call} returned {_point_text(got)}, expected {_point_text(expected)}. {why}"
    )


def _toy_sums() -> list[tuple[Point, Point]]:
    """Every ordered pair of the toy curve's points (and None), ordinary chords first."""
    points: list[Point] = [*curve_points(TOY_PRIME), None]
    pairs = [(a, b) for a in points for b in points]

    def kind(pair: tuple[Point, Point]) -> int:
        a, b = pair
        if a is None or b is None:
            return 3
        if a[0] == b[0]:
            return 1 if a == b else 2
        return 0

    return sorted(pairs, key=kind)  # stable: chords, doublings, P + (-P), then None


def _secp256k1_sums() -> list[tuple[int, int]]:
    """Pairs (k1, k2): the check adds the library's k1·G and k2·G (k = 0 stands for None)."""
    rng = random.Random("check point_add")
    n = SECP256K1_ORDER
    pairs = [(1, 2), (2, 1), (1, 1)]
    pairs += [(rng.randrange(1, n), rng.randrange(1, n)) for _ in range(40)]
    doubles = [rng.randrange(1, n) for _ in range(5)]
    pairs += [(k, k) for k in doubles] + [(k, n - k) for k in doubles] + [(1, n - 1)]
    pairs += [(0, doubles[0]), (doubles[1], 0), (0, 0)]
    return pairs


def _test_point_add(answer: Callable[[Point, Point, int], Point]) -> str:
    expect_function(answer, 3)
    toy = _toy_sums()
    for first, second in toy:
        call = f"point_add({_point_text(first)}, {_point_text(second)}, {TOY_PRIME})"
        why = _why_sum(first, second, TOY_PRIME)
        got = _call_for_a_point(answer, (first, second, TOY_PRIME), call, why)
        _expect_point(got, _reference_point_add(first, second, TOY_PRIME), TOY_PRIME, call, why)
    big = _secp256k1_sums()
    for k1, k2 in big:
        first, second = _library_point(k1), _library_point(k2)
        call = (
            f"point_add({_point_text(first)}, {_point_text(second)}, secp256k1's p), the "
            f"points k1·G and k2·G with k1 = {_short(k1, 10)}, k2 = {_short(k2, 10)},"
        )
        why = _why_sum(first, second, SECP256K1_PRIME)
        got = _call_for_a_point(answer, (first, second, SECP256K1_PRIME), call, why)
        _expect_point(got, _library_point(k1 + k2), SECP256K1_PRIME, call, why)
    return (
        f"Right on all {len(toy)} sums of the toy curve mod {TOY_PRIME}, and on {len(big)} "
        "sums k1·G + k2·G of secp256k1, each equal to the library's (k1 + k2)·G."
    )


check_point_add = Exercise(
    name="point_add",
    goal="Write point_add(P, Q, p) that adds two points of y² = x³ + 7 mod p (None is the "
    "point at infinity) and returns the sum as (x, y), or None.",
    hints=(
        "Four cases, in this order: one of the points is None (the identity); Q is -P "
        "(same x, y1 + y2 = 0 mod p); P == Q (the tangent slope); anything else (the "
        "chord slope). Divide by d mod p as multiplication by pow(d, -1, p), and reduce "
        "the coordinates mod p.",
        "A worked example on another curve, y² = x³ + 7 mod 17: (2, 7) + (5, 8). Slope = "
        "(8 - 7) / (5 - 2) = 1 · 3⁻¹ = 6, because 3 · 6 = 18 = 1 (mod 17). x3 = 6² - 2 - 5 "
        "= 29 = 12; y3 = 6 · (2 - 12) - 7 = -67 = 1 (mod 17). The sum is (12, 1): check "
        "that 1² = 12³ + 7 (mod 17).",
    ),
    test=_test_point_add,
)


_TIME_LIMIT_S = 0.1
"""scalar_multiply(2**20 + 1, ...) on the toy curve: double-and-add takes well under a
millisecond, adding P to itself 2**20 times takes about a second."""


def _why_product(k: int) -> str:
    if k == 0:
        return "0·P is the sum of no points: the point at infinity, None."
    if k == 1:
        return "1·P is P itself."
    return (
        "Walk the bits of k: at every bit the result doubles, and where a bit is 1 it gains "
        "P. On small k, compare with adding P to itself k times with your point_add."
    )


def _test_scalar_multiply(answer: Callable[[int, Point, int], Point]) -> str:
    expect_function(answer, 3)
    toy_points = curve_points(TOY_PRIME)
    bases: list[Point] = [toy_points[0], toy_points[17], toy_points[40], toy_points[-1]]
    toy = [(k, base) for base in bases for k in range(0, 2 * (len(toy_points) + 1) + 3)]
    for k, base in toy:
        call = f"scalar_multiply({k}, {_point_text(base)}, {TOY_PRIME})"
        got = _call_for_a_point(answer, (k, base, TOY_PRIME), call, _why_product(k))
        expected = _reference_multiply(k, base, TOY_PRIME)
        _expect_point(got, expected, TOY_PRIME, call, _why_product(k))

    k, base = 2**20 + 1, bases[1]
    call = f"scalar_multiply(2**20 + 1, {_point_text(base)}, {TOY_PRIME})"
    start = time.perf_counter()
    got = _call_for_a_point(answer, (k, base, TOY_PRIME), call, _why_product(k))
    seconds = time.perf_counter() - start
    _expect_point(got, _reference_multiply(k, base, TOY_PRIME), TOY_PRIME, call, _why_product(k))
    if seconds > _TIME_LIMIT_S:
        raise CheckFailed(
            f"{call} is right but took {seconds:.2f} s: the time grows with k itself, so a "
            "256-bit private key would never finish. Double-and-add needs only about "
            "2·log2(k) additions: 40 here, about 380 for a real key."
        )

    n, G = SECP256K1_ORDER, SECP256K1_G
    cases: list[tuple[int, Point, str, Point]] = [
        (0, G, "0", None),
        (1, G, "1", G),
        (2, G, "2", _library_point(2)),
        (n - 1, G, "n - 1", _library_point(n - 1)),
        (n, G, "n", None),
    ]
    for index in range(20):
        wallet = wallet_from_seed("check scalar multiply", index)
        public_key = wallet.public_key.to_bytes()
        key_point = int.from_bytes(public_key[:32], "big"), int.from_bytes(public_key[32:], "big")
        k = int.from_bytes(wallet.private_key.to_bytes(), "big")
        cases.append((k, G, f"the private key of wallet_from_seed('check scalar multiply', "
                      f"{index})", key_point))
    rng = random.Random("check scalar_multiply")
    for _ in range(3):
        a, k = rng.randrange(1, n), rng.randrange(1, n)
        cases.append((k, _library_point(a), _short(k, 10), _library_point(a * k)))
    for k, base, k_text, expected in cases:
        base_text = "G" if base == G else _point_text(base)
        call = f"scalar_multiply(k, {base_text}, secp256k1's p) with k = {k_text}"
        got = _call_for_a_point(answer, (k, base, SECP256K1_PRIME), call, _why_product(k))
        _expect_point(got, expected, SECP256K1_PRIME, call, _why_product(k))
    return (
        f"Right on {len(toy)} products on the toy curve and {len(cases)} on secp256k1, "
        "including 20 public keys made from their private keys: k·G is the public key."
    )


check_scalar_multiply = Exercise(
    name="scalar_multiply",
    goal="Write scalar_multiply(k, P, p) that computes k·P = P + P + ... + P (k times) on "
    "y² = x³ + 7 mod p by double-and-add with your point_add; 0·P is None.",
    hints=(
        "Write k in binary, bin(k). Doubling a point doubles its multiple, and adding P "
        "adds one: so a multiple can follow the bits of k, from the first, much as the "
        "decimal digits 4, 2, 7 build 427 = (4·10 + 2)·10 + 7. Start from None, the "
        "multiple 0.",
        "A worked example with k = 6 = 0b110. Start at None. Bit 1: double (None), add P: "
        "1·P. Bit 1: double: 2·P, add P: 3·P. Bit 0: double: 6·P, add nothing. Three "
        "doublings and two additions instead of five additions; for a 256-bit k, about "
        "256 doublings and 128 additions instead of 2^256.",
    ),
    test=_test_scalar_multiply,
)

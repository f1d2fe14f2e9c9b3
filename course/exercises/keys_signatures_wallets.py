"""Checks for notebook 02 (Keys, signatures and wallets): addresses, elliptic-curve points by
hand, EIP-55, message signers and phishing signature requests. The ECDSA checks (sign, verify,
nonce reuse, RFC 6979) live in course.exercises.ecdsa_by_hand and are re-exported here."""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable
from typing import Any

import coincurve

from course.chain.hashing import keccak256
from course.chain.keys import (
    SECP256K1_ORDER,
    sign_message,
    to_checksum_address,
    wallet_from_private_key,
    wallet_from_seed,
)
from course.chain.siwe import SiweMessage
from course.exercises import (
    CheckFailed,
    Exercise,
    NotDoneYet,
    expect_function,
    expect_type,
)
from course.exercises.ecdsa_by_hand import (  # noqa: F401 (Try its 5-7, re-exported)
    check_recover_private_key,
    check_rfc6979_nonce,
    check_sign,
    check_verify,
)

MAX_UINT256 = 2**256 - 1
"""The largest amount a token approval can name: wallets show it as "Unlimited"."""


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


# --- Try it 4: eip55_checksum ----------------------------------------------------------------

# The eight addresses printed in EIP-55 itself (all caps, all lower, and mixed "normal" ones).
EIP55_TEST_ADDRESSES = (
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
)


def _test_eip55_checksum(answer: Callable[[str], str]) -> str:
    expect_function(answer, 1)
    expected_addresses = list(EIP55_TEST_ADDRESSES)
    expected_addresses.append("0x" + "1234567890" * 4)  # no letters: nothing to checksum
    expected_addresses += [
        to_checksum_address("0x" + keccak256(f"random address {n}".encode())[-20:].hex())
        for n in range(300)
    ]
    for expected in expected_addresses:
        lowercase = expected.lower()
        got = answer(lowercase)
        call = f"eip55_checksum({lowercase!r})"
        expect_type(got, str, call)
        if got == expected:
            continue
        if got.lower() != lowercase:
            raise CheckFailed(
                f"{call} returned {got!r}: that is not the same address. Change only the "
                "case of the letters a-f, and keep the '0x' in front."
            )
        first = next(i for i, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b)
        raise CheckFailed(
            f"{call} returned {got}, expected {expected} (first difference at character "
            f"{first}, {got[first]!r} instead of {expected[first]!r}). Hash the lowercase "
            "hex TEXT, without '0x', and compare each hash hex digit with 8."
        )
    return (
        f"Right on {len(expected_addresses)} addresses, including EIP-55's own test "
        "cases. About 15 letters per address: 15 check bits for free."
    )


check_eip55_checksum = Exercise(
    name="eip55_checksum",
    goal="Write eip55_checksum(address) that writes a lowercase '0x' address in EIP-55 "
    "mixed case, using keccak256.",
    hints=(
        "Section 4's three steps: hash the lowercase hex TEXT without '0x' (.encode() it, do "
        "not convert it to the 20 bytes it stands for); hex digit i of that hash decides the "
        "case of character i: a letter goes upper case when the digit is 8 or more.",
        "A worked example on the 4-character text 'ab1f': keccak256(b'ab1f').hex() starts "
        "3bd0. Under 'a' is 3 (below 8: stays a), under 'b' is b = 11 (8 or more: B), under '1' "
        "is d (a digit has no case), under 'f' is 0 (stays f): 'aB1f'.",
    ),
    test=_test_eip55_checksum,
)


# --- Try it 8: who_signed --------------------------------------------------------------------

MESSAGES = (
    "hello",
    "",
    "gm ☀️",
    "Je signe, donc je suis: café crème",
    "I agree to pay 10 coins to Bob.\nNonce: 7",
    "x" * 200,
)


def _signed_messages() -> list[tuple[str, bytes, str]]:
    login = SiweMessage(
        domain="app.example.org",
        address=wallet_from_seed("check who signed").address,
        statement="Sign in to Example App.",
        uri="https://app.example.org/login",
        chain_id=1,
        nonce="q8ZpT3wLx2",
        issued_at="2026-03-01T12:00:00Z",
    )
    texts = [*MESSAGES, login.text()] + [f"message {n}: {'é' * n}" for n in range(40)]
    cases = []
    for n, text in enumerate(texts):
        wallet = wallet_from_seed("check who signed", n % 7)
        cases.append((text, sign_message(wallet, text), wallet.address))
    return cases


def _test_who_signed(answer: Callable[[str, bytes], str]) -> str:
    expect_function(answer, 2)
    cases = _signed_messages()
    for text, signature, signer in cases:
        got = answer(text, signature)
        call = f"who_signed({_short(text)}, signature)"
        expect_type(got, str, call)
        if got == signer:
            continue
        if got.lower() == signer.lower():
            raise CheckFailed(f"{call} returned {got}: right signer, but write it in EIP-55 case.")
        raise CheckFailed(
            f"{call} returned {got!r}, expected {signer}. Recovery ran on the wrong digest: "
            "hash b'\\x19Ethereum Signed Message:\\n' + the message's length IN BYTES + "
            "the message bytes."
        )
    return (
        f"Right on {len(cases)} signed messages, accents and emoji included. Recovery gives "
        "*an* address for any digest: comparing it with the one you expect is your job."
    )


check_who_signed = Exercise(
    name="who_signed",
    goal="Write who_signed(message, signature) that returns the address that signed the "
    "personal message (EIP-191) `message`.",
    hints=(
        "EIP-191 (section 7): the wallet did not sign the message's hash but keccak256 of a "
        "prefix, the message's length in BYTES written as decimal digits, and the message's "
        "UTF-8 bytes. Rebuild that digest; recover_address(digest, signature) does the curve part.",
        "For the message 'hé' (2 characters, 3 bytes in UTF-8), the signed bytes are "
        "b'\\x19Ethereum Signed Message:\\n' + b'3' + b'h\\xc3\\xa9', and the digest is "
        "keccak256 of those 30 bytes. Writing len('hé') = 2 would give another digest, and "
        "recovery would return a stranger.",
    ),
    test=_test_who_signed,
)


# --- Try it 9: looks_like_phishing -------------------------------------------------------------

_SPENDER = "0x000000000000000000000000000000000000dEaD"
_FRIEND = wallet_from_seed("course bob").address
_ME = wallet_from_seed("course alice").address


def _siwe_text(domain: str) -> str:
    return SiweMessage(
        domain=domain,
        address=_ME,
        statement="Sign in to Example App.",
        uri="https://app.example.org/login",
        chain_id=1,
        nonce="N4v7Qe2Lp9",
        issued_at="2026-03-01T12:00:00Z",
    ).text()


# (request, is phishing, why): the fixed set every answer is checked on.
_REQUESTS: tuple[tuple[dict[str, Any], bool, str], ...] = (
    (
        {"method": "eth_sign", "origin": "app.example.org",
         "hash": "0x" + keccak256(b"a transaction in disguise").hex()},
        True, "eth_sign signs an opaque hash, which may be a transaction",
    ),
    (
        {"method": "eth_sendTransaction", "origin": "dex-rewards.example", "to": _SPENDER,
         "value": 0, "function": "approve",
         "args": {"spender": _SPENDER, "amount": MAX_UINT256}},
        True, "an unlimited token approval lets the spender take every token, forever",
    ),
    (
        {"method": "eth_signTypedData_v4", "origin": "free-mint.example",
         "primary_type": "Permit",
         "message": {"owner": _ME, "spender": _SPENDER, "value": MAX_UINT256,
                     "nonce": 0, "deadline": 1_900_000_000}},
        True, "an unlimited Permit is an unlimited approval, signed off-chain",
    ),
    (
        {"method": "eth_sendTransaction", "origin": "nft-gift.example", "to": _SPENDER,
         "value": 0, "function": "setApprovalForAll",
         "args": {"operator": _SPENDER, "approved": True}},
        True, "setApprovalForAll(operator, True) hands over every NFT of the collection",
    ),
    (
        {"method": "personal_sign", "origin": "app-example.org.verify-wallet.example",
         "text": _siwe_text("app.example.org")},
        True, "a sign-in for app.example.org requested by another site: a replay",
    ),
    (
        {"method": "eth_sendTransaction", "origin": "airdrop-claim.example", "to": _SPENDER,
         "value": 50_000_000_000_000_000, "function": "claimAirdrop", "args": {}},
        True, "a 'claim' that asks you to send ETH: real airdrops cost only gas",
    ),
    (
        {"method": "personal_sign", "origin": "forum.example.org",
         "text": "Welcome to the course forum! Sign to prove you own this address."},
        False, "plain readable text, not a sign-in and not a transaction",
    ),
    (
        {"method": "personal_sign", "origin": "app.example.org",
         "text": _siwe_text("app.example.org")},
        False, "a sign-in for the very site that asks",
    ),
    (
        {"method": "eth_sendTransaction", "origin": "wallet.example", "to": _FRIEND,
         "value": 100_000_000_000_000_000, "function": None, "args": {}},
        False, "a plain transfer to an address you chose",
    ),
    (
        {"method": "eth_sendTransaction", "origin": "dex.example", "to": _SPENDER,
         "value": 0, "function": "approve",
         "args": {"spender": _SPENDER, "amount": 100 * 10**18}},
        False, "an approval for a bounded amount (100 tokens)",
    ),
    (
        {"method": "eth_signTypedData_v4", "origin": "dex.example",
         "primary_type": "Permit",
         "message": {"owner": _ME, "spender": _SPENDER, "value": 50 * 10**18,
                     "nonce": 3, "deadline": 1_900_000_000}},
        False, "a Permit for a bounded amount (50 tokens)",
    ),
    (
        {"method": "eth_sendTransaction", "origin": "nft-gift.example", "to": _SPENDER,
         "value": 0, "function": "setApprovalForAll",
         "args": {"operator": _SPENDER, "approved": False}},
        False, "setApprovalForAll(operator, False) REVOKES an approval",
    ),
    (
        {"method": "eth_sendTransaction", "origin": "app.example.org", "to": _SPENDER,
         "value": 0, "function": "claimRewards", "args": {}},
        False, "a claim that sends no ETH (you pay only gas)",
    ),
    (
        {"method": "eth_signTypedData_v4", "origin": "vote.example.org",
         "primary_type": "Vote", "message": {"proposal": 42, "choice": "yes"}},
        False, "typed data that moves nothing: an off-chain vote",
    ),
)


def signature_requests() -> list[dict[str, Any]]:
    """The requests the phishing exercise is checked on (fresh copies: mutate freely)."""
    return [copy.deepcopy(request) for request, _, _ in _REQUESTS]


def _amount(name: str, value: object) -> str:
    if value == MAX_UINT256:
        return "MAX_UINT256"
    if name in ("amount", "value") and isinstance(value, int):
        return f"{value / 10**18:g} tokens"
    return _short(value, 8)


def describe_request(request: dict[str, Any]) -> str:
    """One line that says what a request asks for, as a careful wallet would summarise it."""
    method = request["method"]
    if method == "eth_sign":
        return f"eth_sign(hash {request['hash'][:10]}...)"
    if method == "personal_sign":
        first_line = request["text"].splitlines()[0]
        return f"personal_sign({first_line[:40]!r}{'...' if len(first_line) > 40 else ''})"
    if method == "eth_signTypedData_v4":
        shown = ", ".join(
            f"{name}={_amount(name, value)}"
            for name, value in request["message"].items()
            if name in ("value", "proposal", "choice")
        )
        return f"signTypedData {request['primary_type']}({shown})"
    if request.get("function") is None:
        return f"transfer {request['value'] / 10**18:g} ETH to {request['to'][:8]}..."
    shown = ", ".join(
        f"{name}={_amount(name, value)}"
        for name, value in request["args"].items()
        if name not in ("spender", "operator")
    )
    sent = f" sending {request['value'] / 10**18:g} ETH" if request["value"] else ""
    return f"{request['function']}({shown}){sent}"


def _test_looks_like_phishing(answer: Callable[[dict[str, Any]], bool]) -> str:
    expect_function(answer, 1)
    for request, phishing, why in _REQUESTS:
        got = answer(copy.deepcopy(request))
        call = f"looks_like_phishing({{{describe_request(request)} from {request['origin']}}})"
        expect_type(got, bool, call)
        if got != phishing:
            raise CheckFailed(f"{call} returned {got}, expected {phishing}: {why}.")
    caught = sum(phishing for _, phishing, _ in _REQUESTS)
    return (
        f"Right on {len(_REQUESTS)} requests ({caught} phishing, {len(_REQUESTS) - caught} "
        "safe). When in doubt, reject: a signature cannot be taken back."
    )


check_looks_like_phishing = Exercise(
    name="looks_like_phishing",
    goal="Write looks_like_phishing(request) that returns True for the four kinds of "
    "dangerous request in the notebook's table and False for everything else.",
    hints=(
        "Section 10's table: branch on the request's method first, then look at what that kind "
        "of request carries: 'text' for personal_sign, 'primary_type' and 'message' for typed "
        "data, 'function', 'args' and 'value' for transactions. Unlimited means MAX_UINT256.",
        "One request worked through: {'method': 'personal_sign', 'origin': 'a.example', "
        "'text': 'b.example wants you to sign in with your Ethereum account:\\n0x...'}. Its "
        "first line ends with the sign-in phrase, so it is a sign-in; the domain before the "
        "phrase is 'b.example', not the origin 'a.example': a sign-in for another site, "
        "phishing. The same request from 'b.example' would be fine.",
    ),
    test=_test_looks_like_phishing,
)

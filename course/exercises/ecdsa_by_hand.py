"""Checks for notebook 02, section 4 (ECDSA by hand, Try its 4-6): sign, verify, RFC 6979
nonces and the nonce-reuse attack, each compared with libsecp256k1 (coincurve) on many inputs.

Notebook 02 imports these checks from ``course.exercises.keys_and_signatures``, which
re-exports them. The learner's code uses their own point_add and scalar_multiply; the course
itself keeps signing with the library.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from typing import Any

import coincurve

from course.chain.keys import SECP256K1_ORDER
from course.exercises import (
    CheckFailed,
    Exercise,
    NotDoneYet,
    expect_function,
)

N = SECP256K1_ORDER
FIELD_PRIME = 2**256 - 2**32 - 977
"""secp256k1's p: coordinates live mod p, signatures mod n."""

Point = tuple[int, int] | None
Signature = tuple[int, int]

RFC6979_VECTORS: tuple[tuple[int, str, int], ...] = (
    (
        0xCCA9FBCC1B41E5A95D369EAA6DDCFF73B61A4EFAA279CFC6567E8DAA39CBAF50,
        "sample",
        0x2DF40CA70E639D89528A6B670D9D48D9165FDC0FEBC0974056BDCE192B8E16A3,
    ),
    (0x1, "Satoshi Nakamoto", 0x8F8A276C19F4149656B280621E358CCE24F5F52542772691EE69063B74F15D15),
    (N - 1, "Satoshi Nakamoto", 0x33A19B60E25FB6F4435AF53A3D42D493644827367E6453928554F43E49AA6F90),
    (
        0xF8B8AF8CE3C7CCA5E300D33939540C10D45CE001B8F252BFBC57BA0342904181,
        "Alan Turing",
        0x525A82B70E67874398067543FD84C83D30C175FDC45FDEEE082FE13B1D7CFDF1,
    ),
    (
        0x1,
        "All those moments will be lost in time, like tears in rain. Time to die...",
        0x38AA22D72376B4DBC472E06C3BA403EE0A394DA63FC58D88686C611ABA98D6B3,
    ),
    (
        0xE91671C46231F833A6406CCBEA0E3E392C76C167BAC1CB013F6F1013980455C2,
        "There is a computer disease that anybody who works with computers knows about. It's a "
        "very serious disease and it interferes completely with the work. The trouble with "
        "computers is that you 'play' with them!",
        0x1F4B84C23A86A221D233F2521BE018D9318639D5B8BBD6374A8A59232D16AD3D,
    ),
)
"""RFC 6979 nonces for secp256k1 with SHA-256 (private key, message, k); the message is
hashed with SHA-256 first. RFC 6979 itself has no secp256k1 vectors; these are the ones
published on bitcointalk (topic 285142) and used by trezor-crypto's tests/test_check.c
(test_rfc6979), CoreBitcoin and btcd."""

SATOSHI_SIGNATURE = (
    0x934B1EA10A4B3C1757E2B0C017D0B6143CE3C9A7E6A4A49860D7A6AB210EE3D8,
    0x2442CE9D2B916064108014783E923EC36B49743E2FFA1C4496F01A512AAFD9E5,
)
"""(r, s) of key 1 signing SHA-256("Satoshi Nakamoto") with its RFC 6979 nonce, low s
(the same sources). The textbook s was n - this: the library flipped it."""


def _short(value: object, keep: int = 10) -> str:
    text = hex(value) if isinstance(value, int) and not isinstance(value, bool) else repr(value)
    return text if len(text) <= keep + 6 else f"{text[:keep]}...{text[-4:]}"


def library_point(k: int) -> tuple[int, int]:
    """k·G from libsecp256k1 (1 <= k < n)."""
    x, y = coincurve.PublicKey.from_secret(k.to_bytes(32, "big")).point()
    return x, y


def library_signature(d: int, z: int) -> tuple[int, int, int]:
    """(r, s, v) that libsecp256k1 makes for digest z with key d: RFC 6979 nonce, low s."""
    raw = coincurve.PrivateKey(d.to_bytes(32, "big")).sign_recoverable(
        z.to_bytes(32, "big"), hasher=None
    )
    return int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:64], "big"), raw[64]


def library_verifies(z: int, signature: Signature, d: int) -> bool:
    """Does libsecp256k1 accept (r, s) for digest z and the public key of d? (It wants low s.)"""
    r, s = signature
    if not (1 <= r < N and 1 <= s < N):
        return False
    s = min(s, N - s)
    public_key = coincurve.PrivateKey(d.to_bytes(32, "big")).public_key
    compact = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    for v in (0, 1):
        try:
            recovered = coincurve.PublicKey.from_signature_and_message(
                compact + bytes([v]), z.to_bytes(32, "big"), hasher=None
            )
        except ValueError:
            continue
        if recovered.format() == public_key.format():
            return True
    return False


def _expect_signature(got: Any, call: str) -> Signature:
    if (
        not isinstance(got, tuple | list)
        or len(got) != 2
        or not all(isinstance(c, int) and not isinstance(c, bool) for c in got)
    ):
        raise CheckFailed(
            f"{call} should return a tuple (r, s) of two ints; it returned "
            f"{type(got).__name__} {_short(got, 40)}."
        )
    return got[0], got[1]


def _run(answer: Callable[..., Any], args: tuple, call: str) -> Any:
    try:
        return answer(*args)
    except (NotDoneYet, NotImplementedError):
        raise
    except Exception as error:
        raise CheckFailed(f"{call} raised {type(error).__name__}: {error}.") from None


# --- Try it 4: sign ------------------------------------------------------------------------


def _sign_cases() -> list[tuple[int, int, int, str]]:
    """(z, d, k, where the case comes from): libsecp256k1's own signatures first."""
    rng = random.Random("check sign")
    cases = []
    for _ in range(12):
        d, z = rng.randrange(1, N), rng.getrandbits(256)
        r, s, _v = library_signature(d, z)
        k = pow(s, -1, N) * (z + r * d) % N  # the nonce behind the library's (low-s) signature
        cases.append((z, d, k, "a libsecp256k1 signature"))
    for _ in range(8):
        cases.append((rng.getrandbits(256), rng.randrange(1, N), rng.randrange(1, N), "random k"))
    cases += [(0, 1, 1, "z = 0, d = 1, k = 1"), (2**256 - 1, N - 1, 2, "z = 2**256 - 1 > n")]
    return cases


def _why_s(got_s: int, z: int, d: int, k: int, r: int) -> str:
    expected = pow(k, -1, N) * (z + r * d) % N
    if got_s == N - expected:
        return (
            "that is n - s, the low-s twin: valid, and what Ethereum stores, but this sign "
            "should return ECDSA's own s = k⁻¹·(z + r·d) mod n; section 3 made the twin."
        )
    if got_s == pow(k, -1, FIELD_PRIME) * (z + r * d) % FIELD_PRIME:
        return (
            "you computed mod p, the field prime. Coordinates live mod p, but r, s, k and d "
            "live mod n, the number of points: use pow(k, -1, n) and reduce mod n."
        )
    if got_s % N == expected:
        return "right modulo n but not reduced: return s % n, a number from 1 to n - 1."
    if got_s == pow(k, -1, N) * (z + d) % N or got_s == pow(k, -1, N) * (z + r) % N:
        return "s = k⁻¹·(z + r·d): multiply the key d by r before adding z."
    return "s = k⁻¹·(z + r·d) mod n, with k⁻¹ = pow(k, -1, n)."


def _test_sign(answer: Callable[[int, int, int], Signature]) -> str:
    expect_function(answer, 3)
    cases = _sign_cases()
    for z, d, k, label in cases:
        call = f"sign(z={_short(z)}, d={_short(d)}, k={_short(k)}) ({label})"
        r, s = _expect_signature(_run(answer, (z, d, k), call), call)
        x, y = library_point(k)
        if r != x % N:
            why = (
                "r is the x coordinate of R = k·G, not y."
                if r == y
                else "r = x(k·G) mod n: multiply G by the nonce k with your scalar_multiply."
            )
            raise CheckFailed(f"{call} returned r = {_short(r)}, expected {_short(x % N)}: {why}")
        expected = pow(k, -1, N) * (z + r * d) % N
        if s != expected:
            raise CheckFailed(
                f"{call} returned s = {_short(s)}, expected {_short(expected)}: "
                f"{_why_s(s, z, d, k, r)}"
            )
        if not library_verifies(z, (r, s), d):  # cannot happen when r and s are right
            raise CheckFailed(f"{call}: libsecp256k1 rejects the signature.")
    z = int.from_bytes(hashlib.sha256(b"Satoshi Nakamoto").digest(), "big")
    r, s = _expect_signature(answer(z, 1, RFC6979_VECTORS[1][2]), "sign(Satoshi vector)")
    if (r, min(s, N - s)) != SATOSHI_SIGNATURE:
        raise CheckFailed(
            "sign(...) on the published 'Satoshi Nakamoto' vector (key 1, its "
            "RFC 6979 k) does not give the published signature."
        )
    library = sum(label == "a libsecp256k1 signature" for *_, label in cases) + 1
    return (
        f"Right on {len(cases) + 1} signatures, {library} of them equal to libsecp256k1's "
        "own after its low-s step, the published 'Satoshi Nakamoto' vector among them."
    )


check_sign = Exercise(
    name="sign",
    goal="Write sign(z, d, k) that returns the ECDSA signature (r, s) of the digest z (an int) "
    "with private key d and nonce k: r = x(k·G) mod n, s = k⁻¹·(z + r·d) mod n, no low-s step.",
    hints=(
        "Two different moduli: the point R = k·G is computed with coordinates mod p (your "
        "scalar_multiply), but r, s, k and d are numbers mod n, the order of G. Dividing by k "
        "mod n is multiplying by pow(k, -1, n).",
        "The same shape on toy numbers, n = 13: with x(R) = 20, r = 20 mod 13 = 7; for z = 5, "
        "d = 3, k = 4 (4⁻¹ = 10 mod 13, since 40 = 3·13 + 1): s = 10·(5 + 7·3) = 260 = 0 "
        "(mod 13). An s of 0 is useless (a real signer picks another k); with z = 6 instead, "
        "s = 10·27 = 270 = 10 (mod 13).",
    ),
    test=_test_sign,
)


# --- Try it 4 (second half): verify -----------------------------------------------------------


def _verify_cases() -> list[tuple[int, Signature, int, bool, str]]:
    """(z, signature, private key of the public key to use, expected, what the case is)."""
    rng = random.Random("check verify")
    cases: list[tuple[int, Signature, int, bool, str]] = []
    for index in range(6):
        d, z = rng.randrange(1, N), rng.getrandbits(256)
        r, s, _v = library_signature(d, z)
        cases.append((z, (r, s), d, True, "a libsecp256k1 signature"))
        if index < 3:
            cases.append(
                (
                    z,
                    (r, N - s),
                    d,
                    True,
                    "the high-s twin of a valid signature "
                    "(ECDSA accepts it; EIP-2 is a rule on top)",
                )
            )
        if index == 0:
            cases += [
                ((z + 1) % 2**256, (r, s), d, False, "the digest changed by 1"),
                (z, ((r + 1) % N, s), d, False, "r changed by 1"),
                (z, (r, (s + 1) % N), d, False, "s changed by 1"),
                (z, (r, s), d + 1, False, "another public key"),
                (z, (r, s + N), d, False, "s + n: the same s mod n, but out of range"),
                (z, (0, s), d, False, "r = 0 (out of range 1..n-1)"),
                (z, (r, 0), d, False, "s = 0 (out of range 1..n-1)"),
                (z, (N, s), d, False, "r = n (out of range)"),
            ]
    return cases


def _test_verify(answer: Callable[[int, Signature, Point], bool]) -> str:
    expect_function(answer, 3)
    cases = _verify_cases()
    for z, signature, d, expected, label in cases:
        public_key = library_point(d)
        call = f"verify(z={_short(z)}, (r={_short(signature[0])}, s={_short(signature[1])}), Q)"
        try:
            got = _run(answer, (z, signature, public_key), f"{call} on {label}")
        except CheckFailed as crash:
            if "range" not in label:
                raise
            raise CheckFailed(
                f"{crash} First refuse r or s outside 1..n-1: return False."
            ) from None
        if not isinstance(got, bool):
            raise CheckFailed(
                f"{call} returned {type(got).__name__} {_short(got, 30)}: return True or False."
            )
        if got != expected:
            why = (
                "compute u1 = z·s⁻¹ and u2 = r·s⁻¹ mod n, R = u1·G + u2·Q, and compare "
                "x(R) mod n with r."
                if expected
                else "first refuse r or s outside 1..n-1: s + n is the same number mod n, so "
                "without that check one signature gets a second spelling."
                if "range" in label
                else "the signature must not verify: compare x(R) mod n with r exactly."
            )
            raise CheckFailed(f"{call} returned {got} on {label}, expected {expected}: {why}")
    valid = sum(expected for *_, expected, _ in cases)
    return (
        f"Right on {len(cases)} cases: {valid} valid signatures from libsecp256k1 (and their "
        f"twins), {len(cases) - valid} tampered or out of range. Verifying needs only Q: "
        "anyone can check, only the key can sign."
    )


check_verify = Exercise(
    name="verify",
    goal="Write verify(z, signature, Q) that returns True exactly when signature = (r, s) is a "
    "valid ECDSA signature of the digest z by the public key Q (a point).",
    hints=(
        "Undo the signing equation without d: with w = s⁻¹ mod n, the point u1·G + u2·Q, where "
        "u1 = z·w and u2 = r·w mod n, equals k·G when the signature is genuine. Refuse r and s "
        "outside 1..n-1 before any arithmetic.",
        "The identity behind it, on numbers mod 13 with d = 3, k = 4, z = 6, r = 7, s = 10: "
        "w = 10⁻¹ = 4 (40 = 3·13 + 1); u1 = 6·4 = 24 = 11 and u2 = 7·4 = 28 = 2; "
        "u1 + u2·d = 11 + 6 = 17 = 4 = k (mod 13). On the curve, u1·G + u2·Q = (u1 + u2·d)·G "
        "= k·G, whose x gives r.",
    ),
    test=_test_verify,
)


# --- Try it 6: rfc6979_nonce -------------------------------------------------------------------


def _test_rfc6979_nonce(answer: Callable[[int, bytes], int]) -> str:
    expect_function(answer, 2)
    for d, message, expected in RFC6979_VECTORS:
        digest = hashlib.sha256(message.encode()).digest()
        call = f"rfc6979_nonce(d={_short(d)}, sha256({_short(message, 20)}))"
        got = _run(answer, (d, digest), call)
        if not isinstance(got, int) or isinstance(got, bool):
            raise CheckFailed(
                f"{call} returned {type(got).__name__} {_short(got, 30)}: return "
                "k as an int (int.from_bytes(V, 'big'))."
            )
        if got != expected:
            raise CheckFailed(
                f"{call} returned {_short(got)}, expected {_short(expected)} (a published test "
                "vector). Check the order of the steps: K first from V + 0x00 + key + digest, "
                "then V, then K again with 0x01, then V; the key as 32 bytes, big-endian."
            )
    rng = random.Random("check rfc6979")
    cases = [(rng.randrange(1, N), rng.randbytes(32)) for _ in range(150)]
    cases += [(1, b"\xff" * 32), (N - 1, (N + 5).to_bytes(32, "big")), (7, bytes(32))]
    for d, digest in cases:
        call = f"rfc6979_nonce(d={_short(d)}, digest {digest.hex()[:8]}...)"
        got = _run(answer, (d, digest), call)
        if not isinstance(got, int) or isinstance(got, bool) or not 1 <= got < N:
            raise CheckFailed(f"{call} returned {_short(got)}: k must be an int in 1..n-1.")
        r, _s, _v = library_signature(d, int.from_bytes(digest, "big"))
        if library_point(got)[0] % N != r:
            hint = (
                "a digest >= n must be reduced mod n before it goes into the HMAC "
                "(bits2octets, RFC 6979 §2.3.4)."
                if int.from_bytes(digest, "big") >= N
                else "libsecp256k1 signs this digest with another nonce."
            )
            raise CheckFailed(f"{call} returned {_short(got)}: {hint}")
    return (
        f"Right on the {len(RFC6979_VECTORS)} published secp256k1 vectors and on "
        f"{len(cases)} random keys and digests, where libsecp256k1's signature uses your k. "
        "Same key and digest, same k; a new digest, a new k."
    )


check_rfc6979_nonce = Exercise(
    name="rfc6979_nonce",
    goal="Write rfc6979_nonce(d, digest) that returns the deterministic nonce k of RFC 6979 "
    "(HMAC-SHA-256, section 3.2) for private key d and a 32-byte digest.",
    hints=(
        "RFC 6979 §3.2 is a small state machine with two 32-byte values, V and K, that "
        "feed each other through HMAC: hmac.new(K, data, hashlib.sha256).digest(). The key and "
        "the digest (reduced mod n) go in twice, separated by the bytes 0x00 and 0x01; then V "
        "is hashed once more and read as a number.",
        "The same machine in pseudo-code, on made-up inputs A (the key's bytes) and B (the "
        "digest's bytes): V = 01 01 ... 01, K = 00 00 ... 00; K = H(K, V + 00 + A + B); "
        "V = H(K, V); K = H(K, V + 01 + A + B); V = H(K, V); then repeat: V = H(K, V), "
        "candidate = int(V); keep it if 1 <= candidate < n, else K = H(K, V + 00), "
        "V = H(K, V) and go round again.",
    ),
    test=_test_rfc6979_nonce,
)


# --- Try it 5: recover_private_key ---------------------------------------------------------------


def reused_nonce_signatures(
    seed: str, count: int
) -> list[tuple[int, Signature, int, Signature, int]]:
    """Pairs of textbook signatures by one key with one nonce: (z1, sig1, z2, sig2, d)."""
    rng = random.Random(seed)
    pairs = []
    for _ in range(count):
        d, k = rng.randrange(1, N), rng.randrange(1, N)
        r = library_point(k)[0] % N
        z1, z2 = rng.getrandbits(256), rng.getrandbits(256)
        s1, s2 = (pow(k, -1, N) * (z + r * d) % N for z in (z1, z2))
        pairs.append((z1, (r, s1), z2, (r, s2), d))
    return pairs


def _test_recover_private_key(answer: Callable[[int, Signature, int, Signature], int]) -> str:
    expect_function(answer, 4)
    pairs = reused_nonce_signatures("check recover private key", 40)
    for z1, sig1, z2, sig2, d in pairs:
        call = (
            f"recover_private_key(z1={_short(z1)}, (r={_short(sig1[0])}, s1=...), "
            f"z2={_short(z2)}, (r, s2=...))"
        )
        got = _run(answer, (z1, sig1, z2, sig2), call)
        if not isinstance(got, int) or isinstance(got, bool):
            raise CheckFailed(
                f"{call} returned {type(got).__name__} {_short(got, 30)}: return "
                "the private key d as an int."
            )
        if got == d:
            continue
        if got % N == d:
            why = "right modulo n, but reduce it: d is a number from 1 to n - 1."
        elif got == N - d:
            why = "that is -d mod n: check the signs in k = (z1 - z2) / (s1 - s2)."
        else:
            why = (
                "subtract the two signing equations: s1 - s2 = k⁻¹·(z1 - z2), so "
                "k = (z1 - z2)·(s1 - s2)⁻¹ mod n; then d = (s1·k - z1)·r⁻¹ mod n. Every "
                "inverse is mod n."
            )
        raise CheckFailed(f"{call} returned {_short(got)}, expected {_short(d)}: {why}")
    return (
        f"Right on {len(pairs)} pairs: two signatures with one nonce give away the key. "
        "That is how Sony's PS3 key (2010) and Android Bitcoin wallets' keys (2013) leaked."
    )


check_recover_private_key = Exercise(
    name="recover_private_key",
    goal="Write recover_private_key(z1, sig1, z2, sig2) that returns the private key d from two "
    "signatures (r, s1) and (r, s2) of two digests made with the same nonce k.",
    hints=(
        "Two equations, two unknowns: s1·k = z1 + r·d and s2·k = z2 + r·d (mod n). Subtracting "
        "them removes d and leaves k; put k back into either one to get d. Division is "
        "multiplication by an inverse mod n.",
        "The same algebra mod 13 with r = 7: s1 = 10 for z1 = 6 and s2 = 1 for z2 = 2. "
        "s1 - s2 = 9 and z1 - z2 = 4, so k = 4·9⁻¹ = 4·3 = 12 (9·3 = 27 = 1 mod 13). Then "
        "r·d = s1·k - z1 = 120 - 6 = 114 = 10, and d = 10·7⁻¹ = 10·2 = 20 = 7 (mod 13).",
    ),
    test=_test_recover_private_key,
)

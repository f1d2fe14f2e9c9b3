"""The ECDSA checks of notebook 02 (sign, verify, nonce reuse, RFC 6979), both ways: correct
answers in two styles pass, typical mistakes fail with the reason that names them."""

import hashlib
import hmac
import secrets

import coincurve
import pytest

from course.exercises import FAILED
from course.exercises.ecdsa_by_hand import (
    FIELD_PRIME,
    RFC6979_VECTORS,
    SATOSHI_SIGNATURE,
    N,
    check_recover_private_key,
    check_rfc6979_nonce,
    check_sign,
    check_verify,
    library_signature,
    reused_nonce_signatures,
)
from course.exercises.keys_and_signatures import check_sign as reexported_check_sign
from tests.exercises.both_ways import assert_checked_both_ways

P = FIELD_PRIME
G = (
    0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
    0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8,
)


# --- a learner's point code (as in notebook 02's solutions) ------------------------------------


def point_add(A, B, p):
    if A is None:
        return B
    if B is None:
        return A
    (x1, y1), (x2, y2) = A, B
    if x1 == x2 and (y1 + y2) % p == 0:
        return None
    rise, run = (3 * x1 * x1, 2 * y1) if A == B else (y2 - y1, x2 - x1)
    slope = rise * pow(run, -1, p) % p
    x3 = (slope * slope - x1 - x2) % p
    return x3, (slope * (x1 - x3) - y1) % p


def scalar_multiply(k, A, p):
    result = None
    for bit in bin(k)[2:]:
        result = point_add(result, result, p)
        if bit == "1":
            result = point_add(result, A, p)
    return result


def library_multiply(k, point):
    """k·point with libsecp256k1: another correct way to get the points."""
    key = coincurve.PublicKey.from_point(*point)
    return key.multiply(k.to_bytes(32, "big")).point()


# --- sign ----------------------------------------------------------------------------------------


def sign(z, d, k):
    x, _ = scalar_multiply(k, G, P)
    r = x % N
    return r, pow(k, -1, N) * (z + r * d) % N


def sign_with_library_point_and_fermat(z, d, k):
    x, _ = coincurve.PublicKey.from_secret(k.to_bytes(32, "big")).point()
    r = x % N
    return [r, (z + r * d) * pow(k, N - 2, N) % N]  # a list is fine too


def sign_low_s(z, d, k):
    r, s = sign(z, d, k)
    return r, min(s, N - s)


def sign_mod_p(z, d, k):
    r = scalar_multiply(k, G, P)[0] % N
    return r, pow(k, -1, P) * (z + r * d) % P


def sign_not_reduced(z, d, k):
    r = scalar_multiply(k, G, P)[0] % N
    return r, pow(k, -1, N) * (z + r * d)


def sign_with_y(z, d, k):
    _, y = scalar_multiply(k, G, P)
    return y % N, pow(k, -1, N) * (z + y * d) % N


def sign_forgets_r(z, d, k):
    r = scalar_multiply(k, G, P)[0] % N
    return r, pow(k, -1, N) * (z + d) % N


def sign_returns_bytes(z, d, k):
    r, s = sign(z, d, k)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def test_sign_both_ways():
    assert_checked_both_ways(
        check_sign,
        [sign, sign_with_library_point_and_fermat],
        [sign_low_s, sign_mod_p, sign_not_reduced, sign_with_y, sign_forgets_r,
         sign_returns_bytes],
    )


@pytest.mark.parametrize(
    ("wrong", "reason"),
    [
        (sign_low_s, "low-s twin"),
        (sign_mod_p, "mod p, the field prime"),
        (sign_not_reduced, "not reduced"),
        (sign_with_y, "x coordinate"),
        (sign_forgets_r, "multiply the key d by r"),
        (sign_returns_bytes, "tuple (r, s) of two ints"),
    ],
)
def test_sign_names_the_mistake(wrong, reason):
    outcome = check_sign.check(wrong)
    assert outcome.status == FAILED and reason in outcome.message, outcome.message


def test_the_sign_check_is_reexported_for_notebook_02():
    assert reexported_check_sign is check_sign


def test_published_satoshi_vector_is_the_library_signature():
    """Key 1, SHA-256('Satoshi Nakamoto'): libsecp256k1 makes the published (r, s)."""
    z = int.from_bytes(hashlib.sha256(b"Satoshi Nakamoto").digest(), "big")
    r, s, _v = library_signature(1, z)
    assert (r, s) == SATOSHI_SIGNATURE


# --- verify --------------------------------------------------------------------------------------


def verify(z, signature, Q):
    r, s = signature
    if not (1 <= r < N and 1 <= s < N):
        return False
    w = pow(s, -1, N)
    R = point_add(scalar_multiply(z * w % N, G, P), scalar_multiply(r * w % N, Q, P), P)
    return R is not None and R[0] % N == r


def verify_with_library_points(z, signature, Q):
    r, s = signature
    if r <= 0 or r >= N or s <= 0 or s >= N:
        return False
    w = pow(s, -1, N)
    u1, u2 = z * w % N, r * w % N
    parts = []
    if u1:
        parts.append(coincurve.PublicKey.from_secret(u1.to_bytes(32, "big")))
    parts.append(coincurve.PublicKey.from_point(*Q).multiply(u2.to_bytes(32, "big")))
    try:
        R = coincurve.PublicKey.combine_keys(parts) if len(parts) > 1 else parts[0]
    except ValueError:  # the sum is the point at infinity
        return False
    return R.point()[0] % N == r


def verify_without_range_check(z, signature, Q):
    r, s = signature
    w = pow(s, -1, N)
    R = point_add(scalar_multiply(z * w % N, G, P), scalar_multiply(r * w % N, Q, P), P)
    return R is not None and R[0] % N == r


def verify_mod_p(z, signature, Q):
    r, s = signature
    if not (1 <= r < N and 1 <= s < N):
        return False
    w = pow(s, -1, P)
    R = point_add(scalar_multiply(z * w % P, G, P), scalar_multiply(r * w % P, Q, P), P)
    return R is not None and R[0] % N == r


def verify_always(z, signature, Q):
    return True


def verify_returns_int(z, signature, Q):
    return int(verify(z, signature, Q))


def test_verify_both_ways():
    assert_checked_both_ways(
        check_verify,
        [verify, verify_with_library_points],
        [verify_without_range_check, verify_mod_p, verify_always, verify_returns_int],
    )


def test_verify_without_a_range_check_is_told_about_s_plus_n():
    """The attacker's second spelling: s + n is s mod n, and crashes nothing."""
    outcome = check_verify.check(verify_without_range_check)
    assert "refuse r or s outside 1..n-1" in outcome.message
    assert "s + n: the same s mod n" in outcome.message


def test_verify_that_accepts_everything_names_the_tampered_case():
    assert "digest changed by 1" in check_verify.check(verify_always).message


# --- recover_private_key ------------------------------------------------------------------------


def recover(z1, sig1, z2, sig2):
    (r, s1), (_, s2) = sig1, sig2
    k = (z1 - z2) * pow(s1 - s2, -1, N) % N
    return (s1 * k - z1) * pow(r, -1, N) % N


def recover_other_equation(z1, sig1, z2, sig2):
    """Eliminate k instead: d = (s2·z1 - s1·z2) / (r·(s1 - s2))."""
    (r, s1), (_, s2) = sig1, sig2
    return (s2 * z1 - s1 * z2) * pow(r * (s1 - s2), -1, N) % N


def recover_not_reduced(z1, sig1, z2, sig2):
    (r, s1), (_, s2) = sig1, sig2
    k = (z1 - z2) * pow(s1 - s2, -1, N) % N
    return (s1 * k - z1) * pow(r, -1, N) + N


def recover_mod_p(z1, sig1, z2, sig2):
    (r, s1), (_, s2) = sig1, sig2
    k = (z1 - z2) * pow(s1 - s2, -1, P) % P
    return (s1 * k - z1) * pow(r, -1, P) % P


def recover_sign_error(z1, sig1, z2, sig2):
    (r, s1), (_, s2) = sig1, sig2
    k = (z2 - z1) * pow(s1 - s2, -1, N) % N
    return (s1 * k - z1) * pow(r, -1, N) % N


def test_recover_private_key_both_ways():
    assert_checked_both_ways(
        check_recover_private_key,
        [recover, recover_other_equation],
        [recover_not_reduced, recover_mod_p, recover_sign_error],
    )


def test_recover_names_the_mistake():
    assert "reduce it" in check_recover_private_key.check(recover_not_reduced).message
    assert "inverse is mod n" in check_recover_private_key.check(recover_mod_p).message


def test_reused_nonce_pairs_really_share_r_and_verify_in_the_library():
    for z1, sig1, z2, sig2, d in reused_nonce_signatures("test", 3):
        assert sig1[0] == sig2[0]
        assert recover(z1, sig1, z2, sig2) == d


# --- rfc6979_nonce --------------------------------------------------------------------------------


def _hmac(key, data):
    return hmac.new(key, data, hashlib.sha256).digest()


def rfc6979(d, digest):
    x = d.to_bytes(32, "big")
    h = (int.from_bytes(digest, "big") % N).to_bytes(32, "big")
    V, K = b"\x01" * 32, b"\x00" * 32
    K = _hmac(K, V + b"\x00" + x + h)
    V = _hmac(K, V)
    K = _hmac(K, V + b"\x01" + x + h)
    V = _hmac(K, V)
    while True:
        V = _hmac(K, V)
        k = int.from_bytes(V, "big")
        if 0 < k < N:
            return k
        K = _hmac(K, V + b"\x00")
        V = _hmac(K, V)


def rfc6979_with_hmac_objects(d, digest):
    """Another style: hmac objects updated piece by piece, a loop over the two rounds."""
    h = (int.from_bytes(digest, "big") % N).to_bytes(32, "big")
    V, K = bytes([1]) * 32, bytes(32)
    for separator in (b"\x00", b"\x01"):
        mac = hmac.new(K, V, hashlib.sha256)
        for piece in (separator, d.to_bytes(32, "big"), h):
            mac.update(piece)
        K = mac.digest()
        V = hmac.new(K, V, hashlib.sha256).digest()
    while True:
        V = hmac.new(K, V, hashlib.sha256).digest()
        if 1 <= int.from_bytes(V, "big") <= N - 1:
            return int.from_bytes(V, "big")
        K = hmac.new(K, V + b"\x00", hashlib.sha256).digest()
        V = hmac.new(K, V, hashlib.sha256).digest()


def rfc6979_unreduced_digest(d, digest):
    x = d.to_bytes(32, "big")
    V, K = b"\x01" * 32, b"\x00" * 32
    K = _hmac(K, V + b"\x00" + x + digest)
    V = _hmac(K, V)
    K = _hmac(K, V + b"\x01" + x + digest)
    V = _hmac(K, V)
    return int.from_bytes(_hmac(K, V), "big")


def rfc6979_one_round(d, digest):
    x = d.to_bytes(32, "big")
    h = (int.from_bytes(digest, "big") % N).to_bytes(32, "big")
    K = _hmac(b"\x00" * 32, b"\x01" * 32 + b"\x00" + x + h)
    V = _hmac(K, b"\x01" * 32)
    return int.from_bytes(_hmac(K, V), "big")


def rfc6979_random(d, digest):
    return secrets.randbelow(N - 1) + 1


def rfc6979_bytes(d, digest):
    return rfc6979(d, digest).to_bytes(32, "big")


def test_rfc6979_nonce_both_ways():
    assert_checked_both_ways(
        check_rfc6979_nonce,
        [rfc6979, rfc6979_with_hmac_objects],
        [rfc6979_unreduced_digest, rfc6979_one_round, rfc6979_random, rfc6979_bytes],
    )


def test_the_reference_matches_every_published_vector():
    for d, message, k in RFC6979_VECTORS:
        assert rfc6979(d, hashlib.sha256(message.encode()).digest()) == k


def test_a_nonce_that_skips_bits2octets_is_told_to_reduce_the_digest():
    """Right on every published vector (their digests are below n), wrong on a digest >= n."""
    for d, message, k in RFC6979_VECTORS:
        assert rfc6979_unreduced_digest(d, hashlib.sha256(message.encode()).digest()) == k
    message = check_rfc6979_nonce.check(rfc6979_unreduced_digest).message
    assert "reduced mod n" in message and "bits2octets" in message


def test_a_random_nonce_fails_on_the_published_vectors():
    assert "published test vector" in check_rfc6979_nonce.check(rfc6979_random).message

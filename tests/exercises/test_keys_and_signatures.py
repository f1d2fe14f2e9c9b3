"""Every checker of notebook 02 (Keys and signatures), both ways: it rejects the placeholder and
plausible wrong answers, and accepts correct solutions written in different styles."""

import hashlib

import pytest
from eth_keys import keys

from course.chain.hashing import keccak256
from course.chain.keys import to_checksum_address
from course.exercises import FAILED
from course.exercises.keys_and_signatures import (
    check_address_from_public_key,
    check_point_add,
    check_scalar_multiply,
)
from tests.exercises.both_ways import assert_checked_both_ways

# --- address_from_public_key -----------------------------------------------------------------


def address_step_by_step(public_key):
    digest = keccak256(public_key)
    return to_checksum_address("0x" + digest[-20:].hex())


def address_with_eth_keys(public_key):
    return keys.PublicKey(public_key).to_checksum_address()


ADDRESS_WRONG = [
    lambda public_key: to_checksum_address("0x" + keccak256(public_key)[:20].hex()),  # first 20
    lambda public_key: "0x" + keccak256(public_key)[-20:].hex(),  # no EIP-55 case
    lambda public_key: to_checksum_address(  # SEC1 prefix 0x04 hashed too
        "0x" + keccak256(b"\x04" + public_key)[-20:].hex()
    ),
    lambda public_key: to_checksum_address(  # NIST SHA3-256 instead of Keccak-256
        "0x" + hashlib.sha3_256(public_key).digest()[-20:].hex()
    ),
    lambda public_key: keccak256(public_key)[-20:],  # bytes, not text
]


# --- point_add and scalar_multiply -------------------------------------------------------------


def point_add_by_cases(P, Q, p):
    if P is None:
        return Q
    if Q is None:
        return P
    (x1, y1), (x2, y2) = P, Q
    if x1 == x2 and (y1 + y2) % p == 0:
        return None
    if P == Q:  # the tangent
        rise, run = 3 * x1 * x1, 2 * y1
    else:  # the chord
        rise, run = y2 - y1, x2 - x1
    slope = rise * pow(run, -1, p) % p
    x3 = (slope**2 - x1 - x2) % p
    return (x3, (slope * (x1 - x3) - y1) % p)


def point_add_fermat(P, Q, p):
    """Another style: Fermat's little theorem for the inverse, the negation spelled out."""
    if P is None or Q is None:
        return Q if P is None else P
    if (P[0], -P[1] % p) == tuple(Q):
        return None
    numerator, denominator = (3 * P[0] ** 2, 2 * P[1]) if P == Q else (Q[1] - P[1], Q[0] - P[0])
    slope = numerator * pow(denominator, p - 2, p) % p
    x = (slope * slope - P[0] - Q[0]) % p
    return x, (slope * (P[0] - x) - P[1]) % p


def point_add_not_reduced(P, Q, p):
    """Forgets mod p at the end: the right point, spelled with numbers outside 0..p-1."""
    if P is None or Q is None:
        return Q if P is None else P
    (x1, y1), (x2, y2) = P, Q
    if x1 == x2 and (y1 + y2) % p == 0:
        return None
    slope = 3 * x1 * x1 * pow(2 * y1, -1, p) if P == Q else (y2 - y1) * pow(x2 - x1, -1, p)
    x3 = slope**2 - x1 - x2
    return (x3, slope * (x1 - x3) - y1)


def point_add_real_division(P, Q, p):
    if P is None or Q is None:
        return Q if P is None else P
    (x1, y1), (x2, y2) = P, Q
    if x1 == x2 and (y1 + y2) % p == 0:
        return None
    slope = 3 * x1 * x1 / (2 * y1) if P == Q else (y2 - y1) / (x2 - x1)
    x3 = (slope**2 - x1 - x2) % p
    return (x3, (slope * (x1 - x3) - y1) % p)


def with_doubling_slope(doubling_slope):
    def point_add(P, Q, p):
        if P is None or Q is None:
            return Q if P is None else P
        (x1, y1), (x2, y2) = P, Q
        if x1 == x2 and (y1 + y2) % p == 0:
            return None
        slope = doubling_slope(x1, y1, p) if P == Q else (y2 - y1) * pow(x2 - x1, -1, p)
        x3 = (slope**2 - x1 - x2) % p
        return (x3, (slope * (x1 - x3) - y1) % p)

    return point_add


def point_add_no_inverse_case(P, Q, p):
    """Never returns None for P + (-P): pow(0, -1, p) raises."""
    if P is None or Q is None:
        return Q if P is None else P
    (x1, y1), (x2, y2) = P, Q
    slope = 3 * x1 * x1 * pow(2 * y1, -1, p) if P == Q else (y2 - y1) * pow(x2 - x1, -1, p)
    x3 = (slope**2 - x1 - x2) % p
    return (x3, (slope * (x1 - x3) - y1) % p)


def point_add_negation_without_mod(P, Q, p):
    """Tests y2 == -y1 as integers: the -P of a curve mod p has y = p - y1, never -y1."""
    if P is None or Q is None:
        return Q if P is None else P
    if P[0] == Q[0] and P[1] == -Q[1]:
        return None
    return point_add_no_inverse_case(P, Q, p)


def point_add_no_none(P, Q, p):
    (x1, y1), (x2, y2) = P, Q
    if x1 == x2 and (y1 + y2) % p == 0:
        return None
    return point_add_by_cases(P, Q, p)


def point_add_unmirrored(P, Q, p):
    """Returns the third point on the line, forgetting to reflect it: -(P + Q)."""
    total = point_add_by_cases(P, Q, p)
    return None if total is None else (total[0], -total[1] % p)


def point_add_chord_for_doubling(P, Q, p):
    if P is None or Q is None:
        return Q if P is None else P
    (x1, y1), (x2, y2) = P, Q
    if x1 == x2 and (y1 + y2) % p == 0:
        return None
    slope = (y2 - y1) * pow(x2 - x1, -1, p) % p  # P == Q: pow(0, -1, p) raises
    x3 = (slope**2 - x1 - x2) % p
    return (x3, (slope * (x1 - x3) - y1) % p)


POINT_ADD_WRONG = [
    point_add_not_reduced,
    point_add_real_division,
    with_doubling_slope(lambda x, y, p: 3 * x * x * pow(y, -1, p)),  # forgot the 2
    with_doubling_slope(lambda x, y, p: 2 * x * pow(2 * y, -1, p)),  # d/dx of x² + 7
    with_doubling_slope(lambda x, y, p: (3 * x * x + 7) * pow(2 * y, -1, p)),  # a = 7?
    point_add_no_inverse_case,
    point_add_negation_without_mod,
    point_add_no_none,
    point_add_unmirrored,
    point_add_chord_for_doubling,
    lambda P, Q, p: None,
    lambda P, Q, p: str(point_add_by_cases(P, Q, p)),
]


def multiply_from_the_top(k, P, p):
    result = None
    for bit in bin(k)[2:]:
        result = point_add_by_cases(result, result, p)
        if bit == "1":
            result = point_add_by_cases(result, P, p)
    return result


def multiply_from_the_bottom(k, P, p):
    result, addend = None, P
    while k:
        if k & 1:
            result = point_add_fermat(result, addend, p)
        addend = point_add_fermat(addend, addend, p)
        k >>= 1
    return result


def multiply_recursive(k, P, p):
    if k == 0:
        return None
    half = multiply_recursive(k // 2, P, p)
    twice = point_add_by_cases(half, half, p)
    return point_add_by_cases(twice, P, p) if k % 2 else twice


def multiply_bits_reversed(k, P, p):
    """Double-and-add from the wrong end: reads the bits low to high but doubles the result."""
    result = None
    for bit in reversed(bin(k)[2:]):
        result = point_add_by_cases(result, result, p)
        if bit == "1":
            result = point_add_by_cases(result, P, p)
    return result


def multiply_addend_not_doubled(k, P, p):
    """From the bottom, but adds P itself at every 1 bit instead of P, 2P, 4P..."""
    result = None
    while k:
        if k & 1:
            result = point_add_by_cases(result, P, p)
        k >>= 1
    return result


def multiply_starting_at_p(k, P, p):
    result = P
    for bit in bin(k)[3:]:
        result = point_add_by_cases(result, result, p)
        if bit == "1":
            result = point_add_by_cases(result, P, p)
    return result  # right for k >= 1, but 0·P comes out as P


def multiply_one_at_a_time(k, P, p):
    """Correct, and hopeless: k additions, 2^256 of them for a real key."""
    result = None
    for _ in range(k):
        result = point_add_by_cases(result, P, p)
    return result


SCALAR_MULTIPLY_WRONG = [
    multiply_bits_reversed,
    multiply_addend_not_doubled,
    multiply_starting_at_p,
    multiply_one_at_a_time,
    lambda k, P, p: multiply_from_the_top(k % 79, P, p),  # the toy group's order, everywhere
    lambda k, P, p: multiply_from_the_top(k, P, p) if k else P,
]


CASES = [
    (check_address_from_public_key, [address_step_by_step, address_with_eth_keys], ADDRESS_WRONG),
    (check_point_add, [point_add_by_cases, point_add_fermat], POINT_ADD_WRONG),
    (
        check_scalar_multiply,
        [multiply_from_the_top, multiply_from_the_bottom, multiply_recursive],
        SCALAR_MULTIPLY_WRONG,
    ),
]
ids = [check.name for check, _, _ in CASES]


@pytest.mark.parametrize("check, solutions, wrong_answers", CASES, ids=ids)
def test_checker_works_both_ways(check, solutions, wrong_answers):
    assert_checked_both_ways(check, solutions, wrong_answers)


def test_lowercase_address_is_told_to_use_the_checksum():
    outcome = check_address_from_public_key.check(ADDRESS_WRONG[1])
    assert "not in EIP-55 mixed case" in outcome.message


@pytest.mark.parametrize(
    "wrong, names, reason",
    [
        (point_add_no_none, "None, 97)", "identity"),
        (point_add_no_inverse_case, "point_add((", "return None"),
        (with_doubling_slope(lambda x, y, p: 3 * x * x * pow(y, -1, p)), "point_add((", "tangent"),
        (point_add_not_reduced, "point_add((", "not reduced"),
        (point_add_real_division, "point_add((", "pow(d, -1, p)"),
    ],
)
def test_a_wrong_point_add_is_told_which_pair_failed_and_why(wrong, names, reason):
    outcome = check_point_add.check(wrong)
    assert outcome.status == FAILED
    assert names in outcome.message and reason in outcome.message, outcome.message


def test_the_point_add_check_compares_with_the_library_on_secp256k1():
    """An answer right on the toy curve but wrong for 256-bit numbers is caught by coincurve."""

    def toy_only(P, Q, p):
        return point_add_by_cases(P, Q, p) if p == 97 else point_add_unmirrored(P, Q, p)

    outcome = check_point_add.check(toy_only)
    assert outcome.status == FAILED and "secp256k1" in outcome.message


def test_slow_scalar_multiply_is_told_to_double_and_add():
    outcome = check_scalar_multiply.check(multiply_one_at_a_time)
    assert outcome.status == FAILED and "Double-and-add" in outcome.message


def test_scalar_multiply_from_the_wrong_end_names_k_and_the_point():
    outcome = check_scalar_multiply.check(multiply_bits_reversed)
    assert "scalar_multiply(" in outcome.message and "expected" in outcome.message


def test_checks_are_named_after_their_variables_so_hints_point_to_them():
    from course.exercises import keys_and_signatures

    for name, value in vars(keys_and_signatures).items():
        if name.startswith("check_"):
            assert value.name == name.removeprefix("check_")

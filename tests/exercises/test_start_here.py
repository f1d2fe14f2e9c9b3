"""Every checker of notebook 00, both ways: it rejects the placeholder and plausible wrong
answers, and accepts correct solutions written in different styles."""

import re

import pytest

from course.exercises import FAILED
from course.exercises.start_here import (
    check_fee_in_eth,
    check_find_nonce,
    check_leading_zeros,
    sha256_hex,
)
from tests.exercises.both_ways import assert_checked_both_ways


def leading_zeros_loop(hex_digest):
    count = 0
    for character in hex_digest:
        if character != "0":
            break
        count += 1
    return count


def leading_zeros_regex(hex_digest):
    return len(re.match("0*", hex_digest).group())


def find_nonce(prefix, zeros):
    nonce = 0
    while not sha256_hex(f"{prefix}{nonce}").startswith("0" * zeros):
        nonce += 1
    return nonce


def zeros_anywhere(prefix, zeros):
    """A plausible mistake: looks for the zeros anywhere in the hash, not at its start."""
    nonce = 0
    while "0" * zeros not in sha256_hex(f"{prefix}{nonce}"):
        nonce += 1
    return nonce


def second_valid_nonce(prefix, zeros):
    """Valid proof of work, but not the smallest nonce."""
    nonce = find_nonce(prefix, zeros) + 1
    while not sha256_hex(f"{prefix}{nonce}").startswith("0" * zeros):
        nonce += 1
    return nonce


CASES = [
    (check_leading_zeros, [leading_zeros_loop, leading_zeros_regex],
     [lambda s: s.count("0"), lambda s: len(s) - len(s.rstrip("0")), lambda s: str(s.count("0"))]),
    (check_fee_in_eth, [lambda g, p: g * p / 1e9, lambda g, p: g * p * 10**-9],
     [lambda g, p: g * p, lambda g, p: g * p / 1e18, lambda g, p: g / p]),
    (check_find_nonce, [find_nonce],
     [lambda prefix, zeros: 0, lambda prefix, zeros: zeros_anywhere(prefix, zeros)]),
]


@pytest.mark.parametrize("check, solutions, wrong_answers", CASES,
                         ids=lambda c: getattr(c, "name", ""))
def test_checker_works_both_ways(check, solutions, wrong_answers):
    assert_checked_both_ways(check, solutions, wrong_answers)


def test_a_nonce_that_works_but_is_not_the_smallest_is_explained():
    outcome = check_find_nonce.check(second_valid_nonce)
    assert outcome.status == FAILED
    assert re.search(r"returned \d+; it works, but \d+ is smaller", outcome.message)


def test_checks_are_named_after_their_variables_so_hints_point_to_them():
    from course.exercises import start_here

    for name, value in vars(start_here).items():
        if name.startswith("check_"):
            assert value.name == name.removeprefix("check_")

"""Checkers of notebook 04, both ways."""

from dataclasses import replace

import pytest

from course.exercises.build_a_blockchain import check_mine_header, check_retarget, check_subsidy
from tests.exercises.both_ways import assert_checked_both_ways


def mine_loop(header):
    nonce = 0
    while not replace(header, nonce=nonce).meets_target():
        nonce += 1
    return replace(header, nonce=nonce)


def mine_by_number(header):
    return next(replace(header, nonce=n) for n in range(10**7)
                if int(replace(header, nonce=n).hash, 16) <= header.difficulty_target)


def retarget(previous, seconds, params):
    expected = params.block_interval * params.retarget_interval
    clamped = min(max(seconds, expected // 4), expected * 4)
    return min(previous * clamped // expected, params.max_target)


def retarget_unclamped(previous, seconds, params):
    expected = params.block_interval * params.retarget_interval
    return min(previous * seconds // expected, params.max_target)


def retarget_uncapped(previous, seconds, params):
    expected = params.block_interval * params.retarget_interval
    return previous * min(max(seconds, expected // 4), expected * 4) // expected


CASES = [
    (check_mine_header, [mine_loop, mine_by_number],
     [lambda h: h, lambda h: replace(mine_loop(h), nonce=mine_loop(h).nonce + 1),
      lambda h: replace(mine_loop(h), timestamp=h.timestamp + 1)]),
    (check_retarget, [retarget],
     [retarget_unclamped, retarget_uncapped,
      lambda p, s, params: p * (params.block_interval * params.retarget_interval) // s]),
    (check_subsidy, [lambda h, p: p.initial_reward >> (h // p.halving_interval),
                     lambda h, p: p.initial_reward // 2 ** (h // p.halving_interval)],
     [lambda h, p: p.initial_reward // (1 + h // p.halving_interval),
      lambda h, p: round(p.initial_reward / 2 ** (h // p.halving_interval)),
      lambda h, p: p.initial_reward >> (h // p.halving_interval + 1)]),
]
ids = ["mine_header", "retarget", "subsidy"]


@pytest.mark.parametrize("check, solutions, wrong_answers", CASES, ids=ids)
def test_checker_works_both_ways(check, solutions, wrong_answers):
    assert_checked_both_ways(check, solutions, wrong_answers)


def test_mine_header_starting_at_nonce_1_is_not_accepted():
    def from_one(header):
        nonce = 1
        while not replace(header, nonce=nonce).meets_target():
            nonce += 1
        return replace(header, nonce=nonce)

    assert check_mine_header.check(from_one).status == "not yet"

"""Checks for notebook 04 (Build a blockchain): mining, retargeting and the reward schedule.
(A UTXO spend and transactions by hand are notebook 05's: course.exercises.transactions_by_hand.)"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from course.chain.blocks import BlockHeader
from course.chain.mining import mine_fast
from course.chain.params import ChainParams, block_subsidy, next_target
from course.exercises import CheckFailed, Exercise, expect_function, expect_type

MINER = "0x0000000000000000000000000000000000000001"


def _headers() -> list[BlockHeader]:
    """Six headers to mine, and one so easy that nonce 0 already wins (an answer that starts
    counting at 1 must fail it)."""
    headers = [BlockHeader(h, f"{h:064x}", "ab" * 32, 1_700_000_000 + 10 * h, 2**248, MINER, 50)
               for h in range(6)]
    return [*headers, BlockHeader(6, "00" * 32, "ab" * 32, 1_700_000_060, 2**256 - 1, MINER, 50)]


def _test_mine_header(answer: Callable[[BlockHeader], BlockHeader]) -> str:
    expect_function(answer, 1)
    for header in _headers():
        got = answer(header)
        expect_type(got, BlockHeader, f"mine_header(header #{header.height})")
        if replace(got, nonce=header.nonce) != header:
            raise CheckFailed(f"mine_header changed more than the nonce of header "
                              f"#{header.height}: only the nonce may change.")
        if not got.meets_target():
            raise CheckFailed(f"header #{header.height} with nonce {got.nonce} has hash "
                              f"{got.hash[:12]}..., above the target: keep trying nonces.")
        expected = mine_fast(header).nonce
        if got.nonce != expected:
            raise CheckFailed(f"header #{header.height}: nonce {got.nonce} works, but {expected} "
                              "is the first that does. Start at 0 and count up.")
    return "Seven headers mined: every hash is below its target."


check_mine_header = Exercise(
    name="mine_header",
    references=(mine_fast,),
    goal="Write mine_header(header) that returns a copy of the header with the smallest "
    "nonce (0, 1, 2, ...) for which header.meets_target() is True.",
    hints=(
        "Proof of work is a search: try nonces in order from 0 and stop at the first whose "
        "header meets its target. Headers are frozen: dataclasses.replace(header, nonce=n) "
        "makes a changed copy to test.",
        "The same search on a string: the smallest n for which sha256(f'hello{n}') starts "
        "with '00'. Try n = 0, 1, 2, ... in a loop and stop at the first hit: n = 227 (hash "
        "001b9254...). Starting at 1, or skipping numbers, can miss the smallest one.",
    ),
    test=_test_mine_header,
)


RETARGET_CASES = [  # (previous target, seconds the last window took)
    (2**240, 100), (2**240, 50), (2**240, 200), (2**240, 1), (2**240, 10_000),
    (2**249, 400), (2**249, 1_000), (3 * 2**230, 77), (2**200 + 12345, 99),
]


def _test_retarget(answer: Callable[[int, int, ChainParams], int]) -> str:
    expect_function(answer, 3)
    params = ChainParams(block_interval=10, retarget_interval=10, max_target=2**250)
    for previous, seconds in RETARGET_CASES:
        got = answer(previous, seconds, params)
        expect_type(got, int, f"retarget({previous:#x}, {seconds}, params)")
        expected = next_target(previous, seconds, params)
        if got != expected:
            raise CheckFailed(
                f"retarget(previous={previous:#x}, actual_seconds={seconds}) returned "
                f"{got:#x}, expected {expected:#x} (the window should take "
                f"{params.block_interval * params.retarget_interval} s).")
    return "Faster blocks make the target smaller (harder), clamped to 4x either way."


check_retarget = Exercise(
    name="retarget",
    references=(next_target,),
    goal="Write retarget(previous_target, actual_seconds, params) returning the new target: "
    "previous * actual / expected, with actual clamped to [expected/4, expected*4] and the "
    "result capped at params.max_target (integers only).",
    hints=(
        "Section 6's rule: the window should take block_interval × retarget_interval "
        "seconds. Clamp the measured time to between a quarter and four times that, scale "
        "the target by clamped / expected (in integers: multiply first, then divide), and "
        "never go above max_target.",
        "Worked numbers: expected 600 s, previous target 1,000, the window took 5,000 s. "
        "Clamped to 2,400 s (4 × 600), the new target is 1,000 × 2,400 // 600 = 4,000, "
        "unless max_target is smaller. Had it taken 300 s: 1,000 × 300 // 600 = 500.",
    ),
    test=_test_retarget,
)


def _test_subsidy(answer: Callable[[int, ChainParams], int]) -> str:
    expect_function(answer, 2)
    for params in (ChainParams(initial_reward=50_000, halving_interval=100),
                   ChainParams(initial_reward=5_000_000_000, halving_interval=210_000)):
        heights = [0, 1, 99, 100, 101, 250, 999, 6_399, 6_400, 210_000, 420_000, 13_440_000,
                   100 * 64, 210_000 * 33, 210_000 * 64]
        for height in heights:
            got = answer(height, params)
            expect_type(got, int, f"subsidy({height}, params)")
            expected = block_subsidy(height, params)
            if got != expected:
                raise CheckFailed(
                    f"subsidy({height}) with initial_reward={params.initial_reward} and "
                    f"halving_interval={params.halving_interval} returned {got}, "
                    f"expected {expected}.")
    return "Halvings in integers: Bitcoin's reward reaches 0 after 33 halvings (block 6,930,000)."


check_subsidy = Exercise(
    name="subsidy",
    references=(block_subsidy,),
    goal="Write subsidy(height, params) returning the new coins a block at that height may "
    "create: params.initial_reward halved (integer division) every params.halving_interval "
    "blocks.",
    hints=(
        "Section 7: the subsidy halves every halving_interval blocks, in integers. Count the "
        "halvings so far with integer division of the height, then halve the initial reward "
        "that many times (dividing by a power of 2 with //, or shifting right).",
        "Worked numbers: initial reward 80, a halving every 10 blocks. Height 25 has seen 2 "
        "halvings: 80 → 40 → 20. Height 75 has seen 7: 80 // 2**7 = 0, and it stays 0: no "
        "fractions of the smallest unit.",
    ),
    test=_test_subsidy,
)

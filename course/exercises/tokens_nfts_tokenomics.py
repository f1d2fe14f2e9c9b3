"""Checks for notebook 09 (Tokens, NFTs and tokenomics): royalties checked against the deployed
contract; vesting, real yield and the Gini coefficient against course.defi.tokenomics; the
learner's own Solidity (an ERC-20 transferFrom, a vesting wallet) deployed on a fresh in-memory
chain and fuzzed with random call sequences from several accounts (course.evm.invariants)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from web3.logs import DISCARD

from course.defi import tokenomics
from course.evm.chain_time import advance_time
from course.evm.connection import connect
from course.evm.deploy import REVERTS, deploy, revert_reason, send
from course.evm.invariants import Action, Invariant, Run, Step, fuzz
from course.exercises import CheckFailed, Exercise, expect_function, expect_type
from course.exercises.solidity import expect_contract, refused_as_placeholder

FUZZ_EXAMPLES = 20  # random call sequences per Solidity check: enough to find the usual bugs

ROYALTY_BPS = [500, 250, 1_000, 1, 9_999, 0, 10_000]
SALE_PRICES = [0, 1, 19, 20, 99, 100, 999, 10_001, 123_456_789, 10**18, 3 * 10**18 + 7,
               10**30 + 12_345]


def _test_royalty(answer: Callable[[int, int], int]) -> str:
    expect_function(answer, 2)
    answer(10**18, 500)  # fails fast (e.g. NotImplementedError) before a chain is started
    w3 = connect()
    artist = w3.eth.accounts[9]
    nft = deploy(w3, "CourseNFT", "Check", "CHK", artist, ROYALTY_BPS[0])
    send(w3, nft.functions.mint(w3.eth.accounts[1], "ipfs://check"))
    for bps in ROYALTY_BPS:
        send(w3, nft.functions.setRoyalty(artist, bps))
        for price in SALE_PRICES:
            got = answer(price, bps)
            expect_type(got, int, f"royalty({price}, {bps})")
            _, expected = nft.functions.royaltyInfo(1, price).call()
            if got != expected:
                raise CheckFailed(f"royalty(sale_price={price}, bps={bps}) returned {got}; the "
                                  f"contract's royaltyInfo says {expected}.")
    return (f"{len(ROYALTY_BPS) * len(SALE_PRICES)} sales priced exactly as the contract's "
            "royaltyInfo: integers, rounded down, 10,000 bps = 100%.")


check_royalty = Exercise(
    name="royalty",
    goal="Write royalty(sale_price, bps) returning the royalty that CourseNFT.royaltyInfo reports "
    "for a sale: sale_price * bps / 10,000, in whole units (wei) like the contract.",
    hints=(
        "A basis point is 1/100 of a percent: 10,000 bps = 100%. Solidity has no fractions: "
        "the contract multiplies first and divides last, rounding down.",
        "On other numbers: a 2.5% fee (250 bps) on 999 wei is 999 * 250 = 249,750, then "
        "// 10,000 = 24 wei. Dividing first would give 999 // 10,000 * 250 = 0.",
    ),
    test=_test_royalty,
)


VESTING_GRANTS = [(1_200, 3, 12), (4_800, 12, 48), (1_000, 0, 4), (10, 0, 3), (7, 5, 5),
                  (10**24 + 1, 6, 36), (999, 1, 7)]


def _test_unlocked_at(answer: Callable[[int, int, int, int], int]) -> str:
    expect_function(answer, 4)
    for total, cliff, vesting in VESTING_GRANTS:
        for month in range(vesting + 4):
            got = answer(month, total, cliff, vesting)
            expect_type(got, int, f"unlocked_at({month}, {total}, {cliff}, {vesting})")
            expected = tokenomics.unlocked_at(month, total, cliff, vesting)
            if got != expected:
                raise CheckFailed(
                    f"unlocked_at(month={month}, total={total}, cliff_months={cliff}, "
                    f"vesting_months={vesting}) returned {got}, expected {expected}.")
    return "A cliff, then linear: the cliff month releases everything that accrued behind it."


check_unlocked_at = Exercise(
    name="unlocked_at",
    goal="Write unlocked_at(month, total, cliff_months, vesting_months): the tokens of a grant "
    "unlocked after `month` months: 0 before the cliff, then total * months passed / "
    "vesting_months (rounded down, never more than total).",
    hints=(
        "Three cases: before the cliff (nothing), during vesting (a share proportional to the "
        "months since launch, counted from month 0, not from the cliff), after vesting (all). "
        "Integers only (//).",
        "On other numbers: a grant of 600 over 24 months with a 6-month cliff unlocks 0 at "
        "month 5, 600 * 6 // 24 = 150 at month 6, 600 * 13 // 24 = 325 at month 13, and 600 "
        "from month 24 on (never more).",
    ),
    test=_test_unlocked_at,
)


YIELD_CASES = [(0.10, 0.08), (1.00, 0.50), (0.05, 0.05), (0.0, 0.25), (0.2, 0.0),
               (0.03, -0.02), (0.5, 2.0), (-0.3, 0.1), (0.07, 0.069)]


def _test_real_yield(answer: Callable[[float, float], float]) -> str:
    expect_function(answer, 2)
    for nominal, inflation in YIELD_CASES:
        got = answer(nominal, inflation)
        expect_type(got, (int, float), f"real_yield({nominal}, {inflation})")
        expected = tokenomics.real_yield(nominal, inflation)
        if not math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12):
            extra = (" That is nominal - inflation, a first-order approximation: it is off by "
                     "a lot when rates are large." if math.isclose(got, nominal - inflation)
                     else "")
            raise CheckFailed(f"real_yield(nominal={nominal}, inflation={inflation}) returned "
                              f"{got:.6f}, expected {expected:.6f}.{extra}")
    return "Real yield = (1 + nominal) / (1 + inflation) - 1: 100% nominal at 50% inflation is 33%."


check_real_yield = Exercise(
    name="real_yield",
    goal="Write real_yield(nominal, inflation): the growth of your share of the supply, "
    "(1 + nominal) / (1 + inflation) - 1, with rates as fractions (0.05 = 5%).",
    hints=(
        "After a year you hold (1 + nominal) times your tokens; the supply is (1 + inflation) "
        "times bigger. Your share changes by the ratio of the two: divide, do not subtract.",
        "On other numbers: earn 20% while the supply grows 10%: you hold 1.20 times your tokens "
        "in a supply 1.10 times as big, 1.20 / 1.10 = 1.0909, so your share grew 9.09%, not "
        "10%.",
    ),
    test=_test_real_yield,
)


def _gini_cases() -> list[Sequence[float]]:
    rng = np.random.default_rng(2022)
    return [
        [5, 5, 5, 5], [0, 0, 0, 7], [1, 2, 3, 4], [4, 1, 3, 2], [42], [0, 1], [3, 0, 0, 1, 9],
        [float(x) for x in rng.pareto(1.16, 200) + 1],  # 80/20 law
        [float(x) for x in rng.lognormal(0, 1, 300)],
        [int(x) for x in rng.integers(0, 10**6, 50)],
        [10**24] + [10**18] * 99,  # one whale, 99 minnows, in wei
    ]


def _test_gini(answer: Callable[[list[float]], float]) -> str:
    expect_function(answer, 1)
    for balances in _gini_cases():
        got = answer(list(balances))
        expect_type(got, (int, float, np.floating), f"gini(a list of {len(balances)} balances)")
        expected = tokenomics.gini(balances)
        if not math.isclose(float(got), expected, rel_tol=1e-9, abs_tol=1e-9):
            shown = balances if len(balances) <= 6 else f"{len(balances)} balances"
            raise CheckFailed(f"gini({shown}) returned {float(got):.6f}, expected "
                              f"{expected:.6f}.")
    return "Gini: 0 when everyone holds the same, (n - 1) / n when one holder has it all."


check_gini = Exercise(
    name="gini",
    goal="Write gini(balances): the mean absolute difference between all pairs of balances "
    "(i, j), divided by twice the mean balance.",
    hints=(
        "The Gini coefficient compares every holder with every other (all n * n ordered pairs, "
        "a holder with itself included): the mean gap, scaled by twice the mean balance.",
        "On other numbers: balances [1, 3] give the pairs (1,1), (1,3), (3,1), (3,3) with gaps "
        "0, 2, 2, 0, a mean gap of 1; the mean balance is 2, so the Gini is 1 / (2 * 2) = "
        "0.25.",
    ),
    test=_test_gini,
)


# --- Try it: transferFrom, written in Solidity and fuzzed against EIP-20 ----------------------

TOKEN_SUPPLY = 1_000
TOKEN_SHARE = 250  # what the deployer hands each other account before the fuzzing starts


def _token_amounts(actors: tuple[str, ...]) -> st.SearchStrategy[int]:
    return st.one_of(st.integers(0, 300), st.sampled_from([0, 1, TOKEN_SHARE]))


def _balances(run: Run) -> list[int]:
    """Every actor's balance, read once per state of the chain."""
    return run.read("balances", lambda: [run.contract.functions.balanceOf(a).call()
                                         for a in run.actors])


def _look_transfer_from(run: Run, spender: str, args: tuple[Any, ...]) -> tuple[list[int], int]:
    owner = args[0]
    return _balances(run), run.contract.functions.allowance(owner, spender).call()


def _transfer_from_rule(run: Run, step: Step) -> str | None:
    owner, to, value = step.args
    spender, name = step.sender, run.name
    before, allowed = step.seen_before
    held = before[run.actors.index(owner)]
    own = spender == owner  # EIP-20 leaves open whether an owner needs an allowance for itself
    if step.reverted is not None:
        refused_as_placeholder(step.reverted, "transferFrom")
        if held >= value and (allowed >= value or own):
            if own and allowed < value:
                return None
            return (f"{name(spender)} was approved for {allowed} of {name(owner)}'s tokens and "
                    f"{name(owner)} held {held}, yet moving {value} was refused "
                    f"({step.reverted}): an approved transferFrom must go through")
        return None
    if not own and allowed < value:
        return (f"{name(spender)} moved {value} of {name(owner)}'s tokens with an allowance of "
                f"only {allowed}: only an approved spender may move them, and no more than "
                "approved")
    if held < value:
        return f"{value} tokens were moved from {name(owner)}, who held only {held}"
    expected = list(before)
    expected[run.actors.index(owner)] -= value
    expected[run.actors.index(to)] += value
    for actor, was, now, should in zip(run.actors, before, _balances(run), expected, strict=True):
        if now != should:
            return (f"{name(actor)}'s balance went from {was} to {now}, expected {should} "
                    f"(transferFrom moves {value} from {name(owner)} to {name(to)})")
    left = run.contract.functions.allowance(owner, spender).call()
    if not own and left != allowed - value:
        return (f"the allowance of {name(spender)} over {name(owner)}'s tokens went from "
                f"{allowed} to {left}; it must fall by the {value} moved, to {allowed - value} "
                "(or the spender could move the same tokens again and again)")
    events = run.contract.events.Transfer().process_receipt(step.receipt, errors=DISCARD)
    if not any((e.args["from"], e.args["to"], e.args["value"]) == (owner, to, value)
               for e in events):
        return (f"no Transfer({name(owner)}, {name(to)}, {value}) event: EIP-20 says a "
                "transferFrom MUST emit Transfer, it is how wallets see the tokens move")
    return None


def _supply_conserved(run: Run) -> str | None:
    balances = _balances(run)
    supply = run.contract.functions.totalSupply().call()
    if sum(balances) != TOKEN_SUPPLY or supply != TOKEN_SUPPLY:
        shown = ", ".join(f"{run.name(a)} {b}" for a, b in zip(run.actors, balances, strict=True))
        return (f"the balances ({shown}) add up to {sum(balances)} and totalSupply() is "
                f"{supply}; both must stay {TOKEN_SUPPLY}: tokens are moved, never made or lost")
    return None


def _approve_then_spend(actors: tuple[str, ...]) -> list[tuple[str, int, tuple[Any, ...]]]:
    return [("approve", 0, (actors[1], 100)), ("transferFrom", 1, (actors[0], actors[2], 60)),
            ("transferFrom", 1, (actors[0], actors[3], 40)),
            ("transferFrom", 1, (actors[0], actors[2], 1))]


def _spend_what_is_not_yours(actors: tuple[str, ...]) -> list[tuple[str, int, tuple[Any, ...]]]:
    return [("approve", 2, (actors[1], 500)), ("transferFrom", 3, (actors[2], actors[3], 5)),
            ("transferFrom", 1, (actors[0], actors[1], 5)),
            ("transferFrom", 1, (actors[2], actors[1], TOKEN_SHARE + 1)),
            ("transferFrom", 1, (actors[2], actors[2], TOKEN_SHARE))]


def _test_transfer_from(answer: Any) -> str:
    token = expect_contract(answer, keep=("balanceOf", "allowance", "approve", "transfer",
                                          "totalSupply"),
                            write=("transferFrom",), events=("Transfer", "Approval"))

    def setup(w3: Any, actors: tuple[str, ...]) -> Any:
        contract = token.deploy(w3, TOKEN_SUPPLY, sender=actors[0])
        for actor in actors[1:]:
            send(w3, contract.functions.transfer(actor, TOKEN_SHARE), sender=actors[0])
        return contract

    def pair(actors: tuple[str, ...]) -> st.SearchStrategy[tuple[Any, ...]]:
        return st.tuples(st.sampled_from(actors), _token_amounts(actors))

    actions = [
        Action("approve", pair),
        Action("transfer", pair),
        Action("transferFrom", lambda actors: st.tuples(
            st.sampled_from(actors), st.sampled_from(actors), _token_amounts(actors)),
            rule=_transfer_from_rule, look=_look_transfer_from),
    ]
    broken = fuzz(setup, actions, [Invariant("supply conserved", _supply_conserved)],
                  describe_revert=token.revert_reason, examples=FUZZ_EXAMPLES, steps=6,
                  scenarios=(_approve_then_spend, _spend_what_is_not_yours))
    if broken is not None:
        raise CheckFailed(f"{broken}.")
    return (f"transferFrom kept EIP-20's rules through 2 scenarios and {FUZZ_EXAMPLES} random "
            "sequences of approve, transfer and transferFrom from 4 accounts: only approved "
            "spenders, allowance spent, supply conserved, Transfer emitted.")


check_transfer_from = Exercise(
    name="transfer_from",
    goal="In the %%solidity cell, write MiniToken's transferFrom(from, to, value): the caller "
    "moves `value` of `from`'s tokens to `to`, only within the allowance `from` gave the caller "
    "(which the move uses up) and within `from`'s balance; it emits Transfer and returns true.",
    hints=(
        "transferFrom is transfer with a second ledger: the allowance table "
        "allowance[owner][spender], read with msg.sender as the spender. Check both limits first "
        "(require or a custom error), then change the state, then emit the event.",
        "The same shape on a different ledger, a ticket office: `function redeem(address holder, "
        "uint256 n) external { require(vouchers[holder][msg.sender] >= n, \"no voucher\"); "
        "require(seats[holder] >= n, \"no seats\"); vouchers[holder][msg.sender] -= n; "
        "seats[holder] -= n; used[msg.sender] += n; emit Redeemed(holder, msg.sender, n); }`.",
    ),
    test=_test_transfer_from,
)


# --- Try it: a vesting wallet in Solidity, checked at the cliff's edges and fuzzed in time -----

GRANT = 4_000_000  # wei the funder locks in the wallet: 1,000 wei vest each second
CLIFF, DURATION = 1_000, 4_000  # seconds after start
VESTING_LABELS = ["funder", "beneficiary", "stranger", "second stranger"]


def _vested(timestamp: int, start: int, total: int = GRANT) -> int:
    """What the wallet must report: nothing before the cliff, then linear from the start."""
    if timestamp < start + CLIFF:
        return 0
    return total * min(timestamp - start, DURATION) // DURATION


def _schedule_table(wallet: Any, start: int) -> None:
    """vestedAmount at the edges of the schedule, as plain calls (no time passes)."""
    for moment in (start - 1, start, start + CLIFF - 1, start + CLIFF, start + CLIFF + 1,
                   start + 2_500, start + DURATION - 1, start + DURATION, start + 10**9):
        try:
            got = wallet.functions.vestedAmount(moment).call()
        except REVERTS as error:
            refused_as_placeholder(revert_reason(error), "vestedAmount")
            raise CheckFailed(f"vestedAmount(start + {moment - start}) reverted "
                              f"({revert_reason(error)}): it only reads, it should answer for "
                              "any time") from None
        expected = _vested(moment, start)
        if got != expected:
            why = ("before the cliff nothing has vested" if moment < start + CLIFF else
                   "after the cliff, total x (time - start) / duration, counted from the start"
                   if moment < start + DURATION else "after the duration, everything")
            raise CheckFailed(f"vestedAmount(start + {moment - start}) returned {got}, expected "
                              f"{expected} ({why}; cliff {CLIFF} s, duration {DURATION} s, a "
                              f"grant of {GRANT} wei).")


def _look_release(run: Run, sender: str, args: tuple[Any, ...]) -> tuple[int, int, int, int]:
    wallet, w3 = run.contract, run.w3
    return (wallet.functions.released().call(), w3.eth.get_balance(wallet.address),
            w3.eth.get_balance(run.actors[1]), w3.eth.get_block("latest")["timestamp"])


def _release_rule(run: Run, step: Step) -> str | None:
    wallet, w3 = run.contract, run.w3
    released, held, beneficiary_had, latest = step.seen_before
    start = wallet.functions.start().call()
    who = run.name(step.sender)
    if step.reverted is not None:
        refused_as_placeholder(step.reverted, "release")
        due = _vested(latest, start) - released  # at least this much was due: time only grows
        if step.sender == run.actors[1] and due > 0:
            return (f"the beneficiary's release() was refused ({step.reverted}) when at least "
                    f"{due} wei had vested and was not released yet")
        return None
    if step.sender != run.actors[1]:
        return f"release() from the {who} went through: only the beneficiary may release"
    assert step.receipt is not None
    now = w3.eth.get_block(step.receipt["blockNumber"])["timestamp"]
    due = _vested(now, start) - released
    paid = held - w3.eth.get_balance(wallet.address)
    received = w3.eth.get_balance(run.actors[1]) - beneficiary_had + step.fee()
    moment = f"at start + {now - start} s" if now >= start else f"{start - now} s before start"
    if now < start + CLIFF and paid > 0:
        return f"{paid} wei left the wallet {moment}, before the cliff (start + {CLIFF} s)"
    if paid != due:
        return (f"release() {moment} paid {paid} wei; {due} was due (vested "
                f"{_vested(now, start)} minus {released} released before)")
    if received != paid:
        return f"release() {moment} paid {paid} wei but the beneficiary received {received}"
    if (now_released := wallet.functions.released().call()) != released + paid:
        return (f"released() is {now_released} after paying {paid} on top of {released}: "
                "count every wei paid, or the next release pays it again")
    events = wallet.events.Released().process_receipt(step.receipt, errors=DISCARD)
    if paid > 0 and not any(e.args["amount"] == paid for e in events):
        return f"no Released event for the {paid} wei paid {moment}"
    return None


def _nothing_lost(run: Run) -> str | None:
    released = run.contract.functions.released().call()
    held = run.w3.eth.get_balance(run.contract.address)
    if released + held != GRANT:
        return (f"the wallet holds {held} wei and says it released {released}: together they "
                f"must be the grant, {GRANT}")
    return None


def _wait(run: Run, sender: str, args: tuple[Any, ...]) -> None:
    advance_time(run.w3, args[0])


def _before_and_after_the_cliff(actors: tuple[str, ...]) -> list[tuple[str, int, tuple[Any, ...]]]:
    return [("release", 1, ()), ("wait", 0, (CLIFF - 400,)), ("release", 1, ()),
            ("wait", 0, (600,)), ("release", 1, ()), ("release", 2, ()), ("wait", 0, (1_000,)),
            ("release", 1, ()), ("release", 1, ()), ("wait", 0, (DURATION,)), ("release", 1, ())]


def _test_vesting_wallet(answer: Any) -> str:
    factory = expect_contract(answer, keep=("beneficiary", "start", "cliff", "duration",
                                            "released"),
                              write=("vestedAmount", "release"), events=("Released",))

    def setup(w3: Any, actors: tuple[str, ...]) -> Any:
        start = w3.eth.get_block("latest")["timestamp"] + 300
        return factory.deploy(w3, actors[1], start, CLIFF, DURATION, sender=actors[0],
                              value=GRANT)

    w3 = connect()
    wallet = setup(w3, tuple(w3.eth.accounts[:2]))
    _schedule_table(wallet, wallet.functions.start().call())
    actions = [
        Action("release", rule=_release_rule, look=_look_release),
        Action("wait", lambda actors: st.tuples(st.integers(1, 1_500)), perform=_wait,
               says="{0} seconds pass"),
    ]
    broken = fuzz(setup, actions, [Invariant("nothing lost", _nothing_lost)], w3=w3,
                  labels=VESTING_LABELS, describe_revert=factory.revert_reason,
                  examples=FUZZ_EXAMPLES, steps=6, scenarios=(_before_and_after_the_cliff,))
    if broken is not None:
        raise CheckFailed(f"{broken}.")
    return (f"vestedAmount is right at the cliff's edges, and through a scripted year and "
            f"{FUZZ_EXAMPLES} random sequences of waits and releases only the beneficiary was "
            "paid, exactly what had vested, never twice.")


check_vesting_wallet = Exercise(
    name="vesting_wallet",
    goal="In the %%solidity cell, write VestingWallet's vestedAmount(timestamp) (0 before start + "
    "cliff, then grant x (timestamp - start) / duration, at most the grant, where the grant is "
    "the balance plus what was released) and release() (only the beneficiary; pays what vested "
    "and was not released yet, adds it to released, emits Released).",
    hints=(
        "This is Try it 3's unlocked_at in Solidity, with seconds instead of months and "
        "block.timestamp as the clock. The contract remembers what it already paid (released), "
        "so each release pays the difference; update released before sending the ether "
        "(checks, effects, interactions).",
        "The same shape for a drip faucet that fills 10 wei a second up to a cap: "
        "`function filled(uint256 t) public view returns (uint256) { if (t < opens) return 0; "
        "uint256 f = (t - opens) * 10; return f > cap ? cap : f; }` and `function take() "
        "external { require(msg.sender == owner, \"not yours\"); uint256 due = "
        "filled(block.timestamp) - taken; taken += due; payable(owner).transfer(due); "
        "emit Taken(due); }`.",
    ),
    test=_test_vesting_wallet,
)

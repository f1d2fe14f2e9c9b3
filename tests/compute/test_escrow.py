"""The ledger with escrow: credits only move, a refused operation changes nothing, and a job is
never paid twice."""

import contextlib
import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.compute.escrow import AlreadySettled, InsufficientCredits, Ledger, LedgerError

ACCOUNTS = ("alice", "bob", "ada", "cy")


def state(ledger: Ledger) -> tuple:
    """Everything a ledger holds, as plain data to compare before and after."""
    return (dict(ledger.balances), dict(ledger.stakes), copy.deepcopy(ledger.escrows))


def fresh() -> Ledger:
    return Ledger({"alice": 100, "bob": 50}, {"ada": 40, "cy": 30})


# --- random sequences of operations ----------------------------------------------------------

amounts = st.integers(min_value=0, max_value=120)
job_ids = st.integers(min_value=0, max_value=3)
accounts = st.sampled_from(ACCOUNTS)
operations = st.one_of(
    st.tuples(st.just("lock"), job_ids, accounts, st.integers(min_value=0, max_value=120)),
    st.tuples(st.just("pay"), job_ids, accounts, amounts),
    st.tuples(st.just("refund"), job_ids),
    st.tuples(st.just("slash"), accounts, amounts, accounts),
)


def apply(ledger: Ledger, operation: tuple) -> None:
    name, *args = operation
    getattr(ledger, name)(*args)


@settings(max_examples=300, deadline=None)
@given(st.lists(operations, max_size=40))
def test_total_is_conserved_and_a_refused_operation_changes_nothing(ops):
    ledger = fresh()
    total = ledger.total()
    for operation in ops:
        before = state(ledger)
        try:
            apply(ledger, operation)
        except LedgerError:
            assert state(ledger) == before, f"{operation} was refused but changed the ledger"
        assert ledger.total() == total, f"{operation} created or destroyed credits"


@settings(max_examples=200, deadline=None)
@given(st.lists(operations, max_size=40))
def test_no_balance_stake_or_escrow_ever_goes_negative(ops):
    ledger = fresh()
    for operation in ops:
        with contextlib.suppress(LedgerError):
            apply(ledger, operation)
        assert min(ledger.balances.values(), default=0) >= 0
        assert min(ledger.stakes.values(), default=0) >= 0
        assert all(escrow.locked >= 0 for escrow in ledger.escrows.values())


@settings(max_examples=200, deadline=None)
@given(st.lists(operations, max_size=40))
def test_a_provider_is_paid_at_most_once_per_job(ops):
    ledger = fresh()
    payments: dict[tuple[int, str], int] = {}
    for operation in ops:
        try:
            apply(ledger, operation)
        except LedgerError:
            continue
        if operation[0] == "pay":
            key = operation[1:3]
            assert key not in payments, f"{key} was paid twice"
            payments[key] = operation[3]


# --- each rule, by hand ----------------------------------------------------------------------


def test_lock_pay_and_refund_move_credits_through_the_escrow():
    ledger = fresh()
    ledger.lock(7, "alice", 30)
    assert (ledger.balance("alice"), ledger.escrows[7].locked) == (70, 30)
    ledger.pay(7, "ada", 12)
    assert (ledger.balance("ada"), ledger.escrows[7].locked) == (12, 18)
    assert ledger.refund(7) == 18
    assert ledger.balance("alice") == 88 and ledger.escrows[7].closed
    assert ledger.total() == 220


def test_paying_the_same_provider_twice_raises_already_settled():
    ledger = fresh()
    ledger.lock(1, "alice", 30)
    ledger.pay(1, "ada", 10)
    before = state(ledger)
    with pytest.raises(AlreadySettled, match="ada was already paid 10 credits"):
        ledger.pay(1, "ada", 10)
    assert state(ledger) == before


def test_a_closed_escrow_can_be_neither_paid_refunded_nor_topped_up():
    ledger = fresh()
    ledger.lock(1, "alice", 30)
    ledger.refund(1)
    before = state(ledger)
    with pytest.raises(AlreadySettled):
        ledger.pay(1, "ada", 1)
    with pytest.raises(AlreadySettled):
        ledger.refund(1)
    with pytest.raises(AlreadySettled):
        ledger.lock(1, "alice", 5)
    assert state(ledger) == before


def test_a_job_escrow_belongs_to_one_requester():
    ledger = fresh()
    ledger.lock(1, "alice", 10)
    with pytest.raises(AlreadySettled, match="belongs to alice, not bob"):
        ledger.lock(1, "bob", 10)
    ledger.lock(1, "alice", 5)  # the same requester may add to it (a reassigned run)
    assert ledger.escrows[1].locked == 15


def test_locking_more_than_the_balance_is_refused_and_changes_nothing():
    ledger = fresh()
    before = state(ledger)
    with pytest.raises(InsufficientCredits, match="bob has 50 credits, needs 51"):
        ledger.lock(2, "bob", 51)
    assert state(ledger) == before and 2 not in ledger.escrows


def test_paying_more_than_the_escrow_holds_is_refused():
    ledger = fresh()
    ledger.lock(3, "alice", 10)
    with pytest.raises(InsufficientCredits, match="escrow holds 10, ada is owed 11"):
        ledger.pay(3, "ada", 11)
    assert ledger.balance("ada") == 0 and ledger.escrows[3].paid == {}


def test_paying_or_refunding_a_job_without_escrow_names_the_job():
    ledger = fresh()
    with pytest.raises(LedgerError, match="job 9: no escrow was locked for it"):
        ledger.pay(9, "ada", 1)
    with pytest.raises(LedgerError, match="job 9"):
        ledger.refund(9)


def test_slash_takes_at_most_the_stake_and_gives_it_to_the_victim():
    ledger = fresh()
    assert ledger.slash("cy", 20, to="alice") == 20
    assert (ledger.stake("cy"), ledger.balance("alice")) == (10, 120)
    assert ledger.slash("cy", 1_000, to="alice") == 10  # only what is left
    assert ledger.stake("cy") == 0
    assert ledger.slash("nobody", 5, to="alice") == 0
    assert ledger.total() == 220


@pytest.mark.parametrize("bad", [-1, 2.5, True, "10", None])
def test_an_amount_must_be_a_whole_number_of_credits(bad):
    ledger = fresh()
    before = state(ledger)
    for operation in (lambda: ledger.lock(1, "alice", bad), lambda: ledger.slash("cy", bad, "bob")):
        with pytest.raises(LedgerError,
                           match=r"amount \(a number of credits\) must be an integer >= 0"):
            operation()
    assert state(ledger) == before


def test_a_ledger_refuses_negative_or_fractional_starting_amounts():
    with pytest.raises(LedgerError, match=r"balances\['alice'\]"):
        Ledger({"alice": -5})
    with pytest.raises(LedgerError, match=r"stakes\['ada'\]"):
        Ledger(stakes={"ada": 1.5})


def test_locking_zero_credits_for_an_account_never_seen_is_harmless():
    ledger = fresh()
    ledger.lock(5, "stranger", 0)
    assert ledger.escrows[5].locked == 0 and ledger.total() == 220


def test_unknown_accounts_hold_nothing():
    ledger = Ledger()
    assert (ledger.total(), ledger.balance("x"), ledger.stake("x")) == (0, 0, 0)

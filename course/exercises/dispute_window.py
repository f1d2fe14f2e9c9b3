"""The capstone's Solidity exercise (notebook 16, Try it 4): pay a result after its dispute
window, and never let the requester take back a result submitted on time.

``JobPayment`` holds one job's payment. The provider submits a result (a root) before the
deadline; the verifier may reject it within the window; after the window anyone may
``release()`` the payment to the provider; if no result came before the deadline, anyone may
``refund()`` it to the requester. The learner writes ``release()`` and ``refund()``, where
``JobEscrow``'s first version had its hole (a requester refunding a result submitted on time,
because the verifier stayed silent). The check fuzzes call sequences from the requester, the
provider, the verifier and a stranger, with time passing between calls (course.evm.invariants),
and re-exported by course.exercises.capstone_depin_marketplace.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from course.evm.chain_time import advance_time
from course.evm.invariants import Action, Invariant, Run, Step, fuzz
from course.exercises import CheckFailed, Exercise
from course.exercises.solidity import (
    emitted_amount,
    expect_contract,
    holds_until_settled,
    refused_as_placeholder,
)

PAYMENT = 7_000_000  # wei the requester locks for the job
DEADLINE_S, WINDOW_S = 1_000, 600  # submit within DEADLINE_S of deployment; then a window
ROLES = ["requester", "provider", "verifier", "stranger"]
ROOT = b"\x42" * 32
FUZZ_EXAMPLES = 20  # random call sequences: enough to find the usual bugs


def _state(run: Run) -> dict[str, Any]:
    job, w3 = run.contract, run.w3
    return run.read("state", lambda: {
        "submitted_at": job.functions.submittedAt().call(),
        "settled": job.functions.settled().call(),
        "deadline": job.functions.deadline().call(),
        "held": w3.eth.get_balance(job.address),
        "latest": w3.eth.get_block("latest")["timestamp"],
        **{role: w3.eth.get_balance(account)
           for role, account in zip(ROLES, run.actors, strict=True)}})


def _look(run: Run, sender: str, args: tuple[Any, ...]) -> dict[str, Any]:
    return dict(_state(run))


def _when(before: dict[str, Any], now: int) -> str:
    if before["submitted_at"]:
        return f"{now - before['submitted_at']} s after the result was submitted"
    return f"{now - before['deadline']:+} s from the deadline, with no result submitted"


def _paid(run: Run, step: Step, before: dict[str, Any], after: dict[str, Any],
          payee: str) -> str | None:
    """The call moved exactly the payment from the contract to ``payee``, with its event."""
    who = run.name(step.sender)
    got = after[payee] - before[payee] + (step.fee() if payee == who else 0)
    if got != PAYMENT or before["held"] - after["held"] != PAYMENT:
        return (f"{step.action}() paid the {payee} {got} wei (the contract's balance fell by "
                f"{before['held'] - after['held']}); it should pay the whole payment, {PAYMENT}")
    if not after["settled"]:
        return f"after {step.action}(), settled() is still false: mark the job settled"
    event = "Paid" if step.action == "release" else "Refunded"
    if not emitted_amount(run.contract, event, step.receipt, PAYMENT):
        return f"no {event} event for the {PAYMENT} wei paid to the {payee}"
    return None


def _release_rule(run: Run, step: Step) -> str | None:
    before, after = step.seen_before, _state(run)
    submitted, settled = before["submitted_at"], before["settled"]
    if step.reverted is not None:
        refused_as_placeholder(step.reverted, "release()")
        due = submitted and not settled and before["latest"] >= submitted + WINDOW_S
        if due:
            return (f"release() from the {run.name(step.sender)} was refused ({step.reverted}) "
                    f"{_when(before, before['latest'])}: once the window has passed, anyone may "
                    "release an unsettled result")
        return None
    assert step.receipt is not None
    now = run.w3.eth.get_block(step.receipt["blockNumber"])["timestamp"]
    if settled:
        return "release() went through on a job that was already settled: pay only once"
    if not submitted:
        return (f"release() went through {_when(before, now)}: there is nothing to pay for "
                "until the provider submits")
    if now < submitted + WINDOW_S:
        return (f"release() went through {_when(before, now)}, inside the {WINDOW_S} s "
                "dispute window: the verifier could still reject the result")
    return _paid(run, step, before, after, "provider")


def _refund_rule(run: Run, step: Step) -> str | None:
    before, after = step.seen_before, _state(run)
    submitted, settled = before["submitted_at"], before["settled"]
    if step.reverted is not None:
        refused_as_placeholder(step.reverted, "refund()")
        if not submitted and not settled and before["latest"] >= before["deadline"]:
            return (f"refund() from the {run.name(step.sender)} was refused ({step.reverted}) "
                    f"{_when(before, before['latest'])}: after the deadline with no result, "
                    "anyone may refund the requester")
        return None
    assert step.receipt is not None
    now = run.w3.eth.get_block(step.receipt["blockNumber"])["timestamp"]
    if settled:
        return "refund() went through on a job that was already settled: pay only once"
    if submitted:
        return (f"refund() went through {_when(before, now)}: the requester took back the "
                "payment for a result submitted on time (only the verifier's reject() may)")
    if now < before["deadline"]:
        return (f"refund() went through {_when(before, now)}: before the deadline the provider "
                "may still submit")
    return _paid(run, step, before, after, "requester")


def _payment_accounted(run: Run) -> str | None:
    state = _state(run)
    return holds_until_settled(state["held"], state["settled"], PAYMENT, "contract")


def _wait(run: Run, sender: str, args: tuple[Any, ...]) -> None:
    advance_time(run.w3, args[0])


def _on_time_then_refund(actors: tuple[str, ...]) -> list[tuple[str, int, tuple[Any, ...]]]:
    """The hole of JobEscrow's first version: a silent verifier, a requester who refunds."""
    return [("submit", 1, (ROOT,)), ("wait", 0, (DEADLINE_S + 50,)), ("refund", 0, ()),
            ("refund", 3, ()), ("release", 3, ()), ("release", 1, ())]


def _never_submitted(actors: tuple[str, ...]) -> list[tuple[str, int, tuple[Any, ...]]]:
    return [("refund", 0, ()), ("release", 1, ()), ("wait", 0, (DEADLINE_S + 5,)),
            ("release", 1, ()), ("refund", 3, ()), ("refund", 0, ())]


def _rejected(actors: tuple[str, ...]) -> list[tuple[str, int, tuple[Any, ...]]]:
    return [("submit", 1, (ROOT,)), ("release", 1, ()), ("reject", 2, ()),
            ("wait", 0, (WINDOW_S + 5,)), ("release", 1, ()), ("refund", 0, ())]


def _test_job_payment(answer: Any) -> str:
    factory = expect_contract(answer, keep=("requester", "provider", "verifier", "payment",
                                            "deadline", "window", "submittedAt", "settled",
                                            "submit", "reject"),
                              write=("release", "refund"), events=("Paid", "Refunded"))

    def setup(w3: Any, actors: tuple[str, ...]) -> Any:
        return factory.deploy(w3, actors[1], actors[2], DEADLINE_S, WINDOW_S, sender=actors[0],
                              value=PAYMENT)

    roots = st.tuples(st.sampled_from([ROOT, b"\x07" * 32]))
    actions = [
        Action("submit", lambda actors: roots),
        Action("reject"),
        Action("release", rule=_release_rule, look=_look),
        Action("refund", rule=_refund_rule, look=_look),
        Action("wait", lambda actors: st.tuples(st.integers(1, 1_200)), perform=_wait,
               says="{0} seconds pass"),
    ]
    broken = fuzz(setup, actions, [Invariant("payment accounted for", _payment_accounted)],
                  labels=ROLES, describe_revert=factory.revert_reason, examples=FUZZ_EXAMPLES,
                  steps=6, scenarios=(_on_time_then_refund, _never_submitted, _rejected))
    if broken is not None:
        raise CheckFailed(f"{broken}.")
    return ("A result submitted on time was paid to the provider after its window, and never "
            "refunded; with no result the requester got the payment back after the deadline; "
            f"each job paid once, through 3 scenarios and {FUZZ_EXAMPLES} random sequences of "
            "calls and waits from 4 accounts.")


check_job_payment = Exercise(
    name="job_payment",
    goal="In the %%solidity cell, write JobPayment's release() (after the dispute window of a "
    "result submitted on time and not rejected, anyone may call it: it pays the whole payment to "
    "the provider, once, and emits Paid) and refund() (after the deadline with no result, anyone "
    "may call it: it pays the payment back to the requester, once, and emits Refunded).",
    hints=(
        "Section 5's rules for JobEscrow, in one job: time decides, not the requester's wish. "
        "Each function is a list of requires (is the job open? has a result come? has its window "
        "or the deadline passed, by block.timestamp?), then the effect (settled = true), then "
        "the payment: checks, effects, interactions.",
        "The same shape for a deposit that a landlord keeps unless the tenant complains in time: "
        "`function keep() external { require(!closed, \"closed\"); require(movedOutAt != 0, "
        "\"still living there\"); require(block.timestamp >= movedOutAt + complaintWindow, "
        "\"window open\"); closed = true; payable(landlord).transfer(deposit); "
        "emit Kept(deposit); }`.",
    ),
    test=_test_job_payment,
)

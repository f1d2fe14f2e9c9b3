"""What every check of a Solidity exercise does first: take the contract a %%solidity cell bound,
say "not done" for the template (or without a compiler), and name accounts the way a learner
reads them. Used by the checks of notebooks 07 and 09."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from web3.contract import Contract
from web3.logs import DISCARD

from course.evm.magic import NEEDS_A_COMPILER, SolidityContract
from course.exercises import CheckFailed, NotDoneYet

PLACEHOLDER = "your code here"
"""What a template's unwritten function reverts with: ``revert("your code here");``."""


def expect_contract(answer: Any, keep: Sequence[str], write: Sequence[str] = (),
                    events: Sequence[str] = ()) -> SolidityContract:
    """``answer`` if it is a compiled contract with the functions ``keep`` (the template's) and
    ``write`` (the learner's) and the ``events``; "not done" when it is not compiled or a function
    to write is missing, "not yet" when the template's pieces are gone."""
    if not isinstance(answer, SolidityContract):
        raise CheckFailed(f"pass the contract your %%solidity cell bound (its contract's name), "
                          f"got {type(answer).__name__} {answer!r}.")
    if not answer.compiled:
        raise NotDoneYet(f"{answer.name} was not compiled: {NEEDS_A_COMPILER}")
    functions = answer.functions()
    declared = {item.get("name") for item in answer.abi if item.get("type") == "event"}
    if missing := [name for name in keep if name not in functions]:
        raise CheckFailed(f"{answer.name} has no {', '.join(missing)}: keep the template's "
                          "functions, with their names and parameters, as they are.")
    if missing := [name for name in events if name not in declared]:
        raise CheckFailed(f"{answer.name} declares no event {', '.join(missing)}: keep the "
                          "template's events.")
    if missing := [name for name in write if name not in functions]:
        raise NotDoneYet(f"{answer.name} has no {', '.join(missing)} yet: write it in the "
                         "%%solidity cell, run that cell, then this one.")
    return answer


def refused_as_placeholder(reason: str | None, name: str) -> None:
    """Raise "not done" when a call reverted with the template's placeholder."""
    if reason is not None and PLACEHOLDER in reason:
        raise NotDoneYet(f"{name} still reverts with '{PLACEHOLDER}': write its body in the "
                         "%%solidity cell, run that cell, then this one.")


def holds_until_settled(held: int, settled: bool, amount: int, holder: str) -> str | None:
    """The invariant of a one-payment contract: it holds ``amount`` until settled, then nothing.
    Returns what is wrong (``holder`` names the contract in the message), or None."""
    expected = 0 if settled else amount
    if held != expected:
        status = "settled" if settled else "not settled"
        return f"the {holder} holds {held} wei while {status}; it should hold {expected}"
    return None


def emitted_amount(contract: Contract, event: str, receipt: Any, amount: int) -> bool:
    """Did the transaction of ``receipt`` emit ``event`` with this ``amount``?"""
    logs = contract.events[event]().process_receipt(receipt, errors=DISCARD)
    return any(log.args["amount"] == amount for log in logs)

"""Who holds which credits: balances, bonded stakes, and money locked in escrow per job.

Credits only move, never appear or vanish: ``total()`` (balances + stakes + escrow) is the
same before and after every operation. Each operation checks everything first and only
then changes state, so a refused operation changes nothing.

Taught in notebook 13 (and settled on chain in notebook 16).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from course.compute.errors import AlreadySettled, InsufficientCredits, LedgerError
from course.validation import ensure, ensure_int, ensure_text

__all__ = ["AlreadySettled", "Escrow", "InsufficientCredits", "Ledger", "LedgerError"]


def _amount(value: object, name: str) -> int:
    return ensure_int(value, name, minimum=0, meaning="a number of credits", error=LedgerError)


def _account(value: object, name: str = "account") -> str:
    return ensure_text(value, name, error=LedgerError)


def _job_id(value: object) -> int:
    return ensure_int(value, "job_id", minimum=0, error=LedgerError)


@dataclass
class Escrow:
    """The credits locked for one job by its requester."""

    requester: str
    locked: int = 0
    paid: dict[str, int] = field(default_factory=dict)
    closed: bool = False


class Ledger:
    """Balances and stakes of every account, and the escrow of every job."""

    def __init__(self, balances: Mapping[str, int] | None = None,
                 stakes: Mapping[str, int] | None = None) -> None:
        self.balances: dict[str, int] = {}
        self.stakes: dict[str, int] = {}
        self.escrows: dict[int, Escrow] = {}
        for what, given, into in (("balances", balances, self.balances),
                                  ("stakes", stakes, self.stakes)):
            ensure(given is None or isinstance(given, Mapping), LedgerError, what, given,
                   "a mapping of account -> credits")
            for account, amount in (given or {}).items():
                into[_account(account, f"{what} key")] = _amount(amount,
                                                                f"{what}[{account!r}]")

    def total(self) -> int:
        """Every credit in the system: balances + stakes + what escrows still hold."""
        return (sum(self.balances.values()) + sum(self.stakes.values())
                + sum(escrow.locked for escrow in self.escrows.values()))

    def balance(self, account: str) -> int:
        """Credits ``account`` holds (0 for an account never seen)."""
        return self.balances.get(_account(account), 0)

    def stake(self, account: str) -> int:
        """Credits ``account`` has bonded as stake (0 for an account never seen)."""
        return self.stakes.get(_account(account), 0)

    def lock(self, job_id: int, requester: str, amount: int) -> None:
        """Move ``amount`` from the requester's balance into job ``job_id``'s escrow."""
        job_id, requester = _job_id(job_id), _account(requester, "requester")
        amount = _amount(amount, "amount")
        escrow = self.escrows.get(job_id)
        if escrow is not None and (escrow.closed or escrow.requester != requester):
            raise AlreadySettled(f"job {job_id}: its escrow is closed or belongs to "
                                 f"{escrow.requester}, not {requester}")
        if self.balance(requester) < amount:
            raise InsufficientCredits(f"lock for job {job_id}: {requester} has "
                                    f"{self.balance(requester)} credits, needs {amount}")
        self.balances[requester] = self.balance(requester) - amount
        self.escrows.setdefault(job_id, Escrow(requester)).locked += amount

    def pay(self, job_id: int, provider: str, amount: int) -> None:
        """Release ``amount`` from job ``job_id``'s escrow to ``provider``, at most once each."""
        provider, amount = _account(provider, "provider"), _amount(amount, "amount")
        escrow = self._open_escrow(job_id)
        if provider in escrow.paid:
            raise AlreadySettled(f"job {job_id}: {provider} was already paid "
                                 f"{escrow.paid[provider]} credits")
        if escrow.locked < amount:
            raise InsufficientCredits(f"pay for job {job_id}: escrow holds {escrow.locked}, "
                                    f"{provider} is owed {amount}")
        escrow.locked -= amount
        escrow.paid[provider] = amount
        self.balances[provider] = self.balance(provider) + amount

    def refund(self, job_id: int) -> int:
        """Return what is left in job ``job_id``'s escrow to its requester and close it."""
        escrow = self._open_escrow(job_id)
        refunded, escrow.locked, escrow.closed = escrow.locked, 0, True
        self.balances[escrow.requester] = self.balance(escrow.requester) + refunded
        return refunded

    def slash(self, provider: str, amount: int, to: str) -> int:
        """Take up to ``amount`` from ``provider``'s stake and give it to ``to``; returns it."""
        provider, to = _account(provider, "provider"), _account(to, "to")
        amount = _amount(amount, "amount")
        taken = min(amount, self.stake(provider))
        self.stakes[provider] = self.stake(provider) - taken
        self.balances[to] = self.balance(to) + taken
        return taken

    def _open_escrow(self, job_id: int) -> Escrow:
        job_id = _job_id(job_id)
        if job_id not in self.escrows:
            raise LedgerError(f"job {job_id}: no escrow was locked for it")
        escrow = self.escrows[job_id]
        if escrow.closed:
            raise AlreadySettled(f"job {job_id}: its escrow is already closed")
        return escrow

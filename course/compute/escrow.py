"""Who holds which credits: balances, bonded stakes, and money locked in escrow per job.

Credits only move, never appear or vanish: ``total()`` (balances + stakes + escrow) is the
same before and after every operation. Each operation checks everything first and only
then changes state, so a refused operation changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


class LedgerError(Exception):
    """A ledger operation breaks a rule; nothing was changed."""


class InsufficientFunds(LedgerError):
    """An account, stake or escrow holds less than the amount asked for."""


class AlreadySettled(LedgerError):
    """The job's escrow was closed, or this provider was already paid for this job."""


def _amount(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise LedgerError(f"{what}: expected an integer number of credits >= 0, got {value!r}")
    return value


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
        for account, amount in (balances or {}).items():
            self.balances[account] = _amount(amount, f"balance of {account}")
        for account, amount in (stakes or {}).items():
            self.stakes[account] = _amount(amount, f"stake of {account}")

    def total(self) -> int:
        """Every credit in the system: balances + stakes + what escrows still hold."""
        return (sum(self.balances.values()) + sum(self.stakes.values())
                + sum(escrow.locked for escrow in self.escrows.values()))

    def balance(self, account: str) -> int:
        return self.balances.get(account, 0)

    def stake(self, account: str) -> int:
        return self.stakes.get(account, 0)

    def lock(self, job_id: int, requester: str, amount: int) -> None:
        """Move ``amount`` from the requester's balance into job ``job_id``'s escrow."""
        _amount(amount, "amount")
        escrow = self.escrows.get(job_id)
        if escrow is not None and (escrow.closed or escrow.requester != requester):
            raise AlreadySettled(f"job {job_id}: its escrow is closed or belongs to "
                                 f"{escrow.requester}, not {requester}")
        if self.balance(requester) < amount:
            raise InsufficientFunds(f"lock for job {job_id}: {requester} has "
                                    f"{self.balance(requester)} credits, needs {amount}")
        self.balances[requester] = self.balance(requester) - amount
        self.escrows.setdefault(job_id, Escrow(requester)).locked += amount

    def pay(self, job_id: int, provider: str, amount: int) -> None:
        """Release ``amount`` from job ``job_id``'s escrow to ``provider``, at most once each."""
        _amount(amount, "amount")
        escrow = self._open_escrow(job_id)
        if provider in escrow.paid:
            raise AlreadySettled(f"job {job_id}: {provider} was already paid "
                                 f"{escrow.paid[provider]} credits")
        if escrow.locked < amount:
            raise InsufficientFunds(f"pay for job {job_id}: escrow holds {escrow.locked}, "
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
        _amount(amount, "amount")
        taken = min(amount, self.stake(provider))
        self.stakes[provider] = self.stake(provider) - taken
        self.balances[to] = self.balance(to) + taken
        return taken

    def _open_escrow(self, job_id: int) -> Escrow:
        if job_id not in self.escrows:
            raise LedgerError(f"job {job_id}: no escrow was locked for it")
        escrow = self.escrows[job_id]
        if escrow.closed:
            raise AlreadySettled(f"job {job_id}: its escrow is already closed")
        return escrow

"""The ledger: every account's balance and nonce after some block.

Applying a block's transactions builds a *new* state and leaves the old one untouched, so a
block that breaks a rule halfway through changes nothing: there is no half-applied block.

``validate_transaction`` is the one path every transaction takes, whether it arrives in the
mempool, in a mined block or from a file: form, signature, chain id, nonce, balance.
Taught in notebook 04.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from course.chain.errors import (
    DoubleSpend,
    InsufficientFunds,
    InvalidChainInput,
    WrongChainId,
    WrongNonce,
)
from course.chain.keys import is_checksum_address
from course.chain.transactions import Transaction, check_form, check_signature
from course.validation import ensure, ensure_instance, ensure_int


@dataclass(frozen=True)
class Account:
    balance: int = 0
    nonce: int = 0  # transactions sent so far = the nonce the next one must carry


class LedgerState:
    """Balances and nonces. Treat it as read-only: ``apply`` returns a new state."""

    def __init__(self, accounts: Mapping[str, Account] | None = None) -> None:
        self._accounts: dict[str, Account] = dict(accounts or {})

    @classmethod
    def genesis(cls, allocations: Mapping[str, int]) -> LedgerState:
        """The state before the first block: some addresses start with coins."""
        return cls({address: Account(balance=amount) for address, amount in allocations.items()})

    def account(self, address: str) -> Account:
        ensure(is_checksum_address(address), InvalidChainInput, "address", address,
               "an EIP-55 checksummed address")
        return self._accounts.get(address, Account())

    def balance(self, address: str) -> int:
        return self.account(address).balance

    def nonce(self, address: str) -> int:
        return self.account(address).nonce

    def total_supply(self) -> int:
        return sum(account.balance for account in self._accounts.values())

    def balances(self) -> dict[str, int]:
        return {address: a.balance for address, a in sorted(self._accounts.items()) if a.balance}

    def validate_transaction(self, tx: Transaction, chain_id: int, where: str) -> None:
        """Could ``tx`` be applied to this state now? Raises the first rule it breaks.

        Form (types, ranges, addresses, canonical signature), then the signature, then the
        rules that depend on the state: chain id, nonce, balance.
        """
        check_form(tx, where=where)
        check_signature(tx, where)
        if tx.chain_id != chain_id:
            raise WrongChainId(where, "chain_id", tx.chain_id, f"{chain_id}")
        account = self.account(tx.sender)
        if tx.nonce != account.nonce:
            what = "already used (a replay)" if tx.nonce < account.nonce else "a gap"
            raise WrongNonce(where, "nonce", tx.nonce, f"{account.nonce}; {tx.nonce} is {what}")
        if account.balance < tx.amount + tx.fee:
            raise InsufficientFunds(
                where, "amount + fee", tx.amount + tx.fee, f"<= balance {account.balance}"
            )

    def apply(
        self,
        transactions: Iterable[Transaction],
        chain_id: int,
        miner: str | None = None,
        reward: int = 0,
        where: str = "block",
    ) -> LedgerState:
        """Apply transactions in order, then pay ``reward`` to ``miner``; return the new state.

        Raises the first broken rule; ``self`` is never modified.
        """
        ensure_instance(transactions, "transactions", (list, tuple),
                        rule="a list of Transactions", error=InvalidChainInput)
        ensure_int(chain_id, "chain_id", minimum=1, error=InvalidChainInput)
        ensure_int(reward, "reward", minimum=0, error=InvalidChainInput)
        ensure(miner is None or is_checksum_address(miner), InvalidChainInput, "miner", miner,
               "None or an EIP-55 checksummed address")
        after = LedgerState(self._accounts)
        seen: dict[tuple[str, int], str] = {}
        for index, tx in enumerate(transactions):
            check_form(tx, where=f"{where}, transaction {index}")  # before txid: it may not hash
            label = f"{where}, transaction {index} ({tx.txid[:12]})"
            spent_before = seen.get((tx.sender, tx.nonce))
            if spent_before is not None:
                raise DoubleSpend(
                    label, "sender, nonce", (tx.sender[:10], tx.nonce),
                    f"a nonce used once per block; transaction {spent_before[:12]} already used it",
                )
            after.validate_transaction(tx, chain_id, label)
            seen[(tx.sender, tx.nonce)] = tx.txid
            sender = after.account(tx.sender)
            after._accounts[tx.sender] = Account(sender.balance - tx.amount - tx.fee, tx.nonce + 1)
            recipient = after.account(tx.recipient)
            after._accounts[tx.recipient] = Account(recipient.balance + tx.amount, recipient.nonce)
        if miner is not None and reward:
            paid = after.account(miner)
            after._accounts[miner] = Account(paid.balance + reward, paid.nonce)
        return after

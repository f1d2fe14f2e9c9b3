"""Deploy contracts and send transactions, turning a revert into a readable error.
Taught in notebook 07, used by notebooks 08-10 and 16.
"""

from __future__ import annotations

from typing import Any, NamedTuple, cast

from eth_tester.exceptions import TransactionFailed
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractLogicError
from web3.types import TxParams, TxReceipt

from course.errors import EvmError
from course.evm.artifacts import load_artifact
from course.evm.connection import ensure_web3
from course.validation import ensure, ensure_instance, ensure_int

MAX_UINT256 = 2**256 - 1


class InvalidTransaction(EvmError, ValueError):
    """A call, sender or value that cannot make a transaction."""


class Reverted(EvmError):
    """A transaction or call was reverted by the contract; ``reason`` is its message."""

    def __init__(self, what: str, reason: str) -> None:
        self.reason = reason
        super().__init__(f"{what} reverted: {reason}")


# What a revert raises: the course's send() and deploy() raise Reverted; web3.py's own
# .transact(), .call() and .estimate_gas() raise ContractLogicError (from a node such as anvil)
# or eth-tester's TransactionFailed (from the in-memory EVM). Catch all three: `except REVERTS`.
REVERTS: tuple[type[Exception], ...] = (Reverted, ContractLogicError, TransactionFailed)


def revert_reason(error: BaseException) -> str:
    """The contract's revert message carried by any of ``REVERTS``."""
    if isinstance(error, Reverted):
        return error.reason
    text = str(getattr(error, "message", None) or error)
    for prefix in ("execution reverted: ", "execution reverted"):
        if prefix in text:
            return text.split(prefix, 1)[1].strip(" '\"") or "(no reason given)"
    return text


def send(w3: Web3, call: ContractFunction, sender: str | None = None, value: int = 0) -> TxReceipt:
    """Send ``call`` as a transaction from ``sender`` (default account 0) and wait for it.

    Raises:
        InvalidTransaction: ``call`` is not a contract function call, or a bad sender or value.
        Reverted: the contract refused; the message has its revert reason.
    """
    ensure_web3(w3)
    ensure_instance(call, "call", ContractFunction, rule="a call such as contract.functions.f()",
                    error=InvalidTransaction)
    _check_sender_and_value(sender, value)
    what = f"{call.fn_name}({', '.join(repr(a) for a in call.args)})"
    try:
        fields = {"from": sender or w3.eth.default_account, "value": value}
        tx_hash = call.transact(cast(TxParams, fields))
    except (ContractLogicError, TransactionFailed) as error:
        raise Reverted(what, revert_reason(error)) from None
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    if receipt["status"] != 1:
        raise Reverted(what, "(status 0, no reason given)")
    return receipt


class Deployment(NamedTuple):
    """A deployed contract and the receipt of the transaction that created it."""

    contract: Contract
    receipt: TxReceipt  # its gasUsed is what the deployment cost


def deploy_with_receipt(w3: Web3, name: str, *args: Any, sender: str | None = None,
                        value: int = 0) -> Deployment:
    """Deploy the committed artifact ``name`` with constructor ``args``; return the contract and
    the deployment's receipt (``contract, receipt = deploy_with_receipt(w3, "Counter")``).

    Raises:
        InvalidTransaction: a bad sender or value.
        Reverted: the constructor refused; the message has its revert reason.
    """
    ensure_web3(w3)
    _check_sender_and_value(sender, value)
    artifact = load_artifact(name)
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    try:
        tx_hash = factory.constructor(*args).transact(
            {"from": sender or w3.eth.default_account, "value": value})
    except (ContractLogicError, TransactionFailed) as error:
        raise Reverted(f"deploying {name}", revert_reason(error)) from None
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    contract = w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])
    return Deployment(cast(Contract, contract), receipt)  # with an address: an instance


def deploy(w3: Web3, name: str, *args: Any, sender: str | None = None, value: int = 0) -> Contract:
    """Deploy the committed artifact ``name`` with constructor ``args``; return the contract.

    ``deploy_with_receipt`` does the same and also returns the receipt, for gas reports.
    """
    return deploy_with_receipt(w3, name, *args, sender=sender, value=value).contract


def _check_sender_and_value(sender: str | None, value: int) -> None:
    ensure(sender is None or isinstance(sender, str), InvalidTransaction, "sender", sender,
           "None (the default account) or an address")
    ensure_int(value, "value", minimum=0, maximum=MAX_UINT256, meaning="wei sent along",
               error=InvalidTransaction)

"""Solidity in a notebook cell: ``%%solidity`` compiles the cell and binds each contract as a name.

    from course.evm.magic import load_ipython_extension
    load_ipython_extension(get_ipython())      # or: %load_ext course.evm.magic

    %%solidity
    contract Greeter { string public greeting = "hello"; }

    greeter = Greeter.deploy(w3)               # the next cell: a deployed web3.py contract

The cell is compiled by the real compiler (``course.evm.compiler``), exactly as the course's own
contracts are; a mistake is reported with the cell's own line numbers, not a Python traceback.
``compile_cell(source)`` does the same for scripts. In the spirit of titanoboa's ``%%vyper``.
Taught in notebook 07 (the Solidity primer), used by 07, 08 and 15.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, cast

from eth_abi import decode as abi_decode
from eth_tester.exceptions import TransactionFailed
from eth_utils import keccak, to_checksum_address
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError
from web3.types import TxParams

from course.evm.compiler import (
    DECLARED_CONTRACT,
    GET_A_COMPILER,
    SETTINGS,
    CompilationFailed,
    Compiler,
    CompilerNotFound,
    InvalidCompilerInput,
    ensure_compiler,
    find_compiler,
)
from course.evm.connection import ensure_web3
from course.evm.deploy import MAX_UINT256, InvalidTransaction, Reverted, revert_reason
from course.validation import ensure, ensure_int, ensure_text

CELL_FILE = "cell.sol"  # the file name solc sees: its line numbers are the cell's
NEEDS_A_COMPILER = f"⏳ needs a Solidity compiler: {GET_A_COMPILER}"


@dataclass(frozen=True)
class SolidityContract:
    """A compiled contract, ready to deploy: ``Counter.deploy(w3)`` returns the deployed contract.

    ``bytecode`` is empty when no compiler was found: ``deploy`` then says how to get one.
    """

    name: str
    abi: tuple[dict[str, Any], ...]
    bytecode: str

    @property
    def compiled(self) -> bool:
        return self.bytecode not in ("", "0x")

    def functions(self) -> list[str]:
        """The names of the contract's functions, as its ABI lists them."""
        return [item["name"] for item in self.abi if item.get("type") == "function"]

    def deploy(self, w3: Web3, *args: Any, sender: str | None = None, value: int = 0) -> Contract:
        """Deploy with constructor ``args`` from ``sender`` (default account 0); return it.

        Raises:
            CompilerNotFound: the cell was never compiled (no compiler on this machine).
            InvalidTransaction: a bad sender or value, or an interface (nothing to deploy).
            Reverted: the constructor refused; the message has its revert reason.
        """
        ensure_web3(w3)
        ensure(sender is None or isinstance(sender, str), InvalidTransaction, "sender", sender,
               "None (the default account) or an address")
        ensure_int(value, "value", minimum=0, maximum=MAX_UINT256, meaning="wei sent along",
                   error=InvalidTransaction)
        if self.bytecode == "":
            raise CompilerNotFound(f"{self.name} was not compiled: {NEEDS_A_COMPILER}")
        ensure(self.compiled, InvalidTransaction, "bytecode", self.name,
               "a contract with code (an interface or abstract contract cannot be deployed)")
        factory = w3.eth.contract(abi=list(self.abi), bytecode=self.bytecode)
        fields = {"from": sender or w3.eth.default_account, "value": value}
        try:
            tx_hash = factory.constructor(*args).transact(cast(TxParams, fields))
        except (ContractLogicError, TransactionFailed) as error:
            raise Reverted(f"deploying {self.name}", revert_reason(error)) from None
        receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
        if receipt["status"] != 1:
            raise Reverted(f"deploying {self.name}", "(status 0, no reason given)")
        contract = w3.eth.contract(address=receipt["contractAddress"], abi=list(self.abi))
        return cast(Contract, contract)

    def revert_reason(self, error: BaseException) -> str:
        """The revert reason carried by any of ``REVERTS``, with a custom error of this contract
        spelled out (``AlreadyVoted(voter=0x2B5A...)``) instead of raw bytes."""
        data = _revert_data(error)
        for item in self.abi:
            if item.get("type") != "error" or data is None:
                continue
            types = [field["type"] for field in item["inputs"]]
            if data[:4] == keccak(text=f"{item['name']}({','.join(types)})")[:4]:
                values = [to_checksum_address(v) if t == "address" else v
                          for t, v in zip(types, abi_decode(types, data[4:]), strict=True)]
                named = ", ".join(f"{field['name']}={value}"
                                  for field, value in zip(item["inputs"], values, strict=True))
                return f"{item['name']}({named})"
        return revert_reason(error)

    def __repr__(self) -> str:
        state = "compiled" if self.compiled else "not compiled"
        return f"<SolidityContract {self.name}: {state}, functions {self.functions()}>"


def _revert_data(error: BaseException | None) -> bytes | None:
    """The raw revert data behind ``error`` (or the web3.py error it replaced), if it is bytes:
    eth-tester writes ``execution reverted: b'...'``, a node sends ``0x...``."""
    while error is not None:
        text = str(error.args[0]) if error.args else ""
        text = text.split("execution reverted: ", 1)[-1]
        if text.startswith(("b'", 'b"')):
            data = ast.literal_eval(text)
            return data if isinstance(data, bytes) else None
        if text.startswith("0x"):
            try:
                return bytes.fromhex(text[2:])
            except ValueError:
                return None
        error = error.__context__  # send() raises Reverted from None: the original is here
    return None


def _line_of(source: str, offset: int) -> int:
    """The 1-based line of character ``offset`` (solc counts bytes; the cell is mostly ASCII)."""
    prefix = source.encode("utf-8")[: max(offset, 0)].decode("utf-8", errors="ignore")
    return prefix.count("\n") + 1


def _describe(error: dict[str, Any], source: str) -> str:
    """One solc error as ``line N: Kind: message`` and the offending line of the cell."""
    kind, message = error.get("type", "Error"), error.get("message", "")
    location = error.get("sourceLocation")
    if not location or location.get("file") != CELL_FILE:
        return f"{kind}: {message}"
    line = _line_of(source, int(location.get("start", 0)))
    text = source.splitlines()[line - 1].strip() if source.splitlines() else ""
    return f"line {line}: {kind}: {message}\n    {line} | {text}"


def compile_cell(source: str, compiler: Compiler | None = None) -> dict[str, SolidityContract]:
    """Compile one cell of Solidity; return ``{contract name: SolidityContract}``.

    Raises:
        CompilerNotFound: no compiler on this machine (the message says how to get one).
        CompilationFailed: the compiler's errors, each with the cell's own line number.
        InvalidCompilerInput: a source that is not text, or a compiler that is not a Compiler.
    """
    ensure_text(source, "source", meaning="Solidity source code", error=InvalidCompilerInput)
    compiler = ensure_compiler(compiler) or find_compiler()
    standard_input = {"language": "Solidity", "settings": SETTINGS,
                      "sources": {CELL_FILE: {"content": source}}}
    output = compiler.compile(standard_input)
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise CompilationFailed("\n".join(_describe(e, source) for e in errors))
    contracts = output.get("contracts", {}).get(CELL_FILE, {})
    if not contracts:
        raise CompilationFailed("the cell declares no contract: write `contract Name { ... }`")
    return {name: SolidityContract(name, tuple(data["abi"]),
                                   "0x" + data["evm"]["bytecode"]["object"])
            for name, data in contracts.items()}


def compile_or_wait(source: str) -> dict[str, SolidityContract]:
    """``compile_cell(source)``, except that without a compiler it prints the one ⏳ line and
    returns the declared contracts not compiled: their checks say "not done" and the notebook
    runs on. For a notebook's Python cells; ``%%solidity`` cells do the same by themselves."""
    try:
        return compile_cell(source)
    except CompilerNotFound:
        print(NEEDS_A_COMPILER)
        return {name: SolidityContract(name, (), "") for name in DECLARED_CONTRACT.findall(source)}


def solidity(line: str, cell: str, namespace: dict[str, Any]) -> dict[str, SolidityContract]:
    """What ``%%solidity`` does: compile ``cell``, bind each contract in ``namespace``, print one
    line per contract (or the errors, or what gets a compiler); return the contracts bound."""
    try:
        contracts = compile_cell(cell)
    except CompilerNotFound:
        print(NEEDS_A_COMPILER)
        names = DECLARED_CONTRACT.findall(cell)
        contracts = {name: SolidityContract(name, (), "") for name in names}
        namespace.update(contracts)
        return contracts
    except CompilationFailed as error:
        print(f"❌ Solidity did not compile:\n{error}")
        return {}
    namespace.update(contracts)
    for name, contract in contracts.items():
        if contract.compiled:
            print(f"{name}: compiled, deploy it with {name}.deploy(w3)")
    return contracts


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%%solidity`` in an IPython shell (``%load_ext course.evm.magic`` calls this)."""

    def solidity_magic(line: str, cell: str) -> None:
        solidity(line, cell, ipython.user_ns)

    ipython.register_magic_function(solidity_magic, magic_kind="cell", magic_name="solidity")

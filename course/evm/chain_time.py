"""Move a development chain forward on demand: mine empty blocks, or jump its clock ahead.

Contracts read time from the block they run in: ``block.number`` and ``block.timestamp``.
To test a deadline you make blocks instead of waiting for them. The in-memory EVM
(eth-tester) does it with Python calls; development nodes (anvil, hardhat, ganache) with
extra JSON-RPC methods (``anvil_mine``, ``evm_mine``, ``evm_increaseTime``). Public networks
offer neither: there, time passes at the speed of the chain.
Taught in notebook 16 (deadlines and dispute windows).
"""

from __future__ import annotations

from typing import Any

from web3 import Web3
from web3.types import RPCEndpoint

from course.errors import EvmError
from course.evm.connection import ensure_web3
from course.validation import ensure_int

MAX_BLOCKS = 100_000  # blocks mined in one call: about two weeks of Ethereum
MAX_SECONDS = 100 * 365 * 24 * 3600  # a century in one jump


class InvalidTimeStep(EvmError, ValueError):
    """The number of blocks or seconds to move forward is not a whole number in range."""


class TimeControlUnsupported(EvmError, RuntimeError):
    """The node cannot mine or move its clock on demand; the message says what it lacks."""


def mine_blocks(w3: Web3, n: int = 1) -> int:
    """Mine ``n`` empty blocks and return the new latest block number.

    Raises:
        InvalidConnection: ``w3`` is not a Web3.
        InvalidTimeStep: ``n`` is not an integer in [1, MAX_BLOCKS].
        TimeControlUnsupported: the node has neither ``anvil_mine`` nor ``evm_mine``.
    """
    ensure_web3(w3)
    n = ensure_int(n, "n", minimum=1, maximum=MAX_BLOCKS, meaning="blocks to mine",
                   error=InvalidTimeStep)
    tester = getattr(w3.provider, "ethereum_tester", None)
    if tester is not None:  # the in-memory EVM
        tester.mine_blocks(n)
    elif not _rpc(w3, "anvil_mine", [hex(n)]):  # anvil mines n blocks in one call
        for _ in range(n):  # other development nodes (hardhat, ganache): one block per call
            if not _rpc(w3, "evm_mine", []):
                raise TimeControlUnsupported(
                    f"{_node(w3)} supports neither anvil_mine nor evm_mine, so it cannot mine "
                    "on demand: use the in-memory EVM (connect()) or a development node such "
                    "as anvil")
    return w3.eth.block_number


def advance_time(w3: Web3, seconds: int) -> int:
    """Mine one block at least ``seconds`` after the latest one; return its timestamp.

    "At least": both chains also follow the wall clock, so a block can come later than asked,
    never earlier. That is why contracts compare times with ``>=``, never ``==``.

    Raises:
        InvalidConnection: ``w3`` is not a Web3.
        InvalidTimeStep: ``seconds`` is not an integer in [1, MAX_SECONDS].
        TimeControlUnsupported: the node has no ``evm_increaseTime`` or no ``evm_mine``.
    """
    ensure_web3(w3)
    seconds = ensure_int(seconds, "seconds", minimum=1, maximum=MAX_SECONDS,
                         meaning="to move the clock forward", error=InvalidTimeStep)
    tester = getattr(w3.provider, "ethereum_tester", None)
    if tester is not None:
        target = w3.eth.get_block("latest")["timestamp"] + seconds
        # time_travel(t) mines a block stamped t - 1 (eth-tester's convention), and refuses
        # to go back in time: when the wall clock is already past the target, just mine.
        if target + 1 > tester.get_block_by_number("pending")["timestamp"]:
            tester.time_travel(target + 1)
        else:
            tester.mine_blocks(1)
    elif not (_rpc(w3, "evm_increaseTime", [seconds]) and _rpc(w3, "evm_mine", [])):
        raise TimeControlUnsupported(
            f"{_node(w3)} does not support evm_increaseTime and evm_mine, so its clock cannot "
            "be moved: use the in-memory EVM (connect()) or a development node such as anvil")
    return w3.eth.get_block("latest")["timestamp"]


def _rpc(w3: Web3, method: str, params: list[Any]) -> bool:
    """Call a development-node method; False if the node does not know it."""
    response = w3.provider.make_request(RPCEndpoint(method), params)
    error = response.get("error")
    if error is None:
        return True
    message = str(error.get("message", error)) if isinstance(error, dict) else str(error)
    if "not found" in message.lower() or "not supported" in message.lower() or (
            isinstance(error, dict) and error.get("code") == -32601):
        return False
    raise TimeControlUnsupported(f"{_node(w3)} refused {method}({params}): {message}")


def _node(w3: Web3) -> str:
    url = getattr(w3.provider, "endpoint_uri", None)
    return f"the node at {url}" if url else f"the node behind {type(w3.provider).__name__}"


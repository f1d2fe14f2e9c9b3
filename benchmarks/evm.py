"""Transactions per second in memory vs on anvil; deploy time of each contract.

Transfers are sent one at a time, each waited for, as a notebook does. The in-memory EVM is
always built here, even when $COURSE_RPC_URL points at a node; anvil is started from the
course's node_modules (or PATH) on a free port and stopped afterwards.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from web3 import EthereumTesterProvider, Web3

from course.display import Table
from course.evm.artifacts import artifact_names, load_artifact
from course.evm.connection import connect
from course.evm.deploy import Reverted, deploy, deploy_with_receipt
from course.paths import REPO_ROOT

IN_MEMORY = "in-memory EVM"
ANVIL = "anvil (HTTP)"

# Constructor arguments for the artifacts that need some; the others are deployed bare or skipped.
# Addresses that only need to be addresses (a token, a vault, a wallet) are funded accounts.
CONSTRUCTOR_ARGUMENTS: dict[str, Callable[[Web3], tuple[Any, ...]]] = {
    "CommitReveal": lambda w3: (b"\x11" * 32, 10),
    "CourseNFT": lambda w3: ("Course NFT", "CNFT", w3.eth.accounts[1], 500),
    "CoursePair": lambda w3: (w3.eth.accounts[1], w3.eth.accounts[2]),
    "CourseToken": lambda w3: ("Course Token", "CRS", 10**24),
    "FlashLoanPool": lambda w3: (w3.eth.accounts[1], 9),  # a token, a 0.09% fee
    "GuessTheNumber": lambda w3: (b"\x22" * 32,),
    "GuestbookVault": lambda w3: (w3.eth.accounts[1],),
    "JobEscrow": lambda w3: (w3.eth.accounts[1:4], 2, 3),  # 2-of-3 verifiers, 3-block windows
    "OracleLender": lambda w3: (  # reads token0 from a real pair: deploy one first
        deploy(w3, "CoursePair", w3.eth.accounts[1], w3.eth.accounts[2]).address,
        w3.eth.accounts[1], w3.eth.accounts[2], 5_000, False, 0),
    "PhishingBait": lambda w3: (w3.eth.accounts[1], w3.eth.accounts[2]),
    "SafeGuestbookVault": lambda w3: (w3.eth.accounts[1],),
    "TokenVote": lambda w3: (deploy(w3, "CourseToken", "Vote", "V", 10**24).address, 100, 2_000),
    "VaultAttacker": lambda w3: (w3.eth.accounts[1],),
}
PRIZE = {"CommitReveal": 10**18, "GuessTheNumber": 10**18}  # payable constructors need a prize


class AnvilUnavailable(RuntimeError):
    """anvil is not installed, or did not start; the message says which."""


def in_memory_evm() -> Web3:
    w3 = Web3(EthereumTesterProvider())
    w3.eth.default_account = w3.eth.accounts[0]
    return w3


@contextmanager
def anvil_node(start_timeout: float = 30.0) -> Iterator[Web3]:
    """A fresh anvil on a free local port, connected; stopped on leaving the block."""
    local = REPO_ROOT / "node_modules" / ".bin" / "anvil"
    binary = str(local) if local.exists() else shutil.which("anvil")
    if binary is None:
        raise AnvilUnavailable("anvil not installed: `python3 start.py setup` installs it")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", str(port), "--silent"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                w3 = connect(url, timeout=1)
                break
            except ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AnvilUnavailable(f"anvil did not start on {url}") from None
                time.sleep(0.1)
        yield w3
    finally:
        process.terminate()
        process.wait(timeout=10)


def transfers_per_second(w3: Web3, count: int) -> float:
    """Send ``count`` plain 1-wei transfers one after another, each mined before the next."""
    sender, recipient = w3.eth.accounts[:2]
    start = time.perf_counter()
    for _ in range(count):
        tx_hash = w3.eth.send_transaction({"from": sender, "to": recipient, "value": 1})
        w3.eth.wait_for_transaction_receipt(tx_hash)
    return count / (time.perf_counter() - start)


def _constructor_inputs(name: str) -> list[str]:
    abi = load_artifact(name)["abi"]
    return [item["type"] for entry in abi if entry["type"] == "constructor"
            for item in entry.get("inputs", [])]


def deploy_row(w3: Web3, name: str, repeats: int) -> tuple[str, str, str, str]:
    """Best-of-``repeats`` deploy time of artifact ``name``, or why it was skipped."""
    label = f"deploy {name}"
    inputs = _constructor_inputs(name)
    if name in CONSTRUCTOR_ARGUMENTS:
        args = CONSTRUCTOR_ARGUMENTS[name](w3)
    elif not inputs:
        args = ()
    else:
        return label, IN_MEMORY, f"skipped: constructor needs ({', '.join(inputs)})", "-"
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        try:
            _, receipt = deploy_with_receipt(w3, name, *args, value=PRIZE.get(name, 0))
        except Reverted as refused:
            return label, IN_MEMORY, f"skipped: {refused.reason}", "-"
        times.append(time.perf_counter() - start)
    return (label, IN_MEMORY, f"{min(times) * 1000:.1f} ms",
            f"{receipt['gasUsed']:,}")


def run(transfers: int = 100, repeats: int = 3) -> Table:
    w3 = in_memory_evm()
    what = f"{transfers} plain ETH transfers"
    rows = [(what, IN_MEMORY, f"{transfers_per_second(w3, transfers):,.0f} tx/s",
             "21,000 each")]
    try:
        with anvil_node() as node:
            rows.append((what, ANVIL, f"{transfers_per_second(node, transfers):,.0f} tx/s",
                         "21,000 each"))
    except AnvilUnavailable as missing:
        rows.append((what, ANVIL, str(missing), "-"))
    rows += [deploy_row(w3, name, repeats) for name in artifact_names()]
    return Table(("measurement", "chain", "result", "gas used"), rows)

"""Connect to an EVM: in memory by default, or any JSON-RPC node by URL."""

from __future__ import annotations

import os

from web3 import EthereumTesterProvider, HTTPProvider, Web3

RPC_URL_VARIABLE = "COURSE_RPC_URL"


class NodeUnreachable(ConnectionError):
    """No Ethereum node answered at the URL given."""


def connect(url: str | None = None, timeout: float = 10.0) -> Web3:
    """A connected Web3 with funded, unlocked, deterministic accounts.

    ``url=None`` uses $COURSE_RPC_URL if set, otherwise a fresh in-memory EVM (eth-tester:
    account 0 is the address of private key 1, ``0x7E5F...5Bdf``). With a URL such as
    ``http://127.0.0.1:8545`` (anvil's default), the node's own unlocked accounts are used.

    Raises:
        NodeUnreachable: nothing answers JSON-RPC at the URL (the message names it).
    """
    url = url or os.environ.get(RPC_URL_VARIABLE) or None
    if url is None:
        w3 = Web3(EthereumTesterProvider())
    else:
        w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": timeout}))
        if not w3.is_connected():
            from_variable = url == os.environ.get(RPC_URL_VARIABLE)
            source = f" (from ${RPC_URL_VARIABLE})" if from_variable else ""
            raise NodeUnreachable(
                f"no Ethereum node answers JSON-RPC at {url}{source}: start one "
                f"(e.g. `npx anvil` in the course folder) or leave the URL out to use the "
                f"in-memory EVM"
            )
    if not w3.eth.accounts:
        raise NodeUnreachable(f"the node at {url} has no unlocked accounts to send from")
    w3.eth.default_account = w3.eth.accounts[0]
    return w3

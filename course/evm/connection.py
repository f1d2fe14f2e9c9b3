"""Connect to an EVM: in memory by default, or any JSON-RPC node by URL.

Taught in notebook 07 (in memory or a real node by URL), used by 07-09 and 15.
"""

from __future__ import annotations

import os

from web3 import EthereumTesterProvider, HTTPProvider, Web3
from web3.exceptions import Web3Exception

from course.errors import EvmError
from course.validation import ensure, ensure_instance, ensure_number, ensure_text

RPC_URL_VARIABLE = "COURSE_RPC_URL"


class NodeUnreachable(EvmError, ConnectionError):
    """No Ethereum node answered at the URL given."""


class InvalidConnection(EvmError, ValueError):
    """A URL, timeout or ``w3`` that cannot be a connection to an EVM."""


def ensure_web3(w3: object) -> Web3:
    """``w3`` if it is a Web3 (from ``connect()``); an InvalidConnection otherwise."""
    return ensure_instance(w3, "w3", Web3, rule="a Web3, e.g. connect()",
                           error=InvalidConnection)


def without_password(url: str) -> str:
    """``url`` fit for a message: a password in it (``http://user:secret@host``) becomes ``***``."""
    scheme, separator, rest = url.partition("://")
    user_part, at, host_part = rest.rpartition("@")
    if not separator or not at or ":" not in user_part:
        return url
    return f"{scheme}://{user_part.split(':', 1)[0]}:***@{host_part}"


def _answers_json_rpc(w3: Web3) -> bool:
    """Whether the node behind ``w3`` answers a JSON-RPC request with a JSON-RPC response."""
    try:
        return w3.is_connected()
    # web3.py reads the reply as JSON-RPC: a page that is not JSON (HTML, an empty body) raises
    # ValueError, JSON without "jsonrpc" a KeyError, JSON that is not an object a TypeError,
    # a JSON-RPC reply it cannot use a Web3Exception. None of them is a node.
    except (ValueError, LookupError, TypeError, Web3Exception):
        return False


def connect(url: str | None = None, timeout: float = 10.0) -> Web3:
    """A connected Web3 with funded, unlocked, deterministic accounts.

    ``url=None`` uses $COURSE_RPC_URL if set, otherwise a fresh in-memory EVM (eth-tester:
    account 0 is the address of private key 1, ``0x7E5F...5Bdf``). With a URL such as
    ``http://127.0.0.1:8545`` (anvil's default), the node's own unlocked accounts are used.

    Raises:
        InvalidConnection: a URL that is not http(s)://..., or a timeout outside (0, 600] s.
        NodeUnreachable: nothing answers JSON-RPC at the URL (the message names it, with any
            password in it hidden).
    """
    if url is not None:
        ensure_text(url, "url", allow_empty=True, meaning="None for the in-memory EVM",
                    error=InvalidConnection)
    ensure_number(timeout, "timeout", above=0, maximum=600, meaning="seconds",
                  error=InvalidConnection)
    url = url or os.environ.get(RPC_URL_VARIABLE) or None
    if url is not None:
        ensure(url.startswith(("http://", "https://")), InvalidConnection, "url",
               without_password(url),
               "an http:// or https:// address, e.g. http://127.0.0.1:8545")
    if url is None:
        w3 = Web3(EthereumTesterProvider())
    else:
        w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": timeout}))
        if not _answers_json_rpc(w3):
            from_variable = url == os.environ.get(RPC_URL_VARIABLE)
            source = f" (from ${RPC_URL_VARIABLE})" if from_variable else ""
            raise NodeUnreachable(
                f"no Ethereum node answers JSON-RPC at {without_password(url)}{source}: start one "
                f"(e.g. `npx anvil` in the course folder) or leave the URL out to use the "
                f"in-memory EVM"
            )
    if not w3.eth.accounts:
        raise NodeUnreachable(
            f"the node at {without_password(url or '')} has no unlocked accounts to send from")
    w3.eth.default_account = w3.eth.accounts[0]
    return w3

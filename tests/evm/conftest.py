"""Every EVM test runs twice: on the in-memory EVM and on a real node (anvil, from npm).

Locally, without anvil (no `npm install`), the anvil half is skipped with the reason; in CI it
must run, so a missing anvil fails instead.
"""

from __future__ import annotations

import os

import pytest

from course.evm.anvil import anvil_binary, running_anvil
from course.evm.connection import connect


@pytest.fixture(scope="session")
def anvil_url():
    if anvil_binary() is None:
        message = "anvil not installed: `python3 start.py setup` installs it (needs npm)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with running_anvil() as url:
        yield url


@pytest.fixture(params=["memory", "anvil"])
def w3(request):
    """A connected Web3, isolated per test (a fresh in-memory chain, or an anvil snapshot)."""
    if request.param == "memory":
        yield connect()
        return
    web3 = connect(request.getfixturevalue("anvil_url"))
    snapshot = web3.provider.make_request("evm_snapshot", [])["result"]
    yield web3
    web3.provider.make_request("evm_revert", [snapshot])

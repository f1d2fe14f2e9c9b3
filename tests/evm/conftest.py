"""Every EVM test runs twice: on the in-memory EVM and on a real node (anvil, from npm).

Locally, without anvil (no `npm install`), the anvil half is skipped with the reason; in CI it
must run, so a missing anvil fails instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest

from course.evm.connection import connect
from course.paths import REPO_ROOT


def anvil_binary() -> str | None:
    local = REPO_ROOT / "node_modules" / ".bin" / "anvil"
    return str(local) if local.exists() else shutil.which("anvil")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def anvil_url():
    binary = anvil_binary()
    if binary is None:
        message = "anvil not installed: `python3 start.py setup` installs it (needs npm)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    process = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", str(port), "--silent"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connect(url, timeout=1)
            break
        except ConnectionError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"anvil did not start on {url}")
    yield url
    process.terminate()
    process.wait(timeout=10)


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

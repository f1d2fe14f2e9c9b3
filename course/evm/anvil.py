"""A real Ethereum node for a few cells: start anvil (Foundry's local node), use it, stop it.

    with running_anvil() as url:      # None when anvil is not installed
        if url is not None:
            w3 = connect(url)

anvil comes from npm (``python3 start.py`` installs it into ``node_modules/`` when npm exists).
Unlike the in-memory EVM it checks what a public node checks (the chain id of a signature,
for one). Its accounts come from a published test mnemonic; ``ANVIL_DEV_KEY`` is the first
one's private key, printed by anvil on every start: a key for tests only, never for money.

Used by notebook 05 (a raw transaction sent to a real node) and by the tests that run every
EVM test on anvil too.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

from course.errors import EvmError
from course.evm.connection import connect
from course.paths import REPO_ROOT

# anvil's first development account ("test test ... junk" mnemonic), printed by anvil itself
ANVIL_DEV_KEY = bytes.fromhex("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
ANVIL_CHAIN_ID = 31337


class AnvilDidNotStart(EvmError):
    """anvil was found but did not answer JSON-RPC in time."""


def anvil_binary() -> str | None:
    """The anvil the course installed (``node_modules/.bin/anvil``), else one on PATH, else None."""
    local = REPO_ROOT / "node_modules" / ".bin" / "anvil"
    return str(local) if local.exists() else shutil.which("anvil")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def running_anvil(timeout_s: float = 30.0) -> Iterator[str | None]:
    """Start anvil on a free port and yield its URL (None if anvil is not installed); stop it
    afterwards, whatever happened inside."""
    binary = anvil_binary()
    if binary is None:
        yield None
        return
    port = free_port()
    process = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", str(port), "--silent"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                connect(url, timeout=1)
                break
            except ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AnvilDidNotStart(
                        f"anvil ({binary}) did not answer on {url} within {timeout_s:.0f} s"
                    ) from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

"""running_anvil: a real node for a few cells, started on a free port and always stopped."""

from __future__ import annotations

import os
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from course.evm import anvil
from course.evm.anvil import ANVIL_CHAIN_ID, AnvilDidNotStart, running_anvil
from course.evm.connection import NodeUnreachable, connect
from course.paths import NOTEBOOKS_DIR


def test_anvil_starts_answers_and_is_stopped_afterwards(anvil_url):
    with running_anvil() as url:
        assert url is not None and url != anvil_url  # a free port of its own
        assert connect(url).eth.chain_id == ANVIL_CHAIN_ID
    with pytest.raises(NodeUnreachable):
        connect(url, timeout=1)


def test_without_anvil_the_block_gets_none(monkeypatch):
    monkeypatch.setattr(anvil, "anvil_binary", lambda: None)
    with running_anvil() as url:
        assert url is None


def test_a_binary_that_dies_at_once_is_reported_not_waited_for(monkeypatch, tmp_path):
    dies = tmp_path / "anvil"
    dies.write_text(f"#!{sys.executable}\nraise SystemExit(1)\n")
    dies.chmod(0o755)
    monkeypatch.setattr(anvil, "anvil_binary", lambda: str(dies))
    with pytest.raises(AnvilDidNotStart, match="did not answer"), running_anvil(timeout_s=20):
        pass


def test_notebook_05_runs_top_to_bottom_against_anvil_through_course_rpc_url(anvil_url,
                                                                            monkeypatch):
    """The instructor guide's COURSE_RPC_URL: the raw transaction is funded and sent there, and
    the mainnet-signed copy is refused instead of stopping the notebook."""
    monkeypatch.setitem(os.environ, "COURSE_RPC_URL", anvil_url)
    path = NOTEBOOKS_DIR / "05_transactions_by_hand.ipynb"
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    printed = "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))
    assert "chain id 1 on a chain with id 31337 -> refused: " in printed
    assert "Bob received 0.01 ETH" in printed

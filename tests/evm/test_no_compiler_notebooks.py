"""Without a Solidity compiler, notebooks 07, 09 and 16 still run top to bottom: every Solidity
cell, exercise and solution says '⏳ needs a Solidity compiler: <the command>' instead of
failing."""

import nbformat
import pytest

from course.evm.magic import NEEDS_A_COMPILER
from course.notebooks import execute
from tests.conftest import ROOT

HIDE_THE_COMPILER = ("import course.evm.compiler\n"
                     "course.evm.compiler.available_compilers = lambda: []  # as on a bare machine")


@pytest.mark.parametrize("name", ["07_smart_contracts_with_web3", "09_tokens_nfts_tokenomics",
                                  "16_capstone_depin_marketplace"])
def test_a_notebook_runs_on_without_a_compiler(tmp_path, name):
    notebook = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    notebook.cells.insert(1, nbformat.v4.new_code_cell(HIDE_THE_COMPILER))
    copy = tmp_path / f"{name}.ipynb"
    nbformat.write(notebook, copy)
    run = execute(copy)  # raises if any cell fails
    outputs = ["".join(o.get("text", "")) for cell in run.notebook.cells
               if cell.cell_type == "code" for o in cell.get("outputs", [])]
    text = "\n".join(outputs)
    assert NEEDS_A_COMPILER in text
    assert "Traceback" not in text
    for solidity_check in ("owner_reset", "escrow", "tip_jar", "allowlist", "transfer_from",
                           "vesting_wallet", "job_payment"):
        assert f"✅ {solidity_check}: passed" not in text  # not compiled: "not done", not passed
    for line in text.splitlines():
        if "needs a Solidity compiler" in line:
            assert "`npm install`" in line

"""%%solidity and compile_cell: compile a cell with the real compiler, deploy what it declares,
report mistakes with the cell's own line numbers, say how to get a compiler when there is none."""

import pytest
from IPython.core.interactiveshell import InteractiveShell

from course.evm import magic
from course.evm.compiler import CompilationFailed, CompilerNotFound, InvalidCompilerInput
from course.evm.deploy import REVERTS, Reverted, send
from course.evm.magic import NEEDS_A_COMPILER, SolidityContract, compile_cell

COUNTER = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract TinyCounter {
    uint256 public count;

    function increment() external {
        count += 1;
    }

    error TooMany(address caller, uint256 limit);

    function fail() external pure {
        revert("TinyCounter: no");
    }

    function failWithError() external view {
        revert TooMany(msg.sender, 32);
    }
}
"""
MISSING_SEMICOLON = """pragma solidity ^0.8.20;

contract Broken {
    uint256 public count;

    function increment() external {
        count += 1
    }
}
"""


def no_compiler(version=None):
    raise CompilerNotFound("no Solidity compiler found")


@pytest.fixture
def shell():
    ipython = InteractiveShell.instance()
    magic.load_ipython_extension(ipython)
    return ipython


def test_a_compiled_cell_deploys_and_runs_on_the_evm(w3):
    contracts = compile_cell(COUNTER)
    assert set(contracts) == {"TinyCounter"}
    counter = contracts["TinyCounter"].deploy(w3)
    send(w3, counter.functions.increment())
    assert counter.functions.count().call() == 1
    with pytest.raises(Reverted, match="TinyCounter: no"):
        send(w3, counter.functions.fail())


def test_a_custom_error_is_spelled_out_whoever_raised_it(w3):
    factory = compile_cell(COUNTER)["TinyCounter"]
    counter = factory.deploy(w3)
    alice = w3.eth.accounts[0]
    expected = f"TooMany(caller={alice}, limit=32)"
    with pytest.raises(Reverted) as raised:  # the course's send()
        send(w3, counter.functions.failWithError())
    assert factory.revert_reason(raised.value) == expected
    with pytest.raises(REVERTS) as raised:  # web3.py's own transact()
        counter.functions.failWithError().transact({"from": alice})
    assert factory.revert_reason(raised.value) == expected
    with pytest.raises(Reverted) as raised:  # a plain reason string stays as it is
        send(w3, counter.functions.fail())
    assert factory.revert_reason(raised.value) == "TinyCounter: no"


def test_the_magic_binds_each_contract_as_a_name_in_the_notebook(shell, w3, capsys):
    shell.run_cell_magic("solidity", "", COUNTER)
    factory = shell.user_ns["TinyCounter"]
    assert isinstance(factory, SolidityContract) and factory.compiled
    assert "TinyCounter: compiled, deploy it with TinyCounter.deploy(w3)" in capsys.readouterr().out
    counter = factory.deploy(w3)
    send(w3, counter.functions.increment())
    assert counter.functions.count().call() == 1


def test_a_syntax_error_names_the_cells_own_line_and_raises_no_traceback(shell, capsys):
    with pytest.raises(CompilationFailed, match=r"line 8: ParserError: Expected ';'"):
        compile_cell(MISSING_SEMICOLON)
    shell.run_cell_magic("solidity", "", MISSING_SEMICOLON)
    out = capsys.readouterr().out
    assert out.startswith("❌ Solidity did not compile:\nline 8: ParserError: Expected ';'")
    assert "    8 | }" in out and "Traceback" not in out
    assert "Broken" not in shell.user_ns


def test_without_a_compiler_the_magic_prints_one_line_saying_how_to_get_one(
        shell, w3, monkeypatch, capsys):
    monkeypatch.setattr(magic, "find_compiler", no_compiler)
    shell.run_cell_magic("solidity", "", COUNTER)
    out = capsys.readouterr().out
    assert out == NEEDS_A_COMPILER + "\n"
    assert out.startswith("⏳ needs a Solidity compiler: `npm install`")
    factory = shell.user_ns["TinyCounter"]  # later cells still find the name
    assert not factory.compiled
    with pytest.raises(CompilerNotFound, match="needs a Solidity compiler"):
        factory.deploy(w3)


def test_bad_input_is_refused_with_the_rule():
    with pytest.raises(InvalidCompilerInput, match="source"):
        compile_cell(b"contract A {}")
    with pytest.raises(InvalidCompilerInput, match="compiler"):
        compile_cell("contract A {}", compiler="solc")


def test_compile_or_wait_without_a_compiler_prints_one_line_and_the_notebook_runs_on(
        monkeypatch, capsys):
    monkeypatch.setattr(magic, "find_compiler", no_compiler)
    contracts = magic.compile_or_wait(COUNTER)
    assert capsys.readouterr().out == NEEDS_A_COMPILER + "\n"
    assert list(contracts) == ["TinyCounter"] and not contracts["TinyCounter"].compiled

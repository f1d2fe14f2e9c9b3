"""The pure-Python helpers of course.evm answer garbage with a value or a named EvmError.

Only what needs no running EVM is fuzzed: the chain-time helpers against a stub development
node, artifact lookup, the compiler's records and the gas report. The argument checks of
connect, deploy, send and compile_solidity run before any node or compiler is touched, so they
are tested directly.
"""

from __future__ import annotations

import pytest
from web3 import Web3
from web3.providers.base import BaseProvider

from course.errors import EvmError
from course.evm import artifacts, chain_time, compiler, connection, deploy, gas
from course.evm.artifacts import UnknownContract, load_artifact, source_hash
from course.evm.chain_time import InvalidTimeStep, advance_time, mine_blocks
from course.evm.compiler import Compiler, InvalidCompilerInput, compile_solidity
from course.evm.connection import InvalidConnection, connect, ensure_web3
from course.evm.deploy import InvalidTransaction
from course.evm.gas import InvalidGasReport, gas_report
from tests.garbage import ValidCall, assert_calls_are_valid, fuzz_valid_calls


class StubDevelopmentNode(BaseProvider):
    """Answers the development methods (anvil_mine, evm_mine...) at once and mines nothing."""

    RESULTS = {"anvil_mine": None, "evm_mine": "0x0", "evm_increaseTime": "0x0",
               "eth_blockNumber": "0x7", "eth_getBlockByNumber": {"number": "0x7",
                                                                  "timestamp": "0x64"}}

    def make_request(self, method, params):
        return {"jsonrpc": "2.0", "id": 1, "result": self.RESULTS[method]}


W3 = Web3(StubDevelopmentNode())
COUNTER_SOURCE = artifacts.CONTRACTS_DIR / "Counter.sol"

CALLS = [
    ValidCall(mine_blocks, {"w3": W3, "n": 5}),
    ValidCall(advance_time, {"w3": W3, "seconds": 3_600}),
    ValidCall(ensure_web3, {"w3": W3}),
    ValidCall(load_artifact, {"name": "Counter"}),
    ValidCall(source_hash, {"path": COUNTER_SOURCE}),
    ValidCall(Compiler, {"name": "solc-js", "version": "0.8.37"}),
    ValidCall(compiler.ensure_compiler, {"compiler": Compiler("solc", "0.8.37")}),
    ValidCall(gas_report, {"rows": [("deploy", 120_000), ("increment", 43_000)],
                           "gas_price_gwei": 20.0}),
]

test_every_cheap_evm_helper_answers_or_refuses_garbage = fuzz_valid_calls(CALLS, examples=300)


def test_the_listed_calls_are_valid():
    assert_calls_are_valid(CALLS)


@pytest.mark.parametrize("n", [10**30, chain_time.MAX_BLOCKS + 1])
def test_mining_a_huge_number_of_blocks_is_refused_before_it_loops(n):
    with pytest.raises(InvalidTimeStep, match=r"n \(blocks to mine\) must be an integer in"):
        mine_blocks(W3, n)


def test_a_clock_jump_beyond_a_century_is_refused():
    with pytest.raises(InvalidTimeStep, match="seconds"):
        advance_time(W3, chain_time.MAX_SECONDS + 1)


@pytest.mark.parametrize("w3", [None, "http://127.0.0.1:8545", object()])
def test_time_helpers_need_a_web3(w3):
    with pytest.raises(InvalidConnection, match="w3 must be a Web3"):
        mine_blocks(w3, 1)


@pytest.mark.parametrize("name", ["../artifacts/Counter", "", None, 42, ["Counter"]])
def test_only_a_committed_artifact_name_loads(name):
    with pytest.raises(UnknownContract):
        load_artifact(name)


def test_unknown_contract_is_still_a_key_error():
    with pytest.raises(KeyError):
        load_artifact("Nope")


@pytest.mark.parametrize("kwargs, match", [
    ({"url": 8545}, "url"),
    ({"url": "127.0.0.1:8545"}, r"url must be an http:// or https:// address"),
    ({"timeout": 0}, "timeout"),
    ({"timeout": float("nan")}, "timeout"),
])
def test_connect_refuses_a_url_or_timeout_it_cannot_use(kwargs, match):
    with pytest.raises(InvalidConnection, match=match):
        connect(**kwargs)


@pytest.mark.parametrize("kwargs, match", [
    ({"value": -1}, "value"),
    ({"value": 2**256}, "value"),
    ({"value": 1.5}, "value"),
    ({"sender": 7}, "sender"),
])
def test_deploy_refuses_a_bad_value_or_sender_before_touching_the_node(kwargs, match):
    with pytest.raises(InvalidTransaction, match=match):
        deploy.deploy(W3, "Counter", **kwargs)


def test_send_needs_a_contract_function_call():
    with pytest.raises(InvalidTransaction, match="call must be a call such as"):
        deploy.send(W3, "increment()")


@pytest.mark.parametrize("sources", [{}, None, {"A.sol": 3}, "contract A {}", {"": "x"}])
def test_compile_solidity_refuses_what_is_not_named_sources(sources):
    with pytest.raises(InvalidCompilerInput, match="sources"):
        compile_solidity(sources, Compiler("solc", "0.8.37"))


def test_a_compiler_backend_must_be_one_the_course_knows():
    with pytest.raises(InvalidCompilerInput, match="name must be one of"):
        Compiler("vyper", "0.4.0")


@pytest.mark.parametrize("rows", [[("deploy", -1)], [("deploy", 1.5)], [("deploy",)], 7])
def test_a_gas_report_needs_label_and_whole_gas_pairs(rows):
    with pytest.raises(InvalidGasReport, match="rows"):
        gas_report(rows)


def test_every_evm_error_is_an_evm_error_and_input_errors_are_value_errors():
    modules = (artifacts, chain_time, compiler, connection, deploy, gas)
    errors = {value for module in modules for value in vars(module).values()
              if isinstance(value, type) and issubclass(value, Exception)
              and value.__module__ == module.__name__}
    assert all(issubclass(error, EvmError) for error in errors), errors
    input_errors = {UnknownContract, InvalidTimeStep, InvalidCompilerInput, InvalidConnection,
                    InvalidTransaction, InvalidGasReport}
    assert input_errors <= errors
    assert all(issubclass(error, ValueError) for error in input_errors)

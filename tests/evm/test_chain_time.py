"""mine_blocks and advance_time move both chains forward; a node that cannot is named clearly."""

import pytest
from web3 import Web3
from web3.providers.base import BaseProvider

from course.evm.chain_time import InvalidTimeStep, TimeControlUnsupported, advance_time, mine_blocks


def test_mine_blocks_adds_exactly_that_many_blocks(w3):
    start = w3.eth.block_number
    assert mine_blocks(w3, 5) == start + 5
    assert w3.eth.block_number == start + 5
    assert mine_blocks(w3) == start + 6


def test_advance_time_mines_one_block_at_least_that_much_later(w3):
    before = w3.eth.get_block("latest")
    timestamp = advance_time(w3, 3_600)
    after = w3.eth.get_block("latest")
    assert after["number"] == before["number"] + 1
    assert after["timestamp"] == timestamp
    assert before["timestamp"] + 3_600 <= timestamp < before["timestamp"] + 3_600 + 60


def test_time_keeps_moving_forward_after_a_jump(w3):
    first = advance_time(w3, 100)
    second = advance_time(w3, 1)
    assert second >= first + 1
    w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": w3.eth.accounts[1], "value": 1})
    assert w3.eth.get_block("latest")["timestamp"] >= second


@pytest.mark.parametrize("bad", [0, -3, 1.5, "10", True, None])
def test_steps_must_be_positive_whole_numbers(bad):
    w3 = Web3(NoDevelopmentMethods())
    with pytest.raises(InvalidTimeStep, match=r"n \(blocks to mine\) must be an integer in \[1, "):
        mine_blocks(w3, bad)
    with pytest.raises(InvalidTimeStep, match=r"seconds \(.*\) must be an integer in \[1, "):
        advance_time(w3, bad)


class NoDevelopmentMethods(BaseProvider):
    """A node like a public network's: it answers, but knows no development methods."""

    def make_request(self, method, params):
        return {"jsonrpc": "2.0", "id": 1,
                "error": {"code": -32601, "message": f"the method {method} does not exist"}}


def test_a_node_that_cannot_mine_on_demand_says_so():
    w3 = Web3(NoDevelopmentMethods())
    with pytest.raises(TimeControlUnsupported, match="neither anvil_mine nor evm_mine"):
        mine_blocks(w3, 2)
    with pytest.raises(TimeControlUnsupported, match="does not support evm_increaseTime"):
        advance_time(w3, 60)

"""A saved chain loads back identical; a damaged file never loads quietly."""

import json

import pytest

from course.chain.storage import CorruptChainFile, load_chain, save_chain
from course.chain.transactions import sign_transaction
from tests.chain.conftest import mine_next


@pytest.fixture
def saved(chain, wallets, tmp_path):
    for n in range(4):
        chain.submit_transaction(sign_transaction(
            wallets["alice"], wallets["carol"].address, 10 + n, 1, n, chain.params.chain_id))
        mine_next(chain, wallets["miner"].address)
    path = tmp_path / "chain.jsonl"
    save_chain(chain, path)
    return chain, path


def test_a_saved_chain_loads_with_the_same_tip_and_balances(saved):
    chain, path = saved
    loaded = load_chain(path)
    assert loaded.tip == chain.tip and loaded.height == 4
    assert loaded.state.balances() == chain.state.balances()


def test_a_truncated_file_names_the_broken_line(saved):
    _, path = saved
    text = path.read_text()
    path.write_text(text[: len(text) - 40])
    with pytest.raises(CorruptChainFile, match=r"line 5: not valid JSON"):
        load_chain(path)


def test_an_edited_amount_is_caught_by_validation(saved):
    _, path = saved
    lines = path.read_text().splitlines()
    block = json.loads(lines[2])
    block["transactions"][0]["amount"] = 999
    lines[2] = json.dumps(block)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CorruptChainFile, match=r"line 3: .*merkle root"):
        load_chain(path)


def test_reordered_blocks_are_caught(saved):
    _, path = saved
    lines = path.read_text().splitlines()
    lines[1], lines[2] = lines[2], lines[1]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CorruptChainFile, match=r"line 2: .*parent is a known block"):
        load_chain(path)


@pytest.mark.parametrize("content", ["", "hello\n", '{"format": "other"}\n', "[1, 2]\n"])
def test_a_file_that_is_not_a_chain_is_refused(tmp_path, content):
    path = tmp_path / "x.jsonl"
    path.write_text(content)
    with pytest.raises(CorruptChainFile, match="line 1"):
        load_chain(path)


def test_a_block_with_wrong_field_types_is_refused(saved):
    _, path = saved
    lines = path.read_text().splitlines()
    block = json.loads(lines[1])
    block["header"]["timestamp"] = "yesterday"
    lines[1] = json.dumps(block)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CorruptChainFile, match=r"line 2: .*timestamp"):
        load_chain(path)

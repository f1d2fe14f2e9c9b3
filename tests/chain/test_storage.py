"""A saved chain loads back identical; a damaged file never loads quietly."""

import json
import multiprocessing
import os
import random
import time
from dataclasses import asdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course.chain.chain import Blockchain
from course.chain.clock import ManualClock
from course.chain.keys import wallet_from_seed
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
    with pytest.raises(CorruptChainFile, match=r"line 5: .*cut mid-write"):
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


# --- the file commits to everything -----------------------------------------------------------


def rewrite_header(path, **changes):
    lines = path.read_text().splitlines()
    header = json.loads(lines[0])
    header.update(changes)
    lines[0] = json.dumps(header)
    path.write_text("\n".join(lines) + "\n")


def test_editing_the_genesis_allocations_is_refused_on_line_1(saved, wallets):
    chain, path = saved
    allocations = dict(chain.states[chain.genesis_hash].balances())
    allocations[wallets["carol"].address] = 1_000_000  # "give me a million at genesis"
    rewrite_header(path, allocations=allocations)
    with pytest.raises(CorruptChainFile, match=r"line 1: the parameters or allocations"):
        load_chain(path)


def test_editing_the_genesis_hash_too_breaks_the_link_to_block_1(saved, wallets):
    chain, path = saved
    allocations = {**chain.states[chain.genesis_hash].balances(), wallets["carol"].address: 10**6}
    forged = Blockchain(chain.params, allocations, genesis_time=1_700_000_000)
    rewrite_header(path, allocations=allocations, genesis_hash=forged.genesis_hash)
    with pytest.raises(CorruptChainFile, match=r"line 2: .*parent is a known block"):
        load_chain(path)


def test_editing_the_parameters_is_refused(saved):
    chain, path = saved
    rewrite_header(path, params={**asdict(chain.params), "initial_reward": 10**9})
    with pytest.raises(CorruptChainFile, match="line 1"):
        load_chain(path)


def test_a_file_cut_at_a_line_end_does_not_load_as_a_shorter_chain(saved):
    _, path = saved
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n")  # the last block is gone, cleanly
    with pytest.raises(CorruptChainFile, match="promises 4 blocks but the file holds 3"):
        load_chain(path)


def test_an_edited_tip_in_the_header_is_refused(saved):
    _, path = saved
    rewrite_header(path, tip="ab" * 32)
    with pytest.raises(CorruptChainFile, match="line 1: the header's tip"):
        load_chain(path)


@pytest.mark.parametrize("content, line", [
    (b"", 1), (b"\xff\xfe{}\n", 1), (b"[" * 100_000 + b"\n", 1), (b"{}\n", 1),
    (b"null\n", 1), (b'{"format": "course-chain/2"}\n', 1),
])
def test_damaged_files_raise_corrupt_chain_file_naming_the_line(tmp_path, content, line):
    path = tmp_path / "chain.jsonl"
    path.write_bytes(content)
    with pytest.raises(CorruptChainFile, match=f"line {line}"):
        load_chain(path)


def test_a_non_utf8_byte_in_a_later_line_names_that_line(saved):
    _, path = saved
    data = bytearray(path.read_bytes())
    third_line = data.index(b"\n", data.index(b"\n") + 1) + 5
    data[third_line] = 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptChainFile, match="line 3: not UTF-8"):
        load_chain(path)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CorruptChainFile, match="cannot be read"):
        load_chain(tmp_path / "nothing.jsonl")


@settings(max_examples=400, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_damage_to_a_saved_file_is_refused_or_harmless(saved, data):
    """Flip, cut, drop, duplicate or swap: it raises CorruptChainFile or loads the same chain."""
    chain, path = saved
    original = path.read_bytes()
    damage = data.draw(st.sampled_from(["flip", "cut", "drop line", "repeat line", "swap"]))
    damaged = bytearray(original)
    if damage == "flip":
        for _ in range(data.draw(st.integers(1, 3))):
            position = data.draw(st.integers(0, len(damaged) - 1))
            damaged[position] ^= data.draw(st.integers(1, 255))
    elif damage == "cut":
        damaged = damaged[: data.draw(st.integers(0, len(damaged) - 1))]
    else:
        lines = bytes(damaged).split(b"\n")[:-1]
        i = data.draw(st.integers(0, len(lines) - 1))
        j = data.draw(st.integers(0, len(lines) - 1))
        if damage == "drop line":
            del lines[i]
        elif damage == "repeat line":
            lines.insert(i, lines[j])
        else:
            lines[i], lines[j] = lines[j], lines[i]
        damaged = bytearray(b"\n".join(lines) + b"\n")
    path.write_bytes(bytes(damaged))
    try:
        loaded = load_chain(path)
    except CorruptChainFile:
        pass
    else:  # e.g. hex digits whose case changed: the same bytes, the same chain
        assert loaded.tip == chain.tip and loaded.state.balances() == chain.state.balances()
    finally:
        path.write_bytes(original)


# --- saving is atomic: killed mid-save or racing another saver, the file stays whole --------

FORK = multiprocessing.get_context("fork") if hasattr(os, "fork") else None


def save_forever(chains, path):
    while True:
        for chain in chains:
            save_chain(chain, path)


def save_times(chain, path, times):
    for _ in range(times):
        save_chain(chain, path)


@pytest.fixture(scope="module")
def two_long_chains():
    """Two different chains of 120 blocks with payments: each save takes milliseconds."""
    from tests.chain.conftest import EASY

    wallets = [wallet_from_seed("storage race", n) for n in range(4)]
    chains = []
    for variant in range(2):
        chain = Blockchain(EASY, {w.address: 10**9 for w in wallets}, ManualClock(1_700_000_000))
        for height in range(120):
            for n, wallet in enumerate(wallets):
                chain.submit_transaction(sign_transaction(
                    wallet, wallets[(n + 1) % 4].address, 1 + variant, 1, height, 1337))
            mine_next(chain, wallets[variant].address)
        chains.append(chain)
    return chains


@pytest.mark.slow
@pytest.mark.skipif(FORK is None, reason="needs os.fork (Linux, macOS)")
def test_a_save_killed_at_any_moment_leaves_the_old_or_the_new_chain(two_long_chains, tmp_path):
    old, new = two_long_chains
    path = tmp_path / "chain.jsonl"
    save_chain(old, path)
    rng = random.Random(7)
    interrupted = 0
    for _ in range(30):
        saver = FORK.Process(target=save_forever, args=([new, old], path))
        saver.start()
        time.sleep(rng.uniform(0.0, 0.08))
        saver.kill()  # SIGKILL: no cleanup, no finally
        saver.join()
        interrupted += any(tmp_path.glob(".chain.jsonl.*.tmp"))
        for leftover in tmp_path.glob(".chain.jsonl.*.tmp"):
            leftover.unlink()
        loaded = load_chain(path)
        assert loaded.tip in (old.tip, new.tip)
    assert interrupted > 0, "no kill landed mid-write: the test proved nothing"


@pytest.mark.slow
@pytest.mark.skipif(FORK is None, reason="needs os.fork (Linux, macOS)")
def test_two_savers_and_a_reader_at_once_never_see_a_broken_file(two_long_chains, tmp_path):
    first, second = two_long_chains
    path = tmp_path / "chain.jsonl"
    save_chain(first, path)
    savers = [FORK.Process(target=save_times, args=(chain, path, 25)) for chain in (first, second)]
    for saver in savers:
        saver.start()
    reads = 0
    while any(saver.is_alive() for saver in savers) or reads == 0:
        assert load_chain(path).tip in (first.tip, second.tip)  # a reader never sees half
        reads += 1
    for saver in savers:
        saver.join()
        assert saver.exitcode == 0
    assert load_chain(path).tip in (first.tip, second.tip)

import pytest

from course.evm.connection import NodeUnreachable, connect


def test_the_default_evm_is_in_memory_with_deterministic_funded_accounts():
    w3 = connect()
    assert w3.eth.accounts[0] == "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"  # private key 1
    assert w3.eth.get_balance(w3.eth.accounts[0]) > 10**18
    assert w3.eth.default_account == w3.eth.accounts[0]


def test_both_chains_give_funded_unlocked_accounts(w3):
    assert len(w3.eth.accounts) >= 2
    assert w3.eth.get_balance(w3.eth.accounts[1]) > 10**18


def test_a_plain_transfer_uses_exactly_21000_gas(w3):
    """Yellow Paper, appendix G: G_transaction = 21000 for a transfer without data."""
    tx = w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": w3.eth.accounts[1],
                                  "value": 10**15})
    assert w3.eth.wait_for_transaction_receipt(tx)["gasUsed"] == 21_000


def test_an_unreachable_url_is_named_in_one_clear_error():
    with pytest.raises(NodeUnreachable, match=r"at http://127\.0\.0\.1:9: .*in-memory EVM"):
        connect("http://127.0.0.1:9", timeout=1)


def test_the_environment_variable_points_at_a_node(monkeypatch):
    monkeypatch.setenv("COURSE_RPC_URL", "http://127.0.0.1:9")
    with pytest.raises(NodeUnreachable, match=r"from \$COURSE_RPC_URL"):
        connect(timeout=1)

import http.server
import threading

import pytest

from course.evm.connection import InvalidConnection, NodeUnreachable, connect, without_password


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


class NotANode(http.server.BaseHTTPRequestHandler):
    """A web server that answers every request with the body of its class attribute."""

    reply = b""

    def do_POST(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.reply)))
        self.end_headers()
        self.wfile.write(self.reply)

    def log_message(self, *args):
        pass


@pytest.fixture
def web_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotANode)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("reply", [
    b"<!doctype html><html><body>Welcome to nginx!</body></html>",  # not JSON
    b"",  # nothing
    b'{"status": "ok"}',  # JSON, not JSON-RPC
    b"[1, 2, 3]",  # JSON that is not an object
], ids=["html", "empty", "json", "list"])
def test_a_web_page_instead_of_a_node_gets_the_unreachable_error(web_server, monkeypatch, reply):
    monkeypatch.setattr(NotANode, "reply", reply)
    url = f"http://127.0.0.1:{web_server.server_address[1]}"
    with pytest.raises(NodeUnreachable, match=rf"^no Ethereum node answers JSON-RPC at {url}: "):
        connect(url, timeout=2)


@pytest.mark.parametrize("url", [
    "http://alice:s3cret-pw@127.0.0.1:9",  # nothing answers
    "ftp://alice:s3cret-pw@127.0.0.1:9",  # not http
])
def test_no_error_message_echoes_a_password_in_the_url(url):
    with pytest.raises((NodeUnreachable, InvalidConnection)) as raised:
        connect(url, timeout=1)
    assert "s3cret-pw" not in str(raised.value)
    assert "alice:***@127.0.0.1:9" in str(raised.value)


def test_a_password_from_the_environment_variable_is_hidden_too(monkeypatch):
    monkeypatch.setenv("COURSE_RPC_URL", "https://bob:hunter2@127.0.0.1:9")
    with pytest.raises(NodeUnreachable) as raised:
        connect(timeout=1)
    assert "hunter2" not in str(raised.value) and "bob:***@" in str(raised.value)


@pytest.mark.parametrize("url, shown", [
    ("http://127.0.0.1:8545", "http://127.0.0.1:8545"),
    ("http://user@host:8545", "http://user@host:8545"),
    ("https://user:pa:ss@host/rpc", "https://user:***@host/rpc"),
    ("http://:secret@host", "http://:***@host"),
])
def test_without_password_hides_only_the_password(url, shown):
    assert without_password(url) == shown

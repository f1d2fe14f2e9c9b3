"""Sign-In with Ethereum, checked against EIP-4361's message layout, the reference library's
test vectors, and the attacks it stops: phishing, expiry, early use, forged signers and replays."""

from __future__ import annotations

import json
import random
import string
from dataclasses import replace
from pathlib import Path

import pytest

from course.chain.keys import Wallet, sign_message
from course.chain.siwe import (
    NonceStore,
    SiweBadSignature,
    SiweError,
    SiweExpired,
    SiweMalformed,
    SiweMessage,
    SiweNotYetValid,
    SiweReplayed,
    SiweWrongDomain,
    SiweWrongSigner,
    verify_siwe,
)

# --- Sign-In with Ethereum (EIP-4361) ------------------------------------------------------


# The example message printed in EIP-4361 itself.
EIP_EXAMPLE = SiweMessage(
    domain="example.com",
    address="0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
    statement="I accept the ExampleOrg Terms of Service: https://example.com/tos",
    uri="https://example.com/login",
    chain_id=1,
    nonce="32891756",
    issued_at="2021-09-30T16:25:24Z",
)
EIP_EXAMPLE_TEXT = (
    "example.com wants you to sign in with your Ethereum account:\n"
    "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\n"
    "\n"
    "I accept the ExampleOrg Terms of Service: https://example.com/tos\n"
    "\n"
    "URI: https://example.com/login\n"
    "Version: 1\n"
    "Chain ID: 1\n"
    "Nonce: 32891756\n"
    "Issued At: 2021-09-30T16:25:24Z"
)


def test_siwe_text_matches_the_eip_4361_example_layout() -> None:
    assert EIP_EXAMPLE.text() == EIP_EXAMPLE_TEXT


def siwe_for(wallet: Wallet, domain: str = "course.example") -> SiweMessage:
    return SiweMessage(
        domain=domain,
        address=wallet.address,
        statement="Sign in to the course.",
        uri=f"https://{domain}/login",
        chain_id=1,
        nonce="abc12345",
        issued_at="2026-01-01T12:00:00Z",
        expiration_time="2026-01-01T12:10:00Z",
    )


def test_siwe_text_ends_with_the_expiration_time(alice: Wallet) -> None:
    assert siwe_for(alice).text().endswith("\nExpiration Time: 2026-01-01T12:10:00Z")


def test_siwe_without_statement_keeps_both_blank_lines(alice: Wallet) -> None:
    message = SiweMessage(
        "a.example", alice.address, "", "https://a.example", 1, "abc12345", "2026-01-01T12:00:00Z"
    )
    assert f"{alice.address}\n\n\nURI: https://a.example\n" in message.text()


def test_correct_sign_in_returns_the_address(alice: Wallet) -> None:
    message = siwe_for(alice)
    signature = sign_message(alice, message.text())
    assert verify_siwe(message, signature, "course.example", "2026-01-01T12:05:00Z") == (
        alice.address
    )


def test_phishing_site_replaying_a_sign_in_is_refused(alice: Wallet) -> None:
    message = siwe_for(alice, domain="course.example.evil")  # what the phishing page asked for
    signature = sign_message(alice, message.text())
    with pytest.raises(SiweWrongDomain, match="course.example.evil"):
        verify_siwe(message, signature, "course.example", "2026-01-01T12:05:00Z")


def test_expired_sign_in_is_refused(alice: Wallet) -> None:
    message = siwe_for(alice)
    signature = sign_message(alice, message.text())
    with pytest.raises(SiweExpired, match="expiration_time"):
        verify_siwe(message, signature, "course.example", "2026-01-01T12:10:00Z")


def test_sign_in_signed_by_another_wallet_is_refused(alice: Wallet, mallory: Wallet) -> None:
    message = siwe_for(alice)  # mallory claims to be alice
    signature = sign_message(mallory, message.text())
    with pytest.raises(SiweWrongSigner, match=mallory.address):
        verify_siwe(message, signature, "course.example", "2026-01-01T12:05:00Z")


def test_sign_in_with_malformed_signature_is_refused(alice: Wallet) -> None:
    with pytest.raises(SiweBadSignature, match="65 bytes"):
        verify_siwe(siwe_for(alice), b"\x00" * 10, "course.example", "2026-01-01T12:05:00Z")


def test_all_sign_in_failures_are_siwe_errors() -> None:
    for error in (SiweWrongDomain, SiweExpired, SiweWrongSigner, SiweBadSignature, SiweMalformed,
                  SiweNotYetValid, SiweReplayed):
        assert issubclass(error, SiweError) and issubclass(error, ValueError)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("address", "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"),
        ("statement", "line one\nline two"),
        ("chain_id", 0),
        ("nonce", "short"),
        ("issued_at", "yesterday"),
        ("issued_at", "2026-01-01T12:00:00"),  # no time zone
    ],
)
def test_malformed_siwe_fields_are_rejected(alice: Wallet, field: str, value: object) -> None:
    fields = {**siwe_for(alice).__dict__, field: value}
    with pytest.raises(SiweMalformed, match=field):
        SiweMessage(**fields)


# --- the optional fields: not before, request id, resources -----------------------------------


def test_siwe_text_with_resources_matches_the_eip_4361_example() -> None:
    resources = ("ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/",
                 "https://example.com/my-web2-claim.json")  # the EIP's own two resources
    assert replace(EIP_EXAMPLE, resources=resources).text() == EIP_EXAMPLE_TEXT + (
        "\nResources:\n"
        "- ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/\n"
        "- https://example.com/my-web2-claim.json"
    )


def test_optional_fields_follow_the_abnf_order(alice: Wallet) -> None:
    message = replace(siwe_for(alice), not_before="2026-01-01T12:01:00Z", request_id="req-42",
                      resources=["https://course.example/profile"])
    assert message.text().endswith(
        "Issued At: 2026-01-01T12:00:00Z\n"
        "Expiration Time: 2026-01-01T12:10:00Z\n"
        "Not Before: 2026-01-01T12:01:00Z\n"
        "Request ID: req-42\n"
        "Resources:\n"
        "- https://course.example/profile"
    )
    assert message.resources == ("https://course.example/profile",)  # stored as a tuple


def test_a_sign_in_used_before_its_not_before_time_is_refused(alice: Wallet) -> None:
    message = replace(siwe_for(alice), not_before="2026-01-01T12:05:00Z")
    signature = sign_message(alice, message.text())
    with pytest.raises(SiweNotYetValid, match="not_before"):
        verify_siwe(message, signature, "course.example", "2026-01-01T12:04:59Z")
    assert verify_siwe(message, signature, "course.example", "2026-01-01T12:05:00Z") == (
        alice.address
    )


def test_editing_an_optional_field_breaks_the_signature(alice: Wallet) -> None:
    message = replace(siwe_for(alice), resources=("https://course.example/read",))
    signature = sign_message(alice, message.text())
    widened = replace(message, resources=("https://course.example/read",
                                          "https://course.example/admin"))
    with pytest.raises(SiweWrongSigner):
        verify_siwe(widened, signature, "course.example", "2026-01-01T12:05:00Z")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("not_before", "soon"),
        ("request_id", "has space"),
        ("request_id", "two\nlines"),
        ("resources", "https://one.example"),  # a str, not a list of them
        ("resources", ["not a uri"]),
        ("resources", ["https://a.example\n- https://injected.example"]),
        ("resources", [f"https://x.example/{i}" for i in range(101)]),
        ("statement", "x" * 2_001),
    ],
)
def test_malformed_optional_fields_are_rejected(alice: Wallet, field: str, value: object) -> None:
    with pytest.raises(SiweMalformed, match=field):
        replace(siwe_for(alice), **{field: value})


# --- replay: one nonce, one sign-in (EIP-4361, "Preventing replay attacks") -------------------


def signed_sign_in(wallet: Wallet, nonces: NonceStore, domain: str = "course.example"):
    message = replace(siwe_for(wallet, domain), nonce=nonces.new_nonce())
    return message, sign_message(wallet, message.text())


def test_a_replayed_sign_in_is_refused(alice: Wallet) -> None:
    nonces = NonceStore(seed=4361)
    message, signature = signed_sign_in(alice, nonces)
    now = "2026-01-01T12:05:00Z"
    assert verify_siwe(message, signature, "course.example", now, nonces) == alice.address
    with pytest.raises(SiweReplayed, match=f"nonce '{message.nonce}' is unknown or already used"):
        verify_siwe(message, signature, "course.example", now, nonces)  # the captured copy


def test_a_nonce_the_server_never_issued_is_refused(alice: Wallet) -> None:
    message = siwe_for(alice)  # nonce 'abc12345', made up by the client
    signature = sign_message(alice, message.text())
    with pytest.raises(SiweReplayed):
        verify_siwe(message, signature, "course.example", "2026-01-01T12:05:00Z", NonceStore())


def test_a_refused_sign_in_does_not_use_up_its_nonce(alice: Wallet, mallory: Wallet) -> None:
    nonces = NonceStore(seed=1)
    message, _ = signed_sign_in(alice, nonces)
    forged = sign_message(mallory, message.text())  # mallory races alice with her own key
    with pytest.raises(SiweWrongSigner):
        verify_siwe(message, forged, "course.example", "2026-01-01T12:05:00Z", nonces)
    assert nonces.is_open(message.nonce)  # alice can still sign in with it
    signature = sign_message(alice, message.text())
    assert verify_siwe(message, signature, "course.example", "2026-01-01T12:05:00Z", nonces)


def test_nonces_are_fresh_valid_and_reproducible_with_a_seed() -> None:
    first, again = NonceStore(seed=7), NonceStore(seed=7)
    issued = [first.new_nonce() for _ in range(100)]
    assert issued == [again.new_nonce() for _ in range(100)]
    assert len(set(issued)) == 100 and all(len(nonce) == 12 and nonce.isalnum()
                                           for nonce in issued)
    assert NonceStore().new_nonce() != NonceStore().new_nonce()  # unseeded: secrets randomness


def test_the_notebooks_login_server_and_the_nonce_store_agree() -> None:
    """Notebook 03 builds its own nonce server from random.Random(4361): the same nonces."""
    notebook_rng = random.Random(4361)
    notebook = ["".join(notebook_rng.choices(string.ascii_letters + string.digits, k=12))
                for _ in range(3)]
    store = NonceStore(seed=4361)
    assert [store.new_nonce() for _ in range(3)] == notebook


# ---- the reference implementation's test vectors -----------------------------------------------
# From spruceid/siwe (the EIP-4361 reference library), test/parsing_positive.json and
# test/verification_{positive,negative}.json, copied into tests/chain/data/ unchanged.

VECTORS = Path(__file__).parent / "data"
PARSING = json.loads((VECTORS / "siwe_parsing_positive.json").read_text())
VERIFICATION = json.loads((VECTORS / "siwe_verification.json").read_text())
VECTOR_NOW = "2026-12-01T00:00:00Z"  # a vector without a "time" is checked at this moment


def vector_message(fields: dict) -> SiweMessage:
    assert fields.get("version", "1") == "1"
    return SiweMessage(domain=fields["domain"], address=fields["address"],
                       statement=fields.get("statement", ""), uri=fields["uri"],
                       chain_id=int(fields["chainId"]), nonce=fields["nonce"],
                       issued_at=fields["issuedAt"],
                       expiration_time=fields.get("expirationTime"),
                       not_before=fields.get("notBefore"),
                       request_id=fields.get("requestId"),
                       resources=tuple(fields.get("resources", ())))


def vector_signature(text: str) -> bytes:
    """The hex signature; one vector's is an odd number of hex digits: its raw bytes then."""
    digits = text.removeprefix("0x")
    return bytes.fromhex(digits) if len(digits) % 2 == 0 else digits.encode()


def check_vector(fields: dict) -> str:
    nonces = None
    if "matchNonce" in fields:  # the server expects this nonce, and only it
        nonces = NonceStore(seed=0)
        nonces._open.add(fields["matchNonce"])
    return verify_siwe(vector_message(fields), vector_signature(fields["signature"]),
                       fields.get("domainBinding", fields["domain"]),
                       fields.get("time", VECTOR_NOW), nonces)


@pytest.mark.parametrize("name", sorted(PARSING))
def test_the_text_is_byte_for_byte_the_reference_librarys(name: str) -> None:
    vector = PARSING[name]
    assert vector_message(vector["fields"]).text() == vector["message"]


@pytest.mark.parametrize("name", sorted(VERIFICATION["positive"]))
def test_the_reference_librarys_valid_sign_ins_are_accepted(name: str) -> None:
    fields = VERIFICATION["positive"][name]
    assert check_vector(fields) == fields["address"]


REFUSED_BECAUSE = {
    "expired message": SiweExpired,
    "domain binding": SiweWrongDomain,
    "custom time": SiweExpired,
    "custom nonce": SiweReplayed,
    "malformed signature": SiweBadSignature,
    "wrong signature": SiweWrongSigner,
    "not yet valid": SiweNotYetValid,
}


@pytest.mark.parametrize("name", sorted(VERIFICATION["negative"]))
def test_the_reference_librarys_invalid_sign_ins_are_refused_for_the_right_rule(name: str
                                                                               ) -> None:
    with pytest.raises(REFUSED_BECAUSE[name]):
        check_vector(VERIFICATION["negative"][name])

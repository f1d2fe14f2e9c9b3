"""Sign-In with Ethereum, checked against EIP-4361's message layout and its attacks."""

from __future__ import annotations

import pytest

from course.chain.keys import Wallet, sign_message
from course.chain.siwe import (
    SiweBadSignature,
    SiweError,
    SiweExpired,
    SiweMalformed,
    SiweMessage,
    SiweWrongDomain,
    SiweWrongSigner,
    verify_siwe,
)

# --- Sign-In with Ethereum (EIP-4361) ------------------------------------------------------


def test_siwe_text_matches_the_eip_4361_example_layout() -> None:
    message = SiweMessage(
        domain="example.com",
        address="0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
        statement="I accept the ExampleOrg Terms of Service: https://example.com/tos",
        uri="https://example.com/login",
        chain_id=1,
        nonce="32891756",
        issued_at="2021-09-30T16:25:24Z",
    )
    assert message.text() == (
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
    for error in (SiweWrongDomain, SiweExpired, SiweWrongSigner, SiweBadSignature, SiweMalformed):
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

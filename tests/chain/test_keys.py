"""Keys, addresses and signatures, checked against EIP-55, EIP-191, EIP-4361 and BIP-39."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from course.chain.keys import (
    InvalidAddress,
    InvalidDigest,
    InvalidKey,
    InvalidSignature,
    SiweBadSignature,
    SiweError,
    SiweExpired,
    SiweMalformed,
    SiweMessage,
    SiweWrongDomain,
    SiweWrongSigner,
    Wallet,
    is_checksum_address,
    mnemonic_from_entropy,
    recover_address,
    recover_message_signer,
    sign_message,
    to_checksum_address,
    verify_signature,
    verify_siwe,
    wallet_from_mnemonic,
    wallet_from_private_key,
    wallet_from_seed,
)

# The four "test cases" printed in EIP-55 itself.
EIP55_ADDRESSES = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]
# BIP-39's all-zero test vector, and the address every wallet derives from it.
ABANDON_ABOUT = " ".join(["abandon"] * 11 + ["about"])
ABANDON_ABOUT_ADDRESS = "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"

DIGEST = keccak(b"pay bob 10")
OTHER_DIGEST = keccak(b"pay bob 1000")


@pytest.fixture
def alice() -> Wallet:
    return wallet_from_seed("test alice")


@pytest.fixture
def mallory() -> Wallet:
    return wallet_from_seed("test mallory")


def flip_case(address: str, position: int) -> str:
    """Flip the case of the first letter at or after `position` (after the 0x)."""
    chars = list(address)
    i = next(i for i in range(2 + position, len(chars)) if chars[i].isalpha())
    chars[i] = chars[i].swapcase()
    return "".join(chars)


# --- addresses (EIP-55) ------------------------------------------------------------------


@pytest.mark.parametrize("address", EIP55_ADDRESSES)
def test_eip55_test_addresses_round_trip_from_lowercase(address: str) -> None:
    assert to_checksum_address(address.lower()) == address
    assert to_checksum_address(address.upper().replace("0X", "0x")) == address
    assert is_checksum_address(address)


@pytest.mark.parametrize("address", EIP55_ADDRESSES)
def test_one_letter_with_flipped_case_fails_the_checksum(address: str) -> None:
    typo = flip_case(address, 0)
    assert not is_checksum_address(typo)
    with pytest.raises(InvalidAddress, match="EIP-55 checksum"):
        to_checksum_address(typo)


@pytest.mark.parametrize(
    "bad", ["", "0x1234", "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x" + "g" * 40, 42]
)
def test_malformed_addresses_are_rejected_with_invalid_address(bad: object) -> None:
    with pytest.raises(InvalidAddress, match="0x' \\+ 40 hex digits"):
        to_checksum_address(bad)  # type: ignore[arg-type]
    assert not is_checksum_address(bad)  # type: ignore[arg-type]


def test_private_key_one_gives_the_well_known_address() -> None:
    wallet = wallet_from_private_key((1).to_bytes(32, "big"))
    assert wallet.address == "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"
    assert wallet_from_private_key("0x" + "00" * 31 + "01") == wallet
    assert wallet_from_private_key("00" * 31 + "01") == wallet


@pytest.mark.parametrize("bad", [bytes(32), b"\xff" * 32, b"\x01" * 31, "0x1234", 1])
def test_private_keys_outside_the_curve_order_or_wrong_size_are_rejected(bad: object) -> None:
    with pytest.raises(InvalidKey, match="private_key"):
        wallet_from_private_key(bad)  # type: ignore[arg-type]


def test_invalid_private_key_message_does_not_echo_the_secret() -> None:
    secret = "0x" + "ab" * 31  # 62 digits, one byte short
    with pytest.raises(InvalidKey) as raised:
        wallet_from_private_key(secret)
    assert "abab" not in str(raised.value)


# --- wallets from seeds ------------------------------------------------------------------


def test_wallet_from_seed_is_keccak_of_seed_and_index() -> None:
    expected = wallet_from_private_key(keccak(b"test alice/0"))
    assert wallet_from_seed("test alice") == expected


def test_same_seed_and_index_give_the_same_wallet_every_time() -> None:
    assert wallet_from_seed("course", 3).address == wallet_from_seed("course", 3).address


def test_different_seeds_or_indices_give_different_wallets() -> None:
    addresses = {wallet_from_seed(seed, index).address for seed in "ab" for index in range(3)}
    assert len(addresses) == 6


@pytest.mark.parametrize(
    ("seed", "index"), [("", 0), (b"alice", 0), ("alice", -1), ("alice", True), ("alice", 1.0)]
)
def test_bad_seed_or_index_is_rejected(seed: object, index: object) -> None:
    with pytest.raises(InvalidKey, match="seed|index"):
        wallet_from_seed(seed, index)  # type: ignore[arg-type]


def test_repr_shows_the_address_but_never_the_private_key(alice: Wallet) -> None:
    secret_hex = alice.private_key.to_bytes().hex()
    assert repr(alice) == f"Wallet(address='{alice.address}')"
    assert secret_hex not in repr(alice) and secret_hex not in str(alice)
    assert secret_hex not in repr([alice])


def test_wallet_is_frozen(alice: Wallet) -> None:
    with pytest.raises(AttributeError):
        alice.private_key = wallet_from_seed("other").private_key  # type: ignore[misc]


def test_wallet_needs_an_eth_keys_private_key() -> None:
    with pytest.raises(InvalidKey, match="PrivateKey"):
        Wallet(b"\x01" * 32)  # type: ignore[arg-type]


# --- signatures ----------------------------------------------------------------------------


def test_signature_is_65_bytes_with_v_zero_or_one(alice: Wallet) -> None:
    signature = alice.sign(DIGEST)
    assert len(signature) == 65 and signature[64] in (0, 1)


def test_signing_then_recovering_gives_the_signer(alice: Wallet) -> None:
    signature = alice.sign(DIGEST)
    assert recover_address(DIGEST, signature) == alice.address
    assert verify_signature(DIGEST, signature, alice.address)
    assert verify_signature(DIGEST, signature, alice.address.lower())


def test_v_of_27_or_28_is_accepted_as_well(alice: Wallet) -> None:
    signature = alice.sign(DIGEST)
    legacy = signature[:64] + bytes([signature[64] + 27])
    assert recover_address(DIGEST, legacy) == alice.address


def test_signature_over_a_different_digest_does_not_verify(alice: Wallet) -> None:
    signature = alice.sign(DIGEST)
    assert not verify_signature(OTHER_DIGEST, signature, alice.address)
    assert recover_address(OTHER_DIGEST, signature) != alice.address


def test_signature_with_one_flipped_bit_does_not_verify(alice: Wallet) -> None:
    signature = bytearray(alice.sign(DIGEST))
    signature[63] ^= 0x01  # lowest bit of s: still well formed, now someone else's
    assert not verify_signature(DIGEST, bytes(signature), alice.address)


def test_signature_by_someone_else_does_not_verify(alice: Wallet, mallory: Wallet) -> None:
    assert not verify_signature(DIGEST, mallory.sign(DIGEST), alice.address)


def test_well_formed_signature_from_which_no_key_recovers(alice: Wallet) -> None:
    # r = 5 is not the x-coordinate of any secp256k1 point (5**3 + 7 has no square root mod p).
    signature = (5).to_bytes(32, "big") + (1).to_bytes(32, "big") + b"\x00"
    assert not verify_signature(DIGEST, signature, alice.address)
    with pytest.raises(InvalidSignature, match="no public key"):
        recover_address(DIGEST, signature)


def malformed_signatures(good: bytes) -> dict[str, tuple[object, str]]:
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    return {
        "too short": (good[:64], "65 bytes"),
        "too long": (good + b"\x00", "65 bytes"),
        "not bytes": (good.hex(), "65 bytes"),
        "v = 5": (good[:64] + b"\x05", "v must be"),
        "r = 0": (bytes(32) + good[32:], "r must be"),
        "s = n": (good[:32] + n.to_bytes(32, "big") + good[64:], "s must be"),
    }


@pytest.mark.parametrize("case", ["too short", "too long", "not bytes", "v = 5", "r = 0", "s = n"])
def test_malformed_signatures_raise_invalid_signature(alice: Wallet, case: str) -> None:
    bad, message = malformed_signatures(alice.sign(DIGEST))[case]
    with pytest.raises(InvalidSignature, match=message):
        recover_address(DIGEST, bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidSignature, match=message):
        verify_signature(DIGEST, bad, alice.address)  # type: ignore[arg-type]


@pytest.mark.parametrize("digest", [b"pay bob 10", bytes(33), "0x" + "00" * 32])
def test_only_32_byte_digests_can_be_signed(alice: Wallet, digest: object) -> None:
    with pytest.raises(InvalidDigest, match="32 bytes"):
        alice.sign(digest)  # type: ignore[arg-type]


@settings(max_examples=50, deadline=None)
@given(seed=st.text(min_size=1, max_size=20), digest=st.binary(min_size=32, max_size=32))
def test_property_recovering_a_signature_gives_its_signer(seed: str, digest: bytes) -> None:
    wallet = wallet_from_seed(seed)
    assert recover_address(digest, wallet.sign(digest)) == wallet.address


# --- personal messages (EIP-191) -----------------------------------------------------------


def test_personal_message_signer_is_recovered(alice: Wallet) -> None:
    text = "I agree to pay 10 tokens"
    signature = sign_message(alice, text)
    assert len(signature) == 65 and signature[64] in (27, 28)
    assert recover_message_signer(text, signature) == alice.address


def test_personal_message_recovery_matches_eth_account(alice: Wallet) -> None:
    text = "gm"
    signature = sign_message(alice, text)
    assert Account.recover_message(encode_defunct(text=text), signature=signature) == (
        alice.address
    )


def test_personal_message_signature_does_not_carry_over_to_other_text(alice: Wallet) -> None:
    signature = sign_message(alice, "pay 10")
    assert recover_message_signer("pay 1000", signature) != alice.address


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


# --- mnemonics (BIP-39 / BIP-44) -----------------------------------------------------------


def test_abandon_about_mnemonic_gives_the_standard_first_address() -> None:
    assert wallet_from_mnemonic(ABANDON_ABOUT).address == ABANDON_ABOUT_ADDRESS


def test_mnemonic_wallet_matches_eth_account_at_other_indices() -> None:
    Account.enable_unaudited_hdwallet_features()
    expected = Account.from_mnemonic(ABANDON_ABOUT, account_path="m/44'/60'/0'/0/1").address
    assert wallet_from_mnemonic(ABANDON_ABOUT, index=1).address == expected
    assert expected != ABANDON_ABOUT_ADDRESS


def test_sixteen_zero_bytes_of_entropy_give_abandon_about() -> None:
    assert mnemonic_from_entropy(bytes(16)) == ABANDON_ABOUT


@pytest.mark.parametrize("size", [16, 20, 24, 28, 32])
def test_entropy_sizes_give_12_to_24_words(size: int) -> None:
    assert len(mnemonic_from_entropy(bytes(size)).split()) == size * 3 // 4


@pytest.mark.parametrize("bad", [bytes(15), bytes(33), "00" * 16])
def test_bad_entropy_is_rejected(bad: object) -> None:
    with pytest.raises(InvalidKey, match="entropy"):
        mnemonic_from_entropy(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("mnemonic", "message"),
    [
        (" ".join(["abandon"] * 12), "checksum"),  # every word real, last one wrong
        (" ".join(["abandon"] * 11 + ["abuot"]), "positions \\[12\\]"),
        ("abandon about", "words"),
    ],
)
def test_bad_mnemonics_are_rejected(mnemonic: str, message: str) -> None:
    with pytest.raises(InvalidKey, match=message):
        wallet_from_mnemonic(mnemonic)

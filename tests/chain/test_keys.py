"""Keys, addresses and signatures, checked against EIP-55 and EIP-191."""

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
    Wallet,
    is_checksum_address,
    recover_address,
    recover_message_signer,
    sign_message,
    to_checksum_address,
    verify_signature,
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

DIGEST = keccak(b"pay bob 10")
OTHER_DIGEST = keccak(b"pay bob 1000")


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

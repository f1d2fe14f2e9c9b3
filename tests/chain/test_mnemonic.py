"""BIP-39 mnemonics and BIP-44 derivation, checked against the standard test vector and
eth-account."""

from __future__ import annotations

import pytest
from eth_account import Account

from course.chain.keys import InvalidKey
from course.chain.mnemonic import mnemonic_from_entropy, wallet_from_mnemonic

# BIP-39's all-zero test vector, and the address every wallet derives from it.
ABANDON_ABOUT = " ".join(["abandon"] * 11 + ["about"])
ABANDON_ABOUT_ADDRESS = "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"


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

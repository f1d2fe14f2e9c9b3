"""BIP-39 mnemonics: a wallet's backup written as 12 to 24 English words.

The words spell random entropy plus a checksum (BIP-39); a derivation path (BIP-44,
m/44'/60'/0'/0/index for Ethereum) picks the keys, the way MetaMask and others do it.
The word lists and derivation come from eth-account. Error messages name word positions,
never words: the words are the secret. Taught in notebook 03.
"""

from __future__ import annotations

from eth_account import Account
from eth_account.hdaccount.mnemonic import VALID_ENTROPY_SIZES, VALID_WORD_COUNTS, Mnemonic
from eth_keys import keys
from eth_utils import ValidationError

from course.chain.keys import Hidden, InvalidKey, Wallet, ensure_index
from course.validation import ensure, fail


def _listed(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers[:-1]) + f" or {numbers[-1]}"


def mnemonic_from_entropy(entropy: bytes) -> str:
    """Spell 16..32 bytes of entropy as 12..24 English words (the last carries a checksum)."""
    if not isinstance(entropy, bytes | bytearray) or len(entropy) not in VALID_ENTROPY_SIZES:
        fail(InvalidKey, "entropy", Hidden(entropy), f"{_listed(VALID_ENTROPY_SIZES)} bytes")
    return Mnemonic().to_mnemonic(bytes(entropy))


def wallet_from_mnemonic(mnemonic: str, index: int = 0) -> Wallet:
    """The wallet at BIP-44 path m/44'/60'/0'/0/{index}, as MetaMask and others derive it."""
    ensure(isinstance(mnemonic, str), InvalidKey, "mnemonic", Hidden(mnemonic),
           f"text of {_listed(VALID_WORD_COUNTS)} English words")
    words = mnemonic.split()
    path = f"m/44'/60'/0'/0/{ensure_index(index)}"
    if len(words) not in VALID_WORD_COUNTS:
        raise InvalidKey(f"mnemonic must have {_listed(VALID_WORD_COUNTS)} words, "
                         f"got {len(words)}")
    english = Mnemonic()
    unknown = [n for n, word in enumerate(words, start=1) if word not in english.wordlist]
    if unknown:  # name positions, not words: the words are the secret
        raise InvalidKey(f"mnemonic words at positions {unknown} are not BIP-39 English words")
    if not english.is_mnemonic_valid(" ".join(words)):
        raise InvalidKey("mnemonic fails its BIP-39 checksum: a word is wrong or out of order")
    Account.enable_unaudited_hdwallet_features()  # eth-account's opt-in for HD wallets
    try:
        account = Account.from_mnemonic(" ".join(words), account_path=path)
    except ValidationError as error:  # e.g. words valid in two languages' lists
        raise InvalidKey(f"eth-account rejected the mnemonic: {error}") from None
    return Wallet(keys.PrivateKey(bytes(account.key)))

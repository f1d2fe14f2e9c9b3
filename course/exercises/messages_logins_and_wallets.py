"""Checks for notebook 03 (Messages, logins and wallets): EIP-55, message signers and phishing
signature requests."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from course.chain.hashing import keccak256
from course.chain.keys import (
    sign_message,
    to_checksum_address,
    wallet_from_seed,
)
from course.chain.siwe import SiweMessage
from course.exercises import (
    CheckFailed,
    Exercise,
    expect_function,
    expect_type,
)

MAX_UINT256 = 2**256 - 1
"""The largest amount a token approval can name: wallets show it as "Unlimited"."""


def _short(value: object, keep: int = 18) -> str:
    text = repr(value)
    return text if len(text) <= keep + 6 else f"{text[:keep]}...{text[-4:]}"


# --- Try it 1: eip55_checksum ----------------------------------------------------------------

# The eight addresses printed in EIP-55 itself (all caps, all lower, and mixed "normal" ones).
EIP55_TEST_ADDRESSES = (
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
)


def _test_eip55_checksum(answer: Callable[[str], str]) -> str:
    expect_function(answer, 1)
    expected_addresses = list(EIP55_TEST_ADDRESSES)
    expected_addresses.append("0x" + "1234567890" * 4)  # no letters: nothing to checksum
    expected_addresses += [
        to_checksum_address("0x" + keccak256(f"random address {n}".encode())[-20:].hex())
        for n in range(300)
    ]
    for expected in expected_addresses:
        lowercase = expected.lower()
        got = answer(lowercase)
        call = f"eip55_checksum({lowercase!r})"
        expect_type(got, str, call)
        if got == expected:
            continue
        if got.lower() != lowercase:
            raise CheckFailed(
                f"{call} returned {got!r}: that is not the same address. Change only the "
                "case of the letters a-f, and keep the '0x' in front."
            )
        first = next(i for i, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b)
        raise CheckFailed(
            f"{call} returned {got}, expected {expected} (first difference at character "
            f"{first}, {got[first]!r} instead of {expected[first]!r}). Hash the lowercase "
            "hex TEXT, without '0x', and compare each hash hex digit with 8."
        )
    return (
        f"Right on {len(expected_addresses)} addresses, including EIP-55's own test "
        "cases. About 15 letters per address: 15 check bits for free."
    )


check_eip55_checksum = Exercise(
    name="eip55_checksum",
    references=(to_checksum_address,),
    goal="Write eip55_checksum(address) that writes a lowercase '0x' address in EIP-55 "
    "mixed case, using keccak256.",
    hints=(
        "Section 4's three steps: hash the lowercase hex TEXT without '0x' (.encode() it, do "
        "not convert it to the 20 bytes it stands for); hex digit i of that hash decides the "
        "case of character i: a letter goes upper case when the digit is 8 or more.",
        "A worked example on the 4-character text 'ab1f': keccak256(b'ab1f').hex() starts "
        "3bd0. Under 'a' is 3 (below 8: stays a), under 'b' is b = 11 (8 or more: B), under '1' "
        "is d (a digit has no case), under 'f' is 0 (stays f): 'aB1f'.",
    ),
    test=_test_eip55_checksum,
)


# --- Try it 2: who_signed --------------------------------------------------------------------

MESSAGES = (
    "hello",
    "",
    "gm ☀️",
    "Je signe, donc je suis: café crème",
    "I agree to pay 10 coins to Bob.\nNonce: 7",
    "x" * 200,
)


def _signed_messages() -> list[tuple[str, bytes, str]]:
    login = SiweMessage(
        domain="app.example.org",
        address=wallet_from_seed("check who signed").address,
        statement="Sign in to Example App.",
        uri="https://app.example.org/login",
        chain_id=1,
        nonce="q8ZpT3wLx2",
        issued_at="2026-03-01T12:00:00Z",
    )
    texts = [*MESSAGES, login.text()] + [f"message {n}: {'é' * n}" for n in range(40)]
    cases = []
    for n, text in enumerate(texts):
        wallet = wallet_from_seed("check who signed", n % 7)
        cases.append((text, sign_message(wallet, text), wallet.address))
    return cases


def _test_who_signed(answer: Callable[[str, bytes], str]) -> str:
    expect_function(answer, 2)
    cases = _signed_messages()
    for text, signature, signer in cases:
        got = answer(text, signature)
        call = f"who_signed({_short(text)}, signature)"
        expect_type(got, str, call)
        if got == signer:
            continue
        if got.lower() == signer.lower():
            raise CheckFailed(f"{call} returned {got}: right signer, but write it in EIP-55 case.")
        raise CheckFailed(
            f"{call} returned {got!r}, expected {signer}. Recovery ran on the wrong digest: "
            "hash b'\\x19Ethereum Signed Message:\\n' + the message's length IN BYTES + "
            "the message bytes."
        )
    return (
        f"Right on {len(cases)} signed messages, accents and emoji included. Recovery gives "
        "*an* address for any digest: comparing it with the one you expect is your job."
    )


check_who_signed = Exercise(
    name="who_signed",
    goal="Write who_signed(message, signature) that returns the address that signed the "
    "personal message (EIP-191) `message`.",
    hints=(
        "EIP-191 (section 3): the wallet did not sign the message's hash but keccak256 of a "
        "prefix, the message's length in BYTES written as decimal digits, and the message's "
        "UTF-8 bytes. Rebuild that digest; recover_address(digest, signature) does the curve part.",
        "For the message 'hé' (2 characters, 3 bytes in UTF-8), the signed bytes are "
        "b'\\x19Ethereum Signed Message:\\n' + b'3' + b'h\\xc3\\xa9', and the digest is "
        "keccak256 of those 30 bytes. Writing len('hé') = 2 would give another digest, and "
        "recovery would return a stranger.",
    ),
    test=_test_who_signed,
)


# --- Try it 3: looks_like_phishing -------------------------------------------------------------

_SPENDER = "0x000000000000000000000000000000000000dEaD"
_FRIEND = wallet_from_seed("course bob").address
_ME = wallet_from_seed("course alice").address


def _siwe_text(domain: str) -> str:
    return SiweMessage(
        domain=domain,
        address=_ME,
        statement="Sign in to Example App.",
        uri="https://app.example.org/login",
        chain_id=1,
        nonce="N4v7Qe2Lp9",
        issued_at="2026-03-01T12:00:00Z",
    ).text()


# (request, is phishing, why): the fixed set every answer is checked on.
_REQUESTS: tuple[tuple[dict[str, Any], bool, str], ...] = (
    (
        {"method": "eth_sign", "origin": "app.example.org",
         "hash": "0x" + keccak256(b"a transaction in disguise").hex()},
        True, "eth_sign signs an opaque hash, which may be a transaction",
    ),
    (
        {"method": "eth_sendTransaction", "origin": "dex-rewards.example", "to": _SPENDER,
         "value": 0, "function": "approve",
         "args": {"spender": _SPENDER, "amount": MAX_UINT256}},
        True, "an unlimited token approval lets the spender take every token, forever",
    ),
    (
        {"method": "eth_signTypedData_v4", "origin": "free-mint.example",
         "primary_type": "Permit",
         "message": {"owner": _ME, "spender": _SPENDER, "value": MAX_UINT256,
                     "nonce": 0, "deadline": 1_900_000_000}},
        True, "an unlimited Permit is an unlimited approval, signed off-chain",
    ),
    (
        {"method": "eth_sendTransaction", "origin": "nft-gift.example", "to": _SPENDER,
         "value": 0, "function": "setApprovalForAll",
         "args": {"operator": _SPENDER, "approved": True}},
        True, "setApprovalForAll(operator, True) hands over every NFT of the collection",
    ),
    (
        {"method": "personal_sign", "origin": "app-example.org.verify-wallet.example",
         "text": _siwe_text("app.example.org")},
        True, "a sign-in for app.example.org requested by another site: a replay",
    ),
    (
        {"method": "eth_sendTransaction", "origin": "airdrop-claim.example", "to": _SPENDER,
         "value": 50_000_000_000_000_000, "function": "claimAirdrop", "args": {}},
        True, "a 'claim' that asks you to send ETH: real airdrops cost only gas",
    ),
    (
        {"method": "personal_sign", "origin": "forum.example.org",
         "text": "Welcome to the course forum! Sign to prove you own this address."},
        False, "plain readable text, not a sign-in and not a transaction",
    ),
    (
        {"method": "personal_sign", "origin": "app.example.org",
         "text": _siwe_text("app.example.org")},
        False, "a sign-in for the very site that asks",
    ),
    (
        {"method": "eth_sendTransaction", "origin": "wallet.example", "to": _FRIEND,
         "value": 100_000_000_000_000_000, "function": None, "args": {}},
        False, "a plain transfer to an address you chose",
    ),
    (
        {"method": "eth_sendTransaction", "origin": "dex.example", "to": _SPENDER,
         "value": 0, "function": "approve",
         "args": {"spender": _SPENDER, "amount": 100 * 10**18}},
        False, "an approval for a bounded amount (100 tokens)",
    ),
    (
        {"method": "eth_signTypedData_v4", "origin": "dex.example",
         "primary_type": "Permit",
         "message": {"owner": _ME, "spender": _SPENDER, "value": 50 * 10**18,
                     "nonce": 3, "deadline": 1_900_000_000}},
        False, "a Permit for a bounded amount (50 tokens)",
    ),
    (
        {"method": "eth_sendTransaction", "origin": "nft-gift.example", "to": _SPENDER,
         "value": 0, "function": "setApprovalForAll",
         "args": {"operator": _SPENDER, "approved": False}},
        False, "setApprovalForAll(operator, False) REVOKES an approval",
    ),
    (
        {"method": "eth_sendTransaction", "origin": "app.example.org", "to": _SPENDER,
         "value": 0, "function": "claimRewards", "args": {}},
        False, "a claim that sends no ETH (you pay only gas)",
    ),
    (
        {"method": "eth_signTypedData_v4", "origin": "vote.example.org",
         "primary_type": "Vote", "message": {"proposal": 42, "choice": "yes"}},
        False, "typed data that moves nothing: an off-chain vote",
    ),
)


def signature_requests() -> list[dict[str, Any]]:
    """The requests the phishing exercise is checked on (fresh copies: mutate freely)."""
    return [copy.deepcopy(request) for request, _, _ in _REQUESTS]


def _amount(name: str, value: object) -> str:
    if value == MAX_UINT256:
        return "MAX_UINT256"
    if name in ("amount", "value") and isinstance(value, int):
        return f"{value / 10**18:g} tokens"
    return _short(value, 8)


def describe_request(request: dict[str, Any]) -> str:
    """One line that says what a request asks for, as a careful wallet would summarise it."""
    method = request["method"]
    if method == "eth_sign":
        return f"eth_sign(hash {request['hash'][:10]}...)"
    if method == "personal_sign":
        first_line = request["text"].splitlines()[0]
        return f"personal_sign({first_line[:40]!r}{'...' if len(first_line) > 40 else ''})"
    if method == "eth_signTypedData_v4":
        shown = ", ".join(
            f"{name}={_amount(name, value)}"
            for name, value in request["message"].items()
            if name in ("value", "proposal", "choice")
        )
        return f"signTypedData {request['primary_type']}({shown})"
    if request.get("function") is None:
        return f"transfer {request['value'] / 10**18:g} ETH to {request['to'][:8]}..."
    shown = ", ".join(
        f"{name}={_amount(name, value)}"
        for name, value in request["args"].items()
        if name not in ("spender", "operator")
    )
    sent = f" sending {request['value'] / 10**18:g} ETH" if request["value"] else ""
    return f"{request['function']}({shown}){sent}"


def _test_looks_like_phishing(answer: Callable[[dict[str, Any]], bool]) -> str:
    expect_function(answer, 1)
    for request, phishing, why in _REQUESTS:
        got = answer(copy.deepcopy(request))
        call = f"looks_like_phishing({{{describe_request(request)} from {request['origin']}}})"
        expect_type(got, bool, call)
        if got != phishing:
            raise CheckFailed(f"{call} returned {got}, expected {phishing}: {why}.")
    caught = sum(phishing for _, phishing, _ in _REQUESTS)
    return (
        f"Right on {len(_REQUESTS)} requests ({caught} phishing, {len(_REQUESTS) - caught} "
        "safe). When in doubt, reject: a signature cannot be taken back."
    )


check_looks_like_phishing = Exercise(
    name="looks_like_phishing",
    goal="Write looks_like_phishing(request) that returns True for the four kinds of "
    "dangerous request in the notebook's table and False for everything else.",
    hints=(
        "Section 10's table: branch on the request's method first, then look at what that kind "
        "of request carries: 'text' for personal_sign, 'primary_type' and 'message' for typed "
        "data, 'function', 'args' and 'value' for transactions. Unlimited means MAX_UINT256.",
        "One request worked through: {'method': 'personal_sign', 'origin': 'a.example', "
        "'text': 'b.example wants you to sign in with your Ethereum account:\\n0x...'}. Its "
        "first line ends with the sign-in phrase, so it is a sign-in; the domain before the "
        "phrase is 'b.example', not the origin 'a.example': a sign-in for another site, "
        "phishing. The same request from 'b.example' would be fine.",
    ),
    test=_test_looks_like_phishing,
)

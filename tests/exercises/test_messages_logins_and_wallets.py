"""Every checker of notebook 03 (Messages, logins and wallets), both ways: it rejects the
placeholder and plausible wrong answers, and accepts correct solutions written in different
styles."""

import eth_utils
import pytest

from course.chain.hashing import keccak256
from course.chain.keys import recover_address, recover_message_signer
from course.exercises import FAILED, PASSED
from course.exercises.messages_logins_and_wallets import (
    MAX_UINT256,
    check_eip55_checksum,
    check_looks_like_phishing,
    check_who_signed,
    signature_requests,
)
from tests.exercises.both_ways import assert_checked_both_ways

# --- eip55_checksum ----------------------------------------------------------------------------


def eip55_loop(address):
    digits = address[2:]
    hash_hex = keccak256(digits.encode()).hex()
    out = "0x"
    for digit, nibble in zip(digits, hash_hex[:40], strict=True):
        out += digit.upper() if int(nibble, 16) >= 8 else digit
    return out


def eip55_bits(address):
    digits = address.removeprefix("0x").lower()
    hashed = int.from_bytes(keccak256(digits.encode()), "big")
    return "0x" + "".join(
        c.upper() if (hashed >> (252 - 4 * i)) & 0x8 else c for i, c in enumerate(digits)
    )


def eip55_hashing_the_bytes(address):
    """A plausible mistake: hashes the 20 address bytes, not the 40 hex characters."""
    digits = address[2:]
    hash_hex = keccak256(bytes.fromhex(digits)).hex()
    return "0x" + "".join(
        c.upper() if int(h, 16) >= 8 else c for c, h in zip(digits, hash_hex[:40], strict=True)
    )


def eip55_hashing_with_0x(address):
    hash_hex = keccak256(address.encode()).hex()
    return "0x" + "".join(
        c.upper() if int(h, 16) >= 8 else c for c, h in zip(address[2:], hash_hex[:40], strict=True)
    )


def eip55_off_by_one(address):
    digits = address[2:]
    hash_hex = keccak256(digits.encode()).hex()
    return "0x" + "".join(
        c.upper() if int(h, 16) > 8 else c for c, h in zip(digits, hash_hex[:40], strict=True)
    )


def eip55_hash_bytes_not_nibbles(address):
    """Uses hash byte i (instead of hex digit i) for character i."""
    digits = address[2:]
    digest = keccak256(digits.encode())
    return "0x" + "".join(c.upper() if digest[i] >= 128 else c for i, c in enumerate(digits))


EIP55_WRONG = [
    eip55_hashing_the_bytes,
    eip55_hashing_with_0x,
    eip55_off_by_one,
    eip55_hash_bytes_not_nibbles,
    lambda address: address,  # left as it came
    lambda address: address.upper(),
    lambda address: eth_utils.to_checksum_address(address)[2:],  # dropped the 0x
]


# --- who_signed -----------------------------------------------------------------------------------


def who_signed_by_hand(message, signature):
    data = message.encode()
    digest = keccak256(b"\x19Ethereum Signed Message:\n" + str(len(data)).encode() + data)
    return recover_address(digest, signature)


def who_signed_with_format(message, signature):
    data = bytearray(message, "utf-8")
    header = f"\x19Ethereum Signed Message:\n{len(data)}".encode()
    return recover_address(keccak256(bytes(header + data)), signature)


def who_signed_character_length(message, signature):
    """Counts characters instead of bytes: fine in ASCII, wrong with 'é' or emoji."""
    digest = keccak256(f"\x19Ethereum Signed Message:\n{len(message)}{message}".encode())
    return recover_address(digest, signature)


WHO_SIGNED_WRONG = [
    lambda message, signature: recover_address(keccak256(message.encode()), signature),
    who_signed_character_length,
    lambda message, signature: recover_message_signer(message, signature).lower(),
    lambda message, signature: recover_address(  # the prefix without the length
        keccak256(b"\x19Ethereum Signed Message:\n" + message.encode()), signature
    ),
]


# --- looks_like_phishing ----------------------------------------------------------------------

SIGN_IN = " wants you to sign in with your Ethereum account:"


def phishing_if_chain(request):
    method = request["method"]
    if method == "eth_sign":
        return True
    if method == "personal_sign":
        first_line = request["text"].split("\n")[0]
        if first_line.endswith(SIGN_IN):
            return first_line.removesuffix(SIGN_IN) != request["origin"]
        return False
    if method == "eth_signTypedData_v4":
        return request["primary_type"] == "Permit" and request["message"]["value"] == MAX_UINT256
    function = request.get("function") or ""
    args = request.get("args", {})
    if function == "approve":
        return args["amount"] == MAX_UINT256
    if function == "setApprovalForAll":
        return args["approved"] is True
    return function.startswith("claim") and request["value"] > 0


def phishing_rule_list(request):
    text = request.get("text", "")
    domain = text.partition(" wants you to sign in")[0] if SIGN_IN in text else None
    typed = request.get("message") if request["method"] == "eth_signTypedData_v4" else {}
    rules = [
        request["method"] == "eth_sign",
        domain is not None and domain != request["origin"],
        request.get("args", {}).get("amount") == MAX_UINT256,
        typed.get("value") == MAX_UINT256,
        request.get("function") == "setApprovalForAll" and request["args"]["approved"],
        str(request.get("function")).startswith("claim") and request.get("value", 0) > 0,
    ]
    return any(rules)


def without(rule_index):
    """phishing_rule_list with one rule forgotten."""

    def answer(request):
        return phishing_if_chain(request) and not _matches(rule_index, request)

    return answer


def _matches(rule_index, request):
    method, function = request["method"], request.get("function")
    return [
        method == "eth_sign",
        method == "personal_sign",
        function == "approve" or method == "eth_signTypedData_v4",
        function == "setApprovalForAll",
        str(function).startswith("claim"),
    ][rule_index]


PHISHING_WRONG = [
    lambda request: False,
    lambda request: True,
    lambda request: request["method"] == "eth_sign",
    lambda request: request["method"] != "personal_sign",  # every transaction is scary
    lambda request: SIGN_IN in request.get("text", "") or phishing_if_chain(request),  # any login
    lambda request: str(request.get("function")).startswith(("approve", "claim", "setApp")),
    lambda request: "yes" if phishing_if_chain(request) else "no",  # not a bool
    *[without(rule) for rule in range(5)],
]


CASES = [
    (check_eip55_checksum, [eip55_loop, eip55_bits, eth_utils.to_checksum_address], EIP55_WRONG),
    (check_who_signed, [who_signed_by_hand, who_signed_with_format], WHO_SIGNED_WRONG),
    (check_looks_like_phishing, [phishing_if_chain, phishing_rule_list], PHISHING_WRONG),
]
ids = [check.name for check, _, _ in CASES]

@pytest.mark.parametrize("check, solutions, wrong_answers", CASES, ids=ids)
def test_checker_works_both_ways(check, solutions, wrong_answers):
    assert_checked_both_ways(check, solutions, wrong_answers)


def test_hashing_the_address_bytes_is_pointed_to_the_hex_text():
    outcome = check_eip55_checksum.check(eip55_hashing_the_bytes)
    assert "lowercase hex TEXT" in outcome.message


def test_counting_characters_instead_of_bytes_fails_on_accents_or_emoji():
    outcome = check_who_signed.check(who_signed_character_length)
    assert outcome.status == FAILED
    assert "IN BYTES" in outcome.message


def test_a_wrong_phishing_verdict_names_the_request_and_the_reason():
    outcome = check_looks_like_phishing.check(lambda request: False)
    assert "eth_sign" in outcome.message and "opaque hash" in outcome.message


def test_the_learner_may_mutate_the_requests_without_breaking_the_check():
    def destructive(request):
        verdict = phishing_if_chain(request)
        request.clear()
        return verdict

    assert check_looks_like_phishing.check(destructive).status == PASSED
    assert check_looks_like_phishing.check(phishing_if_chain).status == PASSED


def test_phishing_examples_have_both_verdicts_and_every_method():
    requests = signature_requests()
    verdicts = [phishing_if_chain(request) for request in requests]
    assert 4 <= sum(verdicts) <= len(requests) - 4
    assert {r["method"] for r in requests} == {
        "eth_sign", "personal_sign", "eth_signTypedData_v4", "eth_sendTransaction",
    }


def test_checks_are_named_after_their_variables_so_hints_point_to_them():
    from course.exercises import messages_logins_and_wallets

    for name, value in vars(messages_logins_and_wallets).items():
        if name.startswith("check_"):
            assert value.name == name.removeprefix("check_")

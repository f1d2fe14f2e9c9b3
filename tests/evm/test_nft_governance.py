"""CourseNFT (ERC-721 + EIP-2981) and TokenVote (token-weighted governance), on both chains."""

import pytest
from web3 import Web3
from web3.logs import DISCARD

from course.evm.deploy import Reverted, deploy, send

SUPPLY = 1_000_000 * 10**18
VOTING_PERIOD = 10  # blocks
QUORUM_BPS = 2_000  # 20% of the supply must vote


def mine(w3, blocks):
    """Mine empty blocks: eth-tester through Python, anvil through its JSON-RPC extension."""
    tester = getattr(w3.provider, "ethereum_tester", None)
    if tester is not None:
        tester.mine_blocks(blocks)
    else:
        w3.provider.make_request("anvil_mine", [hex(blocks)])


# --- ERC-721 ------------------------------------------------------------------------------------


@pytest.fixture
def nft(w3):
    """A collection owned by account 0, 5% royalty to account 9, token 1 minted to account 1."""
    contract = deploy(w3, "CourseNFT", "Course Art", "CART", w3.eth.accounts[9], 500)
    send(w3, contract.functions.mint(w3.eth.accounts[1], "ipfs://art/1"))
    return contract


def test_minting_gives_the_next_id_and_emits_a_transfer_from_address_zero(w3, nft):
    owner, alice, bob = w3.eth.accounts[:3]
    receipt = send(w3, nft.functions.mint(bob, "ipfs://art/2"), sender=owner)
    (event,) = nft.events.Transfer().process_receipt(receipt)
    assert (event.args["from"], event.args.to, event.args.tokenId) == (
        "0x0000000000000000000000000000000000000000", bob, 2)
    assert nft.functions.ownerOf(2).call() == bob
    assert nft.functions.tokenURI(2).call() == "ipfs://art/2"
    assert nft.functions.balanceOf(bob).call() == 1 and nft.functions.totalSupply().call() == 2
    assert (nft.functions.name().call(), nft.functions.symbol().call()) == ("Course Art", "CART")


def test_only_the_collection_owner_can_mint(w3, nft):
    alice = w3.eth.accounts[1]
    with pytest.raises(Reverted, match="CourseNFT: caller is not the owner"):
        send(w3, nft.functions.mint(alice, "ipfs://free"), sender=alice)
    assert nft.functions.totalSupply().call() == 1


def test_the_owner_transfers_and_balances_follow(w3, nft):
    alice, bob = w3.eth.accounts[1:3]
    receipt = send(w3, nft.functions.transferFrom(alice, bob, 1), sender=alice)
    (event,) = nft.events.Transfer().process_receipt(receipt)
    assert (event.args["from"], event.args.to, event.args.tokenId) == (alice, bob, 1)
    assert nft.functions.ownerOf(1).call() == bob
    assert (nft.functions.balanceOf(alice).call(), nft.functions.balanceOf(bob).call()) == (0, 1)


def test_a_stranger_cannot_transfer_someone_elses_token(w3, nft):
    alice, _, carol = w3.eth.accounts[1:4]
    with pytest.raises(Reverted, match="ERC721: caller is not token owner or approved"):
        send(w3, nft.functions.transferFrom(alice, carol, 1), sender=carol)
    assert nft.functions.ownerOf(1).call() == alice


def test_an_approved_address_moves_the_token_once_and_the_approval_is_cleared(w3, nft):
    alice, bob, carol = w3.eth.accounts[1:4]
    receipt = send(w3, nft.functions.approve(bob, 1), sender=alice)
    (event,) = nft.events.Approval().process_receipt(receipt)
    assert (event.args.owner, event.args.approved, event.args.tokenId) == (alice, bob, 1)
    assert nft.functions.getApproved(1).call() == bob
    send(w3, nft.functions.transferFrom(alice, carol, 1), sender=bob)
    assert nft.functions.ownerOf(1).call() == carol
    assert nft.functions.getApproved(1).call() == "0x0000000000000000000000000000000000000000"
    with pytest.raises(Reverted, match="ERC721: caller is not token owner or approved"):
        send(w3, nft.functions.transferFrom(carol, bob, 1), sender=bob)


def test_an_operator_moves_every_token_until_revoked(w3, nft):
    owner, alice, market, bob = w3.eth.accounts[:4]
    send(w3, nft.functions.mint(alice, "ipfs://art/2"), sender=owner)
    receipt = send(w3, nft.functions.setApprovalForAll(market, True), sender=alice)
    (event,) = nft.events.ApprovalForAll().process_receipt(receipt)
    assert (event.args.owner, event.args.operator, event.args.approved) == (alice, market, True)
    assert nft.functions.isApprovedForAll(alice, market).call()
    send(w3, nft.functions.transferFrom(alice, bob, 1), sender=market)
    send(w3, nft.functions.setApprovalForAll(market, False), sender=alice)
    with pytest.raises(Reverted, match="ERC721: caller is not token owner or approved"):
        send(w3, nft.functions.transferFrom(alice, bob, 2), sender=market)
    assert [nft.functions.ownerOf(i).call() for i in (1, 2)] == [bob, alice]


def test_an_operator_may_approve_but_a_stranger_may_not(w3, nft):
    alice, market, bob = w3.eth.accounts[1:4]
    with pytest.raises(Reverted, match="ERC721: approve caller is not token owner or approved"):
        send(w3, nft.functions.approve(bob, 1), sender=market)
    send(w3, nft.functions.setApprovalForAll(market, True), sender=alice)
    send(w3, nft.functions.approve(bob, 1), sender=market)
    assert nft.functions.getApproved(1).call() == bob


def test_bad_transfers_approvals_and_reads_revert_with_their_reason(w3, nft):
    _, alice, bob, carol = w3.eth.accounts[:4]
    zero = "0x" + "00" * 20
    for call, reason in [
        (nft.functions.transferFrom(bob, carol, 1), "transfer from incorrect owner"),
        (nft.functions.transferFrom(alice, zero, 1), "transfer to the zero address"),
        (nft.functions.transferFrom(alice, bob, 7), "invalid token ID"),
        (nft.functions.approve(alice, 1), "approval to current owner"),
        (nft.functions.setApprovalForAll(alice, True), "approve to caller"),
    ]:
        with pytest.raises(Reverted, match=f"ERC721: {reason}"):
            send(w3, call, sender=alice)
    assert nft.functions.ownerOf(1).call() == alice
    assert nft.functions.getApproved(1).call() == zero
    with pytest.raises(Exception, match="ERC721: invalid token ID"):
        nft.functions.ownerOf(99).call()
    with pytest.raises(Exception, match="ERC721: address zero is not a valid owner"):
        nft.functions.balanceOf(zero).call()


def test_safe_transfer_to_a_contract_that_is_not_a_receiver_reverts(w3, nft):
    alice = w3.eth.accounts[1]
    counter = deploy(w3, "Counter")  # a contract with no onERC721Received
    with pytest.raises(Reverted, match="ERC721: transfer to non ERC721Receiver implementer"):
        send(w3, nft.functions.safeTransferFrom(alice, counter.address, 1), sender=alice)
    assert nft.functions.ownerOf(1).call() == alice  # the whole transfer was undone
    send(w3, nft.functions.transferFrom(alice, counter.address, 1), sender=alice)
    assert nft.functions.ownerOf(1).call() == counter.address  # unsafe: now stuck forever


def test_safe_transfer_to_a_receiver_contract_or_an_account_succeeds(w3, nft):
    alice, bob = w3.eth.accounts[1:3]
    receiver = deploy(w3, "NFTReceiver")
    send(w3, nft.functions.mint(bob, "ipfs://art/2"))
    receipt = send(w3, nft.functions.safeTransferFrom(alice, receiver.address, 1, b"hello"),
                   sender=alice)
    (event,) = receiver.events.Received().process_receipt(receipt, errors=DISCARD)
    assert (event.args.operator, event.args["from"], event.args.tokenId, event.args.data) == (
        alice, alice, 1, b"hello")
    send(w3, nft.functions.safeTransferFrom(bob, alice, 2), sender=bob)  # to a plain account
    assert [nft.functions.ownerOf(i).call() for i in (1, 2)] == [receiver.address, alice]


def test_supports_interface_answers_erc_165(w3, nft):
    answers = {
        "01ffc9a7": True,  # ERC-165
        "80ac58cd": True,  # ERC-721
        "5b5e139f": True,  # ERC-721 metadata (name, symbol, tokenURI)
        "2a55205a": True,  # ERC-2981 royalties
        "36372b07": False,  # ERC-20: not this contract
        "ffffffff": False,  # ERC-165 requires false for 0xffffffff
    }
    for interface_id, supported in answers.items():
        assert nft.functions.supportsInterface(bytes.fromhex(interface_id)).call() is supported


def test_interface_ids_are_the_xor_of_their_selectors():
    def selector(signature):
        return int.from_bytes(Web3.keccak(text=signature)[:4], "big")

    erc721 = ["balanceOf(address)", "ownerOf(uint256)",
              "safeTransferFrom(address,address,uint256,bytes)",
              "safeTransferFrom(address,address,uint256)", "transferFrom(address,address,uint256)",
              "approve(address,uint256)", "setApprovalForAll(address,bool)",
              "getApproved(uint256)", "isApprovedForAll(address,address)"]
    xor = 0
    for signature in erc721:
        xor ^= selector(signature)
    assert xor == 0x80ac58cd
    assert selector("royaltyInfo(uint256,uint256)") == 0x2a55205a
    assert selector("supportsInterface(bytes4)") == 0x01ffc9a7


def test_royalty_is_sale_price_times_bps_over_10000_and_only_the_owner_sets_it(w3, nft):
    artist, alice = w3.eth.accounts[9], w3.eth.accounts[1]
    cases = {  # bps: [(sale price, royalty), ...]
        1_000: [(10, 1), (10_000, 1_000), (1_234_567_890, 123_456_789),  # EIP-2981's 10% examples
                (999, 99)],  # EIP-2981: 99 or 100 are both valid; this contract rounds down
        500: [(10**18, 5 * 10**16), (19, 0), (20, 1)],
        0: [(10**18, 0)],
        10_000: [(12_345, 12_345)],
    }
    assert nft.functions.royaltyInfo(1, 200).call() == [artist, 10]  # 5% from the constructor
    for bps, sales in cases.items():
        send(w3, nft.functions.setRoyalty(artist, bps))
        for sale_price, royalty in sales:
            assert nft.functions.royaltyInfo(1, sale_price).call() == [artist, royalty]
    with pytest.raises(Reverted, match="CourseNFT: royalty above 100%"):
        send(w3, nft.functions.setRoyalty(alice, 10_001))
    with pytest.raises(Reverted, match="CourseNFT: caller is not the owner"):
        send(w3, nft.functions.setRoyalty(alice, 100), sender=alice)
    assert nft.functions.royaltyInfo(1, 100).call() == [artist, 100]  # unchanged: 100%


# --- token-weighted governance ------------------------------------------------------------------


@pytest.fixture
def dao(w3):
    """A token (account 0 holds it all), a governor over it, and a Counter the DAO may poke."""
    token = deploy(w3, "CourseToken", "Course Token", "CRS", SUPPLY)
    governor = deploy(w3, "TokenVote", token.address, VOTING_PERIOD, QUORUM_BPS)
    counter = deploy(w3, "Counter")
    return token, governor, counter


def give_and_lock(w3, token, governor, voter, amount):
    """Account 0 sends `amount` to `voter`, who approves the governor and deposits it all."""
    if voter != w3.eth.accounts[0]:
        send(w3, token.functions.transfer(voter, amount))
    send(w3, token.functions.approve(governor.address, amount), sender=voter)
    send(w3, governor.functions.deposit(amount), sender=voter)


def propose_increment(w3, governor, counter, proposer=None):
    call_data = counter.encode_abi("increment", args=[])
    receipt = send(w3, governor.functions.propose("increment the counter", counter.address,
                                                  call_data), sender=proposer)
    (event,) = governor.events.ProposalCreated().process_receipt(receipt)
    return event.args.proposalId


def wait_for_the_end(w3, governor, proposal_id):
    end = governor.functions.getProposal(proposal_id).call()[4]
    mine(w3, end - w3.eth.block_number + 1)


def test_a_proposal_with_quorum_and_majority_executes_its_call(w3, dao):
    token, governor, counter = dao
    alice, carol = w3.eth.accounts[1:3]
    give_and_lock(w3, token, governor, alice, SUPPLY * 15 // 100)
    give_and_lock(w3, token, governor, carol, SUPPLY * 10 // 100)  # 25% vote: quorum is 20%
    pid = propose_increment(w3, governor, counter)
    receipt = send(w3, governor.functions.vote(pid, True), sender=alice)
    (event,) = governor.events.VoteCast().process_receipt(receipt)
    assert (event.args.voter, event.args.support, event.args.weight) == (
        alice, True, SUPPLY * 15 // 100)
    send(w3, governor.functions.vote(pid, False), sender=carol)
    assert governor.functions.state(pid).call() == 0  # Active
    wait_for_the_end(w3, governor, pid)
    assert governor.functions.state(pid).call() == 2  # Succeeded
    receipt = send(w3, governor.functions.execute(pid), sender=carol)  # anyone may execute
    (executed,) = governor.events.ProposalExecuted().process_receipt(receipt, errors=DISCARD)
    assert executed.args.proposalId == pid
    (bumped,) = counter.events.Incremented().process_receipt(receipt, errors=DISCARD)
    assert bumped.args.by == governor.address  # the governor itself made the call
    assert counter.functions.count().call() == 1
    assert governor.functions.state(pid).call() == 3  # Executed
    with pytest.raises(Reverted, match="TokenVote: already executed"):
        send(w3, governor.functions.execute(pid))
    assert counter.functions.count().call() == 1


def test_a_proposal_below_quorum_fails_even_when_everyone_votes_for(w3, dao):
    token, governor, counter = dao
    alice, bob = w3.eth.accounts[1:3]
    give_and_lock(w3, token, governor, alice, SUPPLY * 12 // 100)
    give_and_lock(w3, token, governor, bob, SUPPLY * 7 // 100)  # 19% in all: quorum is 20%
    pid = propose_increment(w3, governor, counter)
    send(w3, governor.functions.vote(pid, True), sender=alice)
    send(w3, governor.functions.vote(pid, True), sender=bob)
    wait_for_the_end(w3, governor, pid)
    assert governor.functions.state(pid).call() == 1  # Defeated
    with pytest.raises(Reverted, match="TokenVote: quorum not reached"):
        send(w3, governor.functions.execute(pid))
    assert counter.functions.count().call() == 0


def test_a_majority_against_rejects_the_proposal(w3, dao):
    token, governor, counter = dao
    alice, bob = w3.eth.accounts[1:3]
    give_and_lock(w3, token, governor, alice, SUPPLY * 20 // 100)
    give_and_lock(w3, token, governor, bob, SUPPLY * 20 // 100)
    pid = propose_increment(w3, governor, counter)
    send(w3, governor.functions.vote(pid, True), sender=alice)
    send(w3, governor.functions.vote(pid, False), sender=bob)  # a tie is not a majority
    wait_for_the_end(w3, governor, pid)
    with pytest.raises(Reverted, match="TokenVote: proposal was rejected"):
        send(w3, governor.functions.execute(pid))


def test_a_whale_alone_passes_a_proposal_everyone_else_opposes(w3, dao):
    token, governor, counter = dao
    whale, *others = w3.eth.accounts[1:5]
    give_and_lock(w3, token, governor, whale, SUPPLY * 40 // 100)
    for voter in others:  # three holders with 10% each: 30% against
        give_and_lock(w3, token, governor, voter, SUPPLY * 10 // 100)
    pid = propose_increment(w3, governor, counter, proposer=whale)
    send(w3, governor.functions.vote(pid, True), sender=whale)
    for voter in others:
        send(w3, governor.functions.vote(pid, False), sender=voter)
    wait_for_the_end(w3, governor, pid)
    send(w3, governor.functions.execute(pid))
    assert counter.functions.count().call() == 1
    _, _, _, _, _, _, votes_for, votes_against, _ = governor.functions.getProposal(pid).call()
    assert (votes_for, votes_against) == (SUPPLY * 40 // 100, SUPPLY * 30 // 100)


def test_the_same_tokens_cannot_vote_twice(w3, dao):
    token, governor, counter = dao
    alice, bob = w3.eth.accounts[1:3]
    give_and_lock(w3, token, governor, alice, SUPPLY * 30 // 100)
    pid = propose_increment(w3, governor, counter)
    send(w3, governor.functions.vote(pid, True), sender=alice)
    with pytest.raises(Reverted, match="TokenVote: already voted"):
        send(w3, governor.functions.vote(pid, False), sender=alice)
    # Passing the tokens on to a friend to vote again fails too: they are locked.
    with pytest.raises(Reverted, match="TokenVote: tokens locked until voting ends"):
        send(w3, governor.functions.withdraw(SUPPLY * 30 // 100), sender=alice)
    with pytest.raises(Reverted, match="TokenVote: no voting weight"):
        send(w3, governor.functions.vote(pid, True), sender=bob)
    assert governor.functions.getProposal(pid).call()[6:8] == (SUPPLY * 30 // 100, 0)
    wait_for_the_end(w3, governor, pid)
    send(w3, governor.functions.withdraw(SUPPLY * 30 // 100), sender=alice)  # free again
    assert token.functions.balanceOf(alice).call() == SUPPLY * 30 // 100
    assert governor.functions.deposits(alice).call() == 0


def test_executing_or_voting_at_the_wrong_time_reverts(w3, dao):
    token, governor, counter = dao
    alice = w3.eth.accounts[1]
    give_and_lock(w3, token, governor, alice, SUPPLY * 30 // 100)
    pid = propose_increment(w3, governor, counter)
    send(w3, governor.functions.vote(pid, True), sender=alice)
    with pytest.raises(Reverted, match="TokenVote: voting has not ended"):
        send(w3, governor.functions.execute(pid))
    wait_for_the_end(w3, governor, pid)
    with pytest.raises(Reverted, match="TokenVote: voting has ended"):
        send(w3, governor.functions.vote(pid, False))
    with pytest.raises(Reverted, match="TokenVote: unknown proposal"):
        send(w3, governor.functions.execute(pid + 1))
    assert counter.functions.count().call() == 0


def test_a_passed_proposal_whose_call_reverts_changes_nothing(w3, dao):
    token, governor, counter = dao
    alice = w3.eth.accounts[1]
    give_and_lock(w3, token, governor, alice, SUPPLY * 30 // 100)
    call_data = counter.encode_abi("decrement", args=[])  # count is 0: Counter refuses
    send(w3, governor.functions.propose("decrement", counter.address, call_data))
    send(w3, governor.functions.vote(0, True), sender=alice)
    wait_for_the_end(w3, governor, 0)
    with pytest.raises(Reverted, match="TokenVote: the proposal's call reverted"):
        send(w3, governor.functions.execute(0))
    assert governor.functions.state(0).call() == 2  # still Succeeded: not marked executed


def test_proposals_cannot_touch_the_locked_tokens_and_bad_settings_are_refused(w3, dao):
    token, governor, _ = dao
    steal = token.encode_abi("transfer", args=[w3.eth.accounts[1], 1])
    with pytest.raises(Reverted, match="TokenVote: proposals cannot call the voting token"):
        send(w3, governor.functions.propose("steal", token.address, steal))
    with pytest.raises(Reverted, match="TokenVote: quorum must be in"):
        deploy(w3, "TokenVote", token.address, VOTING_PERIOD, 10_001)
    with pytest.raises(Reverted, match="TokenVote: voting period must be at least 1 block"):
        deploy(w3, "TokenVote", token.address, 0, QUORUM_BPS)
    with pytest.raises(Reverted, match="TokenVote: token is not a contract"):
        deploy(w3, "TokenVote", w3.eth.accounts[1], VOTING_PERIOD, QUORUM_BPS)


def test_deposits_need_an_allowance_and_withdrawals_a_deposit(w3, dao):
    token, governor, _ = dao
    with pytest.raises(Reverted, match="ERC20: insufficient allowance"):
        send(w3, governor.functions.deposit(1))
    give_and_lock(w3, token, governor, w3.eth.accounts[0], 100)
    with pytest.raises(Reverted, match="TokenVote: withdraw amount exceeds deposit"):
        send(w3, governor.functions.withdraw(101))
    send(w3, governor.functions.withdraw(100))
    assert token.functions.balanceOf(w3.eth.accounts[0]).call() == SUPPLY

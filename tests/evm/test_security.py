"""The security labs on both chains: each exploit works against the vulnerable contract, and the
same exploit fails against the fixed one and leaves every balance as it was."""

import pytest
from web3 import Web3
from web3.logs import DISCARD

from course.evm.deploy import Reverted, deploy, deploy_with_receipt, send

ETH = 10**18
GWEI = 10**9
DEPOSITS = (1 * ETH, 2 * ETH, 3 * ETH)


def fees(receipts):
    return sum(r["gasUsed"] * r["effectiveGasPrice"] for r in receipts)


def pass_blocks(w3, n):
    """Let n blocks go by: both chains mine one block per transaction."""
    for _ in range(n):
        w3.eth.wait_for_transaction_receipt(
            w3.eth.send_transaction({"from": w3.eth.accounts[9], "to": w3.eth.accounts[9]}))


def include_by_tip(w3, mempool):
    """The block builder: pending transactions, highest tip first (ties: first seen)."""
    statuses = {}
    for index in sorted(range(len(mempool)), key=lambda i: -mempool[i]["maxPriorityFeePerGas"]):
        tx_hash = w3.eth.send_transaction(mempool[index])
        statuses[index] = w3.eth.wait_for_transaction_receipt(tx_hash)["status"]
    return [statuses[i] for i in range(len(mempool))]


def pending(sender, contract, function, args, tip_gwei):
    return {"from": sender, "to": contract.address, "data": contract.encode_abi(function, args),
            "gas": 200_000, "maxPriorityFeePerGas": tip_gwei * GWEI, "maxFeePerGas": 200 * GWEI}


def vault_with_deposits(w3, name):
    vault = deploy(w3, name)
    for depositor, amount in zip(w3.eth.accounts[1:4], DEPOSITS, strict=True):
        send(w3, vault.functions.deposit(), sender=depositor, value=amount)
    return vault


# Reentrancy


def test_the_attacker_drains_the_vulnerable_vault_and_takes_the_others_deposits(w3):
    vault = vault_with_deposits(w3, "VulnerableVault")
    attacker = w3.eth.accounts[5]
    before = w3.eth.get_balance(attacker)
    robber, deployed = deploy_with_receipt(w3, "VaultAttacker", vault.address, sender=attacker)
    attack = send(w3, robber.functions.attack(), sender=attacker, value=ETH)
    collect = send(w3, robber.functions.collect(), sender=attacker)

    assert w3.eth.get_balance(vault.address) == 0
    assert w3.eth.get_balance(robber.address) == 0
    spent = fees([deployed, attack, collect])
    assert w3.eth.get_balance(attacker) - before + spent == sum(DEPOSITS)
    rounds = robber.events.Reentered().process_receipt(attack, errors=DISCARD)
    assert [e.args["round"] for e in rounds] == list(range(1, 8))  # 7 ETH paid 1 ETH at a time
    assert [e.args.vaultBalance for e in rounds] == [(6 - i) * ETH for i in range(7)]
    # The books still promise the depositors their money: the vault is insolvent.
    assert [vault.functions.balanceOf(a).call() for a in w3.eth.accounts[1:4]] == list(DEPOSITS)


def test_the_same_attacker_fails_against_the_safe_vault_and_changes_nothing(w3):
    vault = vault_with_deposits(w3, "SafeVault")
    attacker = w3.eth.accounts[5]
    robber, deployed = deploy_with_receipt(w3, "VaultAttacker", vault.address, sender=attacker)
    before = w3.eth.get_balance(attacker)
    with pytest.raises(Reverted, match=r"attack\(\) reverted: SafeVault: transfer failed"):
        send(w3, robber.functions.attack(), sender=attacker, value=ETH)
    assert w3.eth.get_balance(vault.address) == sum(DEPOSITS)
    assert w3.eth.get_balance(robber.address) == 0
    assert [vault.functions.balanceOf(a).call() for a in w3.eth.accounts[1:4]] == list(DEPOSITS)
    assert vault.functions.balanceOf(robber.address).call() == 0
    assert before - w3.eth.get_balance(attacker) < ETH // 100  # at most gas, never the stake


@pytest.mark.parametrize("name", ["VulnerableVault", "SafeVault"])
def test_honest_depositors_get_their_money_back_from_either_vault(w3, name):
    vault = vault_with_deposits(w3, name)
    bob = w3.eth.accounts[2]
    receipt = send(w3, vault.functions.withdraw(), sender=bob)
    assert vault.functions.balanceOf(bob).call() == 0
    assert w3.eth.get_balance(vault.address) == DEPOSITS[0] + DEPOSITS[2]
    (event,) = vault.events.Withdrawn().process_receipt(receipt)
    assert (event.args.account, event.args.amount) == (bob, DEPOSITS[1])
    with pytest.raises(Reverted, match=f"{name}: nothing to withdraw"):
        send(w3, vault.functions.withdraw(), sender=bob)


# tx.origin phishing


@pytest.mark.parametrize("name", ["TxOriginWallet", "SafeWallet"])
def test_nobody_but_the_owner_can_call_either_wallet_directly(w3, name):
    owner, attacker = w3.eth.accounts[2], w3.eth.accounts[5]
    wallet = deploy(w3, name, sender=owner, value=5 * ETH)
    with pytest.raises(Reverted, match=f"{name}: caller is not the owner"):
        send(w3, wallet.functions.transfer(attacker, ETH), sender=attacker)
    send(w3, wallet.functions.transfer(attacker, ETH), sender=owner)
    assert w3.eth.get_balance(wallet.address) == 4 * ETH


def test_phishing_bait_empties_the_tx_origin_wallet_when_its_owner_calls_it(w3):
    owner, attacker = w3.eth.accounts[2], w3.eth.accounts[5]
    wallet = deploy(w3, "TxOriginWallet", sender=owner, value=5 * ETH)
    bait = deploy(w3, "PhishingBait", wallet.address, attacker, sender=attacker)
    before = w3.eth.get_balance(attacker)
    send(w3, bait.functions.claimAirdrop(), sender=owner)
    assert w3.eth.get_balance(wallet.address) == 0
    assert w3.eth.get_balance(attacker) == before + 5 * ETH


def test_the_msg_sender_wallet_resists_the_same_bait(w3):
    owner, attacker = w3.eth.accounts[2], w3.eth.accounts[5]
    wallet = deploy(w3, "SafeWallet", sender=owner, value=5 * ETH)
    bait = deploy(w3, "PhishingBait", wallet.address, attacker, sender=attacker)
    before = w3.eth.get_balance(attacker)
    with pytest.raises(Reverted, match="SafeWallet: caller is not the owner"):
        send(w3, bait.functions.claimAirdrop(), sender=owner)
    assert w3.eth.get_balance(wallet.address) == 5 * ETH
    assert w3.eth.get_balance(attacker) == before


# Missing access control


def test_anyone_can_take_over_the_unguarded_treasury(w3):
    owner, attacker = w3.eth.accounts[0], w3.eth.accounts[5]
    treasury = deploy(w3, "UnguardedTreasury", sender=owner, value=10 * ETH)
    with pytest.raises(Reverted, match="UnguardedTreasury: caller is not the owner"):
        send(w3, treasury.functions.withdrawAll(), sender=attacker)
    before = w3.eth.get_balance(attacker)
    receipts = [send(w3, treasury.functions.setOwner(attacker), sender=attacker),
                send(w3, treasury.functions.withdrawAll(), sender=attacker)]
    assert treasury.functions.owner().call() == attacker
    assert w3.eth.get_balance(treasury.address) == 0
    assert w3.eth.get_balance(attacker) - before + fees(receipts) == 10 * ETH


def test_the_guarded_treasury_refuses_a_stranger_and_obeys_its_owner(w3):
    owner, attacker = w3.eth.accounts[0], w3.eth.accounts[5]
    treasury = deploy(w3, "GuardedTreasury", sender=owner, value=10 * ETH)
    for call in (treasury.functions.setOwner(attacker), treasury.functions.withdrawAll()):
        with pytest.raises(Reverted, match="GuardedTreasury: caller is not the owner"):
            send(w3, call, sender=attacker)
    assert treasury.functions.owner().call() == owner
    assert w3.eth.get_balance(treasury.address) == 10 * ETH
    with pytest.raises(Reverted, match="GuardedTreasury: new owner is the zero address"):
        send(w3, treasury.functions.setOwner("0x" + "00" * 20), sender=owner)
    send(w3, treasury.functions.withdrawAll(), sender=owner)
    assert w3.eth.get_balance(treasury.address) == 0


# Front-running and commit-reveal


def test_a_front_runner_who_reads_the_pending_guess_wins_the_naive_game(w3):
    solver, bot = w3.eth.accounts[1], w3.eth.accounts[5]
    game = deploy(w3, "GuessTheNumber", Web3.solidity_keccak(["uint256"], [7_777]), value=3 * ETH)
    mempool = [pending(solver, game, "guess", [7_777], tip_gwei=2)]
    _, args = game.decode_function_input(mempool[0]["data"])  # the bot reads the public input
    mempool.append(pending(bot, game, "guess", [args["number"]], tip_gwei=3))
    before = w3.eth.get_balance(bot)
    assert include_by_tip(w3, mempool) == [0, 1]  # the solver's guess reverts: already solved
    assert game.functions.winner().call() == bot
    assert w3.eth.get_balance(bot) > before + 3 * ETH - ETH // 100
    assert w3.eth.get_balance(game.address) == 0


def test_without_a_front_runner_the_solver_wins_and_a_wrong_guess_is_refused(w3):
    solver, other = w3.eth.accounts[1], w3.eth.accounts[5]
    game = deploy(w3, "GuessTheNumber", Web3.solidity_keccak(["uint256"], [7_777]), value=3 * ETH)
    with pytest.raises(Reverted, match="GuessTheNumber: wrong number"):
        send(w3, game.functions.guess(7_778), sender=other)
    send(w3, game.functions.guess(7_777), sender=solver)
    assert game.functions.winner().call() == solver
    with pytest.raises(Reverted, match="GuessTheNumber: already solved"):
        send(w3, game.functions.guess(7_777), sender=other)


def test_a_copied_commitment_cannot_be_revealed_by_the_copier(w3):
    solver, bot = w3.eth.accounts[1], w3.eth.accounts[5]
    number, salt = 7_777, Web3.keccak(text="solver's salt")
    game = deploy(w3, "CommitReveal", Web3.solidity_keccak(["uint256"], [number]), 5,
                  value=3 * ETH)
    commitment = Web3.solidity_keccak(["uint256", "bytes32", "address"], [number, salt, solver])
    commit = pending(solver, game, "commit", [commitment], tip_gwei=2)
    assert include_by_tip(w3, [commit, {**commit, "from": bot, "maxPriorityFeePerGas": 3 * GWEI}]
                          ) == [1, 1]  # the bot stores the very same commitment, first
    assert game.functions.commitments(bot).call() == commitment

    pass_blocks(w3, game.functions.commitDeadline().call() - w3.eth.block_number + 1)
    with pytest.raises(Reverted, match="CommitReveal: reveal does not match your commitment"):
        send(w3, game.functions.reveal(number, salt), sender=bot)  # what the copy will meet
    reveal = pending(solver, game, "reveal", [number, salt], tip_gwei=2)
    copied = {**reveal, "from": bot, "maxPriorityFeePerGas": 50 * GWEI}
    assert include_by_tip(w3, [reveal, copied]) == [1, 0]  # the copy runs first and reverts
    assert game.functions.winner().call() == solver
    with pytest.raises(Reverted, match="CommitReveal: the commit phase is over"):
        send(w3, game.functions.commit(commitment), sender=bot)


def test_commit_reveal_enforces_its_phases_and_the_answer(w3):
    player = w3.eth.accounts[1]
    salt = Web3.keccak(text="salt")
    game = deploy(w3, "CommitReveal", Web3.solidity_keccak(["uint256"], [42]), 3, value=ETH)
    wrong = Web3.solidity_keccak(["uint256", "bytes32", "address"], [41, salt, player])
    send(w3, game.functions.commit(wrong), sender=player)
    with pytest.raises(Reverted, match="CommitReveal: still in the commit phase"):
        send(w3, game.functions.reveal(41, salt), sender=player)
    pass_blocks(w3, game.functions.commitDeadline().call() - w3.eth.block_number + 1)
    with pytest.raises(Reverted, match="CommitReveal: wrong number"):
        send(w3, game.functions.reveal(41, salt), sender=player)
    assert game.functions.winner().call() == "0x" + "00" * 20

"""JobEscrow pays a result submitted on time after its dispute window, unless a challenge proves
it wrong: the provider must open the challenged row against its committed Merkle root, and a
quorum of verifiers (never one key) judges the row. Every refused call changes nothing, the
attacks of a requester, a lone verifier, a late or silent provider and a wrong challenger fail,
and no wei appears or vanishes (gas aside), on the in-memory EVM and on anvil."""

import functools
import os

import pytest
from eth_tester.exceptions import TransactionFailed
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from web3 import Web3
from web3.exceptions import ContractLogicError
from web3.logs import DISCARD

from course.compute.onchain import STATES, keccak_proof, keccak_root, leaf_hash, verify_row
from course.evm.artifacts import PINNED_SOLC
from course.evm.chain_time import mine_blocks
from course.evm.compiler import CompilerNotFound, compile_solidity, find_compiler
from course.evm.connection import connect
from course.evm.deploy import Reverted, deploy, revert_reason, send

ETH = 10**18
PAYMENT = ETH // 10
COLLATERAL = PAYMENT // 2  # COLLATERAL_PERCENT = 50
BOND = PAYMENT // 10  # BOND_PERCENT = 10
STAKE = ETH
DEADLINE_BLOCKS = 10
WINDOW = 8  # blocks to challenge, to open the row, to vote
QUORUM = 2  # of 3 verifiers
SPEC = Web3.keccak(text="train resnet18 on cifar10 for 3 epochs, seed 0")
ROWS = [Web3.keccak(text=f"output row {i}") * 2 for i in range(5)]  # 64 bytes a row
ROOT = keccak_root(ROWS)
ZERO = "0x" + "00" * 20


class Market:
    """The escrow, its people (requester, provider, stranger, three verifiers), and every wei of
    gas they pay.

    ``send`` checks the books after every transaction: the contract's balance equals
    ``accountedBalance()``, and the people's ETH plus the contract's plus the gas they paid
    equals what they all had at the start.
    """

    def __init__(self, w3, escrow=None):
        self.w3 = w3
        self.requester, self.provider, self.stranger, *self.verifiers = w3.eth.accounts[1:7]
        self.people = [self.requester, self.provider, self.stranger, *self.verifiers]
        self.escrow = escrow or deploy(w3, "JobEscrow", self.verifiers, QUORUM, WINDOW)
        self.gas_paid = dict.fromkeys(self.people, 0)  # wei, by each person
        self.deadline_blocks = DEADLINE_BLOCKS
        self.start = self.total_eth()

    def balance(self, who):
        return self.w3.eth.get_balance(who)

    def total_eth(self):
        return sum(map(self.balance, self.people)) + self.balance(self.escrow.address)

    def send(self, call, sender, value=0):
        if hasattr(self.w3.provider, "ethereum_tester"):
            receipt = send(self.w3, call, sender=sender, value=value)
        else:
            receipt = self._send_at_the_next_block(call, sender, value)
        self.gas_paid[sender] += receipt["gasUsed"] * receipt["effectiveGasPrice"]
        self.check_books()
        return receipt

    def _send_at_the_next_block(self, call, sender, value):
        """On anvil: judge the call at the block it will be mined in ("pending"). Anvil's
        default gas estimate runs at the latest block, one block early, so a call right at a
        window's or deadline's edge would pass the estimate, then revert on chain."""
        fields = {"from": sender, "value": value}
        try:
            gas = call.estimate_gas(fields, block_identifier="pending")
        except ContractLogicError as error:
            raise Reverted(call.fn_name, revert_reason(error)) from None
        receipt = self.w3.eth.wait_for_transaction_receipt(call.transact({**fields,
                                                                         "gas": 2 * gas}))
        assert receipt["status"] == 1
        return receipt

    def check_books(self):
        assert self.balance(self.escrow.address) == self.escrow.functions.accountedBalance().call()
        assert self.total_eth() + sum(self.gas_paid.values()) == self.start

    def net_change(self, who, before):
        """How much ETH ``who`` gained since ``before``, not counting the gas they paid."""
        return self.balance(who) + self.gas_paid[who] - before

    def job(self, job_id):
        fields = self.escrow.functions.jobs(job_id).call()
        names = [c["name"] for c in self.escrow.functions.jobs.abi["outputs"][0]["components"]]
        job = dict(zip(names, fields, strict=True))
        job["state"] = STATES[job["state"]]
        return job

    def post(self, payment=PAYMENT, deadline_blocks=None):
        deadline_blocks = deadline_blocks or self.deadline_blocks
        receipt = self.send(self.escrow.functions.postJob(SPEC, deadline_blocks),
                            self.requester, payment)
        (event,) = self.escrow.events.JobPosted().process_receipt(receipt, errors=DISCARD)
        return event.args.jobId

    def stake(self, amount=STAKE):
        return self.send(self.escrow.functions.depositStake(), self.provider, amount)

    def assigned_job(self):
        self.stake()
        job_id = self.post()
        self.send(self.escrow.functions.assign(job_id, self.provider), self.requester)
        return job_id

    def submitted_job(self):
        job_id = self.assigned_job()
        self.send(self.escrow.functions.submitResult(job_id, ROOT, len(ROWS)), self.provider)
        return job_id

    def challenged_job(self, row=3):
        job_id = self.submitted_job()
        self.send(self.escrow.functions.challenge(job_id, row), self.requester, BOND)
        return job_id

    def opened_job(self, row=3):
        job_id = self.challenged_job(row)
        self.send(self.escrow.functions.openRow(job_id, ROWS[row], keccak_proof(ROWS, row)),
                  self.provider)
        return job_id

    def vote(self, job_id, verifier, row_is_right):
        return self.send(self.escrow.functions.vote(job_id, row_is_right), verifier)

    def withdraw_everything(self):
        """Everyone takes what it is owed, and the provider its whole free stake."""
        escrow = self.escrow.functions
        for who in self.people:
            if escrow.owedTo(who).call():
                self.send(escrow.withdraw(), who)
            if escrow.unlockedStakeOf(who).call():
                self.send(escrow.withdrawStake(escrow.unlockedStakeOf(who).call()), who)

    def everything(self):
        """What a refused call must leave alone: no block mined, no wei moved, job 1 untouched."""
        views = self.escrow.functions
        return (self.w3.eth.block_number,
                [self.balance(who) for who in [*self.people, self.escrow.address]],
                views.accountedBalance().call(), views.lockedStakeOf(self.provider).call(),
                views.owedTo(self.requester).call(), self.job(1))

    def refused(self, call, sender, reason, value=0):
        before = self.everything()
        with pytest.raises(Reverted, match=reason):
            self.send(call, sender, value)
        assert self.everything() == before


@pytest.fixture
def market(w3):
    return Market(w3)


# ---- the paths a job can take ----

def test_an_unchallenged_result_is_paid_after_the_dispute_window(market):
    escrow = market.escrow.functions
    requester_before = market.balance(market.requester)
    provider_before = market.balance(market.provider)
    market.stake()
    job_id = market.post()
    assert market.job(job_id)["state"] == "Open" and market.job(job_id)["specHash"] == SPEC
    receipt = market.send(escrow.assign(job_id, market.provider), market.requester)
    (assigned,) = market.escrow.events.JobAssigned().process_receipt(receipt, errors=DISCARD)
    assert (assigned.args.provider, assigned.args.collateral) == (market.provider, COLLATERAL)
    receipt = market.send(escrow.submitResult(job_id, ROOT, len(ROWS)), market.provider)
    (submitted,) = market.escrow.events.ResultSubmitted().process_receipt(receipt, errors=DISCARD)
    assert (submitted.args.resultRoot, submitted.args.rows) == (ROOT, len(ROWS))
    assert submitted.args.windowEnd == receipt["blockNumber"] + WINDOW
    for _ in range(WINDOW - 1):  # inside the window nobody can settle it yet
        market.refused(escrow.settle(job_id), market.provider, "JobEscrow: window still open")
        mine_blocks(market.w3, 1)
    mine_blocks(market.w3, 1)
    receipt = market.send(escrow.settle(job_id), market.stranger)  # anyone may settle
    (paid,) = market.escrow.events.JobPaid().process_receipt(receipt, errors=DISCARD)
    assert (paid.args.provider, paid.args.payment, paid.args.bondTaken) == (
        market.provider, PAYMENT, 0)

    assert market.job(job_id)["state"] == "Paid"
    assert escrow.owedTo(market.provider).call() == PAYMENT
    assert escrow.unlockedStakeOf(market.provider).call() == STAKE  # collateral unlocked
    market.withdraw_everything()
    assert market.net_change(market.requester, requester_before) == -PAYMENT
    assert market.net_change(market.provider, provider_before) == PAYMENT
    assert market.balance(market.escrow.address) == 0


def test_a_challenged_row_that_the_quorum_finds_wrong_slashes_the_provider(market):
    escrow = market.escrow.functions
    requester_before = market.balance(market.requester)
    provider_before = market.balance(market.provider)
    job_id = market.challenged_job(row=3)
    assert market.job(job_id)["bond"] == BOND and escrow.totalBonds().call() == BOND
    receipt = market.send(escrow.openRow(job_id, ROWS[3], keccak_proof(ROWS, 3)), market.provider)
    (opened,) = market.escrow.events.RowOpened().process_receipt(receipt, errors=DISCARD)
    assert (opened.args.row, opened.args.data) == (3, ROWS[3])  # verifiers read the row here
    assert market.job(job_id)["openedLeaf"] == leaf_hash(3, ROWS[3])
    market.vote(job_id, market.verifiers[0], False)
    assert market.job(job_id)["state"] == "Opened"  # one key decides nothing
    receipt = market.vote(job_id, market.verifiers[2], False)
    (event,) = market.escrow.events.JobSlashed().process_receipt(receipt, errors=DISCARD)
    assert (event.args.provider, event.args.collateral) == (market.provider, COLLATERAL)

    assert market.job(job_id)["state"] == "Slashed"
    assert escrow.owedTo(market.requester).call() == PAYMENT + BOND + COLLATERAL
    assert escrow.stakeOf(market.provider).call() == STAKE - COLLATERAL
    market.refused(escrow.vote(job_id, True), market.verifiers[1],
                   "JobEscrow: no opened row to judge")
    market.withdraw_everything()
    assert market.net_change(market.requester, requester_before) == COLLATERAL
    assert market.net_change(market.provider, provider_before) == -COLLATERAL
    assert market.balance(market.escrow.address) == 0


def test_a_wrong_challenge_costs_the_challenger_its_bond(market):
    requester_before = market.balance(market.requester)
    provider_before = market.balance(market.provider)
    job_id = market.opened_job(row=0)
    market.vote(job_id, market.verifiers[1], False)  # one verifier sides with the requester
    market.vote(job_id, market.verifiers[0], True)
    receipt = market.vote(job_id, market.verifiers[2], True)
    (paid,) = market.escrow.events.JobPaid().process_receipt(receipt, errors=DISCARD)
    assert (paid.args.payment, paid.args.bondTaken) == (PAYMENT, BOND)
    assert market.job(job_id)["state"] == "Paid"
    market.withdraw_everything()
    assert market.net_change(market.requester, requester_before) == -PAYMENT - BOND
    assert market.net_change(market.provider, provider_before) == PAYMENT + BOND


def test_a_provider_that_never_opens_the_challenged_row_loses_its_collateral(market):
    escrow = market.escrow.functions
    requester_before = market.balance(market.requester)
    job_id = market.challenged_job(row=4)
    market.refused(escrow.settle(job_id), market.provider, "JobEscrow: window still open")
    mine_blocks(market.w3, WINDOW)
    market.refused(escrow.openRow(job_id, ROWS[4], keccak_proof(ROWS, 4)), market.provider,
                   "JobEscrow: opening window closed")
    receipt = market.send(escrow.settle(job_id), market.stranger)
    assert market.escrow.events.JobSlashed().process_receipt(receipt, errors=DISCARD)
    market.withdraw_everything()
    assert market.net_change(market.requester, requester_before) == COLLATERAL
    assert escrow.stakeOf(market.provider).call() == 0  # withdrew STAKE - COLLATERAL


def test_silent_verifiers_let_an_opened_row_stand_and_the_bond_goes_back(market):
    escrow = market.escrow.functions
    requester_before = market.balance(market.requester)
    job_id = market.opened_job()
    market.vote(job_id, market.verifiers[0], False)  # a single key, and nobody else votes
    market.refused(escrow.settle(job_id), market.requester, "JobEscrow: window still open")
    mine_blocks(market.w3, WINDOW)
    market.refused(escrow.vote(job_id, False), market.verifiers[1],
                   "JobEscrow: voting window closed")
    receipt = market.send(escrow.settle(job_id), market.requester)
    (paid,) = market.escrow.events.JobPaid().process_receipt(receipt, errors=DISCARD)
    assert paid.args.bondTaken == 0
    assert escrow.owedTo(market.requester).call() == BOND
    market.withdraw_everything()
    assert market.net_change(market.requester, requester_before) == -PAYMENT


def test_a_job_without_a_result_by_its_deadline_is_refunded(market):
    escrow = market.escrow.functions
    requester_before = market.balance(market.requester)
    job_id = market.assigned_job()
    market.refused(escrow.refund(job_id), market.requester, "JobEscrow: deadline not reached")
    mine_blocks(market.w3, DEADLINE_BLOCKS)
    market.refused(escrow.submitResult(job_id, ROOT, len(ROWS)), market.provider,
                   "JobEscrow: deadline passed")  # a late result is refused
    receipt = market.send(escrow.refund(job_id), market.requester)
    (event,) = market.escrow.events.JobRefunded().process_receipt(receipt, errors=DISCARD)
    assert (event.args.requester, event.args.payment) == (market.requester, PAYMENT)
    assert market.job(job_id)["state"] == "Refunded"
    assert escrow.stakeOf(market.provider).call() == STAKE  # lateness is not proof of cheating
    assert escrow.unlockedStakeOf(market.provider).call() == STAKE
    market.withdraw_everything()
    assert market.net_change(market.requester, requester_before) == 0


def test_an_open_job_nobody_took_is_refunded_after_its_deadline(market):
    escrow = market.escrow.functions
    job_id = market.post(deadline_blocks=1)
    mine_blocks(market.w3, 1)
    market.stake()
    market.refused(escrow.assign(job_id, market.provider), market.requester,
                   "JobEscrow: deadline passed")
    market.send(escrow.refund(job_id), market.requester)
    assert escrow.owedTo(market.requester).call() == PAYMENT


# ---- the attacks ----

@pytest.mark.parametrize("stage", ["submitted", "challenged", "opened"])
def test_the_requester_cannot_refund_a_result_submitted_on_time(market, stage):
    escrow = market.escrow.functions
    job_id = getattr(market, f"{stage}_job")()
    mine_blocks(market.w3, DEADLINE_BLOCKS + 1)  # the deadline and every window have passed
    market.refused(escrow.refund(job_id), market.requester,
                   "JobEscrow: a result was submitted on time")
    market.send(escrow.settle(job_id), market.requester)
    expected = "Slashed" if stage == "challenged" else "Paid"  # an unopened row is a proof
    assert market.job(job_id)["state"] == expected
    market.refused(escrow.refund(job_id), market.requester, "JobEscrow: job already settled")


def test_a_single_verifier_cannot_side_with_the_requester(market):
    escrow = market.escrow.functions
    job_id = market.submitted_job()
    for verifier in market.verifiers:  # no verdict without a challenge and an opened row
        market.refused(escrow.vote(job_id, False), verifier, "JobEscrow: no opened row to judge")
    market.send(escrow.challenge(job_id, 1), market.requester, BOND)
    market.send(escrow.openRow(job_id, ROWS[1], keccak_proof(ROWS, 1)), market.provider)
    lone = market.verifiers[1]
    market.vote(job_id, lone, False)
    market.refused(escrow.vote(job_id, False), lone, "JobEscrow: already voted")
    for who in (market.requester, market.provider, market.stranger):
        market.refused(escrow.vote(job_id, False), who, "JobEscrow: only a verifier")
    mine_blocks(market.w3, WINDOW)
    market.send(escrow.settle(job_id), lone)
    assert market.job(job_id)["state"] == "Paid"
    assert escrow.owedTo(market.provider).call() == PAYMENT


def test_a_provider_cannot_open_a_row_it_did_not_commit(market):
    escrow = market.escrow.functions
    job_id = market.challenged_job(row=2)
    other = [Web3.keccak(text="an honest-looking row") * 2, *ROWS[1:]]
    attempts = [
        (ROWS[1], keccak_proof(ROWS, 1)),  # another row, with its own valid proof
        (ROWS[2][:-1] + b"!", keccak_proof(ROWS, 2)),  # the row's bytes changed
        (ROWS[2], keccak_proof(other, 2)),  # a proof from another tree
        (ROWS[2], keccak_proof(ROWS, 2)[:-1]),  # a proof too short
        (ROWS[2], [*keccak_proof(ROWS, 2), ROOT]),  # a proof too long
    ]
    for data, proof in attempts:
        with pytest.raises(Reverted, match="JobEscrow: proof"):
            market.send(escrow.openRow(job_id, data, proof), market.provider)
    market.refused(escrow.openRow(job_id, ROWS[2], keccak_proof(ROWS, 2)), market.stranger,
                   "JobEscrow: only the assigned provider")
    market.send(escrow.openRow(job_id, ROWS[2], keccak_proof(ROWS, 2)), market.provider)
    assert market.job(job_id)["state"] == "Opened"


def test_only_the_requester_challenges_once_within_the_window_with_the_exact_bond(market):
    escrow = market.escrow.functions
    job_id = market.submitted_job()
    for who in (market.provider, market.stranger, market.verifiers[0]):
        market.refused(escrow.challenge(job_id, 0), who, "JobEscrow: only the requester", BOND)
    for bond in (0, BOND - 1, BOND + 1):
        market.refused(escrow.challenge(job_id, 0), market.requester, "JobEscrow: bond must be",
                       bond)
    market.refused(escrow.challenge(job_id, len(ROWS)), market.requester,
                   "JobEscrow: no such row", BOND)
    market.send(escrow.challenge(job_id, 0), market.requester, BOND)
    market.refused(escrow.challenge(job_id, 1), market.requester,
                   "JobEscrow: no unchallenged result", BOND)
    late = market.submitted_job()
    mine_blocks(market.w3, WINDOW)
    market.refused(escrow.challenge(late, 0), market.requester,
                   "JobEscrow: dispute window closed", BOND)


# ---- every wrong caller and wrong state is refused, and changes nothing ----

def test_bad_deposits_and_withdrawals_are_refused(market):
    escrow = market.escrow.functions
    who = market.requester
    market.refused(escrow.postJob(SPEC, 5), who, "JobEscrow: payment below MIN_PAYMENT", 99)
    market.refused(escrow.postJob(SPEC, 0), who, "JobEscrow: deadline must be at least one block",
                   PAYMENT)
    market.refused(escrow.postJob(SPEC, 10**6 + 1), who, "JobEscrow: deadline too far away",
                   PAYMENT)
    market.refused(escrow.depositStake(), market.provider, "JobEscrow: stake required")
    market.refused(escrow.withdrawStake(0), market.provider, "JobEscrow: amount must be positive")
    market.refused(escrow.withdrawStake(1), market.provider,
                   "JobEscrow: amount exceeds unlocked stake")
    market.refused(escrow.withdraw(), market.provider, "JobEscrow: nothing owed")
    for call in (escrow.assign(7, market.provider), escrow.submitResult(7, ROOT, 1),
                 escrow.openRow(7, ROWS[0], []), escrow.vote(7, True), escrow.settle(7),
                 escrow.refund(7)):
        market.refused(call, market.verifiers[0], "JobEscrow: no such job")
    market.refused(escrow.challenge(7, 0), who, "JobEscrow: no such job")
    before = market.everything()
    with pytest.raises((ContractLogicError, TransactionFailed)):  # no receive(): ETH refused
        market.w3.eth.send_transaction({"from": who, "to": market.escrow.address, "value": 1})
    assert market.everything() == before


def test_an_open_job_refuses_wrong_callers_and_early_steps(market):
    escrow = market.escrow.functions
    job_id = market.post()
    market.refused(escrow.assign(job_id, market.provider), market.stranger,
                   "JobEscrow: only the requester")
    market.refused(escrow.assign(job_id, market.provider), market.requester,
                   "JobEscrow: provider stake too low")  # no stake yet
    market.send(escrow.depositStake(), market.provider, COLLATERAL - 1)
    market.refused(escrow.assign(job_id, market.provider), market.requester,
                   "JobEscrow: provider stake too low")
    market.refused(escrow.assign(job_id, ZERO), market.requester,
                   "JobEscrow: provider is the zero address")
    market.refused(escrow.submitResult(job_id, ROOT, 1), market.provider,
                   "JobEscrow: only the assigned provider")
    market.refused(escrow.settle(job_id), market.requester, "JobEscrow: nothing to settle")
    market.refused(escrow.refund(job_id), market.stranger, "JobEscrow: only the requester")
    market.refused(escrow.refund(job_id), market.requester, "JobEscrow: deadline not reached")


def test_an_assigned_job_refuses_wrong_callers_and_empty_commitments(market):
    escrow = market.escrow.functions
    job_id = market.assigned_job()
    market.refused(escrow.assign(job_id, market.provider), market.requester,
                   "JobEscrow: job not open")
    for who in (market.stranger, market.requester):
        market.refused(escrow.submitResult(job_id, ROOT, 1), who,
                       "JobEscrow: only the assigned provider")
    market.refused(escrow.submitResult(job_id, b"\0" * 32, 1), market.provider,
                   "JobEscrow: result root is empty")
    for rows in (0, 2**32 + 1):
        market.refused(escrow.submitResult(job_id, ROOT, rows), market.provider,
                       "JobEscrow: rows must be 1 to MAX_ROWS")
    market.refused(escrow.challenge(job_id, 0), market.requester,
                   "JobEscrow: no unchallenged result", BOND)
    market.send(escrow.submitResult(job_id, ROOT, len(ROWS)), market.provider)
    market.refused(escrow.submitResult(job_id, ROOT, len(ROWS)), market.provider,
                   "JobEscrow: job not assigned")
    market.refused(escrow.openRow(job_id, ROWS[0], keccak_proof(ROWS, 0)), market.provider,
                   "JobEscrow: no challenge to answer")


@pytest.mark.parametrize("verifiers, quorum, window, reason", [
    (3, 1, 3, "quorum must be at least 2"),
    (4, 2, 3, "quorum must be more than half"),
    (2, 3, 3, "quorum must be more than half of the verifiers, and at most all"),
    (3, 2, 0, "window must be 1 to MAX_DEADLINE_BLOCKS"),
])
def test_a_deployment_where_one_key_or_a_minority_could_decide_is_refused(
        w3, verifiers, quorum, window, reason):
    keys = w3.eth.accounts[4:4 + verifiers]
    with pytest.raises(Reverted, match=reason):
        deploy(w3, "JobEscrow", keys, quorum, window)


def test_verifier_keys_must_be_distinct_and_real(w3):
    key = w3.eth.accounts[4]
    with pytest.raises(Reverted, match="JobEscrow: verifier named twice"):
        deploy(w3, "JobEscrow", [key, key, w3.eth.accounts[5]], 2, 3)
    with pytest.raises(Reverted, match="JobEscrow: verifier is the zero address"):
        deploy(w3, "JobEscrow", [key, ZERO], 2, 3)


# ---- the Merkle proof the contract checks is notebook 01's, with keccak ----

@settings(max_examples=15, derandomize=True, deadline=None)
@given(st.lists(st.binary(max_size=40), min_size=1, max_size=9), st.data())
def test_the_contract_and_python_agree_on_every_proof(rows, data):
    escrow = _in_memory_chain_with_an_escrow()[1].functions
    index = data.draw(st.integers(0, len(rows) - 1))
    proof = keccak_proof(rows, index)
    leaf = leaf_hash(index, rows[index])
    assert escrow.leafHash(index, rows[index]).call() == leaf
    assert escrow.merkleRoot(leaf, index, len(rows), proof).call() == keccak_root(rows)
    assert verify_row(keccak_root(rows), index, len(rows), rows[index], proof)
    if len(rows) > 1:  # the same proof does not open another position
        other = (index + 1) % len(rows)
        assert not verify_row(keccak_root(rows), other, len(rows), rows[index], proof)


# ---- a provider contract that calls back in while being paid gets nothing extra ----

GREEDY_PROVIDER = """
pragma solidity ^0.8.20;
interface IJobEscrow {
    function depositStake() external payable;
    function withdrawStake(uint256 amount) external;
}
contract GreedyProvider {
    IJobEscrow public escrow;
    bool public tried;
    bool public reentered;
    constructor(IJobEscrow escrow_) { escrow = escrow_; }
    function stake() external payable { escrow.depositStake{value: msg.value}(); }
    function withdraw(uint256 amount) external { escrow.withdrawStake(amount); }
    receive() external payable {  // paid by withdrawStake: ask for the same amount again
        if (!tried) {
            tried = true;
            try escrow.withdrawStake(msg.value) { reentered = true; } catch {}
        }
    }
}
"""


@pytest.fixture(scope="module")
def greedy_provider_artifact():
    try:
        compiler = find_compiler(PINNED_SOLC)
    except CompilerNotFound as missing:
        if os.environ.get("CI"):
            pytest.fail(str(missing))
        pytest.skip(str(missing))
    return compile_solidity({"GreedyProvider.sol": GREEDY_PROVIDER}, compiler)["GreedyProvider"]


def test_a_reentering_provider_cannot_withdraw_twice(market, greedy_provider_artifact):
    w3, artifact = market.w3, greedy_provider_artifact
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    receipt = w3.eth.wait_for_transaction_receipt(
        factory.constructor(market.escrow.address).transact({"from": w3.eth.accounts[0]}))
    greedy = w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])
    send(w3, greedy.functions.stake(), value=10 * PAYMENT)
    send(w3, greedy.functions.withdraw(6 * PAYMENT))  # the second 6 would need 12 staked
    assert greedy.functions.tried().call() and not greedy.functions.reentered().call()
    assert w3.eth.get_balance(greedy.address) == 6 * PAYMENT
    escrow = market.escrow.functions
    assert escrow.stakeOf(greedy.address).call() == 4 * PAYMENT
    assert w3.eth.get_balance(market.escrow.address) == escrow.accountedBalance().call()


# ---- a requester contract that refuses ETH cannot hold the provider's payment hostage ----

STUBBORN_REQUESTER = """
pragma solidity ^0.8.20;
interface IJobEscrow {
    function postJob(bytes32 specHash, uint256 deadlineBlocks) external payable returns (uint256);
    function assign(uint256 jobId, address provider) external;
    function challenge(uint256 jobId, uint256 row) external payable;
}
contract StubbornRequester {
    IJobEscrow public escrow;
    constructor(IJobEscrow escrow_) payable { escrow = escrow_; }
    function post(bytes32 spec, address provider) external payable returns (uint256 jobId) {
        jobId = escrow.postJob{value: msg.value}(spec, 40);
        escrow.assign(jobId, provider);
    }
    function challenge(uint256 jobId, uint256 row) external payable {
        escrow.challenge{value: msg.value}(jobId, row);
    }
    receive() external payable { revert("no ETH for me"); }  // every refund bounces
}
"""


@pytest.fixture(scope="module")
def stubborn_requester_artifact():
    try:
        compiler = find_compiler(PINNED_SOLC)
    except CompilerNotFound as missing:
        if os.environ.get("CI"):
            pytest.fail(str(missing))
        pytest.skip(str(missing))
    return compile_solidity({"Stubborn.sol": STUBBORN_REQUESTER}, compiler)["StubbornRequester"]


def test_a_requester_that_refuses_eth_cannot_block_the_providers_payment(
        market, stubborn_requester_artifact):
    w3, artifact, escrow = market.w3, stubborn_requester_artifact, market.escrow.functions
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    receipt = w3.eth.wait_for_transaction_receipt(
        factory.constructor(market.escrow.address).transact({"from": w3.eth.accounts[0]}))
    stubborn = w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])
    # plain sends: ETH comes in from account 0, outside the Market's books
    send(w3, escrow.depositStake(), sender=market.provider, value=STAKE)
    send(w3, stubborn.functions.post(SPEC, market.provider), value=PAYMENT)
    job_id = escrow.jobCount().call()
    send(w3, escrow.submitResult(job_id, ROOT, len(ROWS)), sender=market.provider)
    send(w3, stubborn.functions.challenge(job_id, 1), value=BOND)
    send(w3, escrow.openRow(job_id, ROWS[1], keccak_proof(ROWS, 1)), sender=market.provider)
    mine_blocks(w3, WINDOW + 1)  # no quorum: the bond goes back to a requester that refuses it
    send(w3, escrow.settle(job_id), sender=market.stranger)
    assert market.job(job_id)["state"] == "Paid"
    assert escrow.owedTo(stubborn.address).call() == BOND  # credited, not pushed
    send(w3, escrow.withdraw(), sender=market.provider)
    assert escrow.owedTo(market.provider).call() == 0
    assert w3.eth.get_balance(market.escrow.address) == escrow.accountedBalance().call() == (
        STAKE + BOND)


# ---- property: random actions by random people never break the books ----

ACTIONS = {  # action: the person who would normally take it
    "post": "requester", "stake": "provider", "withdrawStake": "provider", "withdraw": "provider",
    "assign": "requester", "submit": "provider", "challenge": "requester", "open": "provider",
    "vote": "verifier", "settle": "stranger", "refund": "requester",
}
AMOUNTS = (0, 1, BOND, COLLATERAL, PAYMENT, STAKE)


SETUP_DEADLINE = 40  # blocks: jobs 2 to 4 stay within their deadlines while examples run


def _setup(market):
    market.post()  # job 1: open, its deadline 10 blocks away
    market.deadline_blocks = SETUP_DEADLINE
    market.assigned_job()  # job 2: assigned
    market.opened_job()  # job 3: a challenged row opened
    market.submitted_job()  # job 4: submitted, its dispute window open


@functools.cache
def _in_memory_chain_with_an_escrow():
    market = Market(connect())
    _setup(market)
    return market.w3, market.escrow, market.w3.provider.ethereum_tester.take_snapshot()


def _fresh_market(kind, anvil_url=None):
    """The same escrow for every example, reverted to four jobs: open, assigned, opened,
    submitted."""
    if kind == "memory":
        w3, escrow, snapshot = _in_memory_chain_with_an_escrow()
        w3.provider.ethereum_tester.revert_to_snapshot(snapshot)
        return Market(w3, escrow)
    w3, escrow, snapshot = _anvil_chain_with_an_escrow(anvil_url)
    assert w3.provider.make_request("evm_revert", [snapshot[0]])["result"]
    snapshot[0] = w3.provider.make_request("evm_snapshot", [])["result"]  # a revert uses it up
    return Market(w3, escrow)


@functools.cache
def _anvil_chain_with_an_escrow(url):
    w3 = connect(url)
    market = Market(w3)
    _setup(market)
    return w3, market.escrow, [w3.provider.make_request("evm_snapshot", [])["result"]]


def _call(market, action, who, job_id, amount, blocks):
    """The call and ETH value for one step; ``amount`` doubles as a row or a choice."""
    escrow = market.escrow.functions
    row = amount % len(ROWS)
    if action == "post":
        return escrow.postJob(SPEC, blocks), amount
    if action == "stake":
        return escrow.depositStake(), amount
    if action == "withdrawStake":
        return escrow.withdrawStake(amount), 0
    if action == "withdraw":
        return escrow.withdraw(), 0
    if action == "assign":  # to the provider, or to a stranger who has no stake
        return escrow.assign(job_id, market.stranger if amount == 0 else market.provider), 0
    if action == "submit":
        return escrow.submitResult(job_id, ROOT, len(ROWS)), 0
    if action == "challenge":  # the right bond, or a wrong one
        return escrow.challenge(job_id, row), BOND if amount != 1 else BOND - 1
    if action == "open":  # the challenged row with its proof, or another row
        challenged = market.job(job_id)["challengedRow"] if amount else (row + 1) % len(ROWS)
        return escrow.openRow(job_id, ROWS[challenged], keccak_proof(ROWS, challenged)), 0
    if action == "vote":
        return escrow.vote(job_id, amount in (BOND, COLLATERAL)), 0  # by verifier amount % 3
    return getattr(escrow, action)(job_id), 0  # settle, refund


a_step = st.tuples(
    st.sampled_from([*ACTIONS, "mine"]),
    st.one_of(st.none(), st.integers(0, 5)),  # who: None is the usual person, else anyone
    st.integers(1, 5),  # job id: 1 to 4 exist at the start
    st.sampled_from(AMOUNTS),  # wei sent or withdrawn; a row; a vote; a stranger
    st.integers(1, 6),  # blocks to mine, or a posted job's deadline in blocks
)


def _play(market, steps):
    """Run the steps; then settle or refund every job and let everyone withdraw: the contract
    must end empty, with every wei deposited back with exactly one person (gas aside)."""
    for action, who, job_id, amount, blocks in steps:
        if action == "mine":
            mine_blocks(market.w3, blocks)
            continue
        usual = ACTIONS[action]
        sender = (market.verifiers[amount % 3] if usual == "verifier" else
                  getattr(market, usual)) if who is None else market.people[who]
        call, value = _call(market, action, who, job_id, amount, blocks)
        block = market.w3.eth.block_number
        try:
            market.send(call, sender, value)  # checks the books after every success
        except Reverted as refused:
            assert refused.reason.startswith("JobEscrow: ")
            assert market.w3.eth.block_number == block  # nothing mined, so nothing changed
    escrow = market.escrow.functions
    for person in market.people:
        assert escrow.lockedStakeOf(person).call() <= escrow.stakeOf(person).call()
    assert escrow.totalStake().call() == sum(escrow.stakeOf(p).call() for p in market.people)
    assert escrow.totalOwed().call() == sum(escrow.owedTo(p).call() for p in market.people)
    jobs = [market.job(job_id) for job_id in range(1, escrow.jobCount().call() + 1)]
    unsettled = [job for job in jobs if job["state"] in ("Open", "Assigned", "Submitted",
                                                         "Challenged", "Opened")]
    assert escrow.totalOpenPayments().call() == sum(job["payment"] for job in unsettled)
    assert escrow.totalBonds().call() == sum(job["bond"] for job in unsettled)

    mine_blocks(market.w3, SETUP_DEADLINE + 1)  # past every deadline and window
    for job_id, job in enumerate(jobs, start=1):
        if job["state"] in ("Open", "Assigned"):
            market.send(escrow.refund(job_id), job["requester"])
        elif job["state"] in ("Submitted", "Challenged", "Opened"):
            market.send(escrow.settle(job_id), market.stranger)
    market.withdraw_everything()
    assert market.balance(market.escrow.address) == 0 == escrow.accountedBalance().call()
    assert market.total_eth() + sum(market.gas_paid.values()) == market.start


EVERY_SUCCESS = [  # every path at least once, whatever the random examples happen to draw
    ("vote", None, 3, BOND, 1), ("vote", None, 3, COLLATERAL, 1),  # job 3: two "right", paid
    ("challenge", None, 4, 2, 1),  # job 4: challenged, never opened
    ("submit", None, 2, 0, 1), ("challenge", None, 2, 0, 1), ("open", None, 2, PAYMENT, 1),
    ("vote", None, 2, 0, 1), ("vote", None, 2, 1, 1),  # job 2: two "wrong" votes, slashed
    ("stake", None, 1, PAYMENT, 1), ("post", None, 5, PAYMENT, 2), ("assign", None, 5, 1, 1),
    ("post", None, 6, PAYMENT, 6), ("assign", None, 6, 1, 1), ("submit", None, 6, 0, 1),
    ("mine", None, 1, 0, 6), ("mine", None, 1, 0, 6),
    ("settle", None, 4, 0, 1), ("settle", None, 6, 0, 1), ("refund", None, 1, 0, 1),
    ("refund", None, 5, 0, 1), ("withdraw", 0, 1, 0, 1), ("withdrawStake", None, 1, STAKE, 1),
]


@settings(max_examples=8, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(a_step, min_size=8, max_size=16))
@example(EVERY_SUCCESS)
def test_random_actions_by_random_people_keep_every_wei_accounted_for(steps):
    _play(_fresh_market("memory"), steps)


@settings(max_examples=4, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(a_step, min_size=8, max_size=16))
@example(EVERY_SUCCESS)
def test_random_actions_on_anvil_keep_every_wei_accounted_for(anvil_url, steps):
    _play(_fresh_market("anvil", anvil_url), steps)

"""JobEscrow holds a GPU job's payment until the verifier releases or slashes it, or the deadline
passes; every refused call changes nothing, and no wei appears or vanishes (gas aside)."""

import functools
import os

import pytest
from eth_tester.exceptions import TransactionFailed
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from web3 import Web3
from web3.exceptions import ContractLogicError

from course.evm.artifacts import PINNED_SOLC
from course.evm.chain_time import mine_blocks
from course.evm.compiler import CompilerNotFound, compile_solidity, find_compiler
from course.evm.connection import connect
from course.evm.deploy import Reverted, deploy, send

ETH = 10**18
PAYMENT = ETH // 10
COLLATERAL = PAYMENT // 2  # COLLATERAL_PERCENT = 50
STAKE = ETH
DEADLINE_BLOCKS = 10
SPEC = Web3.keccak(text="train resnet18 on cifar10 for 3 epochs, seed 0")
RESULT = Web3.keccak(text="weights sha256 0f3a...")
STATES = ("None", "Open", "Assigned", "Submitted", "Released", "Slashed", "Refunded")


class Market:
    """The escrow and the four people using it, with every wei of gas they pay counted.

    ``send`` checks the books after every transaction: the contract's balance equals
    ``accountedBalance()``, and the people's ETH plus the contract's plus the gas they paid
    equals what they all had at the start.
    """

    def __init__(self, w3, escrow=None):
        self.w3 = w3
        self.requester, self.provider, self.verifier, self.stranger = w3.eth.accounts[1:5]
        self.people = [self.requester, self.provider, self.verifier, self.stranger]
        self.escrow = escrow or deploy(w3, "JobEscrow", self.verifier)
        self.gas_paid = dict.fromkeys(self.people, 0)  # wei, by each person
        self.start = self.total_eth()

    def balance(self, who):
        return self.w3.eth.get_balance(who)

    def total_eth(self):
        return sum(map(self.balance, self.people)) + self.balance(self.escrow.address)

    def send(self, call, sender, value=0):
        receipt = send(self.w3, call, sender=sender, value=value)
        self.gas_paid[sender] += receipt["gasUsed"] * receipt["effectiveGasPrice"]
        self.check_books()
        return receipt

    def check_books(self):
        assert self.balance(self.escrow.address) == self.escrow.functions.accountedBalance().call()
        assert self.total_eth() + sum(self.gas_paid.values()) == self.start

    def net_change(self, who, before):
        """How much ETH ``who`` gained since ``before``, not counting the gas they paid."""
        return self.balance(who) + self.gas_paid[who] - before

    def job(self, job_id):
        fields = self.escrow.functions.jobs(job_id).call()
        names = [out["name"] for out in self.escrow.functions.jobs.abi["outputs"]]
        job = dict(zip(names, fields, strict=True))
        job["state"] = STATES[job["state"]]
        return job

    def post(self, payment=PAYMENT, deadline_blocks=DEADLINE_BLOCKS):
        receipt = self.send(self.escrow.functions.postJob(SPEC, deadline_blocks),
                            self.requester, payment)
        (event,) = self.escrow.events.JobPosted().process_receipt(receipt)
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
        self.send(self.escrow.functions.submitResult(job_id, RESULT), self.provider)
        return job_id

    def everything(self):
        """What a refused call must leave alone: no block mined, no wei moved, job 1 untouched."""
        views = self.escrow.functions
        return (self.w3.eth.block_number,
                [self.balance(who) for who in [*self.people, self.escrow.address]],
                views.accountedBalance().call(), views.lockedStakeOf(self.provider).call(),
                self.job(1))

    def refused(self, call, sender, reason, value=0):
        before = self.everything()
        with pytest.raises(Reverted, match=reason):
            self.send(call, sender, value)
        assert self.everything() == before


@pytest.fixture
def market(w3):
    return Market(w3)


# ---- the paths a job can take ----

def test_a_released_job_pays_the_provider_exactly_what_the_requester_paid(market):
    escrow = market.escrow.functions
    requester_before = market.balance(market.requester)
    provider_before = market.balance(market.provider)
    market.stake()
    job_id = market.post()
    assert market.job(job_id)["state"] == "Open" and market.job(job_id)["specHash"] == SPEC
    receipt = market.send(escrow.assign(job_id, market.provider), market.requester)
    (assigned,) = market.escrow.events.JobAssigned().process_receipt(receipt)
    assert (assigned.args.provider, assigned.args.collateral) == (market.provider, COLLATERAL)
    receipt = market.send(escrow.submitResult(job_id, RESULT), market.provider)
    (submitted,) = market.escrow.events.ResultSubmitted().process_receipt(receipt)
    assert submitted.args.resultHash == RESULT
    receipt = market.send(escrow.release(job_id), market.verifier)
    (released,) = market.escrow.events.JobReleased().process_receipt(receipt)
    assert (released.args.jobId, released.args.provider, released.args.payment) == (
        job_id, market.provider, PAYMENT)

    assert market.job(job_id)["state"] == "Released"
    assert market.net_change(market.requester, requester_before) == -PAYMENT
    assert market.net_change(market.provider, provider_before) == PAYMENT - STAKE  # stake inside
    assert escrow.unlockedStakeOf(market.provider).call() == STAKE  # collateral unlocked
    market.send(escrow.withdrawStake(STAKE), market.provider)
    assert market.net_change(market.provider, provider_before) == PAYMENT
    assert market.balance(market.escrow.address) == 0


def test_assigning_locks_collateral_that_cannot_be_withdrawn(market):
    escrow = market.escrow.functions
    market.assigned_job()
    assert escrow.lockedStakeOf(market.provider).call() == COLLATERAL
    assert escrow.unlockedStakeOf(market.provider).call() == STAKE - COLLATERAL
    market.refused(escrow.withdrawStake(STAKE), market.provider,
                   "JobEscrow: amount exceeds unlocked stake")
    receipt = market.send(escrow.withdrawStake(STAKE - COLLATERAL), market.provider)
    (event,) = market.escrow.events.StakeWithdrawn().process_receipt(receipt)
    assert (event.args.amount, event.args.stake) == (STAKE - COLLATERAL, COLLATERAL)


def test_a_slashed_job_pays_the_requester_back_with_the_providers_collateral(market):
    escrow = market.escrow.functions
    requester_before = market.balance(market.requester)
    provider_before = market.balance(market.provider)
    job_id = market.submitted_job()
    receipt = market.send(escrow.slash(job_id), market.verifier)
    (event,) = market.escrow.events.JobSlashed().process_receipt(receipt)
    assert (event.args.provider, event.args.collateral) == (market.provider, COLLATERAL)

    assert market.job(job_id)["state"] == "Slashed"
    assert market.net_change(market.requester, requester_before) == COLLATERAL
    assert escrow.stakeOf(market.provider).call() == STAKE - COLLATERAL
    assert escrow.lockedStakeOf(market.provider).call() == 0
    assert escrow.totalStake().call() == STAKE - COLLATERAL
    market.send(escrow.withdrawStake(STAKE - COLLATERAL), market.provider)
    assert market.net_change(market.provider, provider_before) == -COLLATERAL


def test_after_the_deadline_the_requester_takes_the_payment_back(market):
    escrow = market.escrow.functions
    requester_before = market.balance(market.requester)
    job_id = market.assigned_job()
    market.refused(escrow.refund(job_id), market.requester, "JobEscrow: deadline not reached")
    mine_blocks(market.w3, DEADLINE_BLOCKS)
    market.refused(escrow.submitResult(job_id, RESULT), market.provider,
                   "JobEscrow: deadline passed")
    receipt = market.send(escrow.refund(job_id), market.requester)
    (event,) = market.escrow.events.JobRefunded().process_receipt(receipt)
    assert (event.args.requester, event.args.payment) == (market.requester, PAYMENT)

    assert market.job(job_id)["state"] == "Refunded"
    assert market.net_change(market.requester, requester_before) == 0
    assert escrow.stakeOf(market.provider).call() == STAKE  # refunds punish no one
    assert escrow.unlockedStakeOf(market.provider).call() == STAKE


def test_an_open_job_nobody_took_is_refunded_after_its_deadline(market):
    escrow = market.escrow.functions
    job_id = market.post(deadline_blocks=1)
    mine_blocks(market.w3, 1)
    market.stake()
    market.refused(escrow.assign(job_id, market.provider), market.requester,
                   "JobEscrow: deadline passed")
    market.send(escrow.refund(job_id), market.requester)
    assert market.balance(market.escrow.address) == STAKE


# ---- every wrong caller and wrong state is refused, and changes nothing ----

def test_bad_deposits_and_withdrawals_are_refused(market):
    escrow = market.escrow.functions
    who = market.requester
    market.refused(escrow.postJob(SPEC, 5), who, "JobEscrow: payment required")
    market.refused(escrow.postJob(SPEC, 0), who, "JobEscrow: deadline must be at least one block",
                   PAYMENT)
    market.refused(escrow.postJob(SPEC, 10**6 + 1), who, "JobEscrow: deadline too far away",
                   PAYMENT)
    market.refused(escrow.depositStake(), market.provider, "JobEscrow: stake required")
    market.refused(escrow.withdrawStake(0), market.provider, "JobEscrow: amount must be positive")
    market.refused(escrow.withdrawStake(1), market.provider,
                   "JobEscrow: amount exceeds unlocked stake")
    for call in (escrow.assign(7, market.provider), escrow.submitResult(7, RESULT),
                 escrow.release(7), escrow.slash(7), escrow.refund(7)):
        market.refused(call, market.verifier, "JobEscrow: no such job")
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
    market.refused(escrow.assign(job_id, "0x" + "00" * 20), market.requester,
                   "JobEscrow: provider is the zero address")
    market.refused(escrow.submitResult(job_id, RESULT), market.provider,
                   "JobEscrow: only the assigned provider")
    market.refused(escrow.release(job_id), market.verifier, "JobEscrow: no result submitted")
    market.refused(escrow.slash(job_id), market.verifier, "JobEscrow: no result submitted")
    market.refused(escrow.refund(job_id), market.stranger, "JobEscrow: only the requester")
    market.refused(escrow.refund(job_id), market.requester, "JobEscrow: deadline not reached")


def test_an_assigned_job_refuses_wrong_callers_and_wrong_steps(market):
    escrow = market.escrow.functions
    job_id = market.assigned_job()
    market.refused(escrow.assign(job_id, market.provider), market.requester,
                   "JobEscrow: job not open")
    market.refused(escrow.submitResult(job_id, RESULT), market.stranger,
                   "JobEscrow: only the assigned provider")
    market.refused(escrow.submitResult(job_id, RESULT), market.requester,
                   "JobEscrow: only the assigned provider")
    market.refused(escrow.submitResult(job_id, b"\0" * 32), market.provider,
                   "JobEscrow: result hash is empty")
    market.refused(escrow.release(job_id), market.verifier, "JobEscrow: no result submitted")


def test_a_submitted_job_is_judged_by_the_verifier_only_and_only_once(market):
    escrow = market.escrow.functions
    job_id = market.submitted_job()
    market.refused(escrow.submitResult(job_id, RESULT), market.provider,
                   "JobEscrow: job not assigned")
    for who in (market.requester, market.provider, market.stranger):
        market.refused(escrow.release(job_id), who, "JobEscrow: only the verifier")
        market.refused(escrow.slash(job_id), who, "JobEscrow: only the verifier")
    market.send(escrow.release(job_id), market.verifier)
    market.refused(escrow.release(job_id), market.verifier, "JobEscrow: no result submitted")
    market.refused(escrow.slash(job_id), market.verifier, "JobEscrow: no result submitted")
    mine_blocks(market.w3, DEADLINE_BLOCKS)
    market.refused(escrow.refund(job_id), market.requester, "JobEscrow: job already settled")


def test_a_verifier_is_required_at_deployment(w3):
    with pytest.raises(Reverted, match="JobEscrow: verifier is the zero address"):
        deploy(w3, "JobEscrow", "0x" + "00" * 20)


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


# ---- property: random actions by random people never break the books ----

ACTIONS = {  # action: the person who would normally take it
    "post": "requester", "stake": "provider", "withdraw": "provider", "assign": "requester",
    "submit": "provider", "release": "verifier", "slash": "verifier", "refund": "requester",
}
AMOUNTS = (0, 1, COLLATERAL, PAYMENT, STAKE)


@functools.cache
def _in_memory_chain_with_an_escrow():
    market = Market(connect())
    market.post()  # job 1: open
    market.assigned_job()  # job 2: assigned
    market.submitted_job()  # job 3: submitted
    return market.w3, market.escrow, market.w3.provider.ethereum_tester.take_snapshot()


def _fresh_in_memory_market():
    """The same escrow for every example, reverted to three jobs: open, assigned, submitted."""
    w3, escrow, snapshot = _in_memory_chain_with_an_escrow()
    w3.provider.ethereum_tester.revert_to_snapshot(snapshot)
    return Market(w3, escrow)


def _call(market, action, job_id, amount, blocks):
    escrow = market.escrow.functions
    if action == "post":
        return escrow.postJob(SPEC, blocks), amount
    if action == "stake":
        return escrow.depositStake(), amount
    if action == "withdraw":
        return escrow.withdrawStake(amount), 0
    if action == "assign":  # to the provider, or to a stranger who has no stake
        return escrow.assign(job_id, market.stranger if amount == 0 else market.provider), 0
    if action == "submit":
        return escrow.submitResult(job_id, RESULT), 0
    return getattr(escrow, action)(job_id), 0  # release, slash, refund


a_step = st.tuples(
    st.sampled_from([*ACTIONS, "mine"]),
    st.one_of(st.none(), st.integers(0, 3)),  # who: None is the usual person, else anyone
    st.integers(1, 4),  # job id: 1 to 3 exist at the start
    st.sampled_from(AMOUNTS),  # wei sent, withdrawn, or 0 to assign to a stranger
    st.integers(1, 6),  # blocks to mine, or a posted job's deadline in blocks
)


@settings(max_examples=8, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(a_step, min_size=8, max_size=16))
@example([  # every success at least once, whatever the random examples happen to draw
    ("submit", None, 2, 0, 1), ("release", None, 2, 0, 1), ("slash", None, 3, 0, 1),
    ("stake", None, 1, PAYMENT, 1), ("post", None, 4, PAYMENT, 2), ("assign", None, 4, 1, 1),
    ("mine", None, 1, 0, 6), ("mine", None, 1, 0, 6), ("refund", None, 1, 0, 1),
    ("refund", None, 4, 0, 1), ("withdraw", None, 1, STAKE, 1),
])
def test_random_actions_by_random_people_keep_every_wei_accounted_for(steps):
    market = _fresh_in_memory_market()
    for action, who, job_id, amount, blocks in steps:
        if action == "mine":
            mine_blocks(market.w3, blocks)
            continue
        sender = getattr(market, ACTIONS[action]) if who is None else market.people[who]
        call, value = _call(market, action, job_id, amount, blocks)
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
    jobs = [market.job(job_id) for job_id in range(1, escrow.jobCount().call() + 1)]
    unsettled = [job for job in jobs if job["state"] in ("Open", "Assigned", "Submitted")]
    assert escrow.totalOpenPayments().call() == sum(job["payment"] for job in unsettled)

"""The runner's verdicts settle on JobEscrow end to end: real torch jobs run off chain, then
every run is posted and assigned on chain; a paid run commits its rows and is paid after the
dispute window, a caught run is challenged, opens its row and is voted wrong by the verifier
quorum, a lost run is refunded; every wei is accounted for (gas included) on the in-memory EVM
and on anvil."""

import json

import pytest
from web3 import Web3

from course.compute.jobs import JobSpec
from course.compute.onchain import (
    REFUND,
    RELEASE,
    SLASH,
    WEI_PER_CREDIT,
    OnChainError,
    OnChainEscrow,
    collateral_wei,
    credits_to_wei,
    keccak_proof,
    keccak_root,
    result_hash,
    result_rows,
    runs_to_settle,
    spec_hash,
    verdict,
    verify_row,
)
from course.compute.providers import Provider
from course.compute.runner import JobRecord, JobRunner
from course.compute.workloads import run_workload
from course.evm.deploy import Reverted, send

PROVIDERS = [
    Provider("ada", 10.0),  # honest
    Provider("bob", 12.0),  # honest, dearer
    Provider("cy", 8.0, behaviour="lazy"),  # cheapest: returns garbage
    Provider("dee", 9.0, behaviour="flaky", drop_rate=0.5),  # drops out half the time
]
JOBS = [JobSpec("matmul", {"size": 64, "seed": i}, max_price=50, redundancy=1 + i % 2)
        for i in range(4)]


@pytest.fixture(scope="module")
def run():
    """One run of real torch jobs (inline backend), shared by both chains."""
    with JobRunner(PROVIDERS, balances={"requester": 10_000}, backend="inline", seed=2,
                   spot_check_rate=1.0) as runner:
        return runner.run(JOBS)


class Books:
    """Everyone's ETH, counted before and after, with the gas each one paid."""

    def __init__(self, chain):
        self.chain = chain
        self.people = [chain.requester, *chain.verifiers, *chain.providers.values()]
        self.extra_gas = 0  # gas of transactions sent outside the bridge (withdrawals)
        self.start = {who: self.balance(who) for who in self.everyone()}

    def everyone(self):
        return [*self.people, self.chain.escrow.address]

    def balance(self, who):
        return self.chain.w3.eth.get_balance(who)

    def net_change(self, who):
        """ETH gained since the start, not counting the gas ``who`` paid through the bridge."""
        return self.balance(who) - self.start[who] + self.chain.gas_paid(who)

    def total_gas(self):
        return sum(self.chain.gas_paid(who) for who in self.people) + self.extra_gas

    def conserved(self):
        now = sum(self.balance(who) for who in self.everyone())
        return now + self.total_gas() == sum(self.start.values())


@pytest.fixture
def settled(w3, run):
    report = run
    chain = OnChainEscrow.deploy(w3, [p.name for p in PROVIDERS])
    books = Books(chain)
    chain.deposit_stakes(PROVIDERS)
    settlements = chain.settle_report(report)
    return chain, books, report, settlements


def test_the_run_has_every_kind_of_outcome(run):
    report = run
    verdicts = {r.verdict for r in runs_to_settle(report)}
    assert verdicts == {RELEASE, SLASH, REFUND}
    assert report.count("verified") == len(JOBS)
    assert set(report.slashed()) == {"cy"}


def test_every_run_becomes_one_on_chain_job_in_the_state_of_its_verdict(settled):
    chain, _, report, settlements = settled
    states = {RELEASE: "Paid", SLASH: "Slashed", REFUND: "Refunded"}
    assert [s.chain_job_id for s in settlements] == list(range(1, len(settlements) + 1))
    assert len(settlements) == len(report.runs())  # redundant jobs: one on-chain job per run
    for s in settlements:
        job = chain.job(s.chain_job_id)
        assert job["provider"] == chain.providers[s.run.provider]
        assert job["state"] == states[s.run.verdict]
        assert job["payment"] == s.payment_wei == s.run.price * WEI_PER_CREDIT
        assert job["specHash"] == spec_hash(s.run.job)
    slashed = sum(s.run.verdict == SLASH for s in settlements)
    counts = chain.event_counts()
    assert counts["JobPaid"] == sum(s.run.verdict == RELEASE for s in settlements)
    assert counts["JobSlashed"] == counts["Challenged"] == counts["RowOpened"] == slashed == 1
    assert counts["Voted"] == chain.quorum * slashed  # a quorum, never one key
    assert counts["JobRefunded"] == sum(s.run.verdict == REFUND for s in settlements) > 0
    assert counts["StakeDeposited"] == len(PROVIDERS)


def test_verified_work_is_paid_to_the_right_provider_against_its_committed_rows(settled):
    chain, _, report, settlements = settled
    paid = {}
    for event in chain.escrow.events.JobPaid().get_logs(from_block=chain.start_block):
        paid[event.args.provider] = paid.get(event.args.provider, 0) + event.args.payment
        assert event.args.bondTaken == 0  # the bridge challenges only caught runs
    expected = {chain.providers[name]: credits * WEI_PER_CREDIT
                for name, credits in report.earnings().items()}
    assert paid == expected
    for s in settlements:
        if s.run.verdict == REFUND:
            assert chain.job(s.chain_job_id)["resultRoot"] == b"\0" * 32  # nothing submitted
            continue
        job = chain.job(s.chain_job_id)
        assert (job["resultRoot"], job["rows"]) == (keccak_root(s.run.rows), len(s.run.rows))
        if s.run.verdict == RELEASE:
            record = report.records[s.run.job_id]
            assert record.paid[s.run.provider] == s.run.price
            assert s.run.rows == result_rows(record.results[s.run.provider])


def test_money_ends_where_the_verdicts_say_and_no_wei_appears_or_vanishes(settled):
    chain, books, report, settlements = settled
    escrow = chain.escrow.functions
    assert books.conserved()
    assert chain.w3.eth.get_balance(chain.escrow.address) == escrow.accountedBalance().call()
    assert escrow.totalOwed().call() == 0  # the bridge withdrew everything owed

    paid = sum(s.payment_wei for s in settlements if s.run.verdict == RELEASE)
    compensation = sum(s.collateral_wei for s in settlements if s.run.verdict == SLASH)
    assert compensation == collateral_wei(5 * WEI_PER_CREDIT, 50) > 0  # cy bid 5 credits
    assert books.net_change(chain.requester) == compensation - paid  # refunds, bond come back
    assert escrow.stakeOf(chain.providers["cy"]).call() == credits_to_wei(100) - compensation

    for name, address in chain.providers.items():  # every stake is free again: withdraw it
        stake = escrow.stakeOf(address).call()
        assert escrow.unlockedStakeOf(address).call() == stake
        receipt = send(chain.w3, escrow.withdrawStake(stake), sender=address)
        books.extra_gas += receipt["gasUsed"] * receipt["effectiveGasPrice"]
        earned = credits_to_wei(report.earnings().get(name, 0))
        lost = compensation if name == "cy" else 0
        assert books.net_change(address) + receipt["gasUsed"] * receipt[
            "effectiveGasPrice"] == earned - lost
    assert chain.w3.eth.get_balance(chain.escrow.address) == 0 == escrow.accountedBalance().call()
    assert books.conserved()


def test_no_job_is_settled_twice_and_no_result_is_refunded(settled):
    chain, books, _, settlements = settled
    escrow = chain.escrow.functions
    for s in settlements:
        with pytest.raises(Reverted, match="JobEscrow: nothing to settle"):
            send(chain.w3, escrow.settle(s.chain_job_id), sender=chain.requester)
        with pytest.raises(Reverted, match="JobEscrow: no opened row to judge"):
            send(chain.w3, escrow.vote(s.chain_job_id, False), sender=chain.verifiers[0])
        with pytest.raises(Reverted, match="JobEscrow: job already settled"):
            send(chain.w3, escrow.refund(s.chain_job_id), sender=chain.requester)
    assert books.conserved()


def test_a_refused_step_surfaces_the_contracts_reason(w3):
    chain = OnChainEscrow.deploy(w3, ["ada"])
    job_id = chain.post(JOBS[0], 3)
    with pytest.raises(Reverted, match="JobEscrow: provider stake too low"):
        chain.assign(job_id, "ada")  # ada has no stake yet
    chain.deposit_stakes([Provider("ada", stake=2)])  # 2 credits >= half of 3
    chain.assign(job_id, "ada")
    with pytest.raises(Reverted, match="JobEscrow: no unchallenged result"):
        chain.challenge(job_id, 0)
    with pytest.raises(Reverted, match="JobEscrow: deadline not reached"):
        send(w3, chain.escrow.functions.refund(job_id), sender=chain.requester)
    chain.refund_after_deadline([job_id])  # mines past the deadline first
    assert chain.event_counts()["JobRefunded"] == 1


def test_the_requester_cannot_take_back_a_result_committed_on_time(w3):
    chain = OnChainEscrow.deploy(w3, ["ada"])
    chain.deposit_stakes([Provider("ada", stake=10)])
    job_id = chain.post(JOBS[0], 4)
    chain.assign(job_id, "ada")
    rows = [b"row 0", b"row 1", b"row 2"]
    chain.submit(job_id, "ada", rows)
    chain.mine_past(chain.job(job_id)["deadline"])
    with pytest.raises(Reverted, match="JobEscrow: a result was submitted on time"):
        send(w3, chain.escrow.functions.refund(job_id), sender=chain.requester)
    # a lone verifier cannot act without a challenge either
    with pytest.raises(Reverted, match="JobEscrow: no opened row to judge"):
        chain.vote(job_id, row_is_right=False, voters=1)
    chain.settle_after_window([job_id])
    assert chain.job(job_id)["state"] == "Paid"


def test_a_challenged_row_needs_a_quorum_to_slash(w3):
    chain = OnChainEscrow.deploy(w3, ["ada"], verifiers=3, quorum=2)
    chain.deposit_stakes([Provider("ada", stake=10)])
    job_id = chain.post(JOBS[0], 4)
    chain.assign(job_id, "ada")
    rows = [b"row 0", b"row 1", b"row 2"]
    chain.submit(job_id, "ada", rows)
    chain.challenge(job_id, 2)
    chain.open_row(job_id, "ada", rows, 2)
    chain.vote(job_id, row_is_right=False, voters=1)
    assert chain.job(job_id)["state"] == "Opened"
    chain.settle_after_window([job_id])  # no quorum: the result stands, the bond goes back
    assert chain.job(job_id)["state"] == "Paid"
    assert chain.escrow.functions.owedTo(chain.requester).call() == credits_to_wei(4) // 10


def test_accounts_are_fixed_and_providers_sorted_by_name(w3):
    chain = OnChainEscrow.deploy(w3, ["dee", "ada", "cy"])
    accounts = w3.eth.accounts
    assert chain.requester == accounts[1] and chain.verifiers == accounts[2:5]
    assert chain.providers == {"ada": accounts[5], "cy": accounts[6], "dee": accounts[7]}
    assert (chain.quorum, chain.window_blocks) == (2, 3)
    assert chain.escrow.functions.verifierCount().call() == 3


@pytest.mark.parametrize("names, field", [
    ([], "provider_names"), (["ada", "ada"], "provider_names"),
    ([f"p{i}" for i in range(6)], "provider_names"),  # 10 accounts: 5 are left for providers
])
def test_bad_provider_lists_are_refused_naming_the_field(w3, names, field):
    with pytest.raises(OnChainError, match=field):
        OnChainEscrow.deploy(w3, names)


def test_bad_settings_and_unknown_providers_are_refused(w3):
    for options, field in [({"deadline_blocks": 1}, "deadline_blocks"),
                           ({"wei_per_credit": 0}, "wei_per_credit"),
                           ({"verifiers": 1}, "verifiers"), ({"verifiers": 8}, "verifiers"),
                           ({"quorum": 1}, "quorum"), ({"verifiers": 4, "quorum": 2}, "quorum"),
                           ({"window_blocks": 0}, "window_blocks")]:
        with pytest.raises(OnChainError, match=field):
            OnChainEscrow.deploy(w3, ["ada"], **options)
    chain = OnChainEscrow.deploy(w3, ["ada"])
    with pytest.raises(OnChainError, match="provider: 'zed'"):
        chain.assign(1, "zed")
    with pytest.raises(OnChainError, match="row_is_right"):
        chain.vote(1, "wrong")
    with pytest.raises(OnChainError, match="verifiers"):
        OnChainEscrow(w3, chain.escrow, chain.requester, [chain.requester], chain.providers)


# ---- the pure pieces (no chain needed) ----

def test_credits_become_wei_exactly_and_collateral_rounds_down_like_solidity():
    assert credits_to_wei(7) == 7 * 10**15 and credits_to_wei(0) == 0
    assert credits_to_wei(3, wei_per_credit=1) == 3
    assert collateral_wei(21, 33) == 6 and collateral_wei(2**70 + 1, 50) == 2**69
    for bad, field in [(-1, "credits"), (1.5, "credits"), (True, "credits")]:
        with pytest.raises(OnChainError, match=field):
            credits_to_wei(bad)
    with pytest.raises(OnChainError, match="payment_wei"):
        collateral_wei(-1, 50)


def test_the_spec_hash_is_keccak_of_canonical_json_and_ignores_key_order():
    job = JobSpec("matmul", {"size": 64, "seed": 3}, max_price=20)
    same = JobSpec("matmul", {"seed": 3, "size": 64}, max_price=20)
    canonical = json.dumps(job.to_dict(), sort_keys=True, separators=(",", ":"))
    assert spec_hash(job) == Web3.keccak(text=canonical) == spec_hash(same)
    assert len(spec_hash(job)) == 32
    assert spec_hash(job) != spec_hash(JobSpec("matmul", {"size": 64, "seed": 4}, max_price=20))
    with pytest.raises(OnChainError, match="job"):
        spec_hash(job.to_dict())


def test_the_rows_committed_on_chain_are_the_output_rows_or_the_fingerprint():
    result = run_workload("matmul", {"size": 16})
    rows = result_rows(result)
    committed = getattr(result, "committed", None)
    if committed is None:  # a result without rows of its own commits its fingerprint
        assert rows == (result_hash(result.fingerprint),)
    else:
        assert len(rows) == 16 and rows[3] == committed.rows[3].astype("float32").tobytes()
    with pytest.raises(OnChainError, match="result"):
        result_rows(result.fingerprint)


def test_the_keccak_merkle_tree_refuses_garbage_and_wrong_openings():
    rows = [b"a", b"b", b"c"]
    root = keccak_root(rows)
    assert verify_row(root, 2, 3, b"c", keccak_proof(rows, 2))
    assert not verify_row(root, 2, 3, b"d", keccak_proof(rows, 2))
    assert not verify_row(root, 1, 3, b"c", keccak_proof(rows, 2))
    assert not verify_row(root, 2, 3, b"c", keccak_proof(rows, 2)[:1])
    assert not verify_row(root, 3, 3, b"c", keccak_proof(rows, 2))
    for bad in ([], b"abc", ["a"], None):
        with pytest.raises(OnChainError, match="rows"):
            keccak_root(bad)
    with pytest.raises(OnChainError, match="index"):
        keccak_proof(rows, 3)


def test_the_result_hash_is_the_fingerprint_as_bytes32():
    fingerprint = run_workload("matmul", {"size": 16}).fingerprint
    assert result_hash(fingerprint) == bytes.fromhex(fingerprint) and len(
        result_hash(fingerprint)) == 32
    for bad in ("zz" * 32, "ab" * 31, None, b"\x01" * 32):
        with pytest.raises(OnChainError, match="fingerprint"):
            result_hash(bad)


def test_the_verdict_of_a_run_follows_the_record():
    record = JobRecord(0, JOBS[0], "requester", paid={"ada": 5}, slashed={"cy": 50})
    assert verdict(record, "ada", True) == RELEASE
    assert verdict(record, "cy", True) == SLASH
    assert verdict(record, "dee", False) == REFUND
    assert verdict(record, "ada", False) == REFUND  # a lost run before ada's paid one
    assert verdict(record, "bob", True) == REFUND  # a result nobody judged


def test_settling_something_that_is_not_a_report_is_refused():
    with pytest.raises(OnChainError, match="report: expected the RunReport"):
        runs_to_settle(None)


def test_the_report_keeps_every_run_with_its_price_and_result():
    with JobRunner(PROVIDERS[:1], balances={"requester": 100}, backend="inline") as runner:
        report = runner.run([JOBS[0]])
    (run,) = report.records[0].runs
    assert (run.provider, run.price) == ("ada", PROVIDERS[0].bid(JOBS[0]))
    assert run.result is not None and run.result == report.records[0].result

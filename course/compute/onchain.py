"""Settle the job runner's verdicts on chain, through the JobEscrow contract.

    chain = OnChainEscrow.deploy(connect(), [p.name for p in providers])
    chain.deposit_stakes(providers)
    with JobRunner(providers, balances={"requester": 1_000}, backend="inline") as runner:
        report = runner.run(jobs)
    settlements = chain.settle_report(report)

The runner decides off chain who ran what, what was verified and who cheated; this module
mirrors each decision on the contract. JobEscrow has one provider per job, so every *run* is
one on-chain job (a job with redundancy 2 is posted twice). The requester posts and assigns
it, the provider submits its result's hash, the verifier releases or slashes; a run without a
verdict (lost, or its job failed) is refunded once its deadline block has passed.

Taught in notebook 14.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from web3 import Web3
from web3.contract import Contract
from web3.types import TxReceipt

from course.compute.errors import OnChainError
from course.compute.events import RunReport
from course.compute.jobs import JobSpec
from course.compute.providers import Provider
from course.compute.runner import JobRecord
from course.display import Table
from course.errors import short_repr
from course.evm.chain_time import mine_blocks
from course.evm.deploy import deploy, send
from course.validation import (
    ensure,
    ensure_bool,
    ensure_choice,
    ensure_instance,
    ensure_int,
    ensure_text,
)

WEI_PER_CREDIT = 10**15  # 1 credit = 0.001 ETH
RELEASE, SLASH, REFUND = "release", "slash", "refund"
EVENTS = ("StakeDeposited", "JobPosted", "JobAssigned", "ResultSubmitted", "JobReleased",
          "JobSlashed", "JobRefunded")


def _whole(value: Any, name: str, minimum: int) -> int:
    return ensure_int(value, name, minimum=minimum, error=OnChainError)


# ---- the pieces: money, hashes, verdicts ----------------------------------------------------

def credits_to_wei(credits: int, wei_per_credit: int = WEI_PER_CREDIT) -> int:
    """The runner prices in whole credits, the contract in wei: multiply, exactly."""
    return _whole(credits, "credits", 0) * _whole(wei_per_credit, "wei_per_credit", 1)


def collateral_wei(payment_wei: int, collateral_percent: int) -> int:
    """What ``assign`` locks from the provider's stake: the contract's integer arithmetic."""
    _whole(collateral_percent, "collateral_percent", 0)
    return _whole(payment_wei, "payment_wei", 0) * collateral_percent // 100


def spec_hash(job: JobSpec) -> bytes:
    """The keccak-256 of the spec's canonical JSON (sorted keys, no spaces): equal specs, equal
    bytes, equal hash. This is what the requester posts on chain; the spec stays off chain."""
    ensure_instance(job, "job", JobSpec, error=OnChainError)
    return bytes(Web3.keccak(text=json.dumps(job.to_dict(), sort_keys=True,
                                             separators=(",", ":"))))


def result_hash(fingerprint: str) -> bytes:
    """A WorkResult's fingerprint (a SHA-256 in hex) as the 32 bytes ``submitResult`` takes."""
    ensure(isinstance(fingerprint, str) and len(fingerprint) == 64 and not fingerprint.strip(
        "0123456789abcdefABCDEF"), OnChainError, "fingerprint", fingerprint, "64 hex digits")
    return bytes.fromhex(fingerprint)


def verdict(record: JobRecord, provider: str, returned_result: bool) -> str:
    """What the chain does with one run: release (paid), slash (caught) or refund (no verdict).
    A run that returned nothing is refunded, even if its provider was paid for a later run."""
    ensure_instance(record, "record", JobRecord, error=OnChainError)
    ensure_text(provider, "provider", error=OnChainError)
    if not ensure_bool(returned_result, "returned_result", error=OnChainError):
        return REFUND
    if provider in record.paid:
        return RELEASE
    if provider in record.slashed:
        return SLASH
    return REFUND  # a result nobody judged: its job failed before a verdict


@dataclass(frozen=True)
class Run:
    """One run to settle on chain: one provider, one job, one verdict."""

    job_id: int  # the runner's job id
    job: JobSpec
    provider: str
    price: int  # credits
    result_hash: bytes | None  # None: the run returned nothing
    verdict: str


def runs_to_settle(report: RunReport) -> list[Run]:
    """Every run of the report (kept or lost), job by job, each with its on-chain verdict."""
    if not isinstance(report, RunReport):  # worded as tests/evm expects
        raise OnChainError(f"report: expected the RunReport of runner.run(...), got "
                           f"{short_repr(report)}")
    runs = []
    for record in report.records:
        for run in record.runs:
            returned = run.result is not None
            digest = None if run.result is None else result_hash(run.result.fingerprint)
            runs.append(Run(record.job_id, record.job, run.provider,
                            record.paid.get(run.provider, run.price) if returned else run.price,
                            digest, verdict(record, run.provider, returned)))
    return runs


# ---- the contract side ----------------------------------------------------------------------

@dataclass(frozen=True)
class Settlement:
    """One run as settled on chain."""

    chain_job_id: int
    run: Run
    payment_wei: int
    collateral_wei: int


@dataclass
class OnChainEscrow:
    """A deployed JobEscrow and who plays which part, with every receipt kept for gas reports.

    Accounts are fixed: ``w3.eth.accounts[1]`` is the requester, ``[2]`` the verifier, and
    providers take ``[3]``, ``[4]``... in alphabetical order of their names.
    """

    w3: Web3
    escrow: Contract
    requester: str
    verifier: str
    providers: dict[str, str]  # provider name -> address
    wei_per_credit: int = WEI_PER_CREDIT
    deadline_blocks: int = 10
    receipts: list[tuple[str, TxReceipt]] = field(default_factory=list)  # (step, receipt)

    def __post_init__(self) -> None:
        _whole(self.wei_per_credit, "wei_per_credit", 1)
        _whole(self.deadline_blocks, "deadline_blocks", 2)  # assign and submit come 1, 2 later
        ensure(self.escrow.functions.verifier().call() == self.verifier, OnChainError,
               "verifier", self.verifier, "the escrow's verifier")
        self.start_block = self.w3.eth.block_number
        self.collateral_percent = self.escrow.functions.COLLATERAL_PERCENT().call()

    @classmethod
    def deploy(cls, w3: Web3, provider_names: Iterable[str], **options: Any) -> OnChainEscrow:
        """Deploy a JobEscrow (from account 0) and give everyone their fixed account."""
        names = sorted(provider_names)
        accounts: list[str] = list(w3.eth.accounts)
        ensure(0 < len(set(names)) == len(names) <= len(accounts) - 3, OnChainError,
               "provider_names", names, f"1 to {len(accounts) - 3} unique names",
               f"the node has {len(accounts)} accounts")
        escrow = deploy(w3, "JobEscrow", accounts[2], sender=accounts[0])
        providers: dict[str, str] = dict(zip(names, accounts[3:], strict=False))
        return cls(w3, escrow, accounts[1], accounts[2], providers, **options)

    def address(self, provider: str) -> str:
        if not isinstance(provider, str) or provider not in self.providers:
            raise OnChainError(f"provider: {short_repr(provider)} has no account here; known: "
                               f"{sorted(self.providers)}")
        return self.providers[provider]

    def _send(self, step: str, call: Any, sender: str, value: int = 0) -> TxReceipt:
        receipt = send(self.w3, call, sender=sender, value=value)  # a revert raises Reverted
        self.receipts.append((step, receipt))
        return receipt

    # one method per contract function, each sent by whoever may call it
    def deposit_stakes(self, providers: Sequence[Provider]) -> None:
        """Each provider stakes its ``stake`` credits, in wei (a zero stake is skipped)."""
        for provider in providers:
            if provider.stake:
                self._send("depositStake", self.escrow.functions.depositStake(),
                           self.address(provider.name),
                           credits_to_wei(provider.stake, self.wei_per_credit))

    def withdraw_stakes(self) -> None:
        """Every provider takes back the part of its stake that no unsettled job locks."""
        for address in self.providers.values():
            free = self.escrow.functions.unlockedStakeOf(address).call()
            if free:
                self._send("withdrawStake", self.escrow.functions.withdrawStake(free), address)

    def post(self, job: JobSpec, price: int) -> int:
        """The requester posts ``job`` paying ``price`` credits; returns the on-chain job id."""
        call = self.escrow.functions.postJob(spec_hash(job), self.deadline_blocks)
        receipt = self._send("postJob", call, self.requester,
                             credits_to_wei(price, self.wei_per_credit))
        (posted,) = self.escrow.events.JobPosted().process_receipt(receipt)
        return int(posted.args.jobId)

    def assign(self, chain_job_id: int, provider: str) -> None:
        call = self.escrow.functions.assign(chain_job_id, self.address(provider))
        self._send("assign", call, self.requester)

    def submit(self, chain_job_id: int, provider: str, digest: bytes) -> None:
        call = self.escrow.functions.submitResult(chain_job_id, digest)
        self._send("submitResult", call, self.address(provider))

    def judge(self, chain_job_id: int, decision: str) -> None:
        """The verifier releases or slashes a submitted job."""
        ensure_choice(decision, "decision", (RELEASE, SLASH), error=OnChainError)
        self._send(decision, getattr(self.escrow.functions, decision)(chain_job_id),
                   self.verifier)

    def refund_after_deadline(self, chain_job_ids: Sequence[int]) -> None:
        """Mine blocks until every deadline has passed, then the requester takes back each."""
        if not chain_job_ids:
            return
        last = max(self.escrow.functions.jobs(i).call()[5] for i in chain_job_ids)  # deadline
        if last >= self.w3.eth.block_number:
            mine_blocks(self.w3, last - self.w3.eth.block_number + 1)
        for chain_job_id in chain_job_ids:
            self._send("refund", self.escrow.functions.refund(chain_job_id), self.requester)

    def settle(self, runs: Sequence[Run]) -> list[Settlement]:
        """Post, assign, submit and judge every run; refund the ones without a verdict last."""
        settlements, to_refund = [], []
        for run in runs:
            chain_job_id = self.post(run.job, run.price)
            self.assign(chain_job_id, run.provider)
            if run.result_hash is not None:
                self.submit(chain_job_id, run.provider, run.result_hash)
            if run.verdict == REFUND:
                to_refund.append(chain_job_id)
            else:
                self.judge(chain_job_id, run.verdict)
            payment = credits_to_wei(run.price, self.wei_per_credit)
            settlements.append(Settlement(chain_job_id, run, payment,
                                          collateral_wei(payment, self.collateral_percent)))
        self.refund_after_deadline(to_refund)
        return settlements

    def settle_report(self, report: RunReport) -> list[Settlement]:
        """Mirror a whole RunReport on chain: every run posted, assigned, judged or refunded."""
        return self.settle(runs_to_settle(report))

    # ---- reading it back ----

    def gas_paid(self, address: str) -> int:
        """Wei that ``address`` paid in gas for the transactions sent through this object."""
        return sum(r["gasUsed"] * r["effectiveGasPrice"] for _, r in self.receipts
                   if r["from"] == address)

    def gas_by_step(self) -> list[tuple[str, int]]:
        """(step, mean gas) per contract function called: rows for ``gas_report``."""
        used: dict[str, list[int]] = {}
        for step, receipt in self.receipts:
            used.setdefault(step, []).append(receipt["gasUsed"])
        return [(f"{step} (x{len(gas)})", round(sum(gas) / len(gas)))
                for step, gas in used.items()]

    def event_counts(self) -> dict[str, int]:
        """How many of each JobEscrow event the chain logged since this object was made."""
        return {name: len(getattr(self.escrow.events, name)().get_logs(
            from_block=self.start_block)) for name in EVENTS}


def settlements_table(settlements: Sequence[Settlement]) -> Table:
    """One row per on-chain job: which run it mirrors, its verdict, the wei at stake."""
    ensure(isinstance(settlements, Sequence) and all(
        isinstance(s, Settlement) for s in settlements), OnChainError, "settlements",
        settlements, "a list of Settlement objects, from settle(...)")
    rows = [(s.chain_job_id, s.run.job_id, s.run.provider, s.run.price,
             f"{s.payment_wei / 10**18:.3f}", f"{s.collateral_wei / 10**18:.4f}", s.run.verdict)
            for s in settlements]
    return Table(("on-chain job", "runner job", "provider", "credits", "payment (ETH)",
                  "collateral (ETH)", "verdict"), rows)

"""Settle the job runner's verdicts on chain, through the JobEscrow contract.

    chain = OnChainEscrow.deploy(connect(), [p.name for p in providers])
    chain.deposit_stakes(providers)
    with JobRunner(providers, balances={"requester": 1_000}, backend="inline") as runner:
        report = runner.run(jobs)
    settlements = chain.settle_report(report)

The runner decides off chain who ran what, what was verified and who cheated; this module
mirrors each decision on the contract. JobEscrow has one provider per job, so every *run* is
one on-chain job (a job with redundancy 2 is posted twice). The requester posts and assigns
it; the provider commits to its output (a keccak-256 Merkle root over the output's rows).
A run the runner paid is left unchallenged and settled after the dispute window; a run the
runner caught is challenged on one row, the provider opens that row with a Merkle proof the
contract checks, and the verifier quorum votes it wrong; a run without a verdict (lost, or its
job failed) submits nothing and is refunded once its deadline block has passed.

The keccak Merkle tree here follows notebook 01's rules (a parent hashes left ++ right, an odd
last node pairs with itself) with Ethereum's keccak-256 instead of double SHA-256, so that the
contract can check a proof (``JobEscrow.merkleRoot``). A leaf is keccak256(index as 32 bytes ++
the row's bytes); a row is the float32 bytes of one output row.

Taught in notebook 16.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from web3 import Web3
from web3.contract import Contract
from web3.types import TxReceipt

from course.compute.errors import OnChainError
from course.compute.events import RunReport
from course.compute.jobs import JobSpec
from course.compute.providers import Provider
from course.compute.runner import JobRecord
from course.compute.workloads import WorkResult
from course.display import Table
from course.errors import short_repr
from course.evm.chain_time import mine_blocks
from course.evm.deploy import deploy, send
from course.validation import (
    ensure,
    ensure_bool,
    ensure_instance,
    ensure_int,
    ensure_text,
)

WEI_PER_CREDIT = 10**15  # 1 credit = 0.001 ETH
RELEASE, SLASH, REFUND = "release", "slash", "refund"
STATES = ("None", "Open", "Assigned", "Submitted", "Challenged", "Opened", "Paid", "Slashed",
          "Refunded")  # JobEscrow.State, in order
EVENTS = ("StakeDeposited", "JobPosted", "JobAssigned", "ResultSubmitted", "Challenged",
          "RowOpened", "Voted", "JobPaid", "JobSlashed", "JobRefunded", "Withdrawn")


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
    """A WorkResult's fingerprint (a SHA-256 in hex) as 32 bytes: the single row committed for
    a result that has no rows of its own (see ``result_rows``)."""
    ensure(isinstance(fingerprint, str) and len(fingerprint) == 64 and not fingerprint.strip(
        "0123456789abcdefABCDEF"), OnChainError, "fingerprint", fingerprint, "64 hex digits")
    return bytes.fromhex(fingerprint)


# ---- a keccak Merkle tree over rows: what the contract can check -----------------------------

def _rows(rows: Sequence[bytes]) -> list[bytes]:
    ensure(isinstance(rows, Sequence) and not isinstance(rows, bytes | str) and len(rows) > 0
           and all(isinstance(r, bytes) for r in rows), OnChainError, "rows", rows,
           "a non-empty list of bytes, one per output row")
    return list(rows)


def leaf_hash(index: int, row: bytes) -> bytes:
    """keccak256(index as 32 big-endian bytes ++ row): the contract's ``leafHash``."""
    index = _whole(index, "index", 0)
    ensure_instance(row, "row", bytes, error=OnChainError)
    return bytes(Web3.keccak(index.to_bytes(32, "big") + row))


def _parents(level: list[bytes]) -> list[bytes]:
    padded = level + [level[-1]] if len(level) % 2 else level  # an odd last node: itself
    return [bytes(Web3.keccak(padded[i] + padded[i + 1])) for i in range(0, len(padded), 2)]


def keccak_levels(rows: Sequence[bytes]) -> list[list[bytes]]:
    """Every level of the tree over ``rows``, leaves first, ``[root]`` last."""
    levels = [[leaf_hash(i, row) for i, row in enumerate(_rows(rows))]]
    while len(levels[-1]) > 1:
        levels.append(_parents(levels[-1]))
    return levels


def keccak_root(rows: Sequence[bytes]) -> bytes:
    """The Merkle root a provider submits: one 32-byte commitment to every row."""
    return keccak_levels(rows)[-1][0]


def keccak_proof(rows: Sequence[bytes], index: int) -> list[bytes]:
    """The siblings from row ``index``'s leaf up to the root: what ``openRow`` takes."""
    levels = keccak_levels(rows)
    index = ensure_int(index, "index", minimum=0, maximum=len(levels[0]) - 1, error=OnChainError)
    proof = []
    for level in levels[:-1]:
        sibling = index ^ 1
        proof.append(level[sibling] if sibling < len(level) else level[index])
        index //= 2
    return proof


def verify_row(root: bytes, index: int, rows: int, row: bytes, proof: Sequence[bytes]) -> bool:
    """The contract's check in Python: do ``row`` and ``proof`` lead to ``root``?"""
    index, rows = _whole(index, "index", 0), _whole(rows, "rows", 1)
    if index >= rows or not isinstance(row, bytes) or not all(
            isinstance(p, bytes) and len(p) == 32 for p in proof):
        return False
    node, width, depth = leaf_hash(index, row), rows, 0
    while width > 1:
        if depth >= len(proof):
            return False
        sibling = proof[depth]
        if index % 2:
            node = bytes(Web3.keccak(sibling + node))
        else:
            if index == width - 1 and sibling != node:
                return False
            node = bytes(Web3.keccak(node + sibling))
        index, width, depth = index // 2, (width + 1) // 2, depth + 1
    return depth == len(proof) and node == root


def result_rows(result: WorkResult) -> tuple[bytes, ...]:
    """The rows a provider commits to on chain: the float32 bytes of each output row it
    committed to off chain, or, for a result without such a commitment, one row holding its
    fingerprint."""
    ensure_instance(result, "result", WorkResult, error=OnChainError)
    committed = getattr(result, "committed", None)
    rows = getattr(committed, "rows", None)
    if isinstance(rows, np.ndarray) and rows.ndim == 2 and rows.shape[0] > 0:
        return tuple(np.asarray(row, dtype=np.float32).tobytes() for row in rows)
    return (result_hash(result.fingerprint),)


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
    rows: tuple[bytes, ...] | None  # the output rows committed on chain; None: nothing returned
    verdict: str
    challenged_row: int = 0  # the row a slashed run is challenged on

    @property
    def result_root(self) -> bytes | None:
        """The Merkle root the provider commits to on chain (None: the run returned nothing)."""
        return None if self.rows is None else keccak_root(self.rows)


def runs_to_settle(report: RunReport) -> list[Run]:
    """Every run of the report (kept or lost), job by job, each with its on-chain verdict."""
    if not isinstance(report, RunReport):  # worded as tests/evm expects
        raise OnChainError(f"report: expected the RunReport of runner.run(...), got "
                           f"{short_repr(report)}")
    runs = []
    for record in report.records:
        for run in record.runs:
            returned = run.result is not None
            rows = None if run.result is None else result_rows(run.result)
            runs.append(Run(record.job_id, record.job, run.provider,
                            record.paid.get(run.provider, run.price) if returned else run.price,
                            rows, verdict(record, run.provider, returned)))
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

    Accounts are fixed: ``w3.eth.accounts[1]`` is the requester, the next ones the verifiers
    (three by default, ``[2]``, ``[3]``, ``[4]``), and the providers take the accounts after
    them in alphabetical order of their names.
    """

    w3: Web3
    escrow: Contract
    requester: str
    verifiers: list[str]
    providers: dict[str, str]  # provider name -> address
    wei_per_credit: int = WEI_PER_CREDIT
    deadline_blocks: int = 10
    receipts: list[tuple[str, TxReceipt]] = field(default_factory=list)  # (step, receipt)

    def __post_init__(self) -> None:
        _whole(self.wei_per_credit, "wei_per_credit", 1)
        _whole(self.deadline_blocks, "deadline_blocks", 2)  # assign and submit come 1, 2 later
        functions = self.escrow.functions
        on_chain = [functions.verifiers(i).call() for i in range(
            functions.verifierCount().call())]
        ensure(list(self.verifiers) == on_chain, OnChainError, "verifiers", self.verifiers,
               "the escrow's verifiers, in order")
        self.quorum = functions.quorum().call()
        self.window_blocks = functions.windowBlocks().call()
        self.start_block = self.w3.eth.block_number
        self.collateral_percent = functions.COLLATERAL_PERCENT().call()

    @classmethod
    def deploy(cls, w3: Web3, provider_names: Iterable[str], verifiers: int = 3,
               quorum: int = 2, window_blocks: int = 3, **options: Any) -> OnChainEscrow:
        """Deploy a JobEscrow (from account 0) with ``quorum`` of ``verifiers`` verifier keys
        and windows of ``window_blocks`` blocks, and give everyone their fixed account."""
        names = sorted(provider_names)
        accounts: list[str] = list(w3.eth.accounts)
        count = _whole(verifiers, "verifiers", 2)
        ensure(count <= len(accounts) - 3, OnChainError, "verifiers", count,
               f"2 to {len(accounts) - 3} verifier accounts", f"the node has {len(accounts)}")
        quorum = ensure_int(quorum, "quorum", minimum=count // 2 + 1, maximum=count,
                            meaning="votes needed: more than half of the verifiers",
                            error=OnChainError)
        window = _whole(window_blocks, "window_blocks", 1)
        first = 2 + count  # the first provider's account
        ensure(0 < len(set(names)) == len(names) <= len(accounts) - first, OnChainError,
               "provider_names", names, f"1 to {len(accounts) - first} unique names",
               f"the node has {len(accounts)} accounts")
        keys = accounts[2:first]
        escrow = deploy(w3, "JobEscrow", keys, quorum, window, sender=accounts[0])
        providers: dict[str, str] = dict(zip(names, accounts[first:], strict=False))
        return cls(w3, escrow, accounts[1], keys, providers, **options)

    def address(self, provider: str) -> str:
        if not isinstance(provider, str) or provider not in self.providers:
            raise OnChainError(f"provider: {short_repr(provider)} has no account here; known: "
                               f"{sorted(self.providers)}")
        return self.providers[provider]

    def job(self, chain_job_id: int) -> dict[str, Any]:
        """The on-chain job as a dict of its fields, with its state by name."""
        fields = self.escrow.functions.jobs(chain_job_id).call()
        names = [c["name"] for c in self.escrow.functions.jobs.abi["outputs"][0]["components"]]
        job = dict(zip(names, fields, strict=True))
        job["state"] = STATES[job["state"]]
        return job

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

    def withdraw_owed(self) -> None:
        """The requester and every provider take what verdicts and refunds credited them."""
        for address in (self.requester, *self.providers.values()):
            if self.escrow.functions.owedTo(address).call():
                self._send("withdraw", self.escrow.functions.withdraw(), address)

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

    def submit(self, chain_job_id: int, provider: str, rows: Sequence[bytes]) -> None:
        """The provider commits to its output rows: their keccak Merkle root and their count."""
        call = self.escrow.functions.submitResult(chain_job_id, keccak_root(rows), len(rows))
        self._send("submitResult", call, self.address(provider))

    def challenge(self, chain_job_id: int, row: int) -> None:
        """The requester disputes one row, posting the bond the contract asks for."""
        bond = self.escrow.functions.bondFor(chain_job_id).call()
        self._send("challenge", self.escrow.functions.challenge(chain_job_id, row),
                   self.requester, bond)

    def open_row(self, chain_job_id: int, provider: str, rows: Sequence[bytes], row: int) -> None:
        """The provider opens row ``row``: its bytes and its Merkle proof."""
        call = self.escrow.functions.openRow(chain_job_id, rows[row], keccak_proof(rows, row))
        self._send("openRow", call, self.address(provider))

    def vote(self, chain_job_id: int, row_is_right: bool, voters: int | None = None) -> None:
        """The first ``voters`` verifiers (default: a quorum) vote on the opened row."""
        ensure_bool(row_is_right, "row_is_right", error=OnChainError)
        count = self.quorum if voters is None else ensure_int(
            voters, "voters", minimum=1, maximum=len(self.verifiers), error=OnChainError)
        for verifier in self.verifiers[:count]:
            self._send("vote", self.escrow.functions.vote(chain_job_id, row_is_right), verifier)

    def mine_past(self, last_block: int) -> None:
        """Mine empty blocks until ``last_block`` is in the past."""
        if last_block >= self.w3.eth.block_number:
            mine_blocks(self.w3, last_block - self.w3.eth.block_number + 1)

    def settle_after_window(self, chain_job_ids: Sequence[int]) -> None:
        """Mine past every window, then settle each job (anyone may; here the provider does)."""
        if not chain_job_ids:
            return
        self.mine_past(max(self.job(i)["windowEnd"] for i in chain_job_ids))
        for chain_job_id in chain_job_ids:
            provider = self.job(chain_job_id)["provider"]
            self._send("settle", self.escrow.functions.settle(chain_job_id), provider)

    def refund_after_deadline(self, chain_job_ids: Sequence[int]) -> None:
        """Mine blocks until every deadline has passed, then the requester takes back each."""
        if not chain_job_ids:
            return
        self.mine_past(max(self.job(i)["deadline"] for i in chain_job_ids))
        for chain_job_id in chain_job_ids:
            self._send("refund", self.escrow.functions.refund(chain_job_id), self.requester)

    def settle(self, runs: Sequence[Run]) -> list[Settlement]:
        """Post and assign every run. A paid run commits its rows and is settled after the
        dispute window; a slashed run commits, is challenged, opens the row and is voted wrong;
        a run without a verdict commits nothing and is refunded after its deadline. Last,
        everyone withdraws what the verdicts credited them."""
        settlements, to_pay, to_refund = [], [], []
        for run in runs:
            ensure_instance(run, "run", Run, error=OnChainError)
            chain_job_id = self.post(run.job, run.price)
            self.assign(chain_job_id, run.provider)
            if run.verdict == REFUND or run.rows is None:
                to_refund.append(chain_job_id)
            else:
                self.submit(chain_job_id, run.provider, run.rows)
                if run.verdict == SLASH:
                    self.challenge(chain_job_id, run.challenged_row)
                    self.open_row(chain_job_id, run.provider, run.rows, run.challenged_row)
                    self.vote(chain_job_id, row_is_right=False)
                else:
                    to_pay.append(chain_job_id)
            payment = credits_to_wei(run.price, self.wei_per_credit)
            settlements.append(Settlement(chain_job_id, run, payment,
                                          collateral_wei(payment, self.collateral_percent)))
        self.settle_after_window(to_pay)
        self.refund_after_deadline(to_refund)
        self.withdraw_owed()
        return settlements

    def settle_report(self, report: RunReport) -> list[Settlement]:
        """Mirror a whole RunReport on chain: every run posted, assigned and settled."""
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

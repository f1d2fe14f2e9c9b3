"""The states a job, a run and an event can be in: a fixed vocabulary instead of loose strings.

Taught in notebook 13. Each is a ``StrEnum``, so ``JobStatus.VERIFIED == "verified"`` and it
prints as ``verified``: tables and comparisons with plain strings work as before.
"""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    """Where a job is: still running, or finished with a verdict."""

    RUNNING = "running"
    VERIFIED = "verified"  # a result was accepted and its providers paid
    FAILED = "failed"  # no result was accepted; the escrow went back to the requester
    INVALID = "invalid"  # the job's true output is not finite (NaN/inf): providers are paid


class RunOutcome(StrEnum):
    """How one run of one provider ended, as reputation counts it."""

    VERIFIED = "verified"  # its result was accepted
    FAILED = "failed"  # dropped out, timed out, or its worker died twice
    CHEATED = "cheated"  # its result was caught wrong


class EventKind(StrEnum):
    """What an entry of the event log records."""

    MATCHED = "matched"  # a provider won the job's auction
    RUN = "run"  # a run returned a result
    LOST = "lost"  # a run dropped out, timed out or its worker died
    REASSIGNED = "reassigned"  # a lost or wrong run went to another provider
    SLASHED = "slashed"  # a provider caught cheating lost stake
    PAID = "paid"  # a provider was paid from the escrow
    VERIFIED = "verified"  # the job's result was accepted
    FAILED = "failed"  # the job ended without a result; its escrow was refunded
    INVALID = "invalid"  # the job's true output is not finite; its honest providers were paid
    CHALLENGED = "challenged"  # the verifier recomputed rows of a result (or all of them)
    UNMATCHED = "unmatched"  # nobody could take the job (or its requester could not pay)

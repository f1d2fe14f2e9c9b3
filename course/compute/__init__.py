"""The toy GPU job runner: real torch workloads on a decentralized compute market.

Providers bid for jobs, an escrow holds the requester's money, redundant runs and spot
checks verify results, cheaters lose their stake, and a ``JobRunner`` runs it all on a
local process pool or on Ray. Taught in notebooks 12-16 (each module names its own).
"""

from course.compute.errors import (
    AlreadySettled,
    InsufficientCredits,
    JobSpecError,
    LedgerError,
    NoProviderError,
    ProviderError,
)
from course.compute.escrow import Ledger
from course.compute.events import Event, RunReport
from course.compute.jobs import JobSpec
from course.compute.market import Bid, collect_bids, match
from course.compute.providers import Provider
from course.compute.reputation import Reputation
from course.compute.runner import JobRunner
from course.compute.states import EventKind, JobStatus, RunOutcome
from course.compute.workloads import WORKLOADS, WorkResult, run_workload
from course.errors import ComputeError

__all__ = [
    "WORKLOADS",
    "AlreadySettled",
    "Bid",
    "ComputeError",
    "Event",
    "EventKind",
    "InsufficientCredits",
    "JobRunner",
    "JobSpec",
    "JobSpecError",
    "JobStatus",
    "Ledger",
    "LedgerError",
    "NoProviderError",
    "Provider",
    "ProviderError",
    "Reputation",
    "RunOutcome",
    "RunReport",
    "WorkResult",
    "collect_bids",
    "match",
    "run_workload",
]

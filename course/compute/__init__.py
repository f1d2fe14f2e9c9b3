"""The toy GPU job runner: real torch workloads on a decentralized compute market.

Providers bid for jobs, an escrow holds the requester's money, redundant runs and spot
checks verify results, cheaters lose their stake, and a ``JobRunner`` runs it all on a
local process pool or on Ray.
"""

from course.compute.escrow import AlreadySettled, InsufficientFunds, Ledger, LedgerError
from course.compute.events import Event, RunReport
from course.compute.jobs import JobSpec, JobSpecError
from course.compute.market import Bid, NoProviderError, collect_bids, match
from course.compute.providers import Provider, ProviderError
from course.compute.reputation import Reputation
from course.compute.runner import JobRunner
from course.compute.workloads import WORKLOADS, WorkResult, run_workload

__all__ = [
    "WORKLOADS",
    "AlreadySettled",
    "Bid",
    "Event",
    "InsufficientFunds",
    "JobRunner",
    "JobSpec",
    "JobSpecError",
    "Ledger",
    "LedgerError",
    "NoProviderError",
    "Provider",
    "ProviderError",
    "Reputation",
    "RunReport",
    "WorkResult",
    "collect_bids",
    "match",
    "run_workload",
]

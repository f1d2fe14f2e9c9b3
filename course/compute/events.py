"""The event log of a run and the report built from it: tables a learner can read, data to plot.

Event kinds are the ``EventKind`` values: ``matched``, ``run`` (a run that returned a
result), ``lost`` (dropped out, timed out or its worker died), ``reassigned``, ``slashed``,
``paid``, ``verified``, ``failed`` and ``unmatched``. Times are simulated seconds.

Taught in notebooks 13 and 14.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from course.compute.errors import RunnerError
from course.compute.states import EventKind, JobStatus
from course.display import Table
from course.validation import ensure_choice, ensure_text

if TYPE_CHECKING:
    from course.compute.escrow import Ledger
    from course.compute.reputation import Reputation
    from course.compute.runner import JobRecord


@dataclass(frozen=True)
class Event:
    """One thing that happened to a job, at a simulated time."""

    time: float
    kind: EventKind
    job_id: int
    provider: str = ""
    detail: str = ""
    duration: float = 0.0


@dataclass
class RunReport:
    """What ``JobRunner.run`` returns: one record per job, the event log, ledger, reputation."""

    records: Sequence[JobRecord]
    events: list[Event]
    ledger: Ledger
    reputation: Reputation

    def count(self, status: JobStatus | str) -> int:
        """How many jobs ended with ``status`` (``"verified"`` or ``"failed"``)."""
        ensure_choice(status, "status", [s.value for s in JobStatus], error=RunnerError)
        return sum(record.status == status for record in self.records)

    def earnings(self) -> dict[str, int]:
        """Credits each provider was paid in this run (providers paid nothing are left out)."""
        return self._per_provider("paid")

    def slashed(self) -> dict[str, int]:
        """Credits of stake each provider lost in this run."""
        return self._per_provider("slashed")

    def _per_provider(self, field_name: str) -> dict[str, int]:
        """Sum one per-job {provider: credits} field of the records over all jobs."""
        totals: Counter[str] = Counter()
        for record in self.records:
            totals.update(getattr(record, field_name))
        return dict(sorted(totals.items()))

    def runs(self, provider: str | None = None) -> list[Event]:
        """Every run (kept or lost), optionally of one provider: the bars of a Gantt chart."""
        if provider is not None:
            ensure_text(provider, "provider", error=RunnerError)
        return [event for event in self.events if event.kind in (EventKind.RUN, EventKind.LOST)
                and (provider is None or event.provider == provider)]

    def makespan(self) -> float:
        """Simulated seconds from the first run's start to the last run's end."""
        runs = self.runs()
        return max((event.time + event.duration for event in runs), default=0.0)

    def jobs_table(self) -> Table:
        """One row per job: status, who was paid, who was slashed, what was refunded."""
        rows = []
        for record in self.records:
            paid = ", ".join(f"{p} {a}" for p, a in sorted(record.paid.items())) or "-"
            slashed = ", ".join(f"{p} {a}" for p, a in sorted(record.slashed.items())) or "-"
            rows.append((record.job_id, record.job.name or record.job.workload, record.status,
                         record.attempts, paid, slashed, record.refunded))
        return Table(("job", "workload", "status", "runs", "paid", "slashed", "refunded"), rows)

    def providers_table(self) -> Table:
        """One row per provider: runs kept and lost, credits earned and slashed, reputation."""
        names = sorted(set(self.ledger.stakes) | {e.provider for e in self.events if e.provider})
        earned, slashed = self.earnings(), self.slashed()
        rows = []
        for name in names:
            kept = sum(e.kind == EventKind.RUN and e.provider == name for e in self.events)
            lost = sum(e.kind == EventKind.LOST and e.provider == name for e in self.events)
            rows.append((name, kept, lost, earned.get(name, 0), slashed.get(name, 0),
                         self.ledger.stake(name), f"{self.reputation.score(name):.2f}"))
        return Table(("provider", "runs", "lost", "earned", "slashed", "stake now",
                      "reputation"), rows)

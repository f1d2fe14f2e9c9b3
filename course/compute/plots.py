"""Pictures of a run: a Gantt chart of jobs per provider, earnings, and verification outcomes.

Taught in notebooks 13 and 14.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from course.compute.errors import RunnerError
from course.compute.events import RunReport
from course.compute.states import EventKind
from course.validation import ensure_instance

RUN_COLORS = {EventKind.RUN: "#2ca02c", EventKind.LOST: "#d62728"}


def _axes(report: RunReport, ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """Check the arguments every plot takes; the axes to draw on (new ones by default)."""
    ensure_instance(report, "report", RunReport, rule="the RunReport of runner.run(...)",
                    error=RunnerError)
    if ax is not None:
        return ensure_instance(ax, "ax", Axes, rule="matplotlib Axes, or None for new ones",
                               error=RunnerError)
    return plt.subplots(figsize=figsize)[1]


def plot_gantt(report: RunReport, ax: Axes | None = None) -> Axes:
    """One row per provider, one bar per run (green: a result, red: lost), job ids on the bars."""
    ax = _axes(report, ax, (9, 3.5))
    providers = sorted({event.provider for event in report.runs()})
    for row, provider in enumerate(providers):
        for event in report.runs(provider):
            ax.broken_barh([(event.time, event.duration)], (row - 0.4, 0.8),
                           facecolors=RUN_COLORS[event.kind], edgecolor="white")
            if event.duration > report.makespan() / 40:
                ax.text(event.time + event.duration / 2, row, str(event.job_id),
                        ha="center", va="center", fontsize=7, color="white")
    cheated = {p for record in report.records for p in record.slashed}
    ax.set_yticks(range(len(providers)),
                  [f"{p} (slashed)" if p in cheated else p for p in providers])
    ax.set_xlabel("simulated time (s)")
    ax.set_title("Jobs per provider")
    ax.legend(handles=[Patch(color=RUN_COLORS[EventKind.RUN], label="returned a result"),
                       Patch(color=RUN_COLORS[EventKind.LOST], label="lost (dropped, late, died)")],
              loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return ax


def plot_earnings(report: RunReport, ax: Axes | None = None) -> Axes:
    """Credits earned (up) and stake slashed (down) per provider."""
    ax = _axes(report, ax, (7, 3))
    names = sorted(set(report.ledger.stakes))
    earned, slashed = report.earnings(), report.slashed()
    ax.bar(names, [earned.get(n, 0) for n in names], color="#2ca02c", label="earned")
    ax.bar(names, [-slashed.get(n, 0) for n in names], color="#d62728", label="slashed")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylabel("credits")
    ax.set_title("Earnings and slashing per provider")
    ax.legend(fontsize=8)
    return ax


def plot_verification(report: RunReport, ax: Axes | None = None) -> Axes:
    """How each run ended up: paid (verified), slashed (caught), or lost."""
    ax = _axes(report, ax, (7, 3))
    names = sorted(set(report.ledger.stakes))
    outcomes: dict[str, list[int]] = {"paid": [], "slashed": [], "lost": []}
    for name in names:
        outcomes["paid"].append(sum(name in record.paid for record in report.records))
        outcomes["slashed"].append(sum(name in record.slashed for record in report.records))
        outcomes["lost"].append(len([e for e in report.runs(name) if e.kind == EventKind.LOST]))
    bottom = [0] * len(names)
    colors = {"paid": "#2ca02c", "slashed": "#d62728", "lost": "#7f7f7f"}
    for label, counts in outcomes.items():
        ax.bar(names, counts, bottom=bottom, color=colors[label], label=label)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    ax.set_ylabel("runs")
    ax.set_title("Verification outcomes per provider")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return ax

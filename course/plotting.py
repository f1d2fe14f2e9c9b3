"""One plot style for the whole course: small PNGs, readable labels, the same colours."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
from matplotlib.axes import Axes

from course.chain.fork_tree import PlacedBlock

# One colour per part of the course (tab10 palette), used by every notebook.
PART_COLORS = {
    "Start": "#7f7f7f",
    "I. Blockchain foundations": "#1f77b4",
    "II. Smart contracts": "#ff7f0e",
    "III. DeFi": "#2ca02c",
    "IV. Decentralized compute": "#d62728",
    "Capstone": "#9467bd",
}


def use_course_style() -> None:
    """Set matplotlib defaults: modest size and resolution (small notebooks), light grid."""
    mpl.rcParams.update(
        {
            "figure.figsize": (8, 4),
            "figure.dpi": 80,
            "savefig.dpi": 80,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 10,
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
        }
    )


def draw_fork_tree(ax: Axes, placed: Sequence[PlacedBlock], labels: Mapping[int, str]) -> None:
    """Draw a laid-out block tree (``course.chain.fork_tree``): one box per block, an arrow-free
    line to its parent, stale blocks in red on their own lane, ``labels[block id]`` in each box.

    Every block has its own (height, lane) cell and every label stays inside its box, so labels
    never overlap.
    """
    where = {p.block.id: (p.height, p.lane) for p in placed}
    for p in placed:
        if p.block.parent in where:
            (x0, y0), (x1, y1) = where[p.block.parent], (p.height, p.lane)
            ax.plot([x0, x1], [y0, y1], color="gray", lw=1, zorder=1)
    for p in placed:
        color = "tab:blue" if p.on_main_chain else "tab:red"
        ax.text(
            p.height,
            p.lane,
            labels.get(p.block.id, ""),
            ha="center",
            va="center",
            fontsize=8,
            color="white",
            zorder=3,
            bbox={"boxstyle": "round,pad=0.3", "facecolor": color, "edgecolor": color},
        )
    heights = [p.height for p in placed]
    lanes = [p.lane for p in placed]
    ax.set_xlim(min(heights) - 0.7, max(heights) + 0.7)
    ax.set_ylim(-0.6, max(lanes) + 0.6)
    ax.set_yticks(
        range(max(lanes) + 1),
        ["main chain"] + [f"orphaned ({lane})" for lane in range(1, max(lanes) + 1)],
    )
    ax.set_xlabel("height")
    ax.grid(False)

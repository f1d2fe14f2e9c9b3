"""One plot style for the whole course: small PNGs, readable labels, the same colours."""

from __future__ import annotations

import matplotlib as mpl

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

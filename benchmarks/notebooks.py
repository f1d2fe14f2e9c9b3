"""Cold execution time of each notebook: a fresh kernel, top to bottom (aim: well under 60 s)."""

from __future__ import annotations

from pathlib import Path

from tqdm import tqdm

from course.display import Table
from course.notebooks import course_notebooks, execute

BUDGET_SECONDS = 60


def run(paths: list[Path] | None = None) -> Table:
    rows = []
    for path in tqdm(paths or course_notebooks(), desc="notebooks", unit="nb"):
        seconds = execute(path).seconds
        verdict = "ok" if seconds < BUDGET_SECONDS else f"over {BUDGET_SECONDS} s"
        rows.append((path.name, f"{seconds:.1f}", verdict))
    return Table(("notebook", "seconds", f"budget {BUDGET_SECONDS} s"), rows)

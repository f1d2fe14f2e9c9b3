"""Small learners' notebooks for the grading tests: chapter 00's fee exercise, then later cells
(a wrong answer, a loop that swallows Ctrl+C, a cell that deletes the files around it)."""

import nbformat

RIGHT = "return gas_used * gas_price_gwei / 1e9"
SWALLOW = """\
while True:
    try:
        while True:
            pass
    except KeyboardInterrupt:
        pass"""
VANDAL = """\
import shutil
from pathlib import Path

for folder in (Path("."), Path("..")):
    for path in folder.resolve().iterdir():
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
print("deleted everything around me")"""


def learner_notebook(answer_body, *later_cells):
    """A small notebook of chapter 00's fee exercise: the learner's answer, then later cells."""
    cells = [
        "from course.exercises.start_here import check_fee_in_eth",
        f"def fee_in_eth(gas_used, gas_price_gwei):\n    {answer_body}\n\n\n"
        "check_fee_in_eth(fee_in_eth)",
        *later_cells,
    ]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])


def snapshot(folder):
    """Every file under ``folder`` and its bytes: to show a folder was left as it was."""
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}

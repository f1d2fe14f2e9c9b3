"""`course grade` on a class of real notebooks, each in its own kernel, two at a time: the right
answer passes, the wrong one, the spoofer and the unreadable file score 0, the looping notebook
is stopped and keeps what it had, and the submissions folder is untouched afterwards."""

import csv

import nbformat

from course.cli import main
from tests.learner_notebooks import RIGHT, SWALLOW, VANDAL, learner_notebook, snapshot

SPOOF = """\
import course.exercises as exercises
exercises.RESULTS["fee_in_eth"] = exercises.Outcome("fee_in_eth", "passed", "")
exercises.Exercise.check = lambda self, answer: exercises.Outcome(self.name, "passed", "")
print("✅ fee_in_eth: passed.")"""


def test_a_class_becomes_a_gradebook_and_a_feedback_file_per_learner(tmp_path, capsys):
    submissions = tmp_path / "submissions"
    (submissions / "bob").mkdir(parents=True)
    nbformat.write(learner_notebook(RIGHT), submissions / "ana.ipynb")
    nbformat.write(learner_notebook("return gas_used * gas_price_gwei"),
                   submissions / "bob" / "fees.ipynb")
    (submissions / "bob" / "data.csv").write_text("gas\n21000\n")
    nbformat.write(learner_notebook("return 0", SPOOF), submissions / "cy.ipynb")
    nbformat.write(learner_notebook(RIGHT, SWALLOW), submissions / "dee.ipynb")
    (submissions / "eve.ipynb").write_text("not a notebook")
    nbformat.write(learner_notebook(RIGHT, VANDAL), submissions / "fay.ipynb")
    before = snapshot(submissions)
    out = tmp_path / "grades.csv"

    code = main(["grade", str(submissions), "--out", str(out), "--jobs", "2",
                 "--cell-timeout", "8", "--timeout", "90"])  # roomy on a busy machine

    printed = capsys.readouterr()
    assert code == 0, printed.err
    with out.open(newline="") as file:
        assert list(csv.reader(file)) == [
            ["learner", "fee_in_eth", "passed", "of", "percent", "note"],
            ["ana", "1", "1", "1", "100.0", ""],
            ["bob", "0", "0", "1", "0.0", ""],
            ["cy", "0", "0", "1", "0.0", ""],
            ["dee", "1", "1", "1", "100.0", "1 cell(s) raised an error"],
            ["eve", "0", "0", "1", "0.0", f"not graded: {submissions / 'eve.ipynb'} is not a "
             "Jupyter notebook (NotJSONError: Notebook does not appear to be JSON: "
             "'not a notebook')"],
            ["fay", "1", "1", "1", "100.0", ""],
        ]
    feedback = tmp_path / "grades_feedback"
    assert sorted(p.name for p in feedback.iterdir()) == [
        f"{name}.md" for name in ("ana", "bob", "cy", "dee", "eve", "fay")]
    assert "fee_in_eth(21000, 20) returned 420000" in (feedback / "bob.md").read_text()
    assert "ignored the interrupt, so the kernel was stopped" in (feedback / "dee.md").read_text()
    assert f"Wrote the gradebook {out}" in printed.out and "grading: 100%" in printed.err
    assert "Kernel is running over TCP" not in printed.out + printed.err
    assert snapshot(submissions) == before

"""`course check`: a learner's notebook is run (a copy), each exercise is scored, and the exit
code says all passed (0), not yet (1) or cannot run (2)."""

import nbformat
import pytest

from course.cli import main
from course.exercises import FAILED, NOT_DONE, PASSED
from course.grading import NotebookNotGradable, grade
from course.paths import notebooks_dir
from course.student import write_student_copies

HASHING = notebooks_dir() / "01_hashing_and_merkle_trees.ipynb"
HASHING_EXERCISES = ["flip_bit", "leading_zero_bits", "my_merkle_root", "verify_inclusion"]


def check(path, capsys):
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_committed_notebook_passes_everything_and_is_not_modified(capsys):
    before = HASHING.read_bytes()
    code, out, _ = check(HASHING, capsys)
    assert code == 0
    assert "4 of 4 exercises passed." in out
    for name in HASHING_EXERCISES:
        assert f"{name}" in out and "✅ passed" in out
    assert HASHING.read_bytes() == before, "course check runs a copy; the file stays as it was"


def test_a_student_copy_has_every_exercise_not_done(tmp_path, capsys):
    write_student_copies(tmp_path, [HASHING])
    code, out, _ = check(tmp_path / HASHING.name, capsys)
    assert code == 1
    assert out.count("⏳ not done") == 4
    assert "0 of 4 exercises passed." in out


def learner_notebook(answer_body, *later_cells):
    """A small notebook of chapter 00's fee exercise: the learner's answer, then later cells."""
    cells = [
        "from course.exercises.start_here import check_fee_in_eth",
        f"def fee_in_eth(gas_used, gas_price_gwei):\n    {answer_body}\n\n\n"
        "check_fee_in_eth(fee_in_eth)",
        *later_cells,
    ]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])


def test_a_wrong_answer_fails_and_a_later_error_does_not_hide_it(tmp_path, capsys):
    path = tmp_path / "my_fees.ipynb"
    nbformat.write(learner_notebook("return gas_used * gas_price_gwei", "1 / 0"), path)
    code, out, _ = check(path, capsys)
    assert code == 1
    assert "fee_in_eth  ❌ not yet" in out
    assert "❌ fee_in_eth: not yet. fee_in_eth(21000, 20) returned" in out
    assert "cell 3 ('1 / 0') raised ZeroDivisionError: division by zero" in out


def test_a_chapter_copy_lists_the_exercises_whose_checks_never_ran(tmp_path):
    path = tmp_path / "00_start_here-Copy1.ipynb"  # JupyterLab's name for a duplicate
    nbformat.write(learner_notebook("return gas_used * gas_price_gwei / 1e9"), path)
    result = grade(path)
    assert [(o.exercise, o.status) for o in result.outcomes] == [
        ("fee_in_eth", PASSED), ("leading_zeros", NOT_DONE), ("find_nonce", NOT_DONE)
    ]
    assert "check_leading_zeros did not run" in result.outcomes[1].message
    assert not result.all_passed


def test_all_passed_means_every_exercise_and_no_error(tmp_path):
    path = tmp_path / "fees.ipynb"
    nbformat.write(learner_notebook("return gas_used * gas_price_gwei / 1e9"), path)
    assert grade(path).all_passed
    nbformat.write(learner_notebook("return gas_used * gas_price_gwei / 1e9", "x ="), path)
    broken = grade(path)
    assert [o.status for o in broken.outcomes] == [PASSED] and not broken.all_passed
    assert broken.errors[0].error == "SyntaxError"
    assert FAILED not in [o.status for o in broken.outcomes]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("missing.ipynb", None, "no notebook at"),
        ("notes.ipynb", "not json", "is not a Jupyter notebook"),
    ],
)
def test_a_notebook_that_cannot_be_run_exits_2_with_a_clear_message(
    tmp_path, capsys, name, content, message
):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    code, out, err = check(path, capsys)
    assert code == 2
    assert err.startswith("course: ") and message in err and str(path) in err
    with pytest.raises(NotebookNotGradable, match=message):
        grade(path)


@pytest.mark.parametrize(
    "cell, error",
    [
        ("import time\ntime.sleep(30)", "Timeout: the cell ran longer than 2 s"),
        ("import os\nos._exit(1)", "DeadKernelError: the kernel died"),
    ],
    ids=["timeout", "kernel-dies"],
)
def test_a_cell_that_hangs_or_kills_the_kernel_keeps_the_outcomes_before_it(tmp_path, cell, error):
    path = tmp_path / "fees.ipynb"
    nbformat.write(learner_notebook("return gas_used * gas_price_gwei / 1e9", cell), path)
    result = grade(path, cell_timeout=2)
    assert [(o.exercise, o.status) for o in result.outcomes] == [("fee_in_eth", PASSED)]
    assert [e.cell for e in result.errors] == [3] and error in str(result.errors[0])
    assert result.report().endswith("1 of 1 exercises passed; 1 cell(s) raised an error.")

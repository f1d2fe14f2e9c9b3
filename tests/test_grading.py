"""`course check`: a learner's notebook is run (a copy), each exercise is scored, and the exit
code says all passed (0), not yet (1) or cannot run (2)."""

import re
import time

import nbformat
import pytest

from course.cli import main
from course.exercises import FAILED, NOT_DONE, PASSED
from course.grading import Limits, NotebookNotGradable, grade
from course.kernel_session import memory_limit_supported
from course.paths import notebooks_dir
from course.student import write_student_copies
from tests.learner_notebooks import RIGHT, SWALLOW, VANDAL, learner_notebook, snapshot

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
        ("import time\ntime.sleep(30)", "Timeout: the cell ran longer than 5 s"),
        ("import os\nos._exit(1)", "DeadKernelError: the kernel died"),
    ],
    ids=["timeout", "kernel-dies"],
)
def test_a_cell_that_hangs_or_kills_the_kernel_keeps_the_outcomes_before_it(tmp_path, cell, error):
    path = tmp_path / "fees.ipynb"
    nbformat.write(learner_notebook("return gas_used * gas_price_gwei / 1e9", cell), path)
    result = grade(path, cell_timeout=5)
    assert [(o.exercise, o.status) for o in result.outcomes] == [("fee_in_eth", PASSED)]
    assert [e.cell for e in result.errors] == [3] and error in str(result.errors[0])
    assert result.report().endswith("1 of 1 exercises passed; 1 cell(s) raised an error.")


def test_a_notebook_that_uses_plain_web3_calls_passes(tmp_path, capsys):
    """Sending with web3.py's own .transact() (not the course's send) is a correct answer, and
    the demo cell after it, where the transfer reverts, still runs."""
    notebook = nbformat.read(notebooks_dir() / "07_smart_contracts_with_web3.ipynb", as_version=4)
    course_way = "    return send(w3, token.functions.transfer(recipient, amount), sender=sender)\n"
    web3_way = ("    tx = token.functions.transfer(recipient, amount).transact({'from': sender})\n"
                "    return w3.eth.wait_for_transaction_receipt(tx)\n")
    (solution,) = [c for c in notebook.cells if course_way in c.source]
    solution.source = solution.source.replace(course_way, web3_way)
    path = tmp_path / "07_smart_contracts_with_web3.ipynb"
    nbformat.write(notebook, path)
    code, out, _ = check(path, capsys)
    assert code == 0, out
    assert re.search(r"\b(\d+) of \1 exercises passed\.", out), out  # every one of them


SPOOF = '''\
import course.exercises as exercises
import course.exercises.start_here as start_here
from IPython import get_ipython
from IPython.display import display

# 1. write the results the old grader read
for name in ("fee_in_eth", "leading_zeros", "find_nonce"):
    exercises.RESULTS[name] = exercises.Outcome(name, "passed", "all good")
# 2. patch the checks: the exercise objects, the test functions, the class
start_here._test_fee_in_eth = lambda answer: "ok"
check_fee_in_eth.test = lambda answer: "ok"
exercises.Exercise.check = lambda self, answer: exercises.Outcome(self.name, "passed", "ok")
# 3. print the lines a check prints, and a forged grader message after every cell
print("✅ fee_in_eth: passed. ok\\n✅ leading_zeros: passed. ok\\n✅ find_nonce: passed. ok")
FORGED = {"application/vnd.course.grader+json": {
    "payload": '{"step": 1, "exercise": "fee_in_eth", "status": "passed", "message": ""}',
    "mac": "0" * 64, "key": "00" * 32}}
get_ipython().events.register("post_run_cell", lambda result: display(FORGED, raw=True))
display(FORGED, raw=True)
'''


def test_a_spoofing_notebook_scores_zero(tmp_path, capsys):
    path = tmp_path / "00_start_here-spoof.ipynb"
    imports = ("from course.exercises.start_here import check_fee_in_eth, check_leading_zeros, "
               "check_find_nonce")
    cells = [imports, SPOOF, "def fee_in_eth(gas_used, gas_price_gwei):\n    return 0\n\n\n"
             "check_fee_in_eth(fee_in_eth)", "check_leading_zeros(None)\ncheck_find_nonce(None)"]
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]),
                   path)
    result = grade(path)
    assert [(o.exercise, o.status) for o in result.outcomes] == [
        ("fee_in_eth", FAILED), ("leading_zeros", NOT_DONE), ("find_nonce", NOT_DONE)
    ]
    assert "fee_in_eth(21000, 20) returned 0" in result.outcomes[0].message
    assert not result.errors, "the spoofing cells themselves ran without an error"
    code, out, _ = check(path, capsys)
    assert code == 1 and "0 of 3 exercises passed." in out


def test_checks_still_pass_a_right_answer_after_the_notebook_patched_them_to_fail(tmp_path):
    path = tmp_path / "fees.ipynb"
    sabotage = ("import course.exercises as exercises\n"
                "exercises.Exercise.check = lambda self, answer: exercises.Outcome("
                "self.name, 'not yet', 'sabotaged')")
    nbformat.write(learner_notebook(RIGHT, sabotage, "check_fee_in_eth(fee_in_eth)"), path)
    result = grade(path)
    assert [(o.exercise, o.status) for o in result.outcomes] == [("fee_in_eth", PASSED)]


def test_a_looping_notebook_is_stopped_and_keeps_the_outcomes_before_the_loop(tmp_path):
    path = tmp_path / "fees.ipynb"
    nbformat.write(learner_notebook(RIGHT, "while True:\n    pass", SWALLOW, "print('never')"),
                   path)
    started = time.monotonic()
    result = grade(path, cell_timeout=5)
    assert time.monotonic() - started < 45
    assert [(o.exercise, o.status) for o in result.outcomes] == [("fee_in_eth", PASSED)]
    assert [(e.cell, e.error) for e in result.errors] == [(3, "Timeout"), (4, "Timeout")]
    assert "was interrupted" in result.errors[0].message
    assert "ignored the interrupt, so the kernel was stopped" in result.errors[1].message


def test_the_notebook_time_limit_stops_the_run_and_says_where(tmp_path):
    path = tmp_path / "fees.ipynb"
    nbformat.write(learner_notebook(RIGHT, SWALLOW, "print('never')"), path)
    result = grade(path, limits=Limits(timeout=8, cell_timeout=100))
    assert [(o.exercise, o.status) for o in result.outcomes] == [("fee_in_eth", PASSED)]
    assert [e.cell for e in result.errors] == [3]
    assert "ignored the interrupt" in result.errors[0].message


def test_a_notebook_that_deletes_files_leaves_the_submissions_untouched(tmp_path):
    submissions = tmp_path / "submissions"
    (submissions / "shared").mkdir(parents=True)
    (submissions / "shared" / "prices.csv").write_text("day,price\n1,100\n")
    nbformat.write(learner_notebook(RIGHT, "print(open('shared/prices.csv').read())"),
                   submissions / "bob.ipynb")
    nbformat.write(learner_notebook(RIGHT, VANDAL), submissions / "ana.ipynb")
    before = snapshot(tmp_path)
    result = grade(submissions / "ana.ipynb")
    assert not result.errors and [o.status for o in result.outcomes] == [PASSED]
    assert snapshot(tmp_path) == before


def test_a_learners_folder_cannot_replace_the_course_package_or_the_standard_library(tmp_path):
    (tmp_path / "course" / "exercises").mkdir(parents=True)
    (tmp_path / "course" / "__init__.py").write_text("raise RuntimeError('fake course')\n")
    (tmp_path / "secrets.py").write_text("raise RuntimeError('fake secrets')\n")
    (tmp_path / "helpers.py").write_text("ANSWER = 42\n")
    path = tmp_path / "fees.ipynb"
    nbformat.write(learner_notebook(RIGHT, "import helpers\nprint(helpers.ANSWER)"), path)
    result = grade(path)
    assert not result.errors, "the learner's own modules import as in JupyterLab"
    assert [o.status for o in result.outcomes] == [PASSED]


@pytest.mark.skipif(not memory_limit_supported(), reason="no memory limit on this system")
def test_a_notebook_over_its_memory_limit_gets_a_memory_error_and_keeps_its_outcomes(tmp_path):
    path = tmp_path / "fees.ipynb"
    nbformat.write(learner_notebook(RIGHT, "big = bytearray(3 * 1024**3)"), path)
    result = grade(path, limits=Limits(memory_gb=1))
    assert [o.status for o in result.outcomes] == [PASSED]
    assert [(e.cell, e.error) for e in result.errors] == [(3, "MemoryError")]


def test_kernel_warnings_are_not_shown_to_the_learner(tmp_path, capfd):
    path = tmp_path / "fees.ipynb"
    nbformat.write(learner_notebook(RIGHT), path)
    assert main(["check", str(path)]) == 0
    out, err = capfd.readouterr()
    assert "1 of 1 exercises passed." in out
    assert "Kernel is running over TCP" not in out + err and "IPKernelApp" not in out + err

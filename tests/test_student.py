"""Student copies: solutions out, placeholders in, every check says "not done". That every copy
runs top to bottom is tested in test_student_copies_run_*.py, two files so that a parallel run
spreads the notebooks over two processes."""

import ast
import re

import nbformat
import pytest

from course.cell_names import is_stub
from course.cli import main
from course.exercises import RESULTS, Exercise
from course.notebooks import course_notebooks, execute
from course.paths import notebooks_dir
from course.student import (
    PLACEHOLDER,
    StudentCopyError,
    solved,
    student_copy,
    write_student_copies,
)

NOTEBOOKS = course_notebooks()
ids = [path.name for path in NOTEBOOKS]
REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.DOTALL)
CHECK_LINE = re.compile(r"^check_\w+\(.*\)$", re.MULTILINE)


def code(source, tags=(), outputs=()):
    cell = nbformat.v4.new_code_cell(source, execution_count=1, outputs=list(outputs))
    if tags:
        cell.metadata = {"tags": list(tags), "jupyter": {"source_hidden": True}}
    return cell


def notebook(*cells):
    return nbformat.v4.new_notebook(cells=list(cells))


IMPORT = "from course.exercises.start_here import check_fee_in_eth\n"
STUB = '''def fee_in_eth(gas_used, gas_price_gwei):
    """Fee in ETH."""
    raise NotImplementedError("your code here")


check_fee_in_eth(fee_in_eth)
'''
SOLUTION = '''### BEGIN SOLUTION
def fee_in_eth(gas_used, gas_price_gwei):
    """Fee in ETH."""
    return gas_used * gas_price_gwei / 1e9
### END SOLUTION


check_fee_in_eth(fee_in_eth)
print(f"{fee_in_eth(21_000, 20):.5f} ETH")
'''
PRINTED = nbformat.v4.new_output("stream", text="✅ fee_in_eth: passed.\n0.00042 ETH\n")


def exercise_notebook(*later_cells):
    return notebook(code(IMPORT), code(STUB), code(SOLUTION, ["solution"], [PRINTED]),
                    *(code(source) for source in later_cells))


def test_the_solution_is_replaced_and_the_markers_and_check_call_stay():
    copy, report = student_copy(exercise_notebook())
    cell = copy.cells[2]
    assert "gas_used * gas_price_gwei" not in cell.source
    assert "### BEGIN SOLUTION\n" in cell.source and "### END SOLUTION\n" in cell.source
    assert "\ncheck_fee_in_eth(fee_in_eth)\n" in cell.source
    assert "Write fee_in_eth in the exercise cell above" in cell.source
    assert report.solutions == 1


def test_a_placeholder_never_redefines_the_learners_function_from_the_cell_above():
    copy, _ = student_copy(exercise_notebook())
    assert "def fee_in_eth" not in REGION.search(copy.cells[2].source).group(1)


def test_without_a_learner_stub_above_the_placeholder_is_a_stub_with_the_same_signature():
    wrong_try = "def fee_in_eth(gas_used, gas_price_gwei):\n    return 0\n"
    copy, _ = student_copy(notebook(code(IMPORT), code(wrong_try), code(SOLUTION, ["solution"])))
    placeholder = REGION.search(copy.cells[2].source).group(1)
    assert 'def fee_in_eth(gas_used, gas_price_gwei):\n    """Fee in ETH."""\n' in placeholder
    assert f"    {PLACEHOLDER}\n" in placeholder
    compile(copy.cells[2].source, "<cell>", "exec")


def test_outputs_and_counts_are_cleared_and_the_solution_cell_is_no_longer_collapsed():
    original = exercise_notebook()
    copy, _ = student_copy(original)
    assert all(c.outputs == [] and c.execution_count is None for c in copy.cells)
    assert copy.cells[2].metadata == {"tags": ["solution"]}
    assert original.cells[2].outputs == [PRINTED], "the original notebook is left as it was"


def test_code_that_uses_an_unsolved_answer_waits_for_its_check():
    copy, report = student_copy(exercise_notebook(
        "rate = 20\nfees = [fee_in_eth(21_000, rate)]\nprint(fees)",
        "print(len(fees))",
        "print(rate)",
    ))
    assert copy.cells[2].source.endswith(
        'if solved("fee_in_eth"):\n    print(f"{fee_in_eth(21_000, 20):.5f} ETH")\n'
    )
    assert copy.cells[3].source.startswith("rate = 20\n\nfrom course.student import solved")
    assert copy.cells[3].source.endswith(
        'if solved("fee_in_eth"):\n    fees = [fee_in_eth(21_000, rate)]\n    print(fees)'
    )
    assert "if solved" in copy.cells[4].source, "fees may never exist: it waits too"
    assert copy.cells[5].source == "print(rate)"
    assert report.waiting_cells == [2, 3, 4]


def test_a_def_that_mentions_an_answer_runs_but_calls_of_it_wait():
    copy, _ = student_copy(exercise_notebook(
        "def double_fee(gas):\n    return 2 * fee_in_eth(gas, 1)",
        "double_fee(21_000)",
    ))
    assert copy.cells[3].source == "def double_fee(gas):\n    return 2 * fee_in_eth(gas, 1)"
    assert 'if solved("fee_in_eth"):\n    display(double_fee(21_000))' in copy.cells[4].source


def test_loop_variables_and_caught_errors_are_not_mistaken_for_answers():
    copy, _ = student_copy(exercise_notebook(
        "for gas in [fee_in_eth(1, 1)]:\n    print(gas)",
        "for gas in range(3):\n    print(gas)\n"
        "try:\n    1 / 0\nexcept ZeroDivisionError as error:\n    print(error)",
    ))
    assert "if solved" in copy.cells[3].source
    assert "solved" not in copy.cells[4].source


def test_figure_setup_waits_with_the_plot_but_what_later_cells_read_stays_outside():
    copy, _ = student_copy(exercise_notebook(
        "import matplotlib.pyplot as plt\nN = 3\nfig, ax = plt.subplots()\n"
        "ax.plot([fee_in_eth(g, 1) for g in range(N)])\nplt.show()",
        "print(N)",
    ))
    head, guarded = copy.cells[3].source.split("if solved")
    assert "N = 3" in head and "import matplotlib" in head
    assert "fig, ax = plt.subplots()" in guarded


def test_multi_line_strings_are_not_indented_under_a_guard():
    copy, _ = student_copy(exercise_notebook('text = f"""{fee_in_eth(1, 1)}\nsecond line"""'))
    assert '    text = f"""{fee_in_eth(1, 1)}\nsecond line"""' in copy.cells[3].source


def test_a_name_only_a_solution_defines_cannot_be_used_later():
    solution = SOLUTION.replace("### END SOLUTION", "RATE = 20\n### END SOLUTION")
    broken = notebook(code(IMPORT), code(STUB), code(solution, ["solution"]), code("print(RATE)"))
    with pytest.raises(StudentCopyError, match="cell 4 uses 'RATE', which only a solution"):
        student_copy(broken)


@pytest.mark.parametrize(
    "cell, message",
    [
        (code("print(1)", ["solution"]), "cell 1 is tagged 'solution' but has no"),
        (code("### BEGIN SOLUTION\nx = 1\ncheck_x(x)\n", ["solution"]), "without a matching"),
        (code("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n"), "needs its check call"),
        (code("%timeit 1 + 1"), "cell 1 is not plain Python"),
    ],
)
def test_notebooks_that_break_the_conventions_are_named_with_the_cell(cell, message):
    with pytest.raises(StudentCopyError, match=message):
        student_copy(notebook(cell))


def test_solved_is_true_only_once_the_exercise_passed(capsys):
    exercise = Exercise("student_test_double", "double", ("", ""), lambda answer: answer(2))
    RESULTS.pop("student_test_double", None)
    assert not solved("student_test_double")
    assert "waits for check_student_test_double to pass" in capsys.readouterr().out
    exercise.check(lambda x: 2 * x)
    assert solved("student_test_double")
    assert capsys.readouterr().out == ""
    RESULTS.pop("student_test_double")


def test_copies_never_overwrite_the_course_or_a_learners_work(tmp_path):
    with pytest.raises(StudentCopyError, match="the course's own notebooks folder"):
        write_student_copies(notebooks_dir())
    first = NOTEBOOKS[:1]
    write_student_copies(tmp_path, first)
    with pytest.raises(StudentCopyError, match="use --force"):
        write_student_copies(tmp_path, first)
    assert list(write_student_copies(tmp_path, first, force=True).reports) == [
        tmp_path / first[0].name]


def one_notebook_course(monkeypatch):
    """`course student` on the first notebook only, to keep these CLI tests short."""
    monkeypatch.setattr("course.student.course_notebooks", lambda: NOTEBOOKS[:1])
    return NOTEBOOKS[0].name


def test_force_moves_the_learners_previous_copies_to_a_dated_backup_and_says_so(
        tmp_path, monkeypatch, capsys):
    name = one_notebook_course(monkeypatch)
    assert main(["student", str(tmp_path)]) == 0
    (tmp_path / name).write_text("my edited copy")
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["student", str(tmp_path), "--force"]) == 0
    out = capsys.readouterr().out
    [backup] = tmp_path.glob("backup-*")
    assert f"The copies that were in {tmp_path} are now in {backup}" in out
    assert (backup / name).read_text() == "my edited copy"
    assert nbformat.read(tmp_path / name, as_version=4).cells, "a fresh copy took its place"
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_full_disk_leaves_no_half_written_copy_and_nothing_to_force(
        tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("course.student.course_notebooks", lambda: NOTEBOOKS[:2])
    real_write = nbformat.write
    written = []

    def fill_the_disk(notebook, path):
        if written:
            raise OSError(28, "No space left on device")
        written.append(path)
        real_write(notebook, path)

    monkeypatch.setattr("course.student.nbformat.write", fill_the_disk)
    out = tmp_path / "copies"
    assert main(["student", str(out)]) == 1
    err = capsys.readouterr().err
    assert err == (f"course: could not write {out}: No space left on device; "
                   "nothing was changed\n")
    assert written and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_student_copy_has_no_solution_code_and_keeps_every_check_call(path):
    original = nbformat.read(path, as_version=4)
    copy, report = student_copy(original)
    solutions = [REGION.findall(c.source) for c in original.cells if c.cell_type == "code"]
    assert report.solutions == sum(map(len, solutions)) >= 3
    for cell in copy.cells:
        for placeholder in REGION.findall(cell.source):  # comments, or stubs that raise
            assert all(is_stub(statement) for statement in ast.parse(placeholder).body)
    checks = [CHECK_LINE.findall(c.source) for c in original.cells if c.cell_type == "code"]
    kept = [CHECK_LINE.findall(c.source) for c in copy.cells if c.cell_type == "code"]
    assert kept == checks, "every check call stays at the top level of its cell"


@pytest.mark.parametrize("answered", [False, True], ids=["unsolved", "solved"])
def test_a_student_copy_runs_and_its_guards_open_once_the_answer_passes(tmp_path, answered):
    copy, _ = student_copy(exercise_notebook("print('later:', fee_in_eth(50_000, 2))"))
    if answered:
        copy.cells[1].source = copy.cells[1].source.replace(
            'raise NotImplementedError("your code here")', "return gas_used * gas_price_gwei / 1e9"
        )
    nbformat.write(copy, tmp_path / "tiny.ipynb")
    printed = "".join(o.get("text", "") for c in execute(tmp_path / "tiny.ipynb").notebook.cells
                      for o in c.get("outputs", []))
    if answered:
        assert "✅ fee_in_eth: passed" in printed and "later: 0.0001" in printed
        assert "⏳" not in printed
    else:
        assert printed.count("⏳ fee_in_eth: not done") == 2
        assert printed.count("waits for check_fee_in_eth to pass") == 2
        assert "later" not in printed

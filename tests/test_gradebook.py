"""The gradebook of a class, without kernels: who the learners are, one CSV row each with a 1/0
column per exercise and the totals, safe to open in a spreadsheet; a feedback file each; OUT
paths refused before grading starts; Ctrl+C writes nothing."""

import csv
import io
from pathlib import Path

import nbformat
import pytest

from course.cli import main
from course.exercises import FAILED, NOT_DONE, PASSED, Outcome
from course.gradebook import (
    GradebookError,
    LearnerGrade,
    Submission,
    feedback,
    find_submissions,
    grade_class,
    gradebook_csv,
    write_gradebook,
)
from course.grading import CellError, Grade, Limits


def learner(name, *outcomes, errors=(), problems=()):
    notebook = Path(f"{name}.ipynb")
    grades = (Grade(notebook, tuple(Outcome(*o) for o in outcomes), tuple(errors)),)
    return LearnerGrade(Submission(name, (notebook,), Path(".")), grades, tuple(problems))


CLASS = [
    learner("ana", ("flip_bit", PASSED, "Right."), ("my_merkle_root", PASSED, "Right.")),
    learner("bob", ("flip_bit", FAILED, "flip_bit(b'a', 0) returned b'a'."),
            ("my_merkle_root", NOT_DONE, "Replace the placeholder."),
            errors=[CellError(4, "ZeroDivisionError", "division by zero", "1 / 0")]),
    learner("=cmd|' /C calc'!A0", problems=["=cmd.ipynb is not a Jupyter notebook"]),
]


def rows(text):
    return list(csv.reader(io.StringIO(text)))


def test_the_gradebook_has_a_row_per_learner_a_column_per_exercise_and_the_totals():
    assert rows(gradebook_csv(CLASS)) == [
        ["learner", "flip_bit", "my_merkle_root", "passed", "of", "percent", "note"],
        ["ana", "1", "1", "2", "2", "100.0", ""],
        ["bob", "0", "0", "0", "2", "0.0", "1 cell(s) raised an error"],
        ["'=cmd|' /C calc'!A0", "0", "0", "0", "2", "0.0",
         "not graded: =cmd.ipynb is not a Jupyter notebook"],
    ]


def test_an_exercise_passed_in_any_of_a_learners_notebooks_counts_once():
    first, second = (Grade(Path(n), (Outcome("flip_bit", s, ""),), ())
                     for n, s in [("a.ipynb", PASSED), ("b.ipynb", FAILED)])
    both = LearnerGrade(Submission("ana", (), Path(".")), (first, second))
    assert rows(gradebook_csv([both]))[1][:5] == ["ana", "1", "1", "1", "100.0"]


def test_feedback_says_what_each_check_found_in_the_checks_own_words():
    text = feedback(CLASS[1])
    assert text.startswith("# Feedback for bob\n\n0 of 2 exercises passed.\n\n## bob.ipynb\n")
    assert "| flip_bit | ❌ not yet |" in text
    assert "- ❌ flip_bit: not yet. flip_bit(b'a', 0) returned b'a'." in text
    assert "- ⚠️ cell 4 ('1 / 0') raised ZeroDivisionError: division by zero" in text


def test_learners_are_the_notebooks_and_the_folders_in_the_submissions_folder(tmp_path):
    for path in ["ana.ipynb", "bob/week1/01.ipynb", "bob/02.ipynb", "cy/notes.txt",
                 ".ipynb_checkpoints/ana-checkpoint.ipynb", "bob/.ipynb_checkpoints/x.ipynb",
                 "readme.md"]:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("{}")
    found = {s.learner: (s.notebooks, s.root) for s in find_submissions(tmp_path)}
    assert found == {
        "ana": ((tmp_path / "ana.ipynb",), tmp_path),
        "bob": ((tmp_path / "bob/02.ipynb", tmp_path / "bob/week1/01.ipynb"), tmp_path / "bob"),
        "cy": ((), tmp_path / "cy"),
    }


@pytest.mark.parametrize("make, message", [
    (lambda folder: None, "no notebooks in"),
    (lambda folder: [(folder / "ana").mkdir(), (folder / "ana.ipynb").write_text("{}")],
     "ana: both a notebook and a folder"),
])
def test_a_submissions_folder_without_notebooks_or_with_a_learner_twice_is_refused(
        tmp_path, make, message):
    make(tmp_path)
    with pytest.raises(GradebookError, match=message):
        find_submissions(tmp_path)


def test_the_gradebook_and_feedback_replace_an_old_one_only_when_forced(tmp_path):
    out = tmp_path / "grades.csv"
    assert write_gradebook(CLASS, out) == tmp_path / "grades_feedback"
    assert sorted(p.name for p in (tmp_path / "grades_feedback").iterdir()) == [
        "_cmd__ _C calc__A0.md", "ana.md", "bob.md"]
    with pytest.raises(GradebookError, match="already there: use --force"):
        write_gradebook(CLASS[:1], out)
    write_gradebook(CLASS[:1], out, force=True)
    assert [p.name for p in (tmp_path / "grades_feedback").iterdir()] == ["ana.md"]
    assert len(rows(out.read_text())) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grades.csv", "grades_feedback"]


def test_ctrl_c_while_grading_kills_the_kernels_and_writes_nothing(tmp_path, monkeypatch, capsys):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    nbformat.write(nbformat.v4.new_notebook(), submissions / "ana.ipynb")
    killed = []

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr("course.gradebook.grade_submission", interrupted)
    monkeypatch.setattr("course.gradebook.kill_every_kernel", lambda: killed.append(True))
    with pytest.raises(KeyboardInterrupt):
        grade_class(submissions, Limits(), progress=False)
    assert killed
    code = main(["grade", str(submissions), "--out", str(tmp_path / "grades.csv")])
    assert code == 130 and "no gradebook written" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["submissions"]


@pytest.mark.parametrize("option, value, message", [
    ("--memory", "0", "'0' is not a number above 0"),
    ("--memory", "lots", "'lots' is not a number above 0"),
    ("--timeout", "-5", "'-5' is not a whole number of seconds"),
    ("--jobs", "0", "'0' is not a whole number (1 or more)"),
])
def test_course_grade_refuses_limits_that_are_not_numbers_above_zero(capsys, option, value,
                                                                     message):
    with pytest.raises(SystemExit) as stopped:
        main(["grade", "submissions", "--out", "grades.csv", option, value])
    assert stopped.value.code == 2 and message in capsys.readouterr().err

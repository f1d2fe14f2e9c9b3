"""Output folders are never half-written: a path that cannot work is refused before anything is
made, everything is written aside and moved into place, and replaced files are backed up."""

import sys
from datetime import datetime
from pathlib import Path

import pytest

from course.cli import main
from course.staging import (
    STAGING_PREFIX,
    OutPathError,
    back_up,
    check_out_path,
    move_into_place,
    staging_folder,
)

UNWRITABLE = Path("/sys/course-out")  # not writable even by root
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /sys")


def test_an_existing_file_is_refused_where_a_folder_is_wanted(tmp_path):
    (tmp_path / "out").write_text("")
    with pytest.raises(OutPathError, match=r"out is a file, not a folder: choose a folder"):
        check_out_path(tmp_path / "out", "folder")


def test_a_folder_is_refused_where_a_file_is_wanted(tmp_path):
    with pytest.raises(OutPathError, match=r"is a folder: give a file name, e\.g\. "):
        check_out_path(tmp_path, "file")


@pytest.mark.parametrize("kind", ["folder", "file"])
def test_a_path_under_a_file_is_refused(tmp_path, kind):
    (tmp_path / "notes.txt").write_text("")
    with pytest.raises(OutPathError, match=r"lies under .*notes\.txt, which is a file"):
        check_out_path(tmp_path / "notes.txt" / "deeper" / "out", kind)


@linux_only
@pytest.mark.parametrize("kind", ["folder", "file"])
def test_a_folder_that_cannot_be_written_in_is_refused(kind):
    with pytest.raises(OutPathError, match=r"cannot write in /sys \(.*\): choose a folder"):
        check_out_path(UNWRITABLE, kind)


def test_a_new_path_in_a_writable_folder_is_accepted_and_nothing_is_left_behind(tmp_path):
    check_out_path(tmp_path / "a" / "b", "folder")
    check_out_path(tmp_path / "grades.csv", "file")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_out_is_the_staging_folder_renamed(tmp_path):
    out = tmp_path / "made" / "out"
    with staging_folder(out.parent) as staging:
        (staging / "sub").mkdir()
        (staging / "sub" / "a.txt").write_text("a")
        assert move_into_place(staging, out) == [out / "sub" / "a.txt"]
    assert (out / "sub" / "a.txt").read_text() == "a"
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]


def test_files_replace_their_namesakes_in_an_existing_folder_and_other_files_stay(tmp_path):
    (tmp_path / "a.txt").write_text("old")
    (tmp_path / "mine.txt").write_text("mine")
    with staging_folder(tmp_path) as staging:
        (staging / "a.txt").write_text("new")
        move_into_place(staging, tmp_path)
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == {"a.txt": "new",
                                                                   "mine.txt": "mine"}


def test_a_failure_while_writing_leaves_nothing_not_even_the_folders_it_made(tmp_path):
    with pytest.raises(OSError, match="No space left"), \
            staging_folder(tmp_path / "new" / "deeper") as staging:
        (staging / "half.txt").write_text("half")
        raise OSError(28, "No space left on device")
    assert list(tmp_path.iterdir()) == []


def test_a_failure_in_an_existing_folder_leaves_it_as_it_was(tmp_path):
    (tmp_path / "keep.txt").write_text("keep")
    with pytest.raises(RuntimeError), staging_folder(tmp_path) as staging:
        (staging / "keep.txt").write_text("half")
        raise RuntimeError("stop")
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
    assert not any(p.name.startswith(STAGING_PREFIX) for p in tmp_path.iterdir())


def test_backups_go_to_a_dated_folder_and_a_second_in_the_same_second_gets_its_own(tmp_path):
    def clock():
        return datetime(2026, 12, 4, 18, 30, 5)

    for text in ("first", "second"):
        (tmp_path / "01.ipynb").write_text(text)
        back_up([tmp_path / "01.ipynb"], tmp_path, clock)
    assert (tmp_path / "backup-2026-12-04-183005" / "01.ipynb").read_text() == "first"
    assert (tmp_path / "backup-2026-12-04-183005-2" / "01.ipynb").read_text() == "second"
    assert not (tmp_path / "01.ipynb").exists()


@pytest.mark.parametrize("bad", ["file", "under-file", "unwritable"])
@pytest.mark.parametrize("command", ["student", "site", "grade"])
def test_student_site_and_grade_refuse_an_out_they_cannot_write_with_one_line_and_exit_2(
        tmp_path, monkeypatch, capsys, command, bad):
    if bad == "unwritable" and not sys.platform.startswith("linux"):
        pytest.skip("uses /sys")
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "ana.ipynb").write_text("{}")
    out = {"file": tmp_path / "notes.txt", "under-file": tmp_path / "notes.txt" / "out",
           "unwritable": UNWRITABLE}[bad]
    if command == "grade" and bad == "file":
        out = tmp_path  # a gradebook is a file: a folder is in its way
    monkeypatch.setattr("course.gradebook.grade_submission", pytest.fail)  # never reached
    argv = {"student": ["student", str(out)], "site": ["site", str(out)],
            "grade": ["grade", str(tmp_path), "--out", str(out)]}[command]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("course: ") and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ana.ipynb", "notes.txt"]

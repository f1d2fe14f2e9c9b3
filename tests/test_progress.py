"""`course progress`: a learner's exercises, read from saved notebooks that stay unchanged."""

from __future__ import annotations

import hashlib

import nbformat
import pytest

from course.cli import main
from course.exercises import FAILED, NOT_DONE, PASSED
from course.notebooks import course_notebooks
from course.progress import ProgressError, notebook_progress, progress, saved_statuses
from course.student import write_student_copies

NOTEBOOKS = course_notebooks()
FIRST = NOTEBOOKS[1]  # 01_hashing_and_merkle_trees: four exercises


def hashes(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    folder = tmp_path_factory.mktemp("copies")
    write_student_copies(folder, [NOTEBOOKS[0], FIRST])
    return folder


def stream(text):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def answer(copy, name, text, count):
    """Save the output of the cell that calls check_<name>, as JupyterLab would after a run."""
    notebook = nbformat.read(copy, as_version=4)
    cell = next(c for c in notebook.cells
                if c.cell_type == "code" and f"\ncheck_{name}(" in "\n" + c.source)
    cell.outputs = [stream(text)]
    cell.execution_count = count
    nbformat.write(notebook, copy)


def test_fresh_student_copies_show_every_exercise_not_done_and_stay_unchanged(copies):
    before = hashes(copies)
    found = progress(copies)
    assert hashes(copies) == before
    [start, first] = found.notebooks
    assert [name for name, _ in first.exercises] == [
        "flip_bit", "leading_zero_bits", "my_merkle_root", "verify_inclusion"]
    assert {status for n in found.notebooks for _, status in n.exercises} == {NOT_DONE}
    assert found.total(PASSED) == 0 and found.total() == found.total(NOT_DONE) > 4
    assert first.next_exercise == "flip_bit"
    assert "0 of" in found.summary()


def test_a_learners_copy_shows_passed_and_not_yet_and_is_not_modified(tmp_path, copies):
    copy = tmp_path / FIRST.name
    copy.write_bytes((copies / FIRST.name).read_bytes())
    answer(copy, "flip_bit", "✅ flip_bit: passed. Right on 237 inputs.\n", 3)
    answer(copy, "leading_zero_bits", "❌ leading_zero_bits: not yet. For b'\\x01' ...\n", 5)
    before = hashes(tmp_path)
    found = progress(tmp_path)
    assert hashes(tmp_path) == before
    [notebook] = found.notebooks
    assert dict(notebook.exercises) == {"flip_bit": PASSED, "leading_zero_bits": FAILED,
                                        "my_merkle_root": NOT_DONE, "verify_inclusion": NOT_DONE}
    assert notebook.next_exercise == "leading_zero_bits"
    row = str(found.table()).splitlines()[-1].split()
    assert row == [FIRST.name, "4", "1", "1", "2", "leading_zero_bits"]


def test_the_cell_run_last_wins_whatever_its_place():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("check_x(x)", execution_count=9,
                                  outputs=[stream("✅ x: passed. Yes.\n")]),
        nbformat.v4.new_code_cell("check_x(x)", execution_count=4,
                                  outputs=[stream("❌ x: not yet. No.\n")]),
        nbformat.v4.new_markdown_cell("✅ y: passed. (markdown is not an output)"),
        nbformat.v4.new_code_cell("print('✅ z: passed')", execution_count=10,
                                  outputs=[stream("a ✅ z: passed. mid-line is not a check\n")]),
    ])
    assert saved_statuses(notebook) == {"x": PASSED}


def test_the_course_notebooks_show_their_worked_solutions_passed():
    found = notebook_progress(FIRST)
    assert found.exercises and found.count(PASSED) == len(found.exercises)


def test_a_file_that_is_not_a_notebook_gets_a_row_that_says_so(tmp_path):
    (tmp_path / "04_build_a_blockchain.ipynb").write_text("{not json")
    [row] = progress(tmp_path).notebooks
    assert row.unreadable.startswith("not a notebook") and not row.exercises
    assert "not a notebook" in str(progress(tmp_path).table())


def test_no_folder_or_no_notebook_is_one_line_and_exit_2(tmp_path, capsys):
    with pytest.raises(ProgressError, match="no course notebook"):
        progress(tmp_path)
    assert main(["progress", "--dir", str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0


def test_the_command_prints_the_table_and_saves_the_chart(copies, tmp_path, capsys):
    before = hashes(copies)
    chart = tmp_path / "progress.png"
    assert main(["progress", "--dir", str(copies), "--plot", str(chart)]) == 0
    out = capsys.readouterr().out
    assert FIRST.name in out and "exercises passed" in out and f"Wrote the chart to {chart}" in out
    assert chart.read_bytes().startswith(b"\x89PNG")
    assert hashes(copies) == before
    assert main(["progress", "--dir", str(copies), "--plot", str(chart / "no.png")]) == 2


def test_a_notebook_shows_it_as_text_and_markdown_without_this_machines_paths(copies):
    found = progress(copies)
    assert repr(found) == str(found) and str(copies.parent) not in repr(found)
    assert found._repr_markdown_().startswith(f"**Progress in {copies.name}/**")


def test_a_copy_saved_without_cell_ids_is_read_without_a_warning(tmp_path):
    import json
    import warnings

    saved = json.loads(FIRST.read_text(encoding="utf-8"))
    for cell in saved["cells"]:
        cell.pop("id", None)  # as an older Jupyter saves nbformat 4.4
    copy = tmp_path / FIRST.name
    copy.write_text(json.dumps(saved), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = notebook_progress(copy)
    assert found.exercises and found.count(PASSED) == len(found.exercises)

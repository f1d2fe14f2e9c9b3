import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from benchmarks import BENCHMARKS
from benchmarks.__main__ import main
from benchmarks.notebooks import run


def test_notebook_benchmark_times_a_real_execution(tmp_path):
    path = tmp_path / "00_tiny.ipynb"
    notebook = new_notebook(cells=[new_code_cell("import time\ntime.sleep(0.3)\nprint('done')")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, path)
    table = run([path])
    (row,) = table.rows
    assert row[0] == "00_tiny.ipynb"
    assert float(row[1]) >= 0.3 and row[2] == "ok"


def test_the_runner_rejects_an_unknown_benchmark(capsys):
    try:
        main(["no-such-benchmark"])
    except SystemExit as exit_info:
        assert exit_info.code == 2
    assert "invalid choice" in capsys.readouterr().err
    assert "notebooks" in BENCHMARKS

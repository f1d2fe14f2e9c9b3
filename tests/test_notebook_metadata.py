"""Opening a committed notebook in JupyterLab changes nothing (no autosave, no git conflict).

JupyterLab reads a notebook through the Jupyter server's contents API, then copies the kernel's
kernelspec and kernel_info ``language_info`` into it; a value that differs marks the notebook
changed and autosave rewrites the file. tools/execute_notebooks.py writes both as JupyterLab
would, so each committed notebook must (1) already carry them and (2) come back byte for byte
when the contents API saves the model it served.
"""

from __future__ import annotations

import importlib.util

import pytest
from jupyter_server.services.contents.filemanager import FileContentsManager

from course.notebooks import course_notebooks
from course.paths import REPO_ROOT

spec = importlib.util.spec_from_file_location("execute_notebooks",
                                              REPO_ROOT / "tools" / "execute_notebooks.py")
assert spec and spec.loader
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)

NOTEBOOKS = course_notebooks()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_a_notebook_carries_the_metadata_jupyterlab_writes(path):
    manager = FileContentsManager(root_dir=str(path.parent))
    model = manager.get(path.name, content=True, type="notebook")
    metadata = model["content"]["metadata"]
    assert metadata["kernelspec"] == tool.KERNELSPEC
    assert metadata["language_info"] == tool.kernel_language_info()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_saving_what_the_contents_api_served_writes_the_same_bytes(path, tmp_path):
    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes())
    manager = FileContentsManager(root_dir=str(tmp_path))
    model = manager.get(copy.name, content=True, type="notebook")
    manager.save({"type": "notebook", "format": "json", "content": model["content"]}, copy.name)
    assert copy.read_bytes() == path.read_bytes()


def test_the_tool_sets_jupyterlabs_metadata_on_an_executed_notebook():
    import nbformat

    notebook = nbformat.v4.new_notebook(metadata={"language_info": {"name": "python"}})
    tool.lab_metadata(notebook)
    assert notebook.metadata["language_info"]["codemirror_mode"] == {"name": "ipython",
                                                                       "version": 3}
    assert notebook.metadata["kernelspec"]["name"] == "python3"

"""A real browser runs the course: `course lab` in headless Chromium, Run All, no error anywhere.

The system's Chromium (Debian's `chromium` package; CI installs it) is driven by Playwright,
never a downloaded browser. The notebooks run from a copy, so nothing committed is touched.
A screenshot of each notebook after Run All is kept in test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from course.paths import NOTEBOOKS_DIR, REPO_ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"]
NOTEBOOKS = ["00_start_here.ipynb", "16_capstone_depin_marketplace.ipynb"]
SCREENSHOTS = REPO_ROOT / "test-artifacts"
TOKEN = "course-browser-test"
NEWS_PROMPT = "get notified about official Jupyter news"

# Each snippet finds the notebook's panel by its file name (not "the current tab": JupyterLab
# may restore other tabs), so the commands run on the right notebook.
FIND_PANEL = """const panel = (() => {
    if (!window.jupyterapp) return null;
    for (const widget of window.jupyterapp.shell.widgets('main'))
        if (widget.context && widget.context.path.endsWith(name)) return widget;
    return null;
})();"""
NOTEBOOK_READY = "(name) => {" + FIND_PANEL + """
    const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
    if (!kernel || kernel.status !== 'idle') return false;
    window.jupyterapp.shell.activateById(panel.id);
    return window.jupyterapp.shell.currentWidget === panel;
}"""
CODE_CELLS = """
    const cells = [];
    for (let i = 0; i < panel.content.model.cells.length; i++) {
        const cell = panel.content.model.cells.get(i);
        if (cell.type === 'code' && cell.sharedModel.getSource().trim() !== '') cells.push(cell);
    }"""
NO_CELL_RAN_YET = "(name) => {" + FIND_PANEL + CODE_CELLS + """
    return cells.every(cell => !cell.executionCount);
}"""
ALL_CELLS_RAN = "(name) => {" + FIND_PANEL + CODE_CELLS + """
    return cells.every(cell => cell.executionCount)
        && panel.sessionContext.session.kernel.status === 'idle';
}"""
ERROR_OUTPUTS = "(name) => {" + FIND_PANEL + CODE_CELLS + """
    const errors = [];
    for (const cell of cells)
        for (const output of cell.outputs.toJSON())
            if (output.output_type === 'error') errors.push([output.ename, output.evalue]);
    return errors;
}"""
CODE_CELL_COUNT = "(name) => {" + FIND_PANEL + CODE_CELLS + " return cells.length; }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory) -> Iterator[str]:
    """`course lab --no-browser` serving a copy of the notebooks; yields its base URL."""
    if CHROMIUM is None:
        message = "no system Chromium: `apt-get install chromium` (CI installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("course") / "notebooks"
    folder.mkdir()
    for name in NOTEBOOKS:
        shutil.copy(NOTEBOOKS_DIR / name, folder / name)
    port = free_port()
    command = [sys.executable, "-m", "course.cli", "lab", "--no-browser", "--port", str(port),
               "--dir", str(folder.parent), "--", "--LabApp.expose_app_in_browser=True"]
    log = (tmp_path_factory.getbasetemp() / "lab.log").open("w")
    server = subprocess.Popen(command, env={**os.environ, "JUPYTER_TOKEN": TOKEN},
                              stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail(f"course lab did not start; see {log.name}")
            time.sleep(0.5)
    yield url
    server.terminate()
    server.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def browser(lab_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_run_all_in_a_real_browser_shows_no_error(browser, lab_url, name):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{lab_url}/lab/tree/notebooks/{name}?reset&token={TOKEN}")  # a fresh workspace
    page.wait_for_function(NOTEBOOK_READY, arg=name, timeout=90_000, polling=500)
    # the committed outputs carry execution counts: clear them, so "ran" means ran now
    page.evaluate("window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function(NO_CELL_RAN_YET, arg=name, timeout=30_000, polling=500)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(ALL_CELLS_RAN, arg=name, timeout=240_000, polling=1_000)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"browser-{Path(name).stem}.png"))
    assert page.evaluate(ERROR_OUTPUTS, name) == []
    assert page.evaluate(CODE_CELL_COUNT, name) > 10
    assert NEWS_PROMPT not in page.content(), "the news pop-up should be off in `course lab`"
    page.close()

import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from course.cli import START_NOTEBOOK, build_parser, lab_command, main, port_number
from course.curriculum import LESSONS
from course.notebooks import course_notebooks


def test_course_list_shows_every_notebook_with_its_time(course_cli):
    done = subprocess.run([*course_cli, "list"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    for entry in LESSONS:
        assert re.search(rf"{entry.number:02d}\s+{re.escape(entry.title)}\s+{entry.minutes} min",
                         done.stdout)
    assert "Start with: course lab" in done.stdout


@pytest.mark.parametrize(
    "argv, message",
    [
        (["lab", "--port", "notaport"],
         "argument --port: 'notaport' is not a port number (1-65535)"),
        (["lab", "--port", "70000"], "70000 is outside the port range 1-65535"),
        (["teleport"], "invalid choice: 'teleport'"),
        ([], "choose a command: lab, doctor, list, contracts, student, check, grade, progress "
             "or site"),
        (["check"], "the following arguments are required: NOTEBOOK"),
        (["check", "x.ipynb", "--timeout", "0"], "'0' is not a whole number of seconds"),
        (["student"], "the following arguments are required: OUT"),
    ],
)
def test_bad_usage_gives_a_one_line_error_with_usage_and_exit_2(argv, message, capsys):
    try:
        code = main(argv)
    except SystemExit as exit_info:  # argparse exits by itself
        code = exit_info.code
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: course")
    error_lines = [line for line in err.splitlines() if "error:" in line]
    assert len(error_lines) == 1 and message in error_lines[0]


def test_port_numbers_are_accepted_in_range():
    assert port_number("8888") == 8888


def test_lab_command_opens_the_start_notebook_with_the_options():
    command = lab_command(no_browser=True, port=9999)
    assert command[:4] == [sys.executable, "-m", "jupyter", "lab"]
    assert f"--LabApp.default_url=/lab/tree/{START_NOTEBOOK}" in command
    assert "--no-browser" in command
    assert "--ServerApp.port=9999" in command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_course_lab_serves_jupyterlab_on_the_start_notebook(course_cli, tmp_path):
    port = free_port()
    log = tmp_path / "lab.log"
    with log.open("w") as out:
        lab = subprocess.Popen(
            [*course_cli, "lab", "--no-browser", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        url = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and url is None and lab.poll() is None:
            pattern = rf"(http://127\.0\.0\.1:{port}/lab/tree/\S+\?token=\w+)"
            match = re.search(pattern, log.read_text())
            url = match.group(1) if match else None
            time.sleep(0.5)
        assert url, f"JupyterLab did not start:\n{log.read_text()[-2000:]}"
        assert f"/lab/tree/{START_NOTEBOOK}?" in url
        token = url.split("token=")[1]
        api = f"http://127.0.0.1:{port}/api/contents/{START_NOTEBOOK}?content=0&token={token}"
        with urllib.request.urlopen(api, timeout=10) as response:
            assert response.status == 200
            assert b'"type": "notebook"' in response.read().replace(b'":"', b'": "')
        # the course's settings reach this server: no news pop-up, no update check
        notification = "@jupyterlab/apputils-extension:notification"
        settings = f"http://127.0.0.1:{port}/lab/api/settings/{notification}?token={token}"
        with urllib.request.urlopen(settings, timeout=10) as response:
            defaults = json.load(response)["schema"]["properties"]
        assert defaults["fetchNews"]["default"] == "false"
        assert defaults["checkForUpdates"]["default"] is False
    finally:
        lab.terminate()
        lab.wait(timeout=30)


def test_course_student_writes_a_copy_of_every_notebook(course_cli, tmp_path):
    out = tmp_path / "student"
    done = subprocess.run([*course_cli, "student", str(out)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.glob("*.ipynb")) == [p.name for p in course_notebooks()]
    assert f"{len(course_notebooks())} student copies in {out}" in done.stdout
    first = nbformat.read(out / course_notebooks()[0].name, as_version=4)
    assert all(not c.get("outputs") for c in first.cells)
    again = subprocess.run([*course_cli, "student", str(out)], capture_output=True, text=True,
                           timeout=120)
    assert again.returncode == 1 and "use --force" in again.stderr


def test_lab_can_serve_a_folder_of_student_copies(tmp_path):
    (tmp_path / "00_start_here.ipynb").write_text("{}")
    command = lab_command(no_browser=True, port=None, folder=tmp_path)
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in command
    assert "--LabApp.default_url=/lab/tree/00_start_here.ipynb" in command


def test_lab_passes_options_after_a_double_dash_to_jupyterlab():
    args = build_parser().parse_args(
        ["lab", "--no-browser", "--", "--LabApp.expose_app_in_browser=True"])
    command = lab_command(args.no_browser, args.port, args.dir, args.jupyter_options)
    assert command[-1] == "--LabApp.expose_app_in_browser=True" and "--" not in command


def test_lab_refuses_a_folder_that_does_not_exist(tmp_path):
    with pytest.raises(SystemExit, match="is not a folder"):
        lab_command(no_browser=True, port=None, folder=tmp_path / "missing")


def test_contracts_build_names_each_artifact_it_wrote_from_the_course_folder(monkeypatch, capsys):
    import course.evm.artifacts as artifacts
    from course.cli import run_contracts_build

    monkeypatch.setattr(artifacts, "build_artifacts",
                        lambda: [artifacts.ARTIFACTS_DIR / "Counter.json"])
    assert run_contracts_build(check=False) == 0
    assert capsys.readouterr().out == f"wrote {Path('course/evm/artifacts/Counter.json')}\n"


FAKE_LAB = """\
import pathlib, signal, sys, time
folder = pathlib.Path(sys.argv[1])
def stop(number, frame):
    (folder / "lab-stopped").write_text(str(number))
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
(folder / "lab-started").write_text("yes")
time.sleep(60)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or sys.platform == "win32",
                    reason="POSIX signals")
def test_sigterm_to_course_lab_stops_jupyterlab_too(tmp_path):
    """A service manager or `kill` stops `course lab`: the JupyterLab it started stops with it."""
    (tmp_path / "fake_lab.py").write_text(FAKE_LAB)
    driver = (
        "import sys\nfrom course import cli\n"
        f"cli.lab_command = lambda *a, **k: [sys.executable, {str(tmp_path / 'fake_lab.py')!r}, "
        f"{str(tmp_path)!r}]\n"
        "sys.exit(cli.run_lab(True, None))\n"
    )
    course = subprocess.Popen([sys.executable, "-c", driver], stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not (tmp_path / "lab-started").exists():
        assert time.monotonic() < deadline and course.poll() is None, "the fake lab never started"
        time.sleep(0.05)
    course.send_signal(signal.SIGTERM)
    assert course.wait(timeout=20) == 0
    assert (tmp_path / "lab-stopped").read_text() == str(int(signal.SIGTERM))

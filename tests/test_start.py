"""start.py: the one command that sets the course up. It is idempotent and says what is wrong."""

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def load_start_module():
    spec = importlib.util.spec_from_file_location("start", ROOT / "start.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def start_in(folder, monkeypatch):
    """start.py with its paths pointing into ``folder``: a checkout of its own."""
    start = load_start_module()
    for name, path in [("ROOT", folder), ("VENV", folder / ".venv"),
                       ("STAMP", folder / ".venv" / "course-install.json"),
                       ("CONSTRAINTS", folder / "constraints.txt"),
                       ("NODE_PACKAGES", folder / "package.json")]:
        monkeypatch.setattr(start, name, path)
    (folder / "pyproject.toml").write_text("[project]\n")
    (folder / "constraints.txt").write_text("numpy==2.0.0\n")
    return start


def test_running_setup_again_is_a_no_op_that_installs_nothing(tmp_path, monkeypatch, capsys):
    start = start_in(tmp_path, monkeypatch)
    python = start.venv_python()
    python.parent.mkdir(parents=True)
    python.write_text("")  # an environment made by an earlier run
    start.STAMP.write_text(json.dumps({"inputs": start.install_inputs_hash(),
                                       "node_tools": False}))
    monkeypatch.setattr(start, "run", lambda command: pytest.fail(f"ran {command}"))
    assert start.set_up() == python
    assert "up to date" in capsys.readouterr().out


def test_a_changed_pin_makes_setup_install_again(tmp_path, monkeypatch):
    start = start_in(tmp_path, monkeypatch)
    python = start.venv_python()
    python.parent.mkdir(parents=True)
    python.write_text("")
    start.STAMP.write_text(json.dumps({"inputs": start.install_inputs_hash(),
                                       "node_tools": False}))
    (tmp_path / "constraints.txt").write_text("numpy==2.0.1\n")
    commands = []
    monkeypatch.setattr(start, "run", commands.append)
    monkeypatch.setattr(start, "install_node_tools", lambda: False)
    start.set_up()
    (pip,) = commands
    assert pip[1:4] == ["-m", "pip", "install"] and pip[5:7] == ["-c", "constraints.txt"]
    assert start.TORCH in pip and start.environment_is_current()


def test_the_fast_loop_leaves_slow_tests_out_and_the_full_suite_uses_every_core(monkeypatch):
    start = load_start_module()
    (fast,) = start.pytest_commands(Path("python"), ["--fast"])
    assert fast[1:] == ["-m", "pytest", "-m", "not slow", "tests"]
    (chain,) = start.pytest_commands(Path("python"), ["--fast", "tests/chain"])
    assert chain[-1] == "tests/chain"
    monkeypatch.setattr(start.os, "cpu_count", lambda: 2)
    parallel, ray = start.pytest_commands(Path("python"), [])
    assert parallel[1:] == ["-m", "pytest", "-n", "2", "--dist", "loadfile", "-m", "not ray"]
    assert ray[1:] == ["-m", "pytest", "-m", "ray"]


def test_a_failing_step_fails_the_run_and_an_empty_ray_selection_does_not(monkeypatch):
    start = load_start_module()
    codes = iter([0, 0, 0, 5])  # ruff, mypy, the parallel run, no Ray test selected
    monkeypatch.setattr(start.subprocess, "run",
                        lambda *a, **k: subprocess.CompletedProcess(a, next(codes)))
    assert start.run_tests(Path("python"), ["tests/chain"]) == 0
    codes = iter([0, 1, 0, 0])  # mypy found a problem
    assert start.run_tests(Path("python"), []) == 1


def test_an_unknown_command_exits_2_and_shows_usage():
    done = subprocess.run([sys.executable, "start.py", "deploy"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "unknown command 'deploy'" in done.stderr and "python3 start.py test" in done.stderr


def test_changing_the_pins_triggers_a_reinstall(tmp_path, monkeypatch):
    start = load_start_module()
    (tmp_path / "pyproject.toml").write_text("[project]\n")
    monkeypatch.setattr(start, "ROOT", tmp_path)
    monkeypatch.setattr(start, "CONSTRAINTS", tmp_path / "constraints.txt")
    (tmp_path / "constraints.txt").write_text("numpy==2.0.0\n")
    before = start.install_inputs_hash()
    (tmp_path / "constraints.txt").write_text("numpy==2.0.1\n")
    assert start.install_inputs_hash() != before


def test_an_unsupported_python_is_refused_with_the_fix(monkeypatch):
    start = load_start_module()
    monkeypatch.setattr(start.sys, "version_info", (3, 9, 0))
    try:
        start.check_python_version()
    except SystemExit as refusal:
        assert "Python 3.9 is not supported" in str(refusal.code)
        assert "python3.11 start.py" in str(refusal.code)
    else:
        raise AssertionError("Python 3.9 was accepted")


def readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    return re.findall(r"```bash\n(.+?)\n```", readme)


def test_readme_gives_the_setup_command_and_the_test_command_first():
    assert readme_commands()[:2] == ["python3 start.py", "python3 start.py test"]


def test_ci_runs_exactly_the_readme_test_command():
    script = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    commands = [line for line in script if line and not line.startswith("#")
                and not line.startswith(("set ", "cd "))]
    assert commands[-1] == readme_commands()[1]


def test_a_failing_npm_install_is_reported_and_does_not_stop_the_setup(monkeypatch, capsys):
    start = load_start_module()
    monkeypatch.setattr(start.shutil, "which", lambda name: "/usr/bin/npm")
    monkeypatch.setattr(start.subprocess, "run",
                        lambda *args, **kwargs: subprocess.CompletedProcess(args, 1))
    assert start.install_node_tools() is False
    assert "could not install the optional solc-js and anvil" in capsys.readouterr().out


def test_without_solc_js_setup_gets_the_pinned_solc_through_py_solc_x(monkeypatch, capsys):
    start = load_start_module()
    commands = []

    def installer(command, **kwargs):  # a fake pip and py-solc-x: both succeed
        commands.append(command)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(start.subprocess, "run", installer)
    assert start.install_solc_with_python(Path("python")) is True
    pip, solcx = commands
    assert pip[1:] == ["-m", "pip", "install", "--quiet", "py-solc-x"]
    assert solcx[-1] == f"import solcx; solcx.install_solc('{start.SOLC_VERSION}')"
    assert f"solc {start.SOLC_VERSION} installed through py-solc-x" in capsys.readouterr().out


def test_offline_the_py_solc_x_fallback_fails_softly_in_one_line(monkeypatch, capsys):
    start = load_start_module()

    def offline(command, **kwargs):  # pip works, the compiler download does not
        if "solcx" in command[-1]:
            raise subprocess.TimeoutExpired(command, 300)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(start.subprocess, "run", offline)
    assert start.install_solc_with_python(Path("python")) is False
    out = capsys.readouterr().out
    assert "could not get solc through py-solc-x (offline?)" in out and "Traceback" not in out


def test_setup_tries_py_solc_x_only_when_solc_js_was_not_installed(tmp_path, monkeypatch):
    start = start_in(tmp_path, monkeypatch)
    monkeypatch.setattr(start, "run", lambda command: None)
    tried = []
    monkeypatch.setattr(start, "install_solc_with_python", tried.append)
    start.venv_python().parent.mkdir(parents=True)
    start.venv_python().write_text("")  # an environment made by an earlier run
    for node_tools in (True, False):
        monkeypatch.setattr(start, "install_node_tools", lambda done=node_tools: done)
        start.STAMP.unlink(missing_ok=True)
        start.set_up()
    assert tried == [start.venv_python()]

"""Set up the course and open it, in one command (standard library only).

    python3 start.py                 create .venv if needed, install, open JupyterLab
    python3 start.py --no-browser    the same, without opening a browser (add --port N)
    python3 start.py setup           only create/update the environment
    python3 start.py test            set up if needed, then run the whole test suite
    python3 start.py test --fast     the quick loop while you work: no notebooks, kernels,
                                     Ray, browser or subprocess tests (about a minute)

Options after `test` (other than --fast) go to pytest, e.g. `python3 start.py test tests/chain`.

Running it again is fast and safe: it reinstalls only when pyproject.toml,
constraints.txt or the Python version changed since the last install.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / "course-install.json"
CONSTRAINTS = ROOT / "constraints.txt"
NODE_PACKAGES = ROOT / "package.json"  # solc-js and anvil for Part II, exact versions (optional)
# The CPU build of torch 2.13.0 is what CI tests; an unpinned torch pulls a multi-GB CUDA build.
TORCH = "torch==2.13.0"
MIN_PYTHON, MAX_PYTHON = (3, 11), (3, 12)


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def check_python_version() -> None:
    version = sys.version_info[:2]
    if not MIN_PYTHON <= version <= MAX_PYTHON:
        sys.exit(
            f"start.py: Python {version[0]}.{version[1]} is not supported; the course needs "
            f"Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} to {MAX_PYTHON[0]}.{MAX_PYTHON[1]} "
            "(3.11 is what CI tests). Run it as: python3.11 start.py"
        )


def install_inputs_hash() -> str:
    """A fingerprint of everything that decides what gets installed."""
    digest = hashlib.sha256()
    for path in (ROOT / "pyproject.toml", CONSTRAINTS, NODE_PACKAGES):
        digest.update(path.read_bytes() if path.exists() else b"-")
    digest.update(f"{sys.version_info[:2]}|{TORCH}".encode())
    return digest.hexdigest()


def node_tools_missing() -> bool:
    """npm is here but the pinned Node tools are not installed (yet)."""
    anvil = ROOT / "node_modules" / ".bin" / "anvil"
    return shutil.which("npm") is not None and not anvil.exists()


def environment_is_current() -> bool:
    if not (venv_python().exists() and STAMP.exists()):
        return False
    try:
        stamp = json.loads(STAMP.read_text())
    except ValueError:
        return False
    if stamp.get("node_tools", True) and node_tools_missing():
        return False  # npm is here and the tools were installed before, but are gone now
    return stamp.get("inputs") == install_inputs_hash()


def run(command: list[str]) -> None:
    print("+", " ".join(str(part) for part in command), flush=True)
    done = subprocess.run(command, cwd=ROOT)
    if done.returncode != 0:
        sys.exit(
            f"start.py: this step failed (exit code {done.returncode}); see the messages above. "
            "Offline? See 'Troubleshooting' in README.md."
        )


def set_up() -> Path:
    """Create .venv and install the course into it, unless it is already up to date."""
    check_python_version()
    python = venv_python()
    if environment_is_current():
        print("start.py: the environment in .venv is up to date.", flush=True)
        return python
    if not python.exists():
        print("start.py: creating a virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
    print("start.py: installing the course and its pinned dependencies (a few minutes) ...")
    pins = ["-c", CONSTRAINTS.name] if CONSTRAINTS.exists() else []
    run([str(python), "-m", "pip", "install", "--quiet", *pins, TORCH, "-e", ".[dev]"])
    node_tools = install_node_tools()
    if not node_tools:
        install_solc_with_python(python)
    STAMP.write_text(json.dumps({"inputs": install_inputs_hash(), "node_tools": node_tools}) + "\n")
    print("start.py: done. Check the machine any time with: .venv/bin/course doctor", flush=True)
    return python


def install_node_tools() -> bool:
    """solc-js and anvil at the exact versions of package.json, when npm exists (optional).

    Returns whether they are installed. A failure (offline, say) is reported, not fatal:
    the notebooks need neither tool.

    No lock file: anvil ships one binary package per platform, and npm records only the
    current platform's in a lock, which would then fail on every other platform.
    """
    npm = shutil.which("npm")
    if npm is None:
        print("start.py: no npm: skipping the optional Solidity compiler and local Ethereum node "
              "(notebooks use committed compiled contracts and an in-memory EVM).", flush=True)
        return False
    print("start.py: installing solc-js and anvil (package.json) ...", flush=True)
    command = [npm, "install", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error"]
    print("+", " ".join(command), flush=True)
    if subprocess.run(command, cwd=ROOT).returncode != 0:
        print("start.py: could not install the optional solc-js and anvil (offline?). The "
              "course runs without them; add them later with `npm install --no-package-lock` "
              "in the course folder.", flush=True)
        return False
    return True


SOLC_VERSION = "0.8.37"  # the solc that package.json pins for solc-js: the same compiler


def install_solc_with_python(python: Path) -> bool:
    """Without solc-js: the pinned solc through py-solc-x (Colab, no Node.js), if the network
    allows. Optional: a failure is reported in one line, and the notebooks run without it."""
    print(f"start.py: no solc-js: trying solc {SOLC_VERSION} through py-solc-x ...", flush=True)
    steps = [[str(python), "-m", "pip", "install", "--quiet", "py-solc-x"],
             [str(python), "-c", f"import solcx; solcx.install_solc({SOLC_VERSION!r})"]]
    for command in steps:
        print("+", " ".join(command), flush=True)
        try:
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.SubprocessError):
            done = None
        if done is None or done.returncode != 0:
            print("start.py: could not get solc through py-solc-x (offline?). The course runs "
                  "without a compiler (Solidity exercises say how to get one); later: "
                  f"`pip install py-solc-x && python -c \"import solcx; "
                  f"solcx.install_solc('{SOLC_VERSION}')\"`", flush=True)
            return False
    print(f"start.py: solc {SOLC_VERSION} installed through py-solc-x.", flush=True)
    return True


def pytest_commands(python: Path, extra: list[str]) -> list[list[str]]:
    """The pytest runs: the fast loop, or the whole suite in two steps.

    The whole suite first runs everything but Ray's tests on up to 4 processes (pytest-xdist;
    ``--dist loadfile`` keeps each notebook's cells together, in order, in one kernel), then
    Ray's tests one at a time: Ray's start-up times out when it shares busy cores.
    """
    pytest = [str(python), "-m", "pytest"]
    if "--fast" in extra:
        rest = [arg for arg in extra if arg != "--fast"]
        return [[*pytest, "-m", "not slow", *(rest or ["tests"])]]
    workers = str(min(os.cpu_count() or 1, 4))
    return [[*pytest, "-n", workers, "--dist", "loadfile", "-m", "not ray", *extra],
            [*pytest, "-m", "ray", *extra]]


NO_TESTS_COLLECTED = 5  # pytest's exit code when a selection is empty (e.g. no Ray test in it)


def run_tests(python: Path, extra: list[str]) -> int:
    """ruff, mypy (the whole suite only), then pytest; returns the exit code."""
    checks = [("ruff", [str(python), "-m", "ruff", "check", "."])]
    if "--fast" not in extra:
        checks.append(("mypy", [str(python), "-m", "mypy"]))  # settings: pyproject.toml
    failed = []
    for name, command in checks:
        print("+", " ".join(command[1:]), flush=True)
        if subprocess.run(command, cwd=ROOT).returncode != 0:
            failed.append(name)
    for command in pytest_commands(python, extra):
        print("+", " ".join(command[1:]), flush=True)
        if subprocess.run(command, cwd=ROOT).returncode not in (0, NO_TESTS_COLLECTED):
            failed.append("pytest")
    if failed:
        print(f"start.py: {', '.join(failed)} found problems (listed above).", flush=True)
    return int(bool(failed))


def main(argv: list[str]) -> int:
    if argv[:1] == ["setup"]:
        set_up()
        return 0
    if argv[:1] == ["test"]:
        return run_tests(set_up(), argv[1:])
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    if argv and not argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        print(f"start.py: unknown command {argv[0]!r}", file=sys.stderr)
        return 2
    python = set_up()
    return subprocess.call([str(python), "-m", "course.cli", "lab", *argv], cwd=ROOT)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)

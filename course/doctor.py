"""`course doctor`: is this machine ready for the course, and if not, what fixes it?

Every check catches its own failures, so a missing or broken package is reported
as a row of the table, never as a crash.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from course.display import Table
from course.paths import REPO_ROOT

OK = "ok"
MISSING = "MISSING"
BROKEN = "BROKEN"
ABSENT = "not found"  # an optional piece that is not there
INFO = "info"

SETUP_FIX = "python3 start.py  (re-creates the pinned environment in .venv)"
SUPPORTED_PYTHON = ((3, 11), (3, 12))


@dataclass(frozen=True)
class Package:
    """A Python distribution the course needs, and the module that proves it imports."""

    dist: str
    module: str
    why: str
    imported_by_notebooks: bool = True  # if False, finding the module is enough (fast)


REQUIRED_PACKAGES: tuple[Package, ...] = (
    Package("jupyterlab", "jupyterlab", "runs the notebooks", imported_by_notebooks=False),
    Package("nbval", "nbval", "tests the notebooks", imported_by_notebooks=False),
    Package("nbclient", "nbclient", "executes notebooks for checks and benchmarks"),
    Package("numpy", "numpy", "arrays for simulations"),
    Package("matplotlib", "matplotlib", "every picture"),
    Package("tqdm", "tqdm", "progress bars"),
    Package("torch", "torch", "real GPU/CPU compute jobs"),
    Package("ray", "ray", "scaling the job runner out"),
    Package("web3", "web3", "talking to an EVM"),
    Package("eth-tester", "eth_tester", "the in-memory EVM"),
    Package("py-evm", "eth", "the EVM implementation behind eth-tester"),
    Package("eth-keys", "eth_keys", "keys and signatures"),
    Package("eth-account", "eth_account", "accounts, mnemonics, message signing"),
    Package("coincurve", "coincurve", "fast secp256k1 (libsecp256k1) for eth-keys"),
    Package("pytest", "pytest", "the test suite", imported_by_notebooks=False),
    Package("hypothesis", "hypothesis", "property tests", imported_by_notebooks=False),
)


@dataclass(frozen=True)
class Finding:
    """One row of the doctor's table."""

    item: str
    status: str
    detail: str
    required: bool = False
    fix: str = ""

    @property
    def is_problem(self) -> bool:
        return self.required and self.status in (MISSING, BROKEN)


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        """True when every required piece is present and imports."""
        return not self.problems

    @property
    def problems(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.is_problem)

    def table(self) -> Table:
        return Table(
            ("item", "status", "detail"), [(f.item, f.status, f.detail) for f in self.findings]
        )

    def summary(self) -> str:
        if self.ok:
            return "Ready: every required piece is here. Open notebooks/00_start_here.ipynb."
        lines = [f"Not ready: {len(self.problems)} required piece(s) missing or broken."]
        lines += [f"  - {f.item}: {f.detail}\n    fix: {f.fix}" for f in self.problems]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"{self.table()}\n\n{self.summary()}"


def check_python(version: tuple[int, int] | None = None) -> Finding:
    version = version or sys.version_info[:2]
    low, high = SUPPORTED_PYTHON
    text = ".".join(map(str, version))
    if low <= version <= high:
        where = "the course's .venv" if Path(sys.prefix) == REPO_ROOT / ".venv" else sys.prefix
        return Finding("Python", OK, f"{platform.python_version()} ({where})", required=True)
    return Finding(
        "Python",
        BROKEN,
        f"{text} is not supported; use {low[0]}.{low[1]} to {high[0]}.{high[1]}",
        required=True,
        fix="install Python 3.11 (python.org or conda), then run: python3.11 start.py",
    )


def check_package(package: Package) -> Finding:
    """Is the distribution installed, and does its module import?"""
    fix = f"{SETUP_FIX}; or just this one: pip install -c constraints.txt {package.dist}"
    try:
        version = metadata.version(package.dist)
    except metadata.PackageNotFoundError:
        return Finding(package.dist, MISSING, f"not installed ({package.why})", True, fix)
    try:
        if package.imported_by_notebooks:
            importlib.import_module(package.module)
        elif importlib.util.find_spec(package.module) is None:
            raise ModuleNotFoundError(f"no module named {package.module!r}")
    except BaseException as error:  # a broken install can raise anything, even SystemExit
        if isinstance(error, KeyboardInterrupt):
            raise
        reason = f"{type(error).__name__}: {error}".splitlines()[0][:120]
        return Finding(package.dist, BROKEN, f"{version} does not import ({reason})", True, fix)
    return Finding(package.dist, OK, version, required=True)


def check_signature_backend() -> Finding:
    """eth-keys is ~100x faster with coincurve (libsecp256k1) than with its pure-Python code."""
    try:
        from eth_keys.backends import get_backend

        name = type(get_backend()).__name__
    except Exception as error:
        return Finding("eth-keys backend", BROKEN, f"unknown ({type(error).__name__})")
    if "CoinCurve" in name:
        return Finding("eth-keys backend", OK, "coincurve (fast)")
    return Finding(
        "eth-keys backend", ABSENT, f"{name} (slow pure Python)", fix="pip install coincurve"
    )


def check_compute_device() -> Finding:
    cpus = os.cpu_count() or 1
    try:
        import torch

        if torch.cuda.is_available():
            return Finding("GPU", OK, f"CUDA: {torch.cuda.get_device_name(0)}; {cpus} CPU cores")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return Finding("GPU", OK, f"Apple MPS; {cpus} CPU cores")
    except Exception as error:
        return Finding("GPU", ABSENT, f"cannot ask torch ({type(error).__name__}); {cpus} cores")
    return Finding("GPU", ABSENT, f"none: CPU only ({cpus} cores); every notebook still runs")


def _run(command: list[str], timeout: float = 20) -> str | None:
    """The first line a command prints, or None if it is missing or fails."""
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, cwd=REPO_ROOT
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    output = (done.stdout or done.stderr).strip().splitlines()
    return output[-1].strip() if output else ""


def _node_binary(name: str) -> str | None:
    """A binary on PATH, or one that `npm install` put in the repository's node_modules."""
    local = REPO_ROOT / "node_modules" / ".bin" / name
    return shutil.which(name) or (str(local) if local.exists() else None)


def check_solidity_compiler() -> Finding:
    """Which real solc the Solidity cells and exercises use (the first found), and the others.

    Optional: notebooks deploy committed artifacts; without a compiler the Solidity exercises
    say "needs a Solidity compiler" with the command that gets one.
    """
    try:
        from course.evm.compiler import GET_A_COMPILER, available_compilers

        compilers = available_compilers()
    except Exception as error:  # a broken node or py-solc-x install: report, never crash
        return Finding("Solidity compiler", BROKEN, f"cannot ask ({type(error).__name__})")
    if not compilers:
        return Finding("Solidity compiler", ABSENT,
                       "none: the Solidity exercises and %%solidity cells wait for one",
                       fix=GET_A_COMPILER.replace("`", ""))
    where = {"solc-js": "node_modules/solc, through Node.js", "solc": "solc on PATH",
             "py-solc-x": "installed by py-solc-x"}
    used, *others = compilers
    detail = f"in use: {used.name} {used.version} ({where[used.name]})"
    if others:
        detail += "; also " + ", ".join(f"{c.name} {c.version}" for c in others)
    return Finding("Solidity compiler", OK, detail)


def check_ethereum_node() -> Finding:
    anvil = _node_binary("anvil")
    if anvil and (version := _run([anvil, "--version"])):
        return Finding("Ethereum node", OK, f"anvil ({version})")
    return Finding(
        "Ethereum node",
        ABSENT,
        "no anvil (optional: the in-memory EVM is the default)",
        fix="npm install @foundry-rs/anvil  (in the course folder)",
    )


def check_node() -> Finding:
    node = shutil.which("node")
    version = _run([node, "--version"]) if node else None
    if version:
        return Finding("Node.js", OK, f"{version} (for solc-js and anvil)")
    return Finding(
        "Node.js", ABSENT, "not found (optional: for solc-js and anvil)", fix="nodejs.org or conda"
    )


def diagnose(packages: tuple[Package, ...] = REQUIRED_PACKAGES) -> Report:
    """Run every check and return the report; never raises for a missing or broken piece."""
    findings = [
        Finding("Platform", INFO, f"{platform.system()} {platform.machine()}"),
        check_python(),
    ]
    findings += [check_package(p) for p in packages]
    findings += [
        check_signature_backend(),
        check_compute_device(),
        check_node(),
        check_solidity_compiler(),
        check_ethereum_node(),
    ]
    return Report(tuple(findings))

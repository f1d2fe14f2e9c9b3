"""The `course` command: open the course, check the machine, list the notebooks.

    course lab [--no-browser] [--port PORT]   JupyterLab on notebooks/00_start_here.ipynb
    course doctor                             is everything the course needs here?
    course list                               the curriculum with time estimates
    course contracts build [--check]          recompile the Solidity contracts' artifacts
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence

START_NOTEBOOK = "notebooks/00_start_here.ipynb"


def port_number(text: str) -> int:
    """argparse type: a TCP port, 1-65535, with an error that says so."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is outside the port range 1-65535")
    return port


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="course",
        description="Blockchain & DePIN Skills Lab: a hands-on course in Jupyter notebooks.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    lab = commands.add_parser("lab", help="open the course in JupyterLab")
    lab.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    lab.add_argument(
        "--port", type=port_number, default=None, help="port (default: 8888 or the next free one)"
    )

    commands.add_parser("doctor", help="check that this machine can run the course")
    commands.add_parser("list", help="list the notebooks with their time estimates")

    contracts = commands.add_parser("contracts", help="Solidity contracts of Part II")
    contract_commands = contracts.add_subparsers(dest="contracts_command", metavar="ACTION",
                                                 required=True)
    build = contract_commands.add_parser("build", help="recompile course/evm/contracts/*.sol")
    build.add_argument("--check", action="store_true",
                       help="write nothing; exit 1 if any committed artifact differs")
    return parser


def lab_command(no_browser: bool, port: int | None) -> list[str]:
    """The JupyterLab command line that serves the course and opens the start notebook."""
    from course.paths import REPO_ROOT, notebooks_dir

    notebooks_dir()  # a clear error if the course files are not here
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        f"--ServerApp.root_dir={REPO_ROOT}",
        # the browser, the printed link and "/" all open the start notebook
        f"--LabApp.default_url=/lab/tree/{START_NOTEBOOK}",
    ]
    if no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers, Colab, CI run as root
        command.append("--allow-root")
    if port is not None:
        command += [f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]
    return command


def run_lab(no_browser: bool, port: int | None) -> int:
    from course.paths import REPO_ROOT

    command = lab_command(no_browser, port)
    print("Starting JupyterLab on", START_NOTEBOOK, "(stop it with Ctrl+C)", flush=True)
    try:
        return subprocess.call(command, cwd=REPO_ROOT)
    except KeyboardInterrupt:
        return 0


def run_doctor() -> int:
    from course.doctor import diagnose

    report = diagnose()
    print(report.table())
    print()
    print(report.summary())
    return 0 if report.ok else 1


def run_list() -> int:
    from course.curriculum import LESSONS, total_minutes
    from course.display import Table

    rows = [
        (f"{e.number:02d}", e.title, f"{e.minutes} min", "ready" if e.available else "planned")
        for e in LESSONS
    ]
    print(Table(("#", "notebook", "time", "status"), rows))
    hours = total_minutes() / 60
    print(f"\n{len(LESSONS)} notebooks, about {hours:.0f} hours in all. Start with: course lab")
    return 0


def run_contracts_build(check: bool) -> int:
    from course.evm.artifacts import ARTIFACTS_DIR, build_artifacts, compile_all, load_artifact
    from course.evm.compiler import CompilerNotFound

    try:
        if not check:
            for path in build_artifacts():
                print("wrote", path.relative_to(ARTIFACTS_DIR.parent.parent.parent))
            return 0
        drifted = [name for name, fresh in compile_all().items()
                   if {k: load_artifact(name).get(k) for k in fresh} != fresh]
    except CompilerNotFound as error:
        print(f"course: {error}", file=sys.stderr)
        return 1
    except KeyError as error:  # a contract without a committed artifact yet
        print(f"course: missing artifact {error}: run `course contracts build`", file=sys.stderr)
        return 1
    for name in drifted:
        print(f"{name}: the committed artifact differs from its source: "
              "run `course contracts build`")
    return 1 if drifted else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_usage(sys.stderr)
        print("course: error: choose a command: lab, doctor, list or contracts",
              file=sys.stderr)
        return 2
    if args.command == "lab":
        return run_lab(args.no_browser, args.port)
    if args.command == "doctor":
        return run_doctor()
    if args.command == "contracts":
        return run_contracts_build(args.check)
    return run_list()


if __name__ == "__main__":
    sys.exit(main())

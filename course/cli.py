"""The `course` command: open the course, check the machine, list the notebooks.

    course lab [--no-browser] [--port PORT]   JupyterLab on notebooks/00_start_here.ipynb
    course doctor                             is everything the course needs here?
    course list                               the curriculum with time estimates
    course contracts build [--check]          recompile the Solidity contracts' artifacts
    course student OUT [--force] [--solutions WHERE]
                                              student copies of the notebooks, without solutions
    course site OUT [--force]                 a static website of the executed notebooks
    course check NOTEBOOK [--timeout S]       run a notebook and score its exercises (exit 0: all
                                              passed, 1: not yet, 2: cannot run the notebook)
    course grade SUBMISSIONS --out CSV        grade a class: a gradebook and a feedback file each
    course progress [--dir FOLDER]            your exercises: passed, not yet, not done (read
                                              from the saved notebooks, which stay unchanged)

student, site and grade refuse an OUT they cannot write (exit 2) and write nothing half-way.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from course.grading import Limits

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


def positive_seconds(text: str) -> int:
    """argparse type: a whole number of seconds, at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of seconds (1 or more)")
    return int(text)


def positive_count(text: str) -> int:
    """argparse type: a whole number, at least 1 (notebooks graded at once)."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number (1 or more)")
    return int(text)


def positive_number(text: str) -> float:
    """argparse type: a number above 0 (gigabytes of memory)."""
    try:
        number = float(text)
    except ValueError:
        number = 0
    if not 0 < number < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number above 0")
    return number


def add_limits(command: argparse.ArgumentParser, timeout: int) -> None:
    """The time and memory limits of `course check` and `course grade`."""
    command.add_argument("--timeout", type=positive_seconds, default=timeout,
                         help=f"seconds one notebook may run in all (default: {timeout})")
    command.add_argument("--cell-timeout", type=positive_seconds, default=120,
                         help="seconds one cell may run (default: 120)")
    command.add_argument("--memory", type=positive_number, default=4, metavar="GB",
                         help="memory the kernel may use, in GB (default: 4; Linux only)")


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
    lab.add_argument("--dir", type=Path, default=None,
                     help="serve this folder instead, e.g. student copies from `course student`")
    lab.add_argument("jupyter_options", nargs=argparse.REMAINDER, metavar="-- OPTION",
                     help="anything after -- goes to JupyterLab as it is")

    commands.add_parser("doctor", help="check that this machine can run the course")
    commands.add_parser("list", help="list the notebooks with their time estimates")

    contracts = commands.add_parser("contracts", help="Solidity contracts of Part II")
    contract_commands = contracts.add_subparsers(dest="contracts_command", metavar="ACTION",
                                                 required=True)
    build = contract_commands.add_parser("build", help="recompile course/evm/contracts/*.sol")
    build.add_argument("--check", action="store_true",
                       help="write nothing; exit 1 if any committed artifact differs")

    student = commands.add_parser("student", help="write student copies of the notebooks")
    student.add_argument("out", metavar="OUT", type=Path, help="folder for the copies")
    student.add_argument("--force", action="store_true",
                         help="move copies already in OUT to a dated backup folder, then write")
    student.add_argument("--solutions", metavar="WHERE", default=None,
                         help="where learners find the worked solutions, shown by .hint(): the "
                         "course site's address (from `course site`) or your key (a path, an LMS "
                         "folder); default: ask your instructor")

    site = commands.add_parser("site", help="write a static website of the executed course")
    site.add_argument("out", metavar="OUT", type=Path, help="folder for the website")
    site.add_argument("--force", action="store_true", help="write into OUT even if not empty")

    check = commands.add_parser("check", help="run a notebook and score its exercises")
    check.add_argument("notebook", metavar="NOTEBOOK", type=Path, help="the .ipynb to check")
    add_limits(check, timeout=600)

    grade = commands.add_parser("grade", help="grade a folder of learners' notebooks")
    grade.add_argument("submissions", metavar="SUBMISSIONS", type=Path,
                       help="one notebook (ana.ipynb) or one folder (ana/) per learner")
    grade.add_argument("--out", type=Path, required=True, metavar="CSV",
                       help="the gradebook; feedback files go to CSV's name + _feedback/")
    grade.add_argument("--force", action="store_true", help="replace a gradebook already there")
    grade.add_argument("--jobs", type=positive_count, default=None, metavar="N",
                       help="notebooks graded at once (default: one per core)")
    add_limits(grade, timeout=300)

    progress = commands.add_parser("progress", help="your exercises, notebook by notebook")
    progress.add_argument("--dir", type=Path, default=None, metavar="FOLDER",
                          help="the folder of your notebooks (default: the course's notebooks/)")
    progress.add_argument("--plot", type=Path, default=None, metavar="PNG",
                          help="also save a chart of it as a PNG file")
    return parser


def start_notebook(folder: Path) -> str | None:
    """The start notebook inside ``folder`` (a course checkout or a folder of copies), if any."""
    for candidate in (START_NOTEBOOK, Path(START_NOTEBOOK).name):
        if (folder / candidate).is_file():
            return Path(candidate).as_posix()
    return None


def lab_command(no_browser: bool, port: int | None, folder: Path | None = None,
                jupyter_options: Sequence[str] = ()) -> list[str]:
    """The JupyterLab command line that serves the course and opens the start notebook.

    The course's JupyterLab settings (course/lab_settings.py) apply to this server only.
    ``folder`` serves another folder (student copies); ``jupyter_options`` pass through.
    """
    from course.lab_settings import lab_settings_arguments
    from course.paths import REPO_ROOT, notebooks_dir

    if folder is None:
        notebooks_dir()  # a clear error if the course files are not here
        folder = REPO_ROOT
    elif not folder.is_dir():
        raise SystemExit(f"course lab: --dir {folder} is not a folder")
    start = start_notebook(folder.resolve())
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        f"--ServerApp.root_dir={folder.resolve()}",
        # the browser, the printed link and "/" all open the start notebook
        f"--LabApp.default_url=/lab/tree/{start}" if start else "--LabApp.default_url=/lab",
        *lab_settings_arguments(),  # no news pop-up, the file browser on the notebooks
    ]
    if no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers, Colab, CI run as root
        command.append("--allow-root")
    if port is not None:
        command += [f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]
    return command + [option for option in jupyter_options if option != "--"]


def run_lab(no_browser: bool, port: int | None, folder: Path | None = None,
            jupyter_options: Sequence[str] = ()) -> int:
    from course.paths import REPO_ROOT

    command = lab_command(no_browser, port, folder, jupyter_options)
    where = folder or START_NOTEBOOK
    print("Starting JupyterLab on", where, "(stop it with Ctrl+C)", flush=True)
    return run_forwarding_signals(command, cwd=REPO_ROOT)


def run_forwarding_signals(command: Sequence[str], cwd: Path | None = None) -> int:
    """Run ``command`` until it exits; a SIGTERM or SIGHUP sent to `course` goes to it too.

    Without this, stopping `course lab` with ``kill`` (a service manager, a closed terminal,
    a container stop) would end `course` and leave JupyterLab serving on its port. Ctrl+C
    reaches both through the terminal; `course` then waits for JupyterLab to finish stopping.
    """
    import signal

    process = subprocess.Popen(list(command), cwd=cwd)

    def forward(number: int, frame: object) -> None:
        if process.poll() is None:
            process.send_signal(number)

    forwarded = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {number: signal.signal(number, forward) for number in forwarded}
    try:
        while True:
            try:
                code = process.wait()
                break
            except KeyboardInterrupt:  # JupyterLab got the Ctrl+C too: let it shut down
                continue
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return code if code > 0 else 0  # stopped by a signal: stopped as asked


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
    from course.evm.artifacts import build_artifacts, compile_all, load_artifact
    from course.evm.compiler import CompilerNotFound
    from course.paths import REPO_ROOT

    try:
        if not check:
            for path in build_artifacts():
                print("wrote", path.relative_to(REPO_ROOT))
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


def run_writer(out: Path, write: Callable[[], int],
               refusals: tuple[type[Exception], ...]) -> int:
    """Run a command that writes OUT, one line for each way it can stop: OUT refused (exit 2),
    the command's own refusals (exit 1), a write that failed half-way, e.g. a full disk (exit 1;
    the staging folder kept OUT as it was)."""
    from course.staging import OutPathError

    try:
        return write()
    except OutPathError as error:
        print(f"course: {error}", file=sys.stderr)
        return 2
    except refusals as error:
        print(f"course: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"course: could not write {out}: {error.strerror or error}; nothing was changed",
              file=sys.stderr)
        return 1


def run_student(out: Path, force: bool, solutions: str | None = None) -> int:
    from course.student import StudentCopyError, write_student_copies

    def write() -> int:
        copies = write_student_copies(out, force=force, solutions=solutions)
        for path, report in copies.reports.items():
            print(f"wrote {path}: solutions taken out: {report.solutions}, "
                  f"cells that wait for the learner's answers: {len(report.waiting_cells)}")
        if copies.backup is not None:
            print(f"\nThe copies that were in {out} are now in {copies.backup}: "
                  "copy back anything you want to keep.")
        print(f"\n{len(copies.reports)} student copies in {out}. Outputs are cleared: learners "
              "run them.")
        return 0

    return run_writer(out, write, (StudentCopyError,))


def run_site(out: Path, force: bool) -> int:
    from course.site import SiteError, write_site

    def write() -> int:
        site = write_site(out, force=force)
        print(f"Wrote the course website to {out}: {site.index.name} and {len(site.pages)} "
              f"notebook pages ({site.size_bytes / 1e6:.1f} MB).\nOpen {site.index} in a "
              "browser, or put the folder on any static web host.")
        return 0

    return run_writer(out, write, (SiteError,))


def limits_from(args: argparse.Namespace) -> Limits:
    from course.grading import Limits
    from course.kernel_session import memory_limit_supported

    if not memory_limit_supported():
        print("Note: the --memory limit is not enforced on this system (Linux only).",
              file=sys.stderr)
    return Limits(timeout=args.timeout, cell_timeout=args.cell_timeout, memory_gb=args.memory)


def run_check(notebook: Path, limits: Limits) -> int:
    from course.grading import NotebookNotGradable, grade

    if notebook.is_file():
        print(f"Running {notebook} in a fresh kernel (the file itself is not changed)...",
              flush=True)
    try:
        result = grade(notebook, limits=limits)
    except NotebookNotGradable as error:
        print(f"course: {error}", file=sys.stderr)
        return 2
    print(result.report())
    return 0 if result.all_passed else 1


def run_grade(submissions: Path, out: Path, force: bool, jobs: int | None,
              limits: Limits) -> int:
    from course.display import Table
    from course.gradebook import (
        GradebookError,
        check_gradebook_path,
        grade_class,
        gradebook_rows,
        write_gradebook,
    )

    def write() -> int:
        check_gradebook_path(out, force)  # before minutes of grading, not after
        try:
            learners = grade_class(submissions, limits, jobs)
        except KeyboardInterrupt:
            print("course: grading stopped; no gradebook written", file=sys.stderr)
            return 130
        feedback = write_gradebook(learners, out, force)
        _, rows = gradebook_rows(learners)
        print(Table(("learner", "passed", "of", "percent", "note"),
                    [(row[0], *row[-4:-1], row[-1] or "-") for row in rows]))
        print(f"\nWrote the gradebook {out} and a feedback file per learner in {feedback}/.")
        return 0

    return run_writer(out, write, (GradebookError,))


def run_progress(folder: Path | None, plot: Path | None) -> int:
    from course.progress import ProgressError, progress

    try:
        found = progress(folder)
    except ProgressError as error:
        print(f"course: {error}", file=sys.stderr)
        return 2
    print(found)
    if plot is not None:
        try:
            found.figure().savefig(plot)
        except (OSError, ValueError) as error:  # an unwritable path, an unknown image type
            print(f"course: could not write the chart {plot}: {error}", file=sys.stderr)
            return 2
        print(f"Wrote the chart to {plot}.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_usage(sys.stderr)
        print("course: error: choose a command: lab, doctor, list, contracts, student, check, "
              "grade, progress or site", file=sys.stderr)
        return 2
    if args.command == "lab":
        return run_lab(args.no_browser, args.port, args.dir, args.jupyter_options)
    if args.command == "doctor":
        return run_doctor()
    if args.command == "contracts":
        return run_contracts_build(args.check)
    if args.command == "student":
        return run_student(args.out, args.force, args.solutions)
    if args.command == "site":
        return run_site(args.out, args.force)
    if args.command == "check":
        return run_check(args.notebook, limits_from(args))
    if args.command == "grade":
        return run_grade(args.submissions, args.out, args.force, args.jobs, limits_from(args))
    if args.command == "progress":
        return run_progress(args.dir, args.plot)
    return run_list()


if __name__ == "__main__":
    sys.exit(main())

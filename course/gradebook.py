"""A class's notebooks graded into a gradebook: one CSV row per learner, a feedback file each.

    course grade SUBMISSIONS --out grades.csv

SUBMISSIONS holds one notebook per learner (``ana.ipynb``: the learner is "ana") or one folder
per learner (``ana/``, with any number of notebooks). Each notebook is graded as ``course check``
grades one (course/grading.py: a fresh kernel in a temporary copy of its folder, time and memory
limits, outcomes only from the grader's own signed steps), several at once, up to the machine's
cores. The gradebook has a column per exercise (1 passed, 0 not), then ``passed``, ``of``,
``percent`` and a ``note``, ready for an LMS import; ``grades_feedback/ana.md`` tells Ana what
each check found, in the words of the check in her notebook.
"""

from __future__ import annotations

import csv
import io
import os
import re
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from course.exercises import SYMBOLS, Outcome
from course.grading import Grade, Limits, NotebookNotGradable, grade
from course.kernel_session import kill_every_kernel
from course.staging import check_out_path, staging_folder

SKIPPED = re.compile(r"^(\.|__pycache__$)")  # hidden entries, .ipynb_checkpoints, caches
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets run as a formula


class GradebookError(Exception):
    """The class cannot be graded or its gradebook written: the message says why."""


@dataclass(frozen=True)
class Submission:
    """One learner's work: their notebooks, and the folder copied for each one's run."""

    learner: str
    notebooks: tuple[Path, ...]
    root: Path


@dataclass(frozen=True)
class LearnerGrade:
    """A learner's grades, one per notebook, and the notebooks that could not be graded."""

    submission: Submission
    grades: tuple[Grade, ...]
    problems: tuple[str, ...] = ()

    @property
    def learner(self) -> str:
        return self.submission.learner

    def outcomes(self) -> dict[str, Outcome]:
        """Each exercise's outcome; one found in two notebooks counts once, passed if either."""
        found: dict[str, Outcome] = {}
        for result in self.grades:
            for outcome in result.outcomes:
                if outcome.exercise not in found or outcome.passed:
                    found[outcome.exercise] = outcome
        return found

    def note(self) -> str:
        """What the instructor should know beyond the scores, in one line."""
        errors = sum(len(result.errors) for result in self.grades)
        parts = [f"{errors} cell(s) raised an error"] if errors else []
        parts += [note for result in self.grades for note in result.notes]
        parts += [f"not graded: {problem}" for problem in self.problems]
        if not self.submission.notebooks:
            parts.append("no notebook found")
        return "; ".join(parts)


def find_submissions(folder: Path) -> list[Submission]:
    """The learners in ``folder``: one per notebook in it, one per folder in it, by name.

    Raises:
        GradebookError: ``folder`` is not a folder, holds no notebook, or two entries give the
            same learner (``ana.ipynb`` and ``ana/``).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise GradebookError(f"{folder} is not a folder of submissions")
    try:
        entries = sorted(folder.iterdir())
    except OSError as error:
        raise GradebookError(f"cannot read {folder}: {error.strerror or error}") from None
    submissions = []
    for entry in entries:
        if SKIPPED.match(entry.name):
            continue
        if entry.is_file() and entry.suffix == ".ipynb":
            submissions.append(Submission(entry.stem, (entry,), folder))
        elif entry.is_dir():
            notebooks = tuple(sorted(
                path for path in entry.rglob("*.ipynb")
                if not any(SKIPPED.match(part) for part in path.relative_to(entry).parts)))
            submissions.append(Submission(entry.name, notebooks, entry))
    names = [submission.learner for submission in submissions]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise GradebookError(f"{', '.join(twice)}: both a notebook and a folder in {folder}; "
                             "keep one per learner")
    if not any(submission.notebooks for submission in submissions):
        raise GradebookError(f"no notebooks in {folder}: put one notebook (ana.ipynb) or one "
                             "folder (ana/) per learner in it")
    return submissions


def grade_submission(submission: Submission, limits: Limits,
                     kernel_name: str = "python3") -> LearnerGrade:
    """Grade each of a learner's notebooks in its own fresh kernel, one after the other."""
    grades, problems = [], []
    for notebook in submission.notebooks:
        try:
            grades.append(grade(notebook, limits=limits, root=submission.root,
                                kernel_name=kernel_name))
        except NotebookNotGradable as error:
            problems.append(str(error))
    return LearnerGrade(submission, tuple(grades), tuple(problems))


def grade_class(folder: Path, limits: Limits, jobs: int | None = None,
                kernel_name: str = "python3", progress: bool = True) -> list[LearnerGrade]:
    """Grade every learner in ``folder``, ``jobs`` at a time (default: one per core).

    Ctrl+C kills every kernel still running and raises KeyboardInterrupt: nothing is written.
    """
    submissions = find_submissions(folder)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(submissions)))
    results: dict[str, LearnerGrade] = {}
    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        with tqdm(total=len(submissions), unit="learner", desc="grading",
                  disable=not progress) as bar:
            futures = {pool.submit(grade_submission, submission, limits, kernel_name): submission
                       for submission in submissions}
            for future in as_completed(futures):
                results[futures[future].learner] = future.result()
                bar.update()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        kill_every_kernel()
        raise
    pool.shutdown()
    return [results[submission.learner] for submission in submissions]


def exercise_columns(learners: list[LearnerGrade]) -> list[str]:
    """Every exercise any learner's notebooks have, in the order they first appear."""
    columns: list[str] = []
    for learner in learners:
        columns += [name for name in learner.outcomes() if name not in columns]
    return columns


def gradebook_rows(learners: list[LearnerGrade]) -> tuple[list[str], list[list[object]]]:
    """The header and a row per learner: learner, 1/0 per exercise, passed, of, percent, note."""
    exercises = exercise_columns(learners)
    rows: list[list[object]] = []
    for learner in learners:
        outcomes = learner.outcomes()
        scores = [int(name in outcomes and outcomes[name].passed) for name in exercises]
        percent = round(100 * sum(scores) / len(exercises), 1) if exercises else 0.0
        rows.append([learner.learner, *scores, sum(scores), len(exercises), percent,
                     learner.note()])
    return ["learner", *exercises, "passed", "of", "percent", "note"], rows


def gradebook_csv(learners: list[LearnerGrade]) -> str:
    """The gradebook as CSV text, every text cell safe to open in a spreadsheet."""
    header, rows = gradebook_rows(learners)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(c) if isinstance(c, str) else c for c in row] for row in rows)
    return text.getvalue()


def _cell(text: str) -> str:
    """Text a spreadsheet shows as text, never runs as a formula (a learner names the files)."""
    return f"'{text}" if text.startswith(FORMULA_START) else text


def feedback(learner: LearnerGrade) -> str:
    """A learner's feedback as Markdown: the score, then per notebook what each check found."""
    outcomes = learner.outcomes()
    passed = sum(outcome.passed for outcome in outcomes.values())
    lines = [f"# Feedback for {learner.learner}", "",
             f"{passed} of {len(outcomes)} exercises passed.", ""]
    for result in learner.grades:
        lines += [f"## {result.notebook.name}", "", "| exercise | result |", "|---|---|"]
        lines += [f"| {o.exercise} | {SYMBOLS[o.status]} {o.status} |" for o in result.outcomes]
        lines.append("")
        lines += [f"- {outcome}" for outcome in result.outcomes if not outcome.passed]
        lines += [f"- ⚠️ {error}" for error in result.errors]
        lines += [f"- ℹ️ {note}" for note in result.notes]
        lines.append("")
    lines += [f"- Not graded: {problem}" for problem in learner.problems]
    return "\n".join(lines).rstrip() + "\n"


def feedback_folder(out_csv: Path) -> Path:
    """Where the feedback files go: ``grades.csv`` -> ``grades_feedback/``."""
    return out_csv.with_name(f"{out_csv.stem}_feedback")


def check_gradebook_path(out_csv: Path, force: bool) -> None:
    """Refuse a gradebook path before any grading starts.

    Raises:
        OutPathError: the CSV path or its feedback folder cannot be written.
        GradebookError: a gradebook is there already and ``force`` is false.
    """
    out_csv = Path(out_csv)
    check_out_path(out_csv, "file")
    check_out_path(feedback_folder(out_csv), "folder")
    there = [str(p) for p in (out_csv, feedback_folder(out_csv)) if p.exists()]
    if there and not force:
        raise GradebookError(f"{' and '.join(there)} already there: use --force to replace")


def write_gradebook(learners: list[LearnerGrade], out_csv: Path, force: bool = False) -> Path:
    """Write the CSV and a feedback file per learner; return the feedback folder.

    Both are written into a staging folder beside the CSV, then moved into place: a failure
    leaves the previous gradebook (if any) as it was.
    """
    out_csv = Path(out_csv)
    check_gradebook_path(out_csv, force)
    folder = feedback_folder(out_csv)
    with staging_folder(out_csv.parent) as staging:
        (staging / "feedback").mkdir()
        for learner in learners:
            name = re.sub(r"[^\w.\- ]", "_", learner.learner)
            (staging / "feedback" / f"{name}.md").write_bytes(feedback(learner).encode("utf-8"))
        (staging / "grades.csv").write_bytes(gradebook_csv(learners).encode("utf-8"))
        if folder.exists():
            os.replace(folder, staging / "previous-feedback")  # removed with the staging folder
        os.replace(staging / "feedback", folder)
        os.replace(staging / "grades.csv", out_csv)
    return folder

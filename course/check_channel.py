"""How a check's outcome travels from the learner's kernel to the grader, and why it can be trusted.

A learner's notebook runs in the same Python process as the checks it calls, so nothing it
prints and nothing it stores (``course.exercises.RESULTS``, a ✅ line) is evidence. The grader
(course/grading.py) uses this module instead:

1. **Before any learner cell**, the grader's opening step (``opening_source``) imports private
   copies of the exercise modules the notebook uses (``course.exercises.*`` imported again and
   taken out of ``sys.modules``: the notebook's own imports get other objects, so writing
   ``RESULTS`` or patching ``check_x``, ``Exercise.check`` or a module's helpers changes nothing
   the grader runs), draws a secret key, and hands the key over in its output, which no
   learner code could have touched yet. Python does not look in the learner's folder for modules
   during this step (``PYTHONSAFEPATH``), and the copies must come from the grader's package.
2. **After each learner cell that calls a check**, a grader step (``step_source``) runs the
   private copy of that check on the answer the call named (``check_fee_in_eth(fee_in_eth)``:
   whatever ``fee_in_eth`` is now), and publishes the outcome signed with the key (HMAC-SHA256)
   and numbered by step. The grader reads only its own steps' outputs and keeps an outcome only
   if the signature and the step number match: a printed or displayed fake, or a replayed one,
   is rejected. Steps are not stored in the kernel's history (``In``, ``%history``).

What this does not stop (the bound): the checks run inside the learner's process and call the
learner's code, so a notebook written against this grader can still cheat: by searching the
process's memory for the key or the private checks (``gc``), by patching what the checks and
the learner share (Python's and numpy's functions, the ``course`` library), or by an answer
that rewrites the checker while the check calls it. Grade with that in mind: the signature
stops casual and copied tricks; a determined cheat is caught by reading the notebook.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
from typing import Any

CHANNEL_MIME = "application/vnd.course.grader+json"
GRADER = "__course_grader__"  # the builtin through which grader steps reach the private checks


def opening_source(modules: list[str], package_dir: str) -> str:
    """The grader's first cell: private checks of ``modules``, a key handed to the grader."""
    return (f"__import__('course.check_channel').check_channel.open_channel("
            f"{modules!r}, {package_dir!r})")


def step_source(check: str, expression: str, step: int) -> str:
    """A grader step: run the private ``check`` on ``expression`` and publish the signed outcome."""
    return f"{GRADER}({check!r}, {expression!r}, {step})"


def read_key(outputs: list[Any]) -> bytes | None:
    """The key from the opening step's outputs, or None if it is not there."""
    for data in _channel_data(outputs):
        if isinstance(data.get("key"), str):
            return bytes.fromhex(data["key"])
    return None


def read_outcome(outputs: list[Any], key: bytes, step: int) -> dict[str, str] | None:
    """The outcome a grader step published (exercise, status, message) if signed and numbered
    right; None if there is none or every candidate is forged."""
    for data in _channel_data(outputs):
        payload, mac = data.get("payload"), data.get("mac")
        if not isinstance(payload, str) or not isinstance(mac, str):
            continue
        if not hmac.compare_digest(_sign(key, payload), mac):
            continue
        outcome = json.loads(payload)
        if outcome.get("step") == step:
            return {name: str(outcome[name]) for name in ("exercise", "status", "message")}
    return None


def _channel_data(outputs: list[Any]) -> list[dict[str, Any]]:
    found = []
    for output in outputs:
        data = output.get("data", {}).get(CHANNEL_MIME)
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                continue
        if isinstance(data, dict):
            found.append(data)
    return found


def _sign(key: bytes, payload: str) -> str:
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


# Everything below runs inside the learner's kernel, in the opening step.

EXERCISES_PACKAGE = "course.exercises"


def open_channel(modules: list[str], package_dir: str) -> None:
    """Set up the grader's side of the kernel: private checks, a key, the step function."""
    import builtins
    import secrets

    from IPython import get_ipython
    from IPython.display import publish_display_data

    checks, not_done = _private_checks(modules, package_dir)
    namespace = get_ipython().user_ns
    key = secrets.token_bytes(32)
    evaluate, dumps, sign = builtins.eval, json.dumps, _sign

    def run_check(check: str, expression: str, step: int) -> None:
        exercise = checks[check]
        try:
            answer = evaluate(expression, namespace)
        except NameError:
            outcome = (exercise.name, not_done, f"{expression} is not defined when its check runs.")
        else:
            found = exercise.check(answer)
            outcome = (found.exercise, found.status, found.message)
        payload = dumps({"step": step, "exercise": outcome[0], "status": outcome[1],
                         "message": outcome[2]})
        publish_display_data({CHANNEL_MIME: {"payload": payload, "mac": sign(key, payload)}})

    setattr(builtins, GRADER, run_check)
    _give_the_folder_back()
    publish_display_data({CHANNEL_MIME: {"key": key.hex()}})


def _private_checks(modules: list[str], package_dir: str) -> tuple[dict[str, Any], str]:
    """Import ``modules`` again, keep them out of ``sys.modules``; return their checks by name
    (``check_fee_in_eth``) and the copy's "not done" status."""
    import importlib

    import course

    if os.path.realpath(os.path.dirname(course.__file__ or "")) != os.path.realpath(package_dir):
        raise ImportError(f"the kernel imports the course package from {course.__file__}, not "
                          f"the grader's ({package_dir}): run the grader with the course's "
                          "Python environment")

    def ours(name: str) -> bool:
        return name == EXERCISES_PACKAGE or name.startswith(EXERCISES_PACKAGE + ".")

    public = {name: module for name, module in sys.modules.items() if ours(name)}
    for name in public:
        del sys.modules[name]
    try:
        loaded = [importlib.import_module(name) for name in [EXERCISES_PACKAGE, *modules]]
    finally:
        for name in [name for name in sys.modules if ours(name)]:
            del sys.modules[name]
        sys.modules.update(public)
        if EXERCISES_PACKAGE in public:  # the package's attribute points to the public copy
            setattr(course, "exercises", public[EXERCISES_PACKAGE])  # noqa: B010
        elif hasattr(course, "exercises"):
            delattr(course, "exercises")
    exercises = loaded[0]
    checks = {name: value for module in loaded[1:] for name, value in vars(module).items()
              if isinstance(value, exercises.Exercise)}
    return checks, str(exercises.NOT_DONE)


def _give_the_folder_back() -> None:
    """From now on the learner's own modules import as in JupyterLab: the folder joins sys.path
    after the standard library (where IPython puts it), and processes they start see no
    PYTHONSAFEPATH."""
    os.environ.pop("PYTHONSAFEPATH", None)
    if "" in sys.path:
        return
    for index, path in enumerate(sys.path):
        if os.path.basename(path) in ("site-packages", "dist-packages"):
            sys.path.insert(index, "")
            return
    sys.path.insert(0, "")

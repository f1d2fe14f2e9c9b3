"""Start Ray on a learner's laptop without stopping Run All: patience, one retry, a plain message.

On a busy 2-core machine ``ray.init`` sometimes gives up while its processes are still starting
(Ray waits 30 s for its raylet to register, then raises "The current node timed out during
startup"). ``start_ray`` waits longer for Ray's internal calls, and after a failed start cleans
up what was half started, pauses, and tries once more; if that fails too it says in one
sentence what happened and what to do, instead of Ray's internal traceback.

    from course.compute.ray_start import start_ray
    start_ray(num_cpus=2)            # True: Ray is running (or was already)

Used by notebook 14, where Ray starts.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from course.compute.errors import ComputeError

ATTEMPTS = 2  # the first start, then one retry
PAUSE_S = 5.0  # between the two, so whatever the machine was busy with can finish
# Ray's internal requests (to its control store, the GCS) may take this long before failing;
# Ray's default is 60 s. It applies when ray is imported after this (the processes Ray starts
# read it too); environment variables already set by the learner win.
PATIENT_RAY_ENV = {"RAY_gcs_server_request_timeout_seconds": "120"}


class RayStartError(ComputeError):
    """Ray did not start after every attempt (raised only with ``raise_on_failure=True``)."""


def start_ray(num_cpus: int | None = 2, *, attempts: int = ATTEMPTS, pause_s: float = PAUSE_S,
              raise_on_failure: bool = False, say: Callable[[str], Any] = print,
              **init_options: Any) -> bool:
    """Start a local Ray (or connect, with ``address=...``) unless it is already running.

    Quiet options are the default (no dashboard, no worker logs in the notebook); anything in
    ``init_options`` goes to ``ray.init`` as it is. Returns True when Ray is running. When
    every attempt failed: prints a plain message and returns False, so the cells that do not
    need Ray still run (``raise_on_failure=True`` raises ``RayStartError`` instead).
    """
    for name, value in PATIENT_RAY_ENV.items():  # read when ray is first imported
        os.environ.setdefault(name, value)
    import ray

    if ray.is_initialized():
        return True
    options = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False,
               **init_options}
    if num_cpus is not None:
        options["num_cpus"] = num_cpus
    last: BaseException | None = None
    for attempt in range(1, max(attempts, 1) + 1):
        try:
            ray.init(**options)
            return True
        except Exception as error:  # Ray raises plain Exception/RuntimeError/TimeoutError
            last = error
            _shut_down_quietly(ray)  # processes a failed start left behind
            if attempt < attempts:
                say(f"Ray did not start on attempt {attempt} ({_first_line(error)}); "
                    f"trying again in {pause_s:.0f} s...")
                time.sleep(pause_s)
    message = (f"Ray did not start after {attempts} attempts ({_first_line(last)}). Your machine "
               "may be busy: close other programs, then run this cell again; the cells that "
               "need Ray will say so until it runs, the others work without it.")
    if raise_on_failure:
        raise RayStartError(message)
    say(message)
    return False


def _shut_down_quietly(ray: Any) -> None:
    with contextlib.suppress(Exception):  # nothing was running to shut down
        ray.shutdown()


def _first_line(error: BaseException | None) -> str:
    text = str(error).strip().splitlines()[0] if error is not None and str(error).strip() else ""
    name = type(error).__name__ if error is not None else "no error"
    return f"{name}: {text[:160]}" if text else name


if __name__ == "__main__":  # python -m course.compute.ray_start: does Ray start here?
    sys.exit(0 if start_ray() else 1)

"""Importing the course is cheap and has no side effects."""

import json
import subprocess
import sys

HEAVY = ["torch", "ray", "web3", "eth_tester", "matplotlib", "nbclient", "jupyterlab"]


def test_importing_course_loads_no_heavy_library():
    code = (
        "import json, sys\n"
        "import course, course.curriculum, course.exercises, course.exercises.start_here\n"
        "import course.cli, course.doctor, course.display, course.paths\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_importing_course_starts_no_background_thread():
    code = (
        "import threading, course, course.doctor, course.cli\n"
        "print(threading.active_count())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "1"

"""start_ray: a slow Ray start gets one retry and a plain message, never Ray's traceback."""

from __future__ import annotations

import os
import sys
import types

import pytest

from course.compute.ray_start import PATIENT_RAY_ENV, RayStartError, start_ray


def fake_ray(monkeypatch, failures, running=False):
    """A stand-in for the ray module whose init fails ``failures`` times, then starts."""
    calls = []
    ray = types.SimpleNamespace(started=running)

    def init(**options):
        calls.append(("init", options))
        if len([c for c in calls if c[0] == "init"]) <= failures:
            raise Exception("The current node timed out during startup. This could happen...")
        ray.started = True

    ray.init = init
    ray.is_initialized = lambda: ray.started
    ray.shutdown = lambda: calls.append(("shutdown", {}))
    monkeypatch.setitem(sys.modules, "ray", ray)
    return calls


def test_a_start_that_times_out_once_is_retried_after_cleaning_up(monkeypatch):
    calls = fake_ray(monkeypatch, failures=1)
    said = []
    assert start_ray(num_cpus=2, pause_s=0, say=said.append) is True
    assert [name for name, _ in calls] == ["init", "shutdown", "init"]
    assert calls[-1][1] == {"include_dashboard": False, "log_to_driver": False,
                            "configure_logging": False, "num_cpus": 2}
    assert said == ["Ray did not start on attempt 1 (Exception: The current node timed out during "
                    "startup. This could happen...); trying again in 0 s..."]


def test_two_failures_give_one_plain_message_and_run_all_goes_on(monkeypatch):
    fake_ray(monkeypatch, failures=2)
    said = []
    assert start_ray(pause_s=0, say=said.append) is False
    assert said[-1].startswith("Ray did not start after 2 attempts (Exception: The current node")
    assert "run this cell again" in said[-1] and "\n" not in said[-1]


def test_raise_on_failure_raises_a_course_error_with_the_same_message(monkeypatch):
    fake_ray(monkeypatch, failures=5)
    with pytest.raises(RayStartError, match="after 2 attempts.*close other programs"):
        start_ray(pause_s=0, say=lambda _: None, raise_on_failure=True)


def test_ray_already_running_is_left_alone(monkeypatch):
    calls = fake_ray(monkeypatch, failures=0, running=True)
    assert start_ray() is True and calls == []


def test_options_pass_through_and_ray_waits_longer_for_its_control_store(monkeypatch):
    [(variable, seconds)] = PATIENT_RAY_ENV.items()
    monkeypatch.delenv(variable, raising=False)
    calls = fake_ray(monkeypatch, failures=0)
    assert start_ray(None, address="auto", include_dashboard=True)
    assert calls[0][1]["address"] == "auto" and calls[0][1]["include_dashboard"] is True
    assert "num_cpus" not in calls[0][1]
    assert os.environ[variable] == seconds == "120"


def test_notebook_13s_start_cell_runs_to_its_end_when_ray_does_not_start(monkeypatch, capsys):
    """Run All must not stop at the cell that starts Ray: it prints the plain message."""
    import nbformat

    from course.compute import ray_start
    from course.notebooks import course_notebooks

    (path,) = [p for p in course_notebooks() if p.name.startswith("14_")]
    (cell,) = [c for c in nbformat.read(path, 4).cells
               if c.cell_type == "code" and "start_ray(" in c.source]
    fake_ray(monkeypatch, failures=5)
    monkeypatch.setattr(ray_start, "PAUSE_S", 0.0)
    monkeypatch.setattr(ray_start.start_ray, "__kwdefaults__",
                        {**ray_start.start_ray.__kwdefaults__, "pause_s": 0.0})
    monkeypatch.setenv("RAY_AUTH_MODE", "token")
    namespace: dict = {}
    exec(cell.source, namespace)  # noqa: S102 (the notebook's own cell)
    printed = capsys.readouterr().out
    assert "Ray did not start after 2 attempts" in printed
    assert "Ray is running: False" in printed and namespace["ray_ready"] is False

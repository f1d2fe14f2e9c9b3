"""A simulated GPU with a virtual clock: why a stopwatch around a CUDA call lies.

torch queues CUDA kernels and returns at once: the host's clock keeps running while the device
works through its queue. This device does the same in virtual time, deterministically, so a
benchmark harness can be tested without a GPU:

- ``run()`` pays the launch overhead on the host, queues one kernel and returns;
- ``synchronize()`` waits (advances the host's clock) until the queue is empty;
- ``clock()`` reads the host's clock in seconds, like ``time.perf_counter()``.

The first run costs ``first_call_factor`` times a normal one (a real first call allocates
memory and picks or compiles a kernel), and a run listed in ``stolen`` takes longer because
another process used the device meanwhile. Every call is logged in ``events``.

Taught in notebook 12 (Try it 3: a benchmark harness).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

from course.compute.errors import MeasurementError
from course.validation import ensure_int, ensure_number

MAX_RUNS = 10_000  # a harness that calls run() more often is stuck in a loop


@dataclass(frozen=True)
class Event:
    """One call to the device: ``kind`` is "run", "synchronize" or "clock"; ``at`` the host's
    time after it; ``queued`` whether the device still had unfinished work then."""

    kind: str
    at: float
    queued: bool


class SimulatedGPU:
    """An asynchronous device in virtual time (see the module's docstring)."""

    def __init__(
        self,
        kernel_s: float,
        launch_s: float = 5e-6,
        first_call_factor: float = 50.0,
        stolen: Mapping[int, float] | None = None,
        jitter: float = 0.0,
        seed: int = 0,
        start: float = 1_000.0,
    ) -> None:
        self.kernel_s = ensure_number(kernel_s, "kernel_s", above=0, error=MeasurementError)
        self.launch_s = ensure_number(launch_s, "launch_s", minimum=0, error=MeasurementError)
        self.first_call_factor = ensure_number(
            first_call_factor, "first_call_factor", minimum=1, error=MeasurementError
        )
        self.jitter = ensure_number(jitter, "jitter", minimum=0, maximum=1, error=MeasurementError)
        self.stolen = {
            ensure_int(run, "stolen run", minimum=0, error=MeasurementError): ensure_number(
                extra, "stolen seconds", minimum=0, error=MeasurementError
            )
            for run, extra in (stolen or {}).items()
        }
        self.now = ensure_number(start, "start", minimum=0, error=MeasurementError)
        self.busy_until = self.now  # when the device's queue drains
        self.run_seconds: list[float] = []  # launch + device time of each run, in call order
        self.events: list[Event] = []
        self._random = random.Random(seed)

    @property
    def seconds_per_run(self) -> float:
        """What one ordinary run takes from launch to finished work: launch + kernel."""
        return self.launch_s + self.kernel_s

    def run(self) -> None:
        """Launch one kernel: the host pays the launch, the device queues the work."""
        number = len(self.run_seconds)
        if number >= MAX_RUNS:
            raise MeasurementError(
                f"run() was called {MAX_RUNS:,} times: a benchmark should stop after its "
                "warm-up and its repeats"
            )
        work = self.kernel_s * (1 + self.jitter * self._random.random())
        if number == 0:
            work += (self.first_call_factor - 1) * self.kernel_s
        work += self.stolen.get(number, 0.0)
        self.now += self.launch_s
        self.busy_until = max(self.now, self.busy_until) + work
        self.run_seconds.append(self.launch_s + work)
        self._log("run")

    def synchronize(self) -> None:
        """Wait until every queued kernel has finished (torch.cuda.synchronize())."""
        self.now = max(self.now, self.busy_until)
        self._log("synchronize")

    def clock(self) -> float:
        """The host's time in seconds (time.perf_counter()): it does not wait for the device."""
        self._log("clock")
        return self.now

    def _log(self, kind: str) -> None:
        self.events.append(Event(kind, self.now, self.busy_until > self.now))

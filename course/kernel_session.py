"""A fresh kernel that runs code one cell at a time, under a deadline the code cannot ignore.

``course check`` and ``course grade`` (course/grading.py) run a learner's notebook through it:

- the kernel starts in a folder the caller chooses (a temporary copy of the learner's folder);
- its own stdout and stderr go to a log file, so kernel noise ("Kernel is running over TCP
  without encryption", debugger notes) never reaches the learner: cell outputs still arrive;
- a memory limit where the system has one: on Linux ``resource.prlimit`` caps the kernel's data
  segment (``RLIMIT_DATA``: what it allocates, not the address space CUDA reserves), inherited by
  every process it starts; macOS and Windows have no enforced limit (``memory_limited`` says so);
- a cell that runs past its time is interrupted, as JupyterLab's stop button does; if it is still
  running ``GRACE_SECONDS`` later (it swallowed the KeyboardInterrupt), the kernel and every
  process it started are killed, and no later cell runs.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbclient.util import ensure_async

GRACE_SECONDS = 3.0  # how long an interrupted cell has to stop before the kernel is killed


class CellStatus(StrEnum):
    OK = "ok"
    ERROR = "error"  # the cell raised
    TIMEOUT = "timeout"  # ran out of time; the interrupt stopped it
    KILLED = "killed"  # ran out of time and ignored the interrupt: the kernel was killed
    DIED = "died"  # the kernel died by itself (os._exit, a crash, out of memory)


@dataclass(frozen=True)
class CellRun:
    """What running one cell did: its status, the error's name and message, its outputs."""

    status: CellStatus
    error: str = ""
    message: str = ""
    outputs: list[Any] = field(default_factory=list)

    @property
    def kernel_alive(self) -> bool:
        return self.status not in (CellStatus.KILLED, CellStatus.DIED)


_RUNNING: set[KernelSession] = set()  # every kernel started and not yet shut down
_RUNNING_LOCK = threading.Lock()


def kill_every_kernel() -> None:
    """Kill every kernel still running, from any thread (Ctrl+C while grading a class)."""
    with _RUNNING_LOCK:
        sessions = list(_RUNNING)
    for session in sessions:
        session.kill_now()


def memory_limit_supported() -> bool:
    """True where the kernel's memory can be capped (Linux: resource.prlimit)."""
    try:
        import resource
    except ImportError:  # Windows
        return False
    return hasattr(resource, "prlimit") and sys.platform.startswith("linux")


class KernelSession:
    """``async with KernelSession(cwd, log) as kernel: await kernel.run(source, seconds)``."""

    def __init__(self, cwd: Path, log_path: Path, memory_bytes: int | None = None,
                 kernel_name: str = "python3", env: dict[str, str] | None = None) -> None:
        self.cwd = Path(cwd)
        self.log_path = Path(log_path)
        self.memory_bytes = memory_bytes
        self.memory_limited = False
        self.env = {**os.environ, **(env or {})}
        self._client = NotebookClient(
            nbformat.v4.new_notebook(), kernel_name=kernel_name, timeout=None,
            allow_errors=True, on_cell_executed=self._on_executed,
        )
        self._reply: dict[str, Any] | None = None
        self._log: Any = None

    async def __aenter__(self) -> KernelSession:
        self._log = self.log_path.open("ab")
        client = self._client
        client.km = client.create_kernel_manager()
        try:
            await client.async_start_new_kernel(cwd=str(self.cwd), env=self.env,
                                                stdout=self._log, stderr=self._log)
            with _RUNNING_LOCK:
                _RUNNING.add(self)
            self._limit_memory()
            await client.async_start_new_kernel_client()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.close()

    async def close(self) -> None:
        """Shut the kernel down (kill it if it does not answer) and close the log."""
        client = self._client
        try:
            if client.km is not None:
                if client.kc is None:  # started, but no client: nothing to ask politely
                    await self.kill()
                await client._async_cleanup_kernel()
        finally:
            with _RUNNING_LOCK:
                _RUNNING.discard(self)
            if self._log is not None:
                self._log.close()
                self._log = None

    def _limit_memory(self) -> None:
        if self.memory_bytes is None or not memory_limit_supported():
            return
        import resource

        pid = getattr(self._client.km.provisioner, "pid", None) if self._client.km else None
        if pid is None:
            return
        resource.prlimit(pid, resource.RLIMIT_DATA, (self.memory_bytes, self.memory_bytes))
        self.memory_limited = True

    async def kill(self) -> None:
        """Kill the kernel's whole process group (the kernel and whatever it started)."""
        km = self._client.km
        if km is not None and km.provisioner is not None:
            await km.provisioner.kill()

    def kill_now(self) -> None:
        """Kill the kernel's process group at once; safe from another thread."""
        provisioner = self._client.km.provisioner if self._client.km else None
        pgid = getattr(provisioner, "pgid", None)
        process = getattr(provisioner, "process", None)
        try:
            if pgid and hasattr(os, "killpg") and pgid != os.getpgrp():
                os.killpg(pgid, signal.SIGKILL)
            elif process is not None:
                process.kill()
        except OSError:  # already gone
            pass

    def _on_executed(self, cell: Any, cell_index: int, execute_reply: dict[str, Any]) -> None:
        self._reply = execute_reply

    async def run(self, source: str, seconds: float, store_history: bool = True) -> CellRun:
        """Run ``source`` as one cell; stop it after ``seconds`` (interrupt, then kill)."""
        cell = nbformat.v4.new_code_cell(source)
        client = self._client
        client.nb.cells = [cell]
        self._reply = None
        task = asyncio.ensure_future(
            client.async_execute_cell(cell, 0, store_history=store_history))
        done, _ = await asyncio.wait({task}, timeout=max(seconds, 0.01))
        if task in done:
            return self._finished(task, cell)
        if client.km is not None:
            await ensure_async(client.km.interrupt_kernel())
        done, _ = await asyncio.wait({task}, timeout=GRACE_SECONDS)
        if task in done:
            finished = self._finished(task, cell)
            if finished.kernel_alive:
                return CellRun(CellStatus.TIMEOUT, "Timeout",
                               f"the cell ran longer than {seconds:.0f} s and was interrupted",
                               finished.outputs)
            return finished
        await self.kill()
        done, _ = await asyncio.wait({task}, timeout=5)  # nbclient notices within a second
        if done and not task.cancelled():
            task.exception()  # DeadKernelError, expected: retrieved so asyncio does not log it
        else:
            task.cancel()
        return CellRun(CellStatus.KILLED, "Timeout",
                       f"the cell ran longer than {seconds:.0f} s and ignored the interrupt, "
                       "so the kernel was stopped; the cells below did not run",
                       list(cell.outputs))

    def _finished(self, task: asyncio.Future[Any], cell: Any) -> CellRun:
        if task.cancelled() or isinstance(task.exception(), DeadKernelError):
            return CellRun(CellStatus.DIED, "DeadKernelError",
                           "the kernel died (out of memory?); the cells below did not run",
                           list(cell.outputs))
        task.result()  # anything else nbclient raised is a bug to see, not a learner's error
        content = (self._reply or {}).get("content", {})
        if content.get("status") == "error":
            return CellRun(CellStatus.ERROR, content.get("ename", "Error"),
                           content.get("evalue", ""), list(cell.outputs))
        return CellRun(CellStatus.OK, outputs=list(cell.outputs))

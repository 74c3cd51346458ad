"""Pipelines and callbacks that misbehave on purpose, for the engine's fault tests.

They live in a module, not in a test function, because the local engine's worker
processes are spawned: a pipeline reaches them pickled by reference to its class, which
the worker imports from here.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from crawlsift import schema as S
from crawlsift.engine.pipeline import Pipeline

#: a record whose text holds this raises MemoryError in every batch that holds it
RAISE_MEMORY = "RAISE-MEMORY-ERROR"
#: ... raises pyarrow's ArrowMemoryError
RAISE_ARROW_MEMORY = "RAISE-ARROW-MEMORY-ERROR"
#: ... kills its worker process with SIGKILL, as the OOM killer does
KILL_WORKER = "KILL-THE-WORKER"
#: ... sleeps ``Faulty.sleep`` seconds
SLOW = "SLOW-RECORD"
#: ... makes its task's commit kill the worker (a death outside any record)
KILL_IN_COMMIT = "KILL-THE-WORKER-IN-COMMIT"


@dataclass(frozen=True)
class Faulty(Pipeline):
    """The default pipeline, but a batch holding a marked record fails the marked way.

    With ``once`` (a file path), a kill happens only while that file does not exist, and
    creates it: a worker lost once, for a reason that is not the input's.
    """

    sleep: float = 0.0
    once: str | None = None

    def __call__(self, table: pa.Table) -> pa.Table:
        texts = [t or "" for t in table.column(S.TEXT).to_pylist()]
        if any(SLOW in t for t in texts):
            time.sleep(self.sleep)
        if any(RAISE_MEMORY in t for t in texts):
            raise MemoryError
        if any(RAISE_ARROW_MEMORY in t for t in texts):
            raise pa.ArrowMemoryError("malloc of size 68719476736 failed")
        once = Path(self.once) if self.once is not None else None
        if any(KILL_IN_COMMIT in t for t in texts):
            _kill_in_commit(once)
        elif any(KILL_WORKER in t for t in texts):
            _kill(once)
        return super().__call__(table)


def _kill(once: Path | None) -> None:
    if once is None or not once.exists():
        if once is not None:
            once.touch()
        os.kill(os.getpid(), signal.SIGKILL)


def _kill_in_commit(once: Path | None) -> None:
    """Make this worker process die in the next commit of a task's output."""
    from crawlsift.engine import local

    real = local.TaskOutput.commit

    def commit(output: Any, *args: Any, **kwargs: Any) -> Any:
        local.TaskOutput.commit = real  # type: ignore[method-assign]
        _kill(once)
        return real(output, *args, **kwargs)

    local.TaskOutput.commit = commit  # type: ignore[method-assign]


def sleepy_steps(step: Any) -> None:
    """A dedup progress callback that makes each step take a while."""
    time.sleep(0.5)

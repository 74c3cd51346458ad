"""A time limit per record that holds even while C code runs.

Python cannot interrupt a C extension (Lexbor parsing, resiliparse's extraction) that
runs too long on a hostile page, and no Python thread can even run while it holds the
GIL. So the limit is kept by the kernel, the way Hadoop skips bad records: before a
worker process (local engine or Ray) parses a record, it writes the record's position and
deadline to its task's *in-flight* file and arms a ``SIGALRM`` timer whose default
action ends the process. When the record finishes in time the timer is disarmed and
the in-flight slot cleared (two system calls each, a few microseconds per record).

If the worker dies, the local engine (:func:`collect`) moves every in-flight record whose
deadline has passed into the task's timeout log and redoes the task from scratch
(partial shards are discarded, as after a crash); on Ray, the retried task does the same
for its own slot when it installs the watchdog. This time the stage finds the record in
the log and rejects it as ``parse_timeout`` without parsing it. Each retry adds a record
to a log, so a run always finishes.

Stages call :func:`timed_out` and :func:`watch` with a record's ``source_index``; both
are no-ops unless an engine runs them inside :func:`enforce` (the single-record API does
not). While a stage runs, the engines put each record's key within its task in
``source_index`` (:func:`crawlsift.engine.tasks.keyed`), so records of different files
of one task are told apart; a death the time limit does not explain is handled by
:mod:`crawlsift.engine.isolate`.
"""

from __future__ import annotations

import json
import os
import signal
import struct
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_SLOT = struct.Struct("<qd")  # record position (-1 = none), deadline (time.time: the
#                                 retry of a Ray task may run on another node)
_IDLE = _SLOT.pack(-1, 0.0)


class _Watchdog:
    def __init__(self, limit: float, log: Path, tag: str | None = None) -> None:
        self.limit = limit
        log.parent.mkdir(parents=True, exist_ok=True)
        self.inflight = inflight_path(log, tag)
        if self.inflight.exists():  # this work was attempted before and its worker died
            _collect_one(self.inflight, limit)
        self.expired = read_log(log)
        self.fd = os.open(self.inflight, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        os.pwrite(self.fd, _IDLE, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the kernel ends the process

    def begin(self, key: int) -> _Timer:
        os.pwrite(self.fd, _SLOT.pack(key, time.time() + self.limit), 0)
        return _arm(self.limit)

    def end(self, timer: _Timer) -> None:
        _restore(timer)
        os.pwrite(self.fd, _IDLE, 0)

    def close(self) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        os.close(self.fd)
        self.inflight.unlink(missing_ok=True)


_Timer = tuple[float, float]  # what an enclosing timer had left, and when it was read


def _arm(seconds: float) -> _Timer:
    """Set the process's one real-time timer to ``seconds``, or to what an enclosing
    limit has left if that is sooner; :func:`_restore` gives the enclosing one back."""
    left = signal.getitimer(signal.ITIMER_REAL)[0]
    signal.setitimer(signal.ITIMER_REAL, min(seconds, left) if left > 0 else seconds)
    return left, time.monotonic()


def _restore(timer: _Timer) -> None:
    left, armed = timer
    if left <= 0:
        signal.setitimer(signal.ITIMER_REAL, 0)
        return
    # what the enclosing limit has left now; a vanishing rest still fires the timer
    signal.setitimer(signal.ITIMER_REAL, max(left - (time.monotonic() - armed), 1e-6))


_active: _Watchdog | None = None


def inflight_path(log: Path, tag: str | None = None) -> Path:
    """``<task>.inflight``, or ``<task>.<tag>.inflight`` for one of several concurrent
    pieces of a task (Ray processes a file's batches in parallel)."""
    return log.with_name(f"{log.stem}.{tag}.inflight" if tag else f"{log.stem}.inflight")


def _log_of(inflight: Path) -> Path:
    return inflight.with_name(inflight.name.split(".", 1)[0] + ".jsonl")


def read_log(log: Path) -> frozenset[int]:
    """Positions (``source_index``) of the records a timeout log names."""
    if not log.exists():
        return frozenset()
    keys = set()
    for line in log.read_text(encoding="utf-8").splitlines():
        if line.strip():
            keys.add(int(json.loads(line)["source_index"]))
    return frozenset(keys)


def collect(directory: Path, limit: float) -> set[str]:
    """After workers died: log each in-flight record past its deadline; return the ids
    of the tasks (log names) that got one."""
    return {
        p.name.split(".", 1)[0]
        for p in sorted(directory.glob("*.inflight"))
        if _collect_one(p, limit)
    }


def collect_stale(log: Path, limit: float, tag: str | None = None) -> bool:
    """Log the record of an earlier attempt's in-flight slot if it ran past its deadline
    (the attempt's worker died); return whether one was logged."""
    inflight = inflight_path(log, tag)
    return inflight.exists() and bool(_collect_one(inflight, limit))


def _collect_one(inflight: Path, limit: float) -> int:
    data = inflight.read_bytes()
    inflight.unlink()
    if len(data) != _SLOT.size:
        return 0
    key, deadline = _SLOT.unpack(data)
    if key < 0 or deadline > time.time():  # idle, or killed before its time
        return 0
    with open(_log_of(inflight), "a", encoding="utf-8") as fh:  # O_APPEND: one write
        fh.write(json.dumps({"source_index": key, "limit_seconds": limit}) + "\n")
    return 1


@contextmanager
def enforce(limit: float | None, log: Path, tag: str | None = None) -> Iterator[None]:
    """Within the body, watched records get ``limit`` seconds each (None: no limit).

    Main thread only (signals). ``log`` is the task's timeout log; ``tag`` names one of
    several pieces of a task run at once (Ray). A stale in-flight slot of the same work
    (its worker died) is logged first, so a retry that runs elsewhere than the engine's
    driver still skips the record.
    """
    global _active
    if limit is None:
        yield
        return
    _active = _Watchdog(limit, log, tag)
    try:
        yield
    finally:
        _active.close()
        _active = None


def timed_out(key: int | None) -> bool:
    """Whether the record at this position ran out of time in an earlier attempt."""
    return _active is not None and key is not None and key in _active.expired


@contextmanager
def watch(key: int | None) -> Iterator[None]:
    """Run the body as the work on record ``key``, under the limit of :func:`enforce`."""
    dog = _active
    if dog is None or key is None:
        yield
        return
    timer = dog.begin(key)
    try:
        yield
    finally:
        dog.end(timer)


def limit() -> float | None:
    """The time limit per record of the enclosing :func:`enforce`, if any."""
    return _active.limit if _active is not None else None


@contextmanager
def deadline(seconds: float) -> Iterator[float]:
    """Run the body under a time limit of ``seconds``, kept like a record's (the process
    ends when it passes), within :func:`enforce` only; yields the deadline as a
    ``time.time()``, or 0.0 when no limit is enforced. Limits nest: a record watched
    inside the body gets its own limit or what the body has left, whichever is sooner."""
    if _active is None:
        yield 0.0
        return
    when = time.time() + seconds
    timer = _arm(seconds)
    try:
        yield when
    finally:
        _restore(timer)

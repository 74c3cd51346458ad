"""Start-up of the processes crawlsift owns: the CLI's and the engines' workers.

pyarrow's conversions of Python values to Arrow (``pa.array``, ``pa.scalar``,
``Table.from_pylist``) import pandas if it is installed, only to ask whether the values
are pandas objects; that import takes longer than pyarrow's own (0.2-0.4 s of each
process of a run). crawlsift never hands pyarrow pandas objects, so in its own processes
:func:`skip_pandas` makes the imports pyarrow starts by itself fail, as if pandas were
absent; pyarrow then converts as it does without pandas. An ``import pandas`` statement
(or ``importlib.import_module``) still imports it, after which pyarrow uses it as usual.
Not used in a library caller's process, which may hand pyarrow pandas objects.

Workers are forked from the process that starts them when that is safe
(:func:`worker_context`), so that they inherit its imports instead of importing
pyarrow, polars and the stages again, each in a new interpreter; else spawned.
"""

from __future__ import annotations

import atexit
import contextlib
import dis
import functools
import gc
import multiprocessing as mp
import os
import sys
import threading
import warnings
from collections.abc import Iterator
from multiprocessing.context import BaseContext, ForkContext, SpawnContext
from types import CodeType, FrameType

#: threads that may run in a process that forks: the allocators' background threads
#: (jemalloc's fork handlers take its locks around ``fork``) and polars' spill-file
#: cleaner, started when polars is imported (it only sleeps between rare clean-ups)
FORK_SAFE_THREADS = frozenset({"jemalloc_bg_thd", "polars-ooc-clea"})


def start_worker() -> None:
    """What a local worker process does before its first task: :func:`skip_pandas` and
    :func:`import_stages`."""
    skip_pandas()
    import_stages()


@functools.cache  # registered once
def end_without_collecting() -> None:
    """When this process ends, leave its objects to the operating system: Python's
    finalisation runs the cycle collector over every object (tens of thousands once
    pyarrow, polars and numpy are imported) before the process ends; objects frozen
    (:func:`gc.freeze`) are skipped. Modules are still cleared and the exit handlers
    run. For the processes of the command line, which close their files before they
    end."""
    atexit.register(gc.freeze)


def worker_context() -> ForkContext | SpawnContext:
    """The multiprocessing context of worker processes: ``fork`` when
    :func:`fork_is_safe`, else ``spawn``."""
    if fork_is_safe():
        return mp.get_context("fork")
    return mp.get_context("spawn")


def fork_is_safe() -> bool:
    """Whether a child forked from this process now can use polars and pyarrow.

    A forked child has only the thread that forked; a lock another thread held stays
    held, and a thread pool started before is gone. polars' thread pool (threads named
    ``polars-N``, started by its first parallel operation) and its async runtime
    (``tokio-*``) then deadlock the child's first polars call. So: Linux only (fork is
    unsafe on macOS), no Python thread but this one, and no native thread but those of
    :data:`FORK_SAFE_THREADS` and those named like the process (threads of libraries that
    name none: OpenBLAS, which stops its threads around ``fork``, and Arrow's thread
    pools, which Arrow restarts in a forked child). A process that ran polars before
    starting workers (a library caller's, a second run in one process) spawns them.
    """
    if sys.platform != "linux" or threading.active_count() != 1:
        return False
    try:
        own = _thread_name("self")
        names = {_thread_name(f"self/task/{tid}") for tid in os.listdir("/proc/self/task")}
    except OSError:
        return False
    return names <= FORK_SAFE_THREADS | {own}


def _thread_name(where: str) -> str:
    with open(f"/proc/{where}/comm", encoding="utf-8", errors="replace") as fh:
        return fh.read().strip()


@contextlib.contextmanager
def forking(ctx: BaseContext) -> Iterator[None]:
    """Start processes of ``ctx`` inside the body: without Python 3.12's warning that
    forking a process with threads may deadlock the child, when :func:`fork_is_safe`
    chose ``fork`` knowing which threads run."""
    with warnings.catch_warnings():
        if ctx.get_start_method() == "fork":
            warnings.filterwarnings("ignore", r".*use of fork\(\) may lead to deadlocks")
        yield


def import_stages() -> None:
    """Import every stage's and signal's module (and the libraries they use), so that the
    first record's time limit is not spent importing them."""
    from crawlsift.registry import all_stages, signals

    all_stages()
    signals()


def skip_pandas() -> None:
    """From now on, pyarrow's own imports of pandas in this process fail."""
    if _SkipPandas not in sys.meta_path:
        sys.meta_path.insert(0, _SkipPandas)


class _SkipPandas:
    """An import finder that refuses pandas to callers that are not import statements."""

    @staticmethod
    def find_spec(name: str, *args: object) -> None:
        if name == "pandas" and not _asked_by_import(sys._getframe(1)):
            raise ModuleNotFoundError("pandas is not imported for pyarrow here", name=name)


def _asked_by_import(frame: FrameType | None) -> bool:
    """Whether Python code asked for pandas itself (``import pandas`` or
    :mod:`importlib`), not a compiled library (pyarrow's C++ and Cython code import it
    from inside ``pa.array``, or while one of its own modules is imported)."""
    while frame is not None and frame.f_code.co_filename.startswith("<frozen"):
        frame = frame.f_back  # the import machinery
    if frame is None:
        return True
    if "importlib" in frame.f_code.co_filename:
        return True
    return _imports_pandas(frame.f_code, frame.f_lasti)


@functools.cache
def _imports_pandas(code: CodeType, offset: int) -> bool:
    """Whether the instruction at ``offset`` of ``code`` is an import of pandas."""
    for ins in dis.get_instructions(code):
        if ins.offset == offset:
            return ins.opname == "IMPORT_NAME" and str(ins.argval).split(".")[0] == "pandas"
    return False

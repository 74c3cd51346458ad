"""Start-up of the processes crawlsift owns: the CLI's and the engines' workers.

pyarrow's conversions of Python values to Arrow (``pa.array``, ``pa.scalar``,
``Table.from_pylist``) import pandas if it is installed, only to ask whether the values
are pandas objects; that import takes longer than pyarrow's own (0.2-0.4 s of each
process of a run). crawlsift never hands pyarrow pandas objects, so in its own processes
:func:`skip_pandas` makes the imports pyarrow starts by itself fail, as if pandas were
absent; pyarrow then converts as it does without pandas. An ``import pandas`` statement
(or ``importlib.import_module``) still imports it, after which pyarrow uses it as usual.
Not used in a library caller's process, which may hand pyarrow pandas objects.
"""

from __future__ import annotations

import dis
import functools
import sys
from types import CodeType, FrameType


def start_worker() -> None:
    """What a local worker process does before its first task: :func:`skip_pandas` and
    :func:`import_stages`."""
    skip_pandas()
    import_stages()


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

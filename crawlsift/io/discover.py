"""Find input files and describe each as a :class:`ReadTask`."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import xxhash

from crawlsift.errors import InputError

#: File name endings (lower-cased) and the format they mean; longest match wins.
EXTENSIONS: tuple[tuple[str, str], ...] = (
    (".warc.wet.gz", "wet"),
    (".wet.gz", "wet"),
    (".wet", "wet"),
    (".warc.gz", "warc"),
    (".warc", "warc"),
    (".jsonl.gz", "jsonl"),
    (".jsonl.zst", "jsonl"),
    (".jsonl", "jsonl"),
    (".parquet", "parquet"),
    (".arc.gz", "arc"),
    (".arc", "arc"),
    (".txt", "text"),
)
FORMATS: tuple[str, ...] = ("text", "jsonl", "parquet", "warc", "wet", "arc")
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class ReadTask:
    """One input file to read: its path, format, stable id and size in bytes."""

    path: str
    format: str
    task_id: str
    size: int


def detect_format(path: str) -> str | None:
    """The input format a file name implies, or None if the extension is unknown."""
    name = os.path.basename(path).lower()
    for ending, fmt in EXTENSIONS:
        if name.endswith(ending) and len(name) > len(ending):
            return fmt
    return None


def task_id(path: str, size: int) -> str:
    """Stable id of an input: xxhash64 (hex) of its absolute path and size."""
    key = f"{os.path.abspath(path)}\0{size}".encode("utf-8", "surrogateescape")
    return xxhash.xxh64(key).hexdigest()


def make_task(path: str) -> ReadTask:
    """A task for one file, whose format must be known."""
    fmt = detect_format(path)
    if fmt is None:
        known = ", ".join(e for e, _ in reversed(EXTENSIONS))
        raise InputError(f"{path}: unknown input format (expected one of: {known})")
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot stat file: {exc.strerror or exc}") from exc
    return ReadTask(path=path, format=fmt, task_id=task_id(path, size), size=size)


def _walk(directory: str) -> Iterator[str]:
    """Files under a directory with a known format, sorted, skipping hidden entries."""
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = os.path.join(root, name)
            if not name.startswith(".") and detect_format(name) and os.path.isfile(path):
                yield path


def _expand(inp: str) -> list[str]:
    """The files one input stands for; raises InputError if there are none."""
    if os.path.isfile(inp):
        make_task(inp)  # validates the extension with a clear message
        return [inp]
    if os.path.isdir(inp):
        found = list(_walk(inp))
        if not found:
            raise InputError(f"{inp}: directory contains no input files")
        return found
    if os.path.exists(inp):
        raise InputError(f"{inp}: not a regular file or directory")
    if _GLOB_CHARS & set(inp):
        found = []
        for match in sorted(glob.glob(inp, recursive=True)):
            if os.path.isdir(match):
                found.extend(_walk(match))
            elif os.path.isfile(match) and detect_format(match):
                found.append(match)
        if not found:
            raise InputError(f"{inp}: pattern matches no input files")
        return found
    raise InputError(f"{inp}: no such file or directory")


def discover(inputs: Sequence[str]) -> list[ReadTask]:
    """Resolve files, directories and globs into read tasks, sorted by path.

    Directories are searched recursively; hidden entries and files of unknown format
    inside them (or matched by a glob) are skipped. A named file of unknown format, or
    an input matching nothing, raises :class:`InputError`. Inputs reaching the same
    file twice yield one task.
    """
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    if not inputs:
        raise InputError("no inputs given")
    paths = {os.path.normpath(os.fspath(p)) for inp in inputs for p in _expand(os.fspath(inp))}
    tasks: list[ReadTask] = []
    seen: set[str] = set()
    for path in sorted(paths):
        real = os.path.realpath(path)
        if real not in seen:
            seen.add(real)
            tasks.append(make_task(path))
    return tasks

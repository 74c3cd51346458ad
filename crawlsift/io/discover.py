"""Find input files and describe each as a :class:`ReadTask`.

crawlsift's own outputs are never found by a search: a directory holding a run manifest
(:data:`OUTPUT_MARKERS`) is not entered when walking a directory or expanding a glob, so
an output written inside the input tree is not read back as input by the next run (or by
the rerun that resumes it). Each such directory is named once in a warning of the
``crawlsift`` logger. Naming a path inside an output literally still reads it (``dedup``
reads ``OUT/kept`` on purpose); naming an output directory itself is an error that
points at its ``kept/``, since walking it would also read its rejected records.
"""

from __future__ import annotations

import glob
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import xxhash

from crawlsift.errors import InputError
from crawlsift.io.file_url import local_path

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
#: Files whose presence makes a directory a crawlsift output: the run manifests of
#: ``clean`` (``crawlsift.engine.remote.RUN_FILE``) and ``dedup`` (``crawlsift.dedup.progress``).
OUTPUT_MARKERS: tuple[str, ...] = ("_run.json", "_dedup.json")
_GLOB_CHARS = frozenset("*?[")
_log = logging.getLogger("crawlsift")
_warned: set[str] = set()


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


def output_marker(directory: str) -> str | None:
    """The run manifest that makes ``directory`` a crawlsift output, or None."""
    for name in OUTPUT_MARKERS:
        if os.path.isfile(os.path.join(directory, name)):
            return name
    return None


def _skip_output(directory: str, marker: str) -> None:
    """Say once per process that an output directory is left out (dedup discovers twice)."""
    key = os.path.realpath(directory)
    if key not in _warned:
        _warned.add(key)
        _log.warning(
            "crawlsift: not reading %s: it is a crawlsift output (it holds %s)", directory, marker
        )


def _walk(directory: str) -> Iterator[str]:
    """Files under a directory with a known format, sorted, skipping hidden entries and
    crawlsift outputs below it."""
    for root, dirs, files in os.walk(directory):
        kept_dirs = []
        for d in sorted(dirs):
            if d.startswith("."):
                continue
            marker = output_marker(os.path.join(root, d))
            if marker is None:
                kept_dirs.append(d)
            else:
                _skip_output(os.path.join(root, d), marker)
        dirs[:] = kept_dirs
        for name in sorted(files):
            path = os.path.join(root, name)
            if not name.startswith(".") and detect_format(name) and os.path.isfile(path):
                yield path


def _literal_root(pattern: str) -> str:
    """The leading path components of a glob pattern that hold no wildcard."""
    parts = pattern.split(os.sep)
    for i, part in enumerate(parts):
        if _GLOB_CHARS & set(part):
            return os.sep.join(parts[:i]) or (os.sep if pattern.startswith(os.sep) else "")
    return pattern


def _inside_output(path: str, root: str, checked: dict[str, str | None]) -> bool:
    """Whether a directory between ``root`` (exclusive) and ``path`` (inclusive) is an output.

    ``checked`` caches each directory's marker; an output is warned about once.
    """
    rel = os.path.relpath(path, root or os.curdir)
    if rel == os.curdir or rel.startswith(os.pardir):
        return False
    current = root
    for part in rel.split(os.sep):
        current = os.path.join(current, part) if current else part
        if current not in checked:
            checked[current] = output_marker(current) if os.path.isdir(current) else None
            if checked[current] is not None:
                _skip_output(current, checked[current])
        if checked[current] is not None:
            return True
    return False


def _glob(pattern: str) -> list[str]:
    """Files a glob pattern stands for, leaving out crawlsift outputs below its literal root."""
    root = _literal_root(pattern)
    checked: dict[str, str | None] = {}
    found = []
    for match in sorted(glob.glob(pattern, recursive=True)):
        if os.path.isdir(match):
            if not _inside_output(match, root, checked):
                found.extend(_walk(match))
        elif (
            os.path.isfile(match)
            and detect_format(match)
            and not _inside_output(os.path.dirname(match), root, checked)
        ):
            found.append(match)
    return found


def _expand(inp: str) -> list[str]:
    """The files one input stands for; raises InputError if there are none."""
    if os.path.isfile(inp):
        make_task(inp)  # validates the extension with a clear message
        return [inp]
    if os.path.isdir(inp):
        marker = output_marker(inp)
        if marker is not None:
            kept = os.path.join(inp, "kept")
            raise InputError(
                f"{inp} is a crawlsift output (it holds {marker}), not an input; "
                f"to read its kept records, name {kept}"
            )
        found = list(_walk(inp))
        if not found:
            raise InputError(f"{inp}: directory contains no input files")
        return found
    if os.path.exists(inp):
        raise InputError(f"{inp}: not a regular file or directory")
    if _GLOB_CHARS & set(inp):
        found = _glob(inp)
        if not found:
            raise InputError(f"{inp}: pattern matches no input files")
        return found
    raise InputError(f"{inp}: no such file or directory")


def discover(inputs: Sequence[str]) -> list[ReadTask]:
    """Resolve files, directories and globs into read tasks, sorted by path.

    An input may be a local ``file://`` URL. Directories are searched recursively; hidden
    entries and files of unknown format inside them (or matched by a glob) are skipped,
    and so are crawlsift outputs found by the search (see the module docstring). A named
    file of unknown format, a named output directory, or an input matching nothing,
    raises :class:`InputError`. Inputs reaching the same file twice yield one task.
    """
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    if not inputs:
        raise InputError("no inputs given")
    paths = {os.path.normpath(p) for inp in inputs for p in _expand(local_path(inp))}
    tasks: list[ReadTask] = []
    seen: set[str] = set()
    for path in sorted(paths):
        real = os.path.realpath(path)
        if real not in seen:
            seen.add(real)
            tasks.append(make_task(path))
    return tasks

"""Find input files and describe each as a :class:`ReadTask`.

crawlsift's own outputs are never found by a search: a directory holding a run manifest
(:data:`OUTPUT_MARKERS`) is not entered when walking a directory or expanding a glob, so
an output written inside the input tree is not read back as input by the next run (or by
the rerun that resumes it). Each such directory is named once in a warning of the
``crawlsift`` logger. Naming a path inside an output literally still reads it (``dedup``
reads ``OUT/kept`` on purpose); naming an output directory itself is an error that
points at its ``kept/``, since walking it would also read its rejected records.

Nothing a search finds is dropped without a word: symbolic links to directories are
followed (each directory entered once, by device and inode, so a link to an ancestor is
no loop), and an entry with an input's name that is not a regular file (a named pipe, a
device, a broken link) or a directory that cannot be listed becomes a task whose
``problem`` says why; reading it raises :class:`~crawlsift.errors.UnreadableFileError`,
which a run reports once among the files it could not read.
"""

from __future__ import annotations

import glob
import logging
import os
import stat
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
INPUT_FORMATS: tuple[str, ...] = ("text", "jsonl", "parquet", "warc", "wet", "arc")
#: Files whose presence makes a directory a crawlsift output: the run manifests of
#: ``clean`` and ``dedup`` (``RUN_FILE`` and ``DEDUP_FILE`` of ``crawlsift.engine.output``).
OUTPUT_MARKERS: tuple[str, ...] = ("_run.json", "_dedup.json")
_GLOB_CHARS = frozenset("*?[")
_log = logging.getLogger("crawlsift")
_warned: set[str] = set()


@dataclass(frozen=True)
class ReadTask:
    """One input file to read: its path, format, stable id and size in bytes.

    ``problem`` says why an input the search found cannot be read at all (a named pipe, a
    broken symbolic link, a directory that cannot be listed); reading such a task raises
    :class:`~crawlsift.errors.UnreadableFileError` with it, so a run reports it once, as it
    reports a file that cannot be opened, and goes on.
    """

    path: str
    format: str
    task_id: str
    size: int
    #: the path the ids derived for its records start with (see :func:`discover`); the
    #: file's base name when not given
    name: str = ""
    problem: str | None = None

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", os.path.basename(self.path))


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


def make_task(path: str, name: str = "") -> ReadTask:
    """A task for one file, whose format must be known; ``name`` as in :class:`ReadTask`."""
    fmt = detect_format(path)
    if fmt is None:
        known = ", ".join(e for e, _ in reversed(EXTENSIONS))
        raise InputError(f"{path}: unknown input format (expected one of: {known})")
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot stat file: {exc.strerror or exc}") from exc
    return ReadTask(path=path, format=fmt, task_id=task_id(path, size), size=size, name=name)


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


#: the format of a task standing for a directory that cannot be listed
DIRECTORY = "directory"


def _not_a_file(path: str) -> str | None:
    """Why a path with an input's name is not a regular file that can be read, or None."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if os.path.islink(path) and isinstance(exc, FileNotFoundError):
            return f"broken symbolic link (to {os.readlink(path)})"
        return f"cannot stat: {exc.strerror or exc}"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a regular file"
    return "not a regular file"


Found = tuple[str, str | None]  # a path the search found, and why it cannot be read (or None)


def _walk(directory: str) -> Iterator[Found]:
    """Files under a directory with a known format, skipping hidden entries and crawlsift
    outputs below it. Symbolic links to directories are followed, each directory entered
    once (by device and inode, so a link to an ancestor is no loop). A directory that
    cannot be listed, and an entry with an input's name that is no regular file (a named
    pipe, a device, a broken link), are found with the reason they cannot be read."""
    try:
        top = os.stat(directory)
    except OSError as exc:
        yield directory, f"cannot stat: {exc.strerror or exc}"
        return
    entered = {(top.st_dev, top.st_ino)}
    pending = [directory]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield current, f"cannot list directory: {exc.strerror or exc}"
            continue
        below = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            info = None
            try:
                if entry.is_dir():  # follows a symbolic link
                    info = entry.stat()
            except OSError as exc:  # a link that cannot be followed, say
                yield entry.path, f"cannot stat: {exc.strerror or exc}"
                continue
            if info is not None:
                key = (info.st_dev, info.st_ino)
                if key in entered:  # a link back up the tree, or a directory seen before
                    continue
                entered.add(key)
                marker = output_marker(entry.path)
                if marker is None:
                    below.append(entry.path)
                else:
                    _skip_output(entry.path, marker)
            elif detect_format(entry.name):
                yield entry.path, _not_a_file(entry.path)
        pending.extend(reversed(below))  # depth first, in name order


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
            marker = output_marker(current) if os.path.isdir(current) else None
            checked[current] = marker
            if marker is not None:
                _skip_output(current, marker)
        if checked[current] is not None:
            return True
    return False


def _glob(pattern: str) -> list[Found]:
    """Files a glob pattern stands for, leaving out crawlsift outputs below its literal root."""
    root = _literal_root(pattern)
    checked: dict[str, str | None] = {}
    found: list[Found] = []
    for match in sorted(glob.glob(pattern, recursive=True)):
        if os.path.isdir(match):
            if not _inside_output(match, root, checked):
                found.extend(_walk(match))
        elif detect_format(match) and not _inside_output(os.path.dirname(match), root, checked):
            found.append((match, _not_a_file(match)))
    return found


def _expand(inp: str) -> list[Found]:
    """The files one input stands for; raises InputError if there are none."""
    if os.path.isfile(inp):
        make_task(inp)  # validates the extension with a clear message
        return [(inp, None)]
    if os.path.isdir(inp):
        try:
            os.scandir(inp).close()
        except OSError as exc:
            raise InputError(f"{inp}: cannot list directory: {exc.strerror or exc}") from exc
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
    if os.path.islink(inp):
        raise InputError(f"{inp}: broken symbolic link (to {os.readlink(inp)})")
    if _GLOB_CHARS & set(inp):
        found = _glob(inp)
        if not found:
            raise InputError(f"{inp}: pattern matches no input files")
        return found
    raise InputError(f"{inp}: no such file or directory")


def discover(inputs: Sequence[str]) -> list[ReadTask]:
    """Resolve files, directories and globs into read tasks, sorted by path.

    An input may be a local ``file://`` URL. Directories are searched recursively,
    following symbolic links to directories (each directory entered once); hidden entries
    and files of unknown format inside them (or matched by a glob) are skipped, and so are
    crawlsift outputs found by the search (see the module docstring). What the search finds
    but cannot read (an entry with an input's name that is a named pipe, a device or a
    broken link; a directory that cannot be listed) is a task with a ``problem``: the run
    says so once, as for a file that cannot be opened. A named file of unknown format, a
    named path that is not a readable file or directory, a named output directory, or an
    input matching nothing, raises :class:`InputError`. Inputs reaching the same file
    twice yield one task.

    Each task's ``name`` is its path relative to the deepest directory holding every input
    named (a directory named, a named file's parent, a glob's leading components without
    wildcards), ``/``-separated: the path inside the directory for one directory named,
    the base name for files named side by side. Ids derived from it are unique in a run
    (see :mod:`crawlsift.io._rows`), and do not depend on the current directory.
    """
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    if not inputs:
        raise InputError("no inputs given")
    named = [local_path(inp) for inp in inputs]
    found = {os.path.normpath(p): why for inp in named for p, why in _expand(inp)}
    base = os.path.commonpath([os.path.abspath(_root(inp)) for inp in named])
    tasks: list[ReadTask] = []
    seen: set[str] = set()
    for path in sorted(found):
        real = os.path.realpath(path)
        if real not in seen:
            seen.add(real)
            name = os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")
            why = found[path]
            tasks.append(make_task(path, name) if why is None else _unreadable(path, name, why))
    return tasks


def _root(inp: str) -> str:
    """The directory an input names its files from: a directory itself, a file's parent,
    a glob's leading components without wildcards."""
    if os.path.isdir(inp):
        return inp
    if _GLOB_CHARS & set(inp) and not os.path.lexists(inp):
        return _literal_root(inp) or os.curdir
    return os.path.dirname(inp) or os.curdir


def _unreadable(path: str, name: str, why: str) -> ReadTask:
    """A task for an input found that cannot be read (see :class:`ReadTask`)."""
    try:
        size = os.lstat(path).st_size
    except OSError:
        size = 0
    fmt = detect_format(path) or DIRECTORY
    return ReadTask(path, fmt, task_id(path, size), size, name=name, problem=why)

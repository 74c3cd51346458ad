"""The output layer ``clean`` and ``dedup`` both write through.

An output directory holds the shards of its kinds (``kept/``, ``rejected/``, and for
``clean`` ``_samples/``), a manifest file naming the run that made it (``_run.json`` for
``clean``, ``_dedup.json`` for ``dedup``), done markers (small JSON files written last,
so that a rerun skips what they mark) and ``stats.json``. This module owns what both
commands share:

* :func:`claim` — refuse a directory that is not this command's output, clear an
  earlier output on ``overwrite``, return the earlier manifest file for the caller to
  resume from; :func:`check_manifest` — refuse one made with other inputs or options;
* :func:`write_json` — the one atomic JSON write (markers, manifests, stats);
* :class:`Markers` — done markers, one JSON file per finished unit of work;
* the names of output kinds and the output formats shard writers take
  (:class:`crawlsift.io.writers.RollingWriter` writes the shards).

Outputs at fsspec URLs are staged in a local directory and mirrored
(:mod:`crawlsift.engine.remote`), so everything here works on local paths.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from crawlsift.engine.lock import clear, is_empty
from crawlsift.errors import InputError, OutputError
from crawlsift.io.writers import OUTPUT_FORMATS

KEPT, REJECTED = "kept", "rejected"
#: the output kinds every command writes, each with one schema per run
KINDS: tuple[str, ...] = (KEPT, REJECTED)
SAMPLES = "_samples"  # clean: a few kept records per edit reason, with input text, for the report
DONE = "_done"  # clean: one done marker per committed task
RUN_FILE = "_run.json"  # clean's manifest: inputs, pipeline and options of the run
DEDUP_FILE = "_dedup.json"  # dedup's manifest, run id and whether the run is complete
STATS_FILE = "stats.json"

__all__ = [
    "DEDUP_FILE",
    "DONE",
    "KEPT",
    "KINDS",
    "OUTPUT_FORMATS",
    "REJECTED",
    "RUN_FILE",
    "SAMPLES",
    "STATS_FILE",
    "Markers",
    "check_format",
    "check_manifest",
    "claim",
    "not_an_output",
    "read_json",
    "refuse_foreign",
    "write_json",
]


def check_format(fmt: str) -> None:
    """Raise :class:`InputError` unless ``fmt`` is an output format."""
    if fmt not in OUTPUT_FORMATS:
        raise InputError(f"unknown output format {fmt!r}; use one of {', '.join(OUTPUT_FORMATS)}")


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Replace ``path`` atomically; on failure (a full disk) nothing is left behind."""
    tmp = path.with_name(f".tmp-{path.name}")
    try:
        tmp.write_text(json.dumps(data, indent=2) + "\n")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_json(path: Path) -> Any:
    return json.loads(path.read_text())


def not_an_output(where: str, command: str, place: str = "directory") -> InputError:
    """The error for a location holding something other than a ``command`` output."""
    return InputError(f"{where} exists and is not a {command} output; choose an empty {place}")


def refuse_foreign(out: Path, manifest: str, command: str) -> None:
    """Refuse a directory that holds anything but an output with ``manifest`` in it (call
    it before locking, so that nothing is written to a foreign directory)."""
    if out.is_dir() and not (out / manifest).exists() and not is_empty(out):
        raise not_an_output(str(out), command)


def claim(out: Path, manifest: str, command: str, overwrite: bool) -> Any | None:
    """Claim a locked output directory: the earlier manifest file's contents when the
    directory holds an output to resume, else None (an empty or new directory, or one
    cleared on ``overwrite``). Only ever deletes what crawlsift wrote."""
    path = out / manifest
    refuse_foreign(out, manifest, command)
    if not path.exists():
        return None
    if overwrite:
        try:
            clear(out)
        except OSError as exc:
            raise OutputError(f"cannot clear {out}: {exc.strerror or exc}") from exc
        return None
    return read_json(path)


def check_manifest(out: Path, previous: Any, manifest: Any, command: str) -> None:
    """Refuse to resume an output made with other inputs or options than ``manifest``
    (compared as it reads back from JSON)."""
    if previous != json.loads(json.dumps(manifest)):
        raise InputError(
            f"{out} holds a {command} run with other inputs or options; "
            "use another output directory or overwrite it (--overwrite)"
        )


def make_dirs(out: Path, subdirs: tuple[str, ...]) -> None:
    """Create ``out``'s subdirectories, as :class:`OutputError` when that fails."""
    try:
        for sub in subdirs:
            (out / sub).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create output directory {out}: {exc.strerror}") from exc


class Markers:
    """Done markers in one directory: ``<name>.json`` holding the figures of a finished
    unit of work (a task, a batch, a pass), written atomically after its work files."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.json"

    def get(self, name: str) -> dict[str, Any] | None:
        """The figures of ``name`` if it is marked done, else None."""
        path = self.path(name)
        return read_json(path) if path.exists() else None

    def put(self, name: str, figures: dict[str, Any] | None = None) -> None:
        write_json(self.path(name), figures or {})

    def drop(self, *names: str) -> None:
        for name in names:
            self.path(name).unlink(missing_ok=True)

    def all(self, prefix: str) -> list[dict[str, Any]]:
        """The figures of every marker whose name starts with ``prefix``, by name."""
        return [read_json(p) for p in sorted(self.directory.glob(f"{prefix}*.json"))]

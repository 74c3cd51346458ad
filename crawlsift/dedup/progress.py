"""Resuming a dedup run: what an interrupted attempt finished, kept in the output directory.

``OUT/_dedup.json`` holds the run's manifest (inputs, options, output format, index) and
becomes ``complete`` when the run has finished. Under ``OUT/_work``,
``done/<pass>.json`` marks a finished corpus-wide pass with the figures it produced, and
``done/<pass>-<k>.json`` a finished batch of a streaming pass (written after the batch's
work files). Running the same command again skips what is marked and gives the same
result; a finished run is not redone at all. A run holds the output directory's lock
(:mod:`crawlsift.engine.lock`) from the start until :meth:`Progress.close`, so a second
run on the same directory stops at once, naming the first. Claiming the directory, the
markers and the JSON writes are the engine's output layer (:mod:`crawlsift.engine.output`).
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any

from crawlsift.engine.lock import DirectoryLock
from crawlsift.engine.output import (
    DEDUP_FILE,
    KINDS,
    Markers,
    check_manifest,
    claim,
    make_dirs,
    refuse_foreign,
    write_json,
)

MARKER = DEDUP_FILE


class Progress:
    """The marks of one output directory's run."""

    def __init__(self, out: Path, manifest: dict[str, Any], overwrite: bool) -> None:
        self.out, self.work = out, out / "_work"
        self.markers = Markers(self.work / "done")
        manifest = json.loads(json.dumps(manifest))  # as it reads back from JSON
        self.existed = out.exists()
        refuse_foreign(out, MARKER, "dedup")  # before the lock file is created in it
        self.lock = DirectoryLock(out).acquire()
        try:
            self._start(manifest, overwrite)
        except BaseException:
            self.close()
            raise

    def _start(self, manifest: dict[str, Any], overwrite: bool) -> None:
        out = self.out
        previous = claim(out, MARKER, "dedup", overwrite)
        self.fresh = previous is None  # nothing of an earlier attempt to resume
        if previous is not None:
            check_manifest(out, previous.get("manifest"), manifest, "dedup")
        self.complete = bool(previous and previous.get("complete"))
        self.run_id = previous["run_id"] if previous else uuid.uuid4().hex
        self.resumed: list[str] = []
        make_dirs(out, KINDS + (() if self.complete else ("_work/done",)))
        self._state = {"manifest": manifest, "run_id": self.run_id, "complete": self.complete}
        write_json(out / MARKER, self._state)

    def done(self, name: str) -> dict[str, Any] | None:
        """The figures of a finished pass or batch (``name``), or None."""
        return self.markers.get(name)

    def finish(self, name: str, figures: dict[str, Any] | None = None) -> None:
        """Mark a pass or batch finished, with the figures a resumed run needs."""
        self.markers.put(name, figures)

    def undo(self, *names: str) -> None:
        """Forget finished passes (their inputs changed)."""
        self.markers.drop(*names)

    def reuse(self, name: str) -> dict[str, Any] | None:
        """:meth:`done`, noting the pass as resumed when it was."""
        figures = self.done(name)
        if figures is not None:
            self.resumed.append(name)
        return figures

    def discard(self) -> None:
        """Remove what a fresh run wrote (it stopped on bad input: nothing to resume)."""
        if not self.fresh:
            self.close()
            return
        if not self.existed:
            shutil.rmtree(self.out, ignore_errors=True)
            self.close()
            return
        for path in self.out.iterdir():  # the directory was empty before the run
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        self.close()

    def complete_run(self, keep_work: bool) -> None:
        """Mark the run finished and remove its work files (unless kept)."""
        self._state["complete"] = True
        write_json(self.out / MARKER, self._state)
        if not keep_work:
            shutil.rmtree(self.work, ignore_errors=True)
        self.close()

    def close(self) -> None:
        """Release the output directory's lock (the run has ended)."""
        self.lock.release()

"""Resuming a dedup run: what an interrupted attempt finished, kept in the output directory.

``OUT/_dedup.json`` holds the run's manifest (inputs, options, output format, index) and
becomes ``complete`` when the run has finished. Under ``OUT/_work``,
``done/<pass>.json`` marks a finished corpus-wide pass with the figures it produced, and
``done/<pass>-<k>.json`` a finished batch of a streaming pass (written after the batch's
work files). Running the same command again skips what is marked and gives the same
result; a finished run is not redone at all. A run holds the output directory's lock
(:mod:`crawlsift.engine.lock`) from the start until :meth:`Progress.close`, so a second
run on the same directory stops at once, naming the first.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from crawlsift.engine.lock import DirectoryLock, clear, is_empty
from crawlsift.errors import InputError, OutputError

MARKER = "_dedup.json"


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Replace ``path`` atomically (a temporary file, then a rename)."""
    tmp = path.with_name(f".tmp-{path.name}")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(tmp, path)


class Progress:
    """The marks of one output directory's run."""

    def __init__(self, out: Path, manifest: dict[str, Any], overwrite: bool) -> None:
        self.out, self.work = out, out / "_work"
        manifest = json.loads(json.dumps(manifest))  # as it reads back from JSON
        self.existed = out.exists()
        self._refuse_foreign()  # before the lock file is created in it
        self.lock = DirectoryLock(out).acquire()
        try:
            self._start(manifest, overwrite)
        except BaseException:
            self.close()
            raise

    def _start(self, manifest: dict[str, Any], overwrite: bool) -> None:
        out = self.out
        previous = self._previous(overwrite)
        self.fresh = previous is None  # nothing of an earlier attempt to resume
        if previous is not None and previous.get("manifest") != manifest:
            raise InputError(
                f"{out} holds a dedup run with other inputs or options; "
                "use another output directory or overwrite"
            )
        self.complete = bool(previous and previous.get("complete"))
        self.run_id = previous["run_id"] if previous else uuid.uuid4().hex
        self.resumed: list[str] = []
        subs = ("kept", "rejected") + (() if self.complete else ("_work/done",))
        try:
            for sub in subs:
                (out / sub).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create output directory {out}: {exc.strerror}") from exc
        self._state = {"manifest": manifest, "run_id": self.run_id, "complete": self.complete}
        write_json(out / MARKER, self._state)

    def _refuse_foreign(self) -> None:
        if self.out.is_dir() and not (self.out / MARKER).exists() and not is_empty(self.out):
            raise InputError(
                f"{self.out} exists and is not a dedup output; choose an empty directory"
            )

    def _previous(self, overwrite: bool) -> dict[str, Any] | None:
        marker = self.out / MARKER
        self._refuse_foreign()
        if not marker.exists():
            return None
        if overwrite:  # only ever delete what dedup wrote
            clear(self.out)
            return None
        return json.loads(marker.read_text())

    def done(self, name: str) -> dict[str, Any] | None:
        """The figures of a finished pass or batch (``name``), or None."""
        path = self.work / "done" / f"{name}.json"
        return json.loads(path.read_text()) if path.exists() else None

    def finish(self, name: str, figures: dict[str, Any] | None = None) -> None:
        """Mark a pass or batch finished, with the figures a resumed run needs."""
        write_json(self.work / "done" / f"{name}.json", figures or {})

    def undo(self, *names: str) -> None:
        """Forget finished passes (their inputs changed)."""
        for name in names:
            (self.work / "done" / f"{name}.json").unlink(missing_ok=True)

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

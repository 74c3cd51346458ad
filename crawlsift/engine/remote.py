"""Outputs at fsspec URLs (``s3://``, ``gs://``, ``hf://``, ...) with the local layout.

Object stores have no atomic rename, but an object appears only once its upload is
complete. So a run whose output is a URL works in a local staging directory exactly as
a local run does (temporary names, renames, done markers), and mirrors it: after a task
commits locally, its shards are uploaded, then its done marker; ``_run.json`` goes up
before any task and ``stats.json`` and ``report.html`` last. A rerun first downloads
``_run.json`` and the done markers, so it skips what the store already holds; a shard
uploaded for a task whose marker never arrived is replaced when the task is redone.

The staging directory keeps the run's shards until it ends (the report reads them), so
the driver needs local disk for one run's output. fsspec and the filesystem's own
package (s3fs, gcsfs, huggingface_hub) are optional: ``pip install 'crawlsift[remote]'``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from crawlsift.errors import InputError, MissingExtraError, OutputError

_SUBDIRS = ("kept", "rejected", "_samples")


def is_url(output: str) -> bool:
    """Whether an output names an fsspec URL rather than a local directory."""
    return "://" in output and not output.startswith("file://")


class RemoteOutput:
    """A local staging directory mirrored to an fsspec URL."""

    def __init__(self, url: str, overwrite: bool = False) -> None:
        try:
            import fsspec
        except ImportError:
            raise MissingExtraError("fsspec", "remote") from None
        try:
            self.fs, root = fsspec.core.url_to_fs(url)
        except (ImportError, ValueError) as exc:
            raise InputError(f"cannot use output {url}: {exc}") from exc
        self.url, self.root = url, root.rstrip("/")
        self.staging = Path(tempfile.mkdtemp(prefix="crawlsift-staging-"))
        self._guard(overwrite)
        self._download_state()

    def _remote(self, relative: str) -> str:
        return f"{self.root}/{relative}"

    def _guard(self, overwrite: bool) -> None:
        run_file = self._remote("_run.json")
        if overwrite and self.fs.exists(run_file):  # only ever delete what crawlsift wrote
            self.fs.rm(self.root, recursive=True)
        if not self.fs.exists(run_file) and self.fs.exists(self.root) and self.fs.ls(self.root):
            raise InputError(
                f"{self.url} exists and is not a crawlsift output; choose an empty location"
            )

    def _download_state(self) -> None:
        """Fetch the manifest and done markers, which decide what a rerun skips."""
        if not self.fs.exists(self._remote("_run.json")):
            return
        self.fs.get(self._remote("_run.json"), str(self.staging / "_run.json"))
        done = self.staging / "_done"
        done.mkdir(exist_ok=True)
        if self.fs.exists(self._remote("_done")):
            for path in self.fs.ls(self._remote("_done"), detail=False):
                name = path.rstrip("/").rsplit("/", 1)[-1]
                if name.endswith(".json"):
                    self.fs.get(path, str(done / name))

    def _put(self, local: Path) -> None:
        relative = local.relative_to(self.staging).as_posix()
        try:
            self.fs.put_file(str(local), self._remote(relative))
        except OSError as exc:
            raise OutputError(f"cannot upload {relative} to {self.url}: {exc}") from exc

    def started(self) -> None:
        """Upload the run manifest (before any task)."""
        self._put(self.staging / "_run.json")

    def task_committed(self, task_id: str) -> None:
        """Upload one committed task: its shards, then its done marker."""
        for sub in _SUBDIRS:
            for shard in sorted((self.staging / sub).glob(f"part-{task_id}-*")):
                self._put(shard)
        self._put(self.staging / "_done" / f"{task_id}.json")

    def finished(self) -> None:
        """Upload stats.json and report.html, then remove the staging directory."""
        for name in ("stats.json", "report.html"):
            if (self.staging / name).exists():
                self._put(self.staging / name)
        self.close()

    def close(self) -> None:
        staging = getattr(self, "staging", None)  # None if __init__ failed early
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)

    def __del__(self) -> None:  # a run that failed still frees its staging space
        self.close()


def open_remote(output: str, overwrite: bool) -> RemoteOutput | None:
    """A :class:`RemoteOutput` for a URL output; None for a local directory."""
    return RemoteOutput(output, overwrite) if is_url(output) else None

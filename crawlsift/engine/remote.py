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

from crawlsift.engine.output import DONE, KINDS, RUN_FILE, SAMPLES, not_an_output
from crawlsift.errors import InputError, MissingExtraError, OutputError
from crawlsift.io.file_url import is_file_url


def is_url(output: str) -> bool:
    """Whether an output names an fsspec URL rather than a local directory.

    A ``file://`` URL is a local directory (:func:`crawlsift.io.file_url.local_path`).
    """
    return "://" in output and not is_file_url(output)


class Store:
    """One output location at an fsspec URL: put, get and list files under it."""

    def __init__(self, url: str) -> None:
        try:
            import fsspec
        except ImportError:
            raise MissingExtraError("fsspec", "remote") from None
        try:
            self.fs, root = fsspec.core.url_to_fs(url)
        except (ImportError, ValueError) as exc:
            raise InputError(f"cannot use output {url}: {exc}") from exc
        self.url, self.root = url, root.rstrip("/")

    def path(self, relative: str) -> str:
        return f"{self.root}/{relative}"

    def exists(self, relative: str) -> bool:
        return bool(self.fs.exists(self.path(relative)))

    def claim(self, overwrite: bool) -> None:
        """Refuse a location holding anything but a crawlsift output; clear it on overwrite."""
        if overwrite and self.exists(RUN_FILE):  # only ever delete what crawlsift wrote
            self.fs.rm(self.root, recursive=True)
        if not self.exists(RUN_FILE) and self.fs.exists(self.root) and self.fs.ls(self.root):
            raise not_an_output(self.url, "crawlsift", "location")

    def put(self, local: Path, relative: str) -> None:
        try:
            self.fs.put_file(str(local), self.path(relative))
        except OSError as exc:
            raise OutputError(f"cannot upload {relative} to {self.url}: {exc}") from exc

    def get(self, relative: str, local: Path) -> None:
        self.fs.get(self.path(relative), str(local))

    def names(self, relative: str) -> list[str]:
        """File names directly under ``relative`` (empty if it does not exist)."""
        if not self.exists(relative):
            return []
        return [
            p.rstrip("/").rsplit("/", 1)[-1] for p in self.fs.ls(self.path(relative), detail=False)
        ]


class RemoteOutput:
    """A local staging directory mirrored to an fsspec URL, task by task."""

    def __init__(self, url: str, overwrite: bool = False) -> None:
        self.store = Store(url)
        self.url = url
        self.store.claim(overwrite)
        self.staging = Path(tempfile.mkdtemp(prefix="crawlsift-staging-"))
        self._download_state()

    def _download_state(self) -> None:
        """Fetch the manifest and done markers, which decide what a rerun skips."""
        if not self.store.exists(RUN_FILE):
            return
        self.store.get(RUN_FILE, self.staging / RUN_FILE)
        done = self.staging / DONE
        done.mkdir(exist_ok=True)
        for name in self.store.names(DONE):
            if name.endswith(".json"):
                self.store.get(f"{DONE}/{name}", done / name)

    def _put(self, local: Path) -> None:
        self.store.put(local, local.relative_to(self.staging).as_posix())

    def started(self) -> None:
        """Upload the run manifest (before any task)."""
        self._put(self.staging / RUN_FILE)

    def fetch(self, relative: str) -> None:
        """Bring a file of an earlier attempt to the staging directory, unless it is there."""
        local = self.staging / relative
        if not local.exists():
            local.parent.mkdir(parents=True, exist_ok=True)
            self.store.get(relative, local)

    def task_committed(self, task_id: str) -> None:
        """Upload one committed task: its shards, then its done marker."""
        for sub in (*KINDS, SAMPLES):
            for shard in sorted((self.staging / sub).glob(f"part-{task_id}-*")):
                self._put(shard)
        self._put(self.staging / DONE / f"{task_id}.json")

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


def staging_dir(url: str) -> Path:
    """A local directory named after ``url``, the same on every run (so a rerun resumes)."""
    import xxhash

    name = xxhash.xxh64(url.encode("utf-8")).hexdigest()
    return Path(tempfile.gettempdir()) / "crawlsift-staging" / name


def upload_tree(local: Path, url: str, names: tuple[str, ...], overwrite: bool) -> None:
    """Upload the files and directories ``names`` of a finished output, then ``_run.json``.

    For runs that write their outputs only at the end (dedup): a store that holds
    ``_run.json`` holds the whole output.
    """
    store = Store(url)
    store.claim(overwrite)
    for name in names:
        path = local / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.exists() and not file.name.startswith("."):
                store.put(file, file.relative_to(local).as_posix())
    marker = local / RUN_FILE
    if not marker.exists():
        marker.write_text('{"written_by": "crawlsift"}\n')
    store.put(marker, RUN_FILE)

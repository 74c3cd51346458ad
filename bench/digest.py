"""SHA-256 of every output shard of ``crawlsift clean``, per input set and preset.

A refactoring that must not change outputs runs this before and after and compares::

    python bench/digest.py --json before.json          # on the old code
    python bench/digest.py --compare before.json       # on the new code: exit 1 on a difference

Input sets (each run once per preset: none, then every preset of the registry):

* ``demo``         the bundled sample (``crawlsift/data/demo``), always present;
* ``warc``         the shared Common Crawl WARC/WET and warcio's well-formed WARC/ARC files;
* ``pages-warc``   the first ``--pages`` WCXB dev pages as WARC response records;
* ``pages-text``   the all-visible text (resiliparse) of the same pages as JSONL.

The shared sets come from ``../shared/data`` and are skipped (with a note) when it is absent.
The generated inputs are written to a fixed directory under ``--work`` so that the ``source``
column, which holds input paths, is the same on every run. Each ``clean`` runs with one worker.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
#: the shared data; ``--shared`` names another place (e.g. from a git worktree)
SHARED = REPO_ROOT.parent / "shared" / "data"
DEMO = REPO_ROOT / "crawlsift" / "data" / "demo"
WARC_FILES = (
    "whirlwind.warc.gz",
    "whirlwind.warc.wet.gz",
    "warcio-testdata/example.warc.gz",
    "warcio-testdata/example.arc.gz",
)


def _response(url: str, body: bytes) -> bytes:
    """One WARC response record (uncompressed bytes) holding an HTML page."""
    from fastwarc.warc import WarcRecord, WarcRecordType

    head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n\r\n"
    rec = WarcRecord()
    rec.init_headers(
        WarcRecordType.response, f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}>".encode()
    )
    rec.headers["WARC-Target-URI"] = url
    rec.headers["WARC-Date"] = "2025-06-01T12:00:00Z"
    rec.headers["Content-Type"] = "application/http; msgtype=response"
    rec.set_bytes_content(head.encode() + body)

    class _Sink:
        def __init__(self) -> None:
            self.parts: list[bytes] = []

        def write(self, data: bytes) -> int:
            self.parts.append(bytes(data))
            return len(data)

    sink = _Sink()
    rec.write(sink)
    return b"".join(sink.parts)


def _make_pages(shared: Path, root: Path, pages: int) -> None:
    """``pages.warc.gz`` and ``pages.jsonl`` from the first ``pages`` WCXB dev pages."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding

    wcxb = shared / "extraction" / "wcxb-dev"
    paths = sorted((wcxb / "html").glob("*.html.gz"))[:pages]
    (root / "pages-warc").mkdir(parents=True, exist_ok=True)
    (root / "pages-text").mkdir(parents=True, exist_ok=True)
    with (
        open(root / "pages-warc" / "pages.warc.gz", "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as warc,
        open(root / "pages-text" / "pages.jsonl", "w", encoding="utf-8") as jsonl,
    ):
        for path in paths:
            pid = path.name.split(".")[0]
            truth = json.loads((wcxb / "ground-truth" / f"{pid}.json").read_text())
            url = truth.get("url") or f"https://wcxb.invalid/{pid}"
            body = gzip.decompress(path.read_bytes())
            warc.write(_response(url, body))
            text = extract_plain_text(bytes_to_str(body, detect_encoding(body)), main_content=False)
            jsonl.write(json.dumps({"id": pid, "url": url, "text": text}) + "\n")


def input_sets(shared: Path, work: Path, pages: int) -> dict[str, list[Path]]:
    """The input paths of each set available here, generating the page sets once."""
    demo = work / "inputs-demo"  # a copy: the same paths whichever checkout runs this
    if not demo.is_dir():
        shutil.copytree(DEMO, demo)
    sets = {"demo": [demo]}
    if not shared.is_dir():
        print(f"note: {shared} is absent: only the demo set is digested", file=sys.stderr)
        return sets
    sets["warc"] = [shared / "warc" / name for name in WARC_FILES]
    root = work / f"inputs-{pages}"
    if not (root / "pages-text" / "pages.jsonl").exists():
        _make_pages(shared, root, pages)
    sets["pages-warc"] = [root / "pages-warc"]
    sets["pages-text"] = [root / "pages-text"]
    return sets


def presets() -> list[str | None]:
    """No preset, then every preset crawlsift knows."""
    from crawlsift.signals.filters import PRESETS

    return [None, *PRESETS]


def shard_digests(out: Path) -> dict[str, str]:
    """``kept/...`` and ``rejected/...`` shard paths (sorted) to their SHA-256."""
    found = {}
    for sub in ("kept", "rejected"):
        for path in sorted((out / sub).rglob("*")):
            if path.is_file():
                found[str(path.relative_to(out))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def run_clean(inputs: Sequence[Path], out: Path, preset: str | None) -> dict[str, str]:
    """Run ``crawlsift clean`` on ``inputs`` into ``out`` (replaced) and digest its shards."""
    cmd = [sys.executable, "-m", "crawlsift", "clean", *map(str, inputs), "-o", str(out)]
    cmd += ["--workers", "1", "--overwrite", "--no-progress"]
    if preset is not None:
        cmd += ["--preset", preset]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout}{done.stderr}")
    return shard_digests(out)


def digest_all(shared: Path, work: Path, pages: int) -> dict[str, dict[str, str]]:
    """``<set>/<preset>`` to the shard digests of that run."""
    result: dict[str, dict[str, str]] = {}
    for name, inputs in input_sets(shared, work, pages).items():
        for preset in presets():
            key = f"{name}/{preset or 'none'}"
            result[key] = run_clean(inputs, work / "out" / key.replace("/", "-"), preset)
            print(key, file=sys.stderr)
    return result


def compare(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]) -> list[str]:
    """Lines naming each run or shard that differs between two digests."""
    diffs = []
    for key in sorted(set(before) | set(after)):
        if key not in before or key not in after:
            diffs.append(f"{key}: only {'after' if key in after else 'before'}")
            continue
        for shard in sorted(set(before[key]) | set(after[key])):
            if before[key].get(shard) != after[key].get(shard):
                diffs.append(f"{key} {shard}: {before[key].get(shard)} -> {after[key].get(shard)}")
    return diffs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help=f"default {SHARED}")
    parser.add_argument("--work", type=Path, default=Path("/tmp/crawlsift-digest"))
    parser.add_argument("--pages", type=int, default=300, help="WCXB dev pages (default 300)")
    parser.add_argument("--json", type=Path, help="write the digests here")
    parser.add_argument("--compare", type=Path, help="compare with digests written by --json")
    args = parser.parse_args(argv)
    shutil.rmtree(args.work / "out", ignore_errors=True)
    digests = digest_all(args.shared, args.work, args.pages)
    for key, shards in digests.items():
        for shard, sha in shards.items():
            print(f"{sha}  {key}/{shard}")
    if args.json:
        args.json.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
    if args.compare:
        diffs = compare(json.loads(args.compare.read_text()), digests)
        print("\n".join(diffs) if diffs else f"identical to {args.compare}")
        return 1 if diffs else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Hostile inputs and faults, generated and run in one go: what a run makes of each.

Every case of issue 17 ("nothing lost, nothing crashed") is built here from nothing, run
through the ``crawlsift`` command as a user runs it (a fresh process each, default
settings unless the case is about one), and reported as one line: the records the case
wrote, the records the run counted in, kept, rejected by reason, the exit code and the
peak RSS of the command (the largest of the process and its workers, from ``wait4``).
``lost`` is records written minus records accounted for (kept + rejected); a run that
ends with a traceback shows ``traceback`` in its last column.

    python bench/hostile.py                   # every case, light sizes
    python bench/hostile.py --heavy           # also the memory cases at the issue's sizes
    python bench/hostile.py --only jsonl_gz   # cases whose name contains a word
    python bench/hostile.py --markdown        # a table for docs/benchmarks.md

Needs nothing outside the repository. Some cases need root to be meaningful (an
unreadable directory is readable by root; it is reported as such).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

PROSE = (
    "The harbour authority confirmed on Monday that the old ferry terminal will be rebuilt, "
    "with work starting in spring and the first sailings expected the following summer."
)
CLI = [sys.executable, "-m", "crawlsift"]


@dataclass
class Outcome:
    """What one command did."""

    written: int  # records the case put in its inputs
    exit_code: int
    seconds: float
    peak_mib: float
    stats: dict = field(default_factory=dict)
    note: str = ""

    @property
    def counted(self) -> int | None:
        return self.stats.get("records_in")

    @property
    def lost(self) -> int | None:
        if not self.stats:
            return None
        return self.written - self.stats.get("kept", 0) - self.stats.get("rejected", 0)


def run(args: list[str], timeout: float = 900, preexec: Callable[[], None] | None = None):
    """Run a crawlsift command; (exit code, seconds, peak MiB, last stderr line).

    The peak is ``wait4``'s: the command's own and its reaped workers' largest RSS.
    """
    started = time.monotonic()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [*CLI, *args],
            stdout=subprocess.DEVNULL,
            stderr=err,
            preexec_fn=preexec,
            start_new_session=True,
        )
        timer = threading.Timer(timeout, os.killpg, (proc.pid, signal.SIGKILL))
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    lines = text.strip().splitlines()
    note = "traceback" if "Traceback" in text else (lines[-1] if lines else "")
    if proc.returncode == -signal.SIGKILL and time.monotonic() - started >= timeout:
        note = f"timed out after {timeout:.0f} s"
    return proc.returncode, time.monotonic() - started, usage.ru_maxrss / 1024, note


def clean(inputs: list[Path], out: Path, *extra: str, written: int, **kw) -> Outcome:
    code, secs, peak, note = run(
        ["clean", *map(str, inputs), "-o", str(out), "--no-progress", *extra], **kw
    )
    stats_path = out / "stats.json"
    stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
    return Outcome(written, code, secs, peak, stats, note[:90])


# -- input builders ------------------------------------------------------------------------


def jsonl(path: Path, rows: list[dict], opener: Callable = open) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with opener(path, "wt", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    return path


def story(i: int) -> str:
    return f"Story {i}.\n{PROSE} Item {i}.\n{PROSE}"


def warc_record(n: int, http_block: bytes, rtype: str = "response", uri: str = "") -> bytes:
    uri = uri or f"https://example.org/{n}"
    ctype = "application/http; msgtype=response" if rtype == "response" else "text/plain"
    head = (
        f"WARC/1.0\r\nWARC-Type: {rtype}\r\n"
        f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{n:012d}>\r\n"
        f"WARC-Date: 2025-06-02T10:00:00Z\r\nWARC-Target-URI: {uri}\r\n"
        f"Content-Type: {ctype}\r\nContent-Length: {len(http_block)}\r\n\r\n"
    )
    return gzip.compress(head.encode() + http_block + b"\r\n\r\n")


def http_response(body: bytes, content_type: str) -> bytes:
    return f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n\r\n".encode() + body


def html_page(i: int, filler: int = 0) -> bytes:
    paras = "".join(f"<p>{PROSE} Item {i}.</p>" for _ in range(3))
    pad = "<div>" + "x " * filler + "</div>" if filler else ""
    return f"<html><body><article><h1>Story {i}</h1>{paras}</article>{pad}</body></html>".encode()


# -- the cases ------------------------------------------------------------------------------


def jsonl_type_change(tmp: Path) -> Outcome:
    rows = [{"text": story(i), "ref": i if i < 1500 else f"r{i}"} for i in range(3000)]
    return clean([jsonl(tmp / "in" / "ref.jsonl", rows)], tmp / "out", written=3000)


def jsonl_internal_name(tmp: Path) -> Outcome:
    rows = [{"text": story(i), "input_text": 7, "keep": "yes", "edits": []} for i in range(50)]
    return clean([jsonl(tmp / "in" / "own.jsonl", rows)], tmp / "out", written=50)


def parquet_repeated_columns(tmp: Path) -> Outcome:
    (tmp / "in").mkdir()
    table = pa.Table.from_arrays([pa.array([story(0)]), pa.array(["a"])], names=["text", "text"])
    pq.write_table(table, tmp / "in" / "twice.parquet")
    jsonl(tmp / "in" / "fine.jsonl", [{"text": story(1)}])
    return clean([tmp / "in"], tmp / "out", written=2)


def non_utf8_names(tmp: Path) -> Outcome:
    base = os.fsencode(str(tmp / "in"))
    os.makedirs(base)
    pq.write_table(pa.table({"text": [story(0)]}), tmp / "in" / "ok.parquet")
    os.rename(base + b"/ok.parquet", base + b"/bad\xff.parquet")  # pyarrow cannot name it
    with open(base + b"/bad\xfe.warc.gz", "wb") as fh:
        fh.write(warc_record(1, http_response(html_page(1), "text/html")))
    jsonl(tmp / "in" / "fine.jsonl", [{"text": story(2)}])
    return clean([tmp / "in"], tmp / "out", written=3)


def jsonl_map_column_as_jsonl(tmp: Path) -> Outcome:
    (tmp / "in").mkdir()
    maps = pa.array([[("a", 1)], [("b", 2), ("c", 3)]], pa.map_(pa.string(), pa.int64()))
    pq.write_table(pa.table({"text": [story(0), story(1)], "m": maps}), tmp / "in" / "m.parquet")
    outcome = clean([tmp / "in"], tmp / "out", "--format", "jsonl", written=2)
    code, *_ = run(["report", str(tmp / "out")])
    outcome.note = f"report exit {code}"
    return outcome


def warc_bad_charset(tmp: Path) -> Outcome:
    (tmp / "in").mkdir()
    records = []
    for i in range(10):
        charset = ("undefined", "punycode")[i % 2] if i in (2, 5) else "utf-8"
        block = http_response(f"{PROSE} {i}".encode(), f"text/plain; charset={charset}")
        records.append(warc_record(i, block))
    (tmp / "in" / "charsets.warc.gz").write_bytes(b"".join(records))
    return clean([tmp / "in"], tmp / "out", written=10)


def jsonl_gz_trailing_garbage(tmp: Path) -> Outcome:
    path = jsonl(tmp / "in" / "g.jsonl.gz", [{"text": story(i)} for i in range(400)], gzip.open)
    path.write_bytes(path.read_bytes() + b"\x00garbage")
    return clean([tmp / "in"], tmp / "out", written=400)


def jsonl_gz_cut(tmp: Path) -> Outcome:
    """Cut at 90%: ``written`` is the lines zlib recovers from the cut stream."""
    path = jsonl(tmp / "in" / "c.jsonl.gz", [{"text": story(i)} for i in range(400)], gzip.open)
    cut = path.read_bytes()[: int(path.stat().st_size * 0.9)]
    path.write_bytes(cut)
    recoverable = zlib.decompressobj(31).decompress(cut).count(b"\n")
    outcome = clean([tmp / "in"], tmp / "out", written=recoverable + 1)  # + the cut record
    outcome.note = f"400 written, zlib recovers {recoverable} whole lines"
    return outcome


def parquet_damaged_row_group(tmp: Path) -> Outcome:
    (tmp / "in").mkdir()
    path = tmp / "in" / "groups.parquet"
    table = pa.table({"text": [story(i) for i in range(20_000)]})
    pq.write_table(table, path, row_group_size=2000, compression="none")
    meta = pq.read_metadata(path)
    col = meta.row_group(5).column(0)
    data = bytearray(path.read_bytes())
    start = col.data_page_offset  # the page header: the page cannot be decoded
    data[start : start + 64] = random.Random(5).randbytes(64)
    path.write_bytes(bytes(data))
    return clean([tmp / "in"], tmp / "out", written=20_000)


def directory_edges(tmp: Path) -> Outcome:
    root, other = tmp / "in", tmp / "elsewhere"
    (root / "plain").mkdir(parents=True)
    other.mkdir()
    jsonl(root / "plain" / "a.jsonl", [{"text": story(0)}])
    jsonl(other / "b.jsonl", [{"text": story(1)}])
    (root / "linked").symlink_to(other, target_is_directory=True)
    (root / "dangling.jsonl").symlink_to(tmp / "missing.jsonl")
    (root / "locked").mkdir()
    jsonl(root / "locked" / "c.jsonl", [{"text": story(2)}])
    (root / "locked").chmod(0)
    os.mkfifo(root / "pipe.jsonl")
    try:
        outcome = clean([root], tmp / "out", written=3, timeout=120)
    finally:
        (root / "locked").chmod(0o755)
    if os.geteuid() == 0:
        outcome.note = (outcome.note + " (root reads the locked dir)").strip()
    return outcome


def html_unknown_charsets(tmp: Path) -> Outcome:
    (tmp / "in").mkdir()
    labels = ["none", "utf8mb4", "ansi", "x-sjis", "UTF-8,text/html"]
    records = [
        warc_record(i, http_response(html_page(i), f"text/html; charset={label}"))
        for i, label in enumerate(labels)
    ]
    (tmp / "in" / "labels.warc.gz").write_bytes(b"".join(records))
    return clean([tmp / "in"], tmp / "out", written=len(labels))


def large_html_records(tmp: Path, count: int) -> Outcome:
    (tmp / "in").mkdir()
    filler = 25 * 2**20 // 2  # "x " pairs: about 25 MB of HTML a record
    with open(tmp / "in" / "big.warc.gz", "wb") as fh:
        for i in range(count):
            fh.write(warc_record(i, http_response(html_page(i, filler), "text/html")))
    return clean([tmp / "in"], tmp / "out", "--workers", "1", written=count)


def huge_text_record(tmp: Path, mib: int) -> Outcome:
    (tmp / "in").mkdir()
    line = (PROSE + "\n").encode()
    with open(tmp / "in" / "huge.txt", "wb") as fh:
        for _ in range(mib * 2**20 // len(line)):
            fh.write(line)
    return clean([tmp / "in"], tmp / "out", "--workers", "1", written=1)


def many_short_lines(tmp: Path, lines: int) -> Outcome:
    path = tmp / "in" / "lines.jsonl"
    jsonl(path, [{"text": "a\n" * lines}])
    return clean([tmp / "in"], tmp / "out", "--workers", "1", written=1)


def two_runs_one_output(tmp: Path) -> Outcome:
    jsonl(tmp / "in" / "a.jsonl", [{"text": story(i)} for i in range(20_000)])
    cmd = [*CLI, "clean", str(tmp / "in"), "-o", str(tmp / "out"), "--no-progress"]
    first = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    time.sleep(1.0)
    second = subprocess.run(cmd, capture_output=True, text=True)
    first.wait()
    stats = json.loads((tmp / "out" / "stats.json").read_text())
    kept_rows = sum(pq.read_metadata(p).num_rows for p in (tmp / "out" / "kept").glob("*.parquet"))
    note = f"2nd exit {second.returncode}; kept/ rows {kept_rows} vs stats {stats['kept']}"
    return Outcome(20_000, first.returncode, 0.0, 0.0, stats, note)


def _cpu_seconds(pid: str) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def kill_worker(tmp: Path) -> Outcome:
    """A worker killed from outside (as the OOM killer does) while the run goes on."""
    for f in range(4):
        jsonl(tmp / "in" / f"part-{f}.jsonl", [{"text": story(i)} for i in range(5000)])
    cmd = [*CLI, "clean", str(tmp / "in"), "-o", str(tmp / "out"), "--no-progress"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    killed = None
    deadline = time.monotonic() + 60
    while killed is None and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.5)
        kids = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True)
        busy = [(_cpu_seconds(pid), pid) for pid in kids.stdout.split()]
        busy = [b for b in busy if b[0] > 1.0]  # a worker at work, not the queue manager
        if busy:
            killed = max(busy)[1]
            os.kill(int(killed), signal.SIGKILL)
    _, err = proc.communicate()
    stats_path = tmp / "out" / "stats.json"
    stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
    tail = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
    return Outcome(20_000, proc.returncode, 0.0, 0.0, stats, f"killed {killed}: {tail[0][:60]}")


def disk_full(tmp: Path) -> Outcome:
    """Writes beyond 256 KiB a file fail (RLIMIT_FSIZE: EFBIG, as a full disk gives ENOSPC)."""
    words = PROSE.split()
    rng = random.Random(7)
    for f in range(3):
        rows = [{"text": " ".join(rng.choices(words, k=300)) + "."} for _ in range(3000)]
        jsonl(tmp / "in" / f"part-{f}.jsonl", rows)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (2**18, 2**18))

    outcome = clean([tmp / "in"], tmp / "out", "--workers", "1", written=9000, preexec=limit)
    kept_rows = sum(pq.read_metadata(p).num_rows for p in (tmp / "out" / "kept").glob("*.parquet"))
    outcome.note = f"kept/ rows {kept_rows} vs stats {outcome.stats.get('kept')}; " + outcome.note
    return outcome


def same_named_files(tmp: Path) -> Outcome:
    for year in ("2024", "2025"):
        jsonl(tmp / "in" / year / "part-0.jsonl", [{"text": story(i)} for i in range(3)])
    outcome = clean([tmp / "in"], tmp / "out", written=6)
    code, *_ = run(["dedup", str(tmp / "out"), "-o", str(tmp / "dd"), "--no-progress"])
    outcome.note = f"dedup exit {code}"
    return outcome


def many_small_files(tmp: Path, files: int) -> Outcome:
    for i in range(files):
        jsonl(tmp / "in" / f"f{i:05d}.jsonl", [{"text": story(i)}])
    outcome = clean([tmp / "in"], tmp / "out", written=files)
    outcome.note = f"{files / outcome.seconds:.0f} files/s"
    return outcome


def distinct_keys(tmp: Path) -> Outcome:
    rows = [{"text": story(i), f"key_{i}": i} for i in range(8000)]
    outcome = clean([jsonl(tmp / "in" / "keys.jsonl", rows)], tmp / "out", written=8000)
    size = (
        (tmp / "out" / "report.html").stat().st_size
        if (tmp / "out" / "report.html").exists()
        else 0
    )
    outcome.note = f"report.html {size / 1e3:,.0f} kB"
    return outcome


def cases(heavy: bool) -> dict[str, Callable[[Path], Outcome]]:
    return {
        "jsonl_type_change": jsonl_type_change,
        "jsonl_internal_name": jsonl_internal_name,
        "parquet_repeated_columns": parquet_repeated_columns,
        "non_utf8_names": non_utf8_names,
        "jsonl_map_column_as_jsonl": jsonl_map_column_as_jsonl,
        "warc_bad_charset": warc_bad_charset,
        "jsonl_gz_trailing_garbage": jsonl_gz_trailing_garbage,
        "jsonl_gz_cut": jsonl_gz_cut,
        "parquet_damaged_row_group": parquet_damaged_row_group,
        "directory_edges": directory_edges,
        "html_unknown_charsets": html_unknown_charsets,
        "large_html_records": lambda t: large_html_records(t, 100 if heavy else 8),
        "huge_text_record": lambda t: huge_text_record(t, 600 if heavy else 64),
        "many_short_lines": lambda t: many_short_lines(t, 15_000_000 if heavy else 1_000_000),
        "two_runs_one_output": two_runs_one_output,
        "kill_worker": kill_worker,
        "disk_full": disk_full,
        "same_named_files": same_named_files,
        "many_small_files": lambda t: many_small_files(t, 2000 if heavy else 500),
        "distinct_keys": distinct_keys,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heavy", action="store_true", help="the issue's sizes (GBs of RAM)")
    parser.add_argument("--only", default="", help="run cases whose name contains this")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    chosen = {k: v for k, v in cases(args.heavy).items() if args.only in k}
    header = (
        "case",
        "written",
        "in",
        "kept",
        "rejected by reason",
        "lost",
        "exit",
        "peak MiB",
        "s",
        "note",
    )
    rows = []
    for name, case in chosen.items():
        tmp = Path(tempfile.mkdtemp(prefix=f"hostile-{name}-"))
        try:
            o = case(tmp)
        except Exception as exc:  # a case that cannot even be built says so
            rows.append((name, "", "", "", "", "", "", "", "", f"case failed: {exc!r}"[:90]))
            if not args.markdown:
                print(" | ".join(str(c) for c in rows[-1]), flush=True)
            continue
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        reasons = ", ".join(
            f"{r} {n}" for r, n in sorted(o.stats.get("rejected_by_reason", {}).items())
        )
        rows.append(
            (
                name,
                o.written,
                o.counted if o.counted is not None else "-",
                o.stats.get("kept", "-"),
                reasons or "-",
                o.lost if o.lost is not None else "-",
                o.exit_code,
                f"{o.peak_mib:,.0f}",
                f"{o.seconds:.1f}",
                o.note,
            )
        )
        if not args.markdown:
            print(" | ".join(str(c) for c in rows[-1]), flush=True)
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in rows:
            print("| " + " | ".join(str(c) for c in row) + " |")


if __name__ == "__main__":
    main()

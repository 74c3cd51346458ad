"""Fixed cost of a ``crawlsift clean`` run, beside a bare Python and a bare resiliparse loop.

Each command runs in a fresh process, the commands alternated round by round (``--runs``
rounds); shown are the medians of the wall time and of the CPU time of the command's
whole process tree (user + system, from ``wait4``, which counts the children it waited
for: crawlsift's workers):

* ``python``: ``python -c pass``, the interpreter's own start;
* ``resiliparse loop``: FastWARC reading a one-page WARC and resiliparse extracting its
  main content, the least a WARC-to-text program does;
* ``crawlsift clean``: ``crawlsift clean PAGE.warc.gz -o OUT --overwrite --no-progress``
  with default settings, the same one-page WARC: imports, the worker process, the
  pipeline, writing the shards, ``stats.json`` and ``report.html``;
* with ``--before PATH``: the same command run from another checkout (e.g. the code
  before a change), in the same rounds.

The page is generated (a short article), so no shared data is needed.

Python modules run from their compiled bytecode, as in an installed crawlsift (pip
compiles it when it installs): ``PYTHONDONTWRITEBYTECODE`` is dropped and the bytecode of
every command is kept under a temporary ``PYTHONPYCACHEPREFIX`` (so no checkout gets
``__pycache__`` folders), written by one untimed warm-up round.

    python bench/startup.py [--runs 7] [--before PATH] [--markdown] [--smoke]

``--markdown`` writes the table between ``<!-- bench:startup -->`` and
``<!-- /bench:startup -->`` in docs/benchmarks.md (appending the block if absent);
``--smoke`` runs one round and checks the commands succeed.
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks.md"
BLOCK = "startup"

PAGE = (
    "<html><head><title>Ferry terminal to be rebuilt</title></head><body>"
    "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>Ferry terminal"
    " to be rebuilt</h1>"
    + "<p>The harbour authority confirmed on Monday that the old ferry terminal will be "
    "rebuilt next year, with work starting in the spring and the new hall opening in "
    "the autumn of the following year.</p>"
    * 6
    + "</article><footer>Copyright 2026</footer></body></html>"
)

ANCHOR = """
import sys
from fastwarc.warc import ArchiveIterator, WarcRecordType
from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import bytes_to_str, detect_encoding
with open(sys.argv[1], "rb") as fh:
    for record in ArchiveIterator(fh, record_types=WarcRecordType.response, parse_http=True):
        body = record.reader.read()
        print(extract_plain_text(bytes_to_str(body, detect_encoding(body)), main_content=True))
"""


def warc_page(path: Path) -> None:
    """A WARC of one gzipped response record holding :data:`PAGE`."""
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + PAGE.encode()
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        "WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
        "WARC-Date: 2026-01-01T00:00:00Z\r\nWARC-Target-URI: https://example.org/ferry\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n"
    )
    path.write_bytes(gzip.compress(head.encode() + http + b"\r\n\r\n"))


@dataclass(frozen=True)
class Command:
    label: str
    argv: list[str]
    env: dict[str, str]
    #: ``python -m`` puts the working directory first on sys.path: a neutral one, so
    #: that PYTHONPATH decides which checkout runs
    cwd: Path


def timed(command: Command) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and the children it waited for)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        command.argv,
        env=command.env,
        cwd=command.cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode:
        raise SystemExit(f"{command.label} failed ({proc.returncode}):\n{stderr[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def commands(root: Path, before: Path | None) -> list[Command]:
    page = root / "page.warc.gz"
    warc_page(page)
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode as an installed package has it
    env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")

    def clean(repo: Path, label: str) -> Command:
        out = root / f"out-{label.split()[-1]}"
        argv = [sys.executable, "-m", "crawlsift", "clean", str(page), "-o", str(out),
                "--overwrite", "--no-progress"]  # fmt: skip
        return Command(label, argv, {**env, "PYTHONPATH": str(repo)}, root)

    found = [
        Command("python", [sys.executable, "-c", "pass"], env, root),
        Command("resiliparse loop", [sys.executable, "-c", ANCHOR, str(page)], env, root),
        clean(REPO, "crawlsift clean"),
    ]
    if before is not None:
        found.append(clean(before.resolve(), "crawlsift clean (before)"))
    return found


def measure(cmds: Sequence[Command], runs: int) -> dict[str, tuple[float, float]]:
    """Label to (median wall, median CPU) over ``runs`` rounds of every command."""
    samples: dict[str, list[tuple[float, float]]] = {c.label: [] for c in cmds}
    for command in cmds:  # warm-up: writes the bytecode
        timed(command)
    for _ in range(runs):
        for command in cmds:
            samples[command.label].append(timed(command))
    return {
        label: (statistics.median(w for w, _ in s), statistics.median(c for _, c in s))
        for label, s in samples.items()
    }


def table(results: dict[str, tuple[float, float]]) -> list[str]:
    anchor_wall, anchor_cpu = results["resiliparse loop"]
    lines = [
        "| command | wall s | CPU s | wall / loop | CPU / loop |",
        "|---|--:|--:|--:|--:|",
    ]
    for label, (wall, cpu) in results.items():
        lines.append(
            f"| {label} | {wall:.2f} | {cpu:.2f} | {wall / anchor_wall:.1f}x "
            f"| {cpu / anchor_cpu:.1f}x |"
        )
    return lines


def write_block(doc: Path, name: str, lines: Sequence[str]) -> None:
    """Replace the text between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->`` in
    ``doc`` with ``lines``, or append the block at the end."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = "\n".join([start, *lines, end])
    text = doc.read_text(encoding="utf-8") if doc.exists() else ""
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + block + "\n"
    doc.write_text(text, encoding="utf-8")


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="rounds; medians are shown")
    parser.add_argument("--before", type=Path, help="another checkout to time beside this one")
    parser.add_argument("--markdown", action="store_true", help=f"write the table into {DOC}")
    parser.add_argument("--smoke", action="store_true", help="one round: the commands run")
    args = parser.parse_args(argv)
    runs = 1 if args.smoke else args.runs
    with tempfile.TemporaryDirectory(prefix="crawlsift-startup-") as tmp:
        cmds = commands(Path(tmp), args.before)
        started_load = load()
        results = measure(cmds, runs)
    lines = table(results)
    clean_wall, clean_cpu = results["crawlsift clean"]
    bare_wall, bare_cpu = results["python"]
    summary = (
        f"crawlsift clean of one page: {clean_wall:.2f} s wall, {clean_cpu:.2f} s CPU "
        f"({clean_wall - bare_wall:.2f} s / {clean_cpu - bare_cpu:.2f} s more than a bare "
        f"python start); medians of {runs} rounds, load average {started_load} -> {load()}"
    )
    print("\n".join(lines))
    print(summary)
    if args.markdown and not args.smoke:
        given = argv if argv is not None else sys.argv[1:]
        command = " ".join(["python bench/startup.py", *(a for a in given if a != "--markdown")])
        doc_lines = [
            "## Fixed cost of a run",
            "",
            "```",
            command,
            "```",
            "",
            f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}. Wall and CPU (user + system of the process "
            "and its workers) of whole commands in fresh processes (modules from their "
            "compiled bytecode, as installed), medians after a warm-up round; the "
            '"loop" is FastWARC + resiliparse main-content extraction of the same '
            "one-page WARC.",
            "",
            *lines,
            "",
            summary + ".",
        ]
        write_block(DOC, BLOCK, doc_lines)
        print(f"wrote the {BLOCK} block of {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

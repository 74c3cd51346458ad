"""Peak memory of a worker as a function of the HTML bytes in one batch.

Writes WARC files of 1, 4, 8 and 16 response records of ``--mb`` MB of text-dense HTML
each (all in one batch at the default batch size), cleans each with ``--workers 1`` in
a fresh process and prints the peak RSS of the largest child (the worker) beside the
batch's HTML bytes, and the slope: extra MiB of RSS per MiB of HTML in the batch. The
one-record run is the anchor (a worker's fixed cost).

    python bench/batch_memory.py [--mb 5]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARAGRAPH = (
    "<p>"
    + "The harbour authority confirmed on Monday that the old ferry terminal will be rebuilt. " * 20
    + "</p>\n"
)
CHILD = """
import resource, sys, crawlsift
crawlsift.clean([sys.argv[1]], sys.argv[2], workers=1, progress=False)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def page(megabytes: float) -> bytes:
    body = PARAGRAPH * int(megabytes * 1e6 / len(PARAGRAPH))
    return f"<html><body><article>{body}</article></body></html>".encode()


def warc(path: Path, records: int, megabytes: float) -> int:
    html = page(megabytes)
    with path.open("wb") as fh:
        for n in range(records):
            http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html
            head = (
                f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{n:036d}>\r\n"
                f"WARC-Date: 2025-06-02T10:00:00Z\r\nWARC-Target-URI: https://example.org/{n}\r\n"
                f"Content-Type: application/http; msgtype=response\r\n"
                f"Content-Length: {len(http)}\r\n\r\n"
            ).encode()
            fh.write(head + http + b"\r\n\r\n")
    return records * len(html)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=5.0, help="MB of HTML per record")
    args = parser.parse_args(argv)
    print(f"{'records':>7} {'batch HTML MiB':>15} {'worker peak MiB':>16}")
    points = []
    with tempfile.TemporaryDirectory() as tmp:
        for records in (1, 4, 8, 16):
            path = Path(tmp) / f"in-{records}.warc"
            html = warc(path, records, args.mb) / 2**20
            out = Path(tmp) / f"out-{records}"
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(path), str(out)],
                capture_output=True, text=True, check=True, cwd=ROOT,
            )  # fmt: skip
            peak = int(done.stdout.split()[-1]) / 1024  # ru_maxrss is in KiB on Linux
            points.append((html, peak))
            print(f"{records:>7} {html:>15.1f} {peak:>16.0f}")
    (x0, y0), (x1, y1) = points[0], points[-1]
    print(f"slope: {(y1 - y0) / (x1 - x0):.1f} MiB of RSS per MiB of HTML in the batch; "
          f"one-record worker {y0:.0f} MiB")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

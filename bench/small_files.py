"""Many small input files against one big one: the local engine's per-file overhead.

Writes ``--files`` JSONL files of one record each and one JSONL file of ``--records``
records (the same kind of record: a short news paragraph, repeated), cleans each input
with the default pipeline into a fresh directory, ``--runs`` times, and prints the median
wall time, files/s and records/s of each, and the ratio of the small files' record rate
to the big file's. The big file is the anchor: the engine at full speed, with no per-file
cost to pay.

    python bench/small_files.py [--files 2000] [--records 100000] [--workers 2] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import crawlsift

PROSE = (
    "The harbour authority confirmed on Monday that the old ferry terminal will be rebuilt, "
    "with work starting in spring and the first sailings expected the following summer."
)


def record(n: int) -> str:
    text = f"Story {n}\n{PROSE} Item {n}.\nShare this article\n{PROSE} Item {n}."
    return json.dumps({"id": str(n), "text": text}) + "\n"


def write_small(root: Path, files: int) -> list[str]:
    root.mkdir()
    for n in range(files):
        (root / f"f{n:06d}.jsonl").write_text(record(n))
    return [str(root)]


def write_big(root: Path, records: int) -> list[str]:
    path = root / "big.jsonl"
    with path.open("w") as fh:
        fh.writelines(record(n) for n in range(records))
    return [str(path)]


def timed(inputs: list[str], out: Path, workers: int) -> float:
    start = time.perf_counter()
    summary = crawlsift.clean(inputs, str(out), workers=workers, progress=False)
    seconds = time.perf_counter() - start
    assert summary.stats.kept + summary.stats.rejected == summary.stats.records_in
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000, help="one-record files")
    parser.add_argument("--records", type=int, default=100_000, help="records of the big file")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        small, big = write_small(root / "small", args.files), write_big(root, args.records)
        times: dict[str, list[float]] = {"small": [], "big": []}
        for run in range(args.runs):
            for name, inputs in (("small", small), ("big", big)):
                times[name].append(timed(inputs, root / f"out-{name}-{run}", args.workers))
    small_s, big_s = statistics.median(times["small"]), statistics.median(times["big"])
    print(f"{args.workers} workers, median of {args.runs} runs")
    print(f"{'input':<28} {'seconds':>8} {'files/s':>9} {'records/s':>10}")
    print(f"{f'{args.files:,} one-record files':<28} {small_s:8.2f} "
          f"{args.files / small_s:9.1f} {args.files / small_s:10.0f}")  # fmt: skip
    print(f"{f'one file of {args.records:,} records':<28} {big_s:8.2f} "
          f"{1 / big_s:9.2f} {args.records / big_s:10.0f}")  # fmt: skip
    ratio = (args.files / small_s) / (args.records / big_s)
    print(f"records/s of small files / big file: {ratio:.3f}")
    print("runs (s): small " + ", ".join(f"{t:.2f}" for t in times["small"])
          + "; big " + ", ".join(f"{t:.2f}" for t in times["big"]))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

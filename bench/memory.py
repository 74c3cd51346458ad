"""Peak memory of a run as its input grows 10x: crawlsift streams, a load-all script does not.

Builds JSONL inputs of N and 10*N records from the bundled demo sample's texts (so it
needs nothing outside the repository), then runs, each in a fresh process:

- ``crawlsift``: ``crawlsift clean INPUT -o OUT --workers 1`` (one worker process under
  the record time limit's watchdog, plus the parent; the figure is the larger of the two
  peaks, as ``RUSAGE_CHILDREN`` reports the largest descendant);
- ``load_all``: the anchor, a script that reads the whole JSONL into one Arrow table
  with ``pyarrow.json`` and runs the same pipeline on it in one call.

Prints peak RSS (MiB) for both sizes and the growth ratio 10x/1x for each.

    python bench/memory.py [--records 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import crawlsift
from crawlsift.io import discover, read_task

LOAD_ALL = """
import sys, pyarrow.json as pj, crawlsift
from crawlsift import schema as S
table = pj.read_json(sys.argv[1])
out = crawlsift.make_pipeline()(S.input_table(id=table["id"], text=table["text"]))
print(out.num_rows)
"""


def sample_texts() -> list[str]:
    """Texts of the bundled demo sample, after reading (HTML pages extracted)."""
    demo = Path(crawlsift.__file__).parent / "data" / "demo"
    pipeline = crawlsift.Pipeline(stages=("extract",))
    texts = []
    for task in discover([str(demo)]):
        for batch in read_task(task):
            texts += [t for t in pipeline(batch).column("text").to_pylist() if t]
    return texts


def write_input(path: Path, texts: list[str], records: int) -> int:
    with path.open("w", encoding="utf-8") as f:
        for i in range(records):
            f.write(json.dumps({"id": str(i), "text": texts[i % len(texts)]}) + "\n")
    return path.stat().st_size


def measure(kind: str, path: Path, out: Path) -> float:
    if kind == "crawlsift":
        cmd = [sys.executable, "-m", "crawlsift", "clean", str(path), "-o", str(out),
               "--workers", "1", "--no-progress", "--overwrite"]  # fmt: skip
    else:
        cmd = [sys.executable, "-c", LOAD_ALL, str(path)]
    # ru_maxrss of children is a running maximum, so each measurement gets its own process
    probe = [sys.executable, "-c",
             "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
             "capture_output=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)",
             *cmd]  # fmt: skip
    return int(subprocess.run(probe, check=True, capture_output=True, text=True).stdout) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000, help="records at size 1x")
    parser.add_argument("--runs", type=int, default=3, help="runs per cell; the median is shown")
    args = parser.parse_args(argv)
    texts = sample_texts()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sizes = {}
        for scale in (1, 10):
            sizes[scale] = write_input(root / f"in-{scale}.jsonl", texts, args.records * scale)
        print(f"inputs: {args.records:,} records ({sizes[1] / 2**20:.0f} MiB) and "
              f"{args.records * 10:,} records ({sizes[10] / 2**20:.0f} MiB)")  # fmt: skip
        print(f"{'system':<10} {'1x MiB':>9} {'10x MiB':>9} {'growth':>7}")
        for kind in ("crawlsift", "load_all"):
            peaks = {}
            for scale in (1, 10):
                runs = [
                    measure(kind, root / f"in-{scale}.jsonl", root / f"out-{kind}-{scale}")
                    for _ in range(args.runs)
                ]
                peaks[scale] = statistics.median(runs)
            print(f"{kind:<10} {peaks[1]:>9.0f} {peaks[10]:>9.0f} {peaks[10] / peaks[1]:>6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

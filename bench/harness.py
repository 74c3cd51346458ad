"""Whole-command timing shared by the benches: what a user's run costs, start-up included.

Each system is a command line run as its own process (crawlsift's CLI with this Python, the
anchor's script with the anchor environment's Python, see ``bench/anchor.py``). The systems
take turns: run ``r`` starts from the ``r``-th system, so a shared machine's load drifts over
all of them alike. A run is charged the wall time and the CPU seconds (user + system) of the
child and everything it waited for (``resource.getrusage(RUSAGE_CHILDREN)`` before and after),
so worker processes count. Medians over the runs are reported, and the ratio of each system's
median CPU seconds to the first system's: on a shared 2-core machine CPU seconds are the
figure to quote (a process waiting for a core is not charged for the wait).

``--markdown`` rewrites the bench's own table in ``docs/benchmarks.md``, between
``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``, with the command under it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCS = REPO_ROOT / "docs" / "benchmarks.md"


def _shared() -> Path:
    """The shared data: $CRAWLSIFT_SHARED_DATA, else ../shared/data (../../ from a worktree)."""
    if os.environ.get("CRAWLSIFT_SHARED_DATA"):
        return Path(os.environ["CRAWLSIFT_SHARED_DATA"])
    near = REPO_ROOT.parent / "shared" / "data"
    far = REPO_ROOT.parent.parent / "shared" / "data"
    return far if not near.is_dir() and far.is_dir() else near


SHARED = _shared()


@dataclass
class System:
    """One command to time; ``output`` (if set) is removed before each run."""

    name: str
    argv: list[str]
    output: Path | None = None
    env: dict[str, str] | None = None
    note: str = ""


@dataclass
class Timing:
    """The runs of one system: wall and CPU seconds of each."""

    system: System
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def crawlsift_env() -> dict[str, str]:
    """The environment for crawlsift's CLI: this checkout first on PYTHONPATH."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def crawlsift_cli(*args: str) -> list[str]:
    """The argv of ``crawlsift ARGS...`` as a user runs it, with this checkout's code."""
    return [sys.executable, "-m", "crawlsift", *args]


def run_once(system: System) -> tuple[float, float]:
    """Run ``system`` once; its wall and CPU seconds. A failing command raises with its stderr."""
    if system.output is not None and system.output.exists():
        shutil.rmtree(system.output)
    env = system.env if system.env is not None else crawlsift_env()
    cpu, wall = _children_cpu(), time.perf_counter()
    done = subprocess.run(system.argv, env=env, capture_output=True, text=True, check=False)
    wall, cpu = time.perf_counter() - wall, _children_cpu() - cpu
    if done.returncode:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise RuntimeError(
            f"{system.name} failed ({done.returncode}): {shlex.join(system.argv)}\n{tail}"
        )
    if system.output is not None and not any(p.is_file() for p in system.output.rglob("*")):
        raise RuntimeError(f"{system.name} wrote nothing into {system.output}")
    return wall, cpu


def measure(
    systems: Sequence[System],
    runs: int,
    after_run: Callable[[System], None] | None = None,
) -> list[Timing]:
    """Alternate ``systems`` over ``runs`` rounds; ``after_run`` sees each finished run."""
    timings = [Timing(s) for s in systems]
    for r in range(runs):
        order = list(range(r % len(systems), len(systems))) + list(range(r % len(systems)))
        for i in order:
            wall, cpu = run_once(systems[i])
            timings[i].walls.append(wall)
            timings[i].cpus.append(cpu)
            print(
                f"  run {r + 1}/{runs} {systems[i].name:44} {wall:8.2f} s wall {cpu:8.2f} s CPU",
                flush=True,
            )
            if after_run is not None:
                after_run(systems[i])
    return timings


def print_summary(timings: Sequence[Timing], docs: int) -> None:
    """Medians and the CPU ratio of every system to the first (crawlsift's headline)."""
    head = timings[0]
    print(f"\nmedians of {len(head.walls)} runs, {docs:,} documents:")
    for t in timings:
        print(
            f"  {t.system.name:44} {t.wall:8.2f} s wall {t.cpu:8.2f} s CPU "
            f"{docs / t.cpu:9,.1f} docs/CPU-s  CPU ratio {t.cpu / head.cpu:6.2f}x"
        )


def table(timings: Sequence[Timing], docs: int, extra: dict[str, str] | None = None) -> str:
    """A Markdown table of the medians: one row per system, CPU ratio to the first system."""
    head = timings[0]
    extra = extra or {}
    lines = [
        "| system | wall s | CPU s | docs per CPU-s | CPU s / crawlsift's |"
        + "".join(f" {k} |" for k in extra),
        "|---|--:|--:|--:|--:|" + "--:|" * len(extra),
    ]
    for t in timings:
        row = (
            f"| {t.system.name} | {t.wall:.2f} | {t.cpu:.2f} | {docs / t.cpu:,.1f} | "
            f"{t.cpu / head.cpu:.2f}× |"
        )
        lines.append(row)
    notes = [f"- **{t.system.name}**: {t.system.note}" for t in timings if t.system.note]
    return "\n".join(lines + (["", *notes] if notes else []))


def machine() -> str:
    """The date, the core count and the Python of this run, for the table's footer."""
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    load = os.getloadavg()[0]
    return (
        f"{today}, {os.cpu_count()} cores (shared; load average {load:.1f} at the end), "
        f"Python {platform.python_version()}"
    )


def replace_section(text: str, name: str, body: str) -> str:
    """``text`` with what lies between the ``bench:NAME`` markers replaced by ``body``."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    if start not in text or end not in text:
        raise KeyError(f"docs/benchmarks.md has no {start} ... {end} markers")
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    return f"{before}{start}\n{body.strip()}\n{end}{after}"


def write_markdown(name: str, body: str, argv: Sequence[str], path: Path = DOCS) -> None:
    """Put ``body``, the command that made it and the machine into ``path``'s section."""
    command = shlex.join(["python", *argv])
    footer = f"\n\n```\n{command}\n```\n\nMeasured {machine()}."
    path.write_text(replace_section(path.read_text(), name, body + footer))
    print(f"wrote the {name} table in {path}")


def add_arguments(parser: argparse.ArgumentParser, runs: int = 3) -> None:
    """The options every whole-command bench takes."""
    parser.add_argument("--runs", type=int, default=runs, help="alternated runs per system")
    parser.add_argument(
        "--smoke", action="store_true", help="tiny input, one run: proves the commands run"
    )
    parser.add_argument(
        "--markdown", action="store_true", help="rewrite this bench's table in docs/benchmarks.md"
    )
    parser.add_argument("--anchor-dir", type=Path, default=None, help="default: .bench-anchor/")
    parser.add_argument("--no-anchor", action="store_true", help="crawlsift's side only")

"""The anchor environment: a separate virtual environment holding datatrove for the benches.

crawlsift's own environment does not need datatrove: each bench runs the anchor side as a
script (``bench/anchor/*.py``) executed by this environment's Python, as its own process.

Build it, from scratch, with one command (pip from PyPI; nothing is downloaded at run time)::

    python bench/anchor.py build            # creates .bench-anchor/ at the repository root
    python bench/anchor.py check            # prints the versions, exit 1 if unusable

``--dir`` (or the environment variable ``CRAWLSIFT_BENCH_ANCHOR``) puts it elsewhere. The
packages are pinned in ``bench/anchor/requirements.txt``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = Path(__file__).resolve().parent / "anchor"
REQUIREMENTS = SCRIPTS / "requirements.txt"
CHECK = (
    "import datatrove, spacy, trafilatura, xxhash, warcio, magic, cchardet, orjson; "
    "from importlib.metadata import version as v; "
    "print(' '.join(f'{p} {v(p)}' for p in ('datatrove', 'spacy', 'trafilatura', 'xxhash')))"
)


def default_dir() -> Path:
    """Where the anchor environment lives: $CRAWLSIFT_BENCH_ANCHOR, else .bench-anchor/."""
    return Path(os.environ.get("CRAWLSIFT_BENCH_ANCHOR") or REPO_ROOT / ".bench-anchor")


def python(env_dir: Path | None = None) -> Path:
    """The anchor environment's Python executable (it may not exist yet)."""
    return (env_dir or default_dir()) / "bin" / "python"


def script(name: str) -> Path:
    """The path of the anchor script ``bench/anchor/<name>.py``."""
    return SCRIPTS / f"{name}.py"


def skipped(args: argparse.Namespace) -> str | None:
    """Why a bench's anchor side does not run (``--no-anchor``, or no environment), printed
    once; None when it runs. ``args`` holds the options of ``harness.add_arguments``."""
    missing = "--no-anchor given" if args.no_anchor else available(args.anchor_dir)
    if missing:
        print(f"datatrove side skipped: {missing}")
    return missing


def available(env_dir: Path | None = None) -> str | None:
    """``None`` when the anchor environment runs, else a sentence saying how to build it."""
    exe = python(env_dir)
    if not exe.exists():
        return f"no anchor environment at {exe.parent.parent} (python bench/anchor.py build)"
    done = subprocess.run([str(exe), "-c", CHECK], capture_output=True, text=True)
    if done.returncode:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return f"the anchor environment at {exe.parent.parent} is broken: {last}"
    return None


def build(env_dir: Path) -> int:
    """Create the anchor environment from scratch and install the pinned requirements."""
    if env_dir.exists():
        shutil.rmtree(env_dir)
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)
    pip = [str(python(env_dir)), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True)
    return check(env_dir)


def check(env_dir: Path) -> int:
    """Print the anchor environment's versions; 1 if it cannot import what the benches use."""
    problem = available(env_dir)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    done = subprocess.run([str(python(env_dir)), "-c", CHECK], capture_output=True, text=True)
    print(f"anchor environment {env_dir}: {done.stdout.strip()}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=("build", "check"))
    parser.add_argument("--dir", type=Path, default=None, help="default: .bench-anchor/")
    args = parser.parse_args(argv)
    env_dir = (args.dir or default_dir()).resolve()
    return build(env_dir) if args.action == "build" else check(env_dir)


if __name__ == "__main__":
    sys.exit(main())

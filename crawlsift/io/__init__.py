"""The input layer: find input files, read them as Arrow tables, write output shards."""

from __future__ import annotations

from crawlsift.io.discover import INPUT_FORMATS, ReadTask, detect_format, discover
from crawlsift.io.read import read_task
from crawlsift.io.writers import RollingWriter, ShardWriter, read_output

__all__ = [
    "INPUT_FORMATS",
    "ReadTask",
    "RollingWriter",
    "ShardWriter",
    "detect_format",
    "discover",
    "read_output",
    "read_task",
]

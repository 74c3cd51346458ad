"""One schema per run: the last step before a run's stats and report are written.

Each task commits its shards with the fields and types its own input had, and its done
marker lists every shard with its schema. When all tasks are done, the schemas of the
``kept`` and ``rejected`` shards are unified in task order (rules in
:mod:`crawlsift.io.passthrough`): each kind keeps its own crawlsift columns and gets every
pass-through field of the run, and each shard whose schema differs is rewritten with the
unified one (atomically; its marker is updated after). A run of one input format
rewrites nothing; a run mixing, say, WARC and JSONL inputs rewrites the WARC tasks'
shards to add the JSONL fields as nulls. Interrupted, the step is redone on the next
attempt and skips the shards already rewritten.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from crawlsift import schema as S
from crawlsift.engine.output import DONE, KINDS
from crawlsift.io.passthrough import unify_schemas
from crawlsift.io.unify_shards import rewrite, schema_from_text, schema_to_text

#: key of a done marker listing the task's shards (path relative to the output) and schemas
SHARDS = "shards"


def marker_path(out: Path, task_id: str) -> Path:
    """Where a task's done marker lives."""
    return out / DONE / f"{task_id}.json"


def shard_entries(out: Path, committed: Sequence[tuple[str, pa.Schema]]) -> dict[str, str]:
    """The ``shards`` entry of a done marker for committed ``(path, schema)`` pairs."""
    return {Path(p).relative_to(out).as_posix(): schema_to_text(s) for p, s in committed}


def unify_outputs(
    out: Path,
    task_ids: Sequence[str],
    write_json: Callable[[Path, dict[str, Any]], None],
    fetch: Callable[[str], None] | None = None,
) -> list[str]:
    """Rewrite the ``kept`` and ``rejected`` shards of ``task_ids`` to one schema per kind;
    returns the ids of the tasks whose shards changed. Both kinds get every pass-through
    field of the run. ``fetch(relative_path)`` is called before a shard is rewritten, for
    outputs whose earlier shards may live elsewhere."""
    markers = {tid: json.loads(marker_path(out, tid).read_text()) for tid in task_ids}
    entries = [
        (tid, rel, schema_from_text(text))
        for tid in task_ids
        for rel, text in markers[tid].get(SHARDS, {}).items()
        if rel.split("/", 1)[0] in KINDS
    ]
    passed = [f for f in unify_schemas(s for _, _, s in entries) if f.name not in S.COLUMN_TYPES]
    targets = {}
    for kind in KINDS:
        own = unify_schemas(s for _, rel, s in entries if rel.startswith(f"{kind}/"))
        targets[kind] = pa.schema([*(f for f in own if f.name in S.COLUMN_TYPES), *passed])
    changed: list[str] = []
    for tid, rel, schema in entries:
        target = targets[rel.split("/", 1)[0]]
        if schema.equals(target):
            continue
        if fetch is not None:
            fetch(rel)
        rewrite(out / rel, schema, target)
        markers[tid][SHARDS][rel] = schema_to_text(target)
        if tid not in changed:
            changed.append(tid)
    for tid in changed:
        write_json(marker_path(out, tid), markers[tid])
    return changed

"""dedup on Ray: the hashing pass runs on Ray workers and the result is byte-identical."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawlsift.dedup import dedup
from tests.dedup.conftest import decisions, write

ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'crawlsift[ray]'")


def _shards(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for kind in ("kept", "rejected")
        for p in sorted((out / kind).iterdir())
    }


def _with_site_chrome(rows: list[dict]) -> list[dict]:
    """Spread documents over 4 hosts, each adding its own chrome lines to every page."""
    out = []
    for i, row in enumerate(rows):
        host = f"news{i % 4}.example"
        chrome = f"Subscribe to the {host} newsletter for daily updates and offers"
        footer = f"Copyright {host} all rights reserved terms of use privacy policy"
        text = f"{chrome}\n{row['text']}\n{footer}"
        out.append({**row, "url": f"https://{host}/story/{i}", "text": text})
    return out


@pytest.mark.ray
def test_dedup_on_ray_equals_local(tmp_path: Path, planted: dict) -> None:
    src = str(write(tmp_path / "in.parquet", _with_site_chrome(planted["rows"])))
    local = dedup(src, str(tmp_path / "local"), batch_size=25, workers=1)
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    try:
        on_ray = dedup(src, str(tmp_path / "ray"), batch_size=25, engine="ray")
    finally:
        ray.shutdown()
    assert local.removed_near >= 2 and local.boilerplate_lines_removed > 0
    assert _shards(tmp_path / "local") == _shards(tmp_path / "ray")
    assert decisions(tmp_path / "local") == decisions(tmp_path / "ray")
    for summary in (local, on_ray):
        summary.seconds, summary.phases, summary.output = 0.0, {}, ""
    assert local.to_dict() == on_ray.to_dict()
    stats = json.loads((tmp_path / "ray" / "stats.json").read_text())
    assert stats["kept"] == local.kept


def test_unknown_engine_is_refused(tmp_path: Path, planted: dict) -> None:
    from crawlsift.errors import InputError

    src = str(write(tmp_path / "in.parquet", planted["rows"][:5]))
    with pytest.raises(InputError, match="engine"):
        dedup(src, str(tmp_path / "o"), engine="spark")

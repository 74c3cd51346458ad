"""Quality floors pinned in data: repair on all-visible text, the default HTML extraction and
dedup on WCXB dev must not score below tests/quality_floors.json.

Needs ../shared/data (present beside CI's clone); skips cleanly without it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import crawlsift
from crawlsift import schema as S

ROOT = Path(__file__).resolve().parents[1]
WCXB = ROOT.parent / "shared" / "data" / "extraction" / "wcxb-dev"
FLOORS = json.loads((Path(__file__).parent / "quality_floors.json").read_text())

pytestmark = pytest.mark.skipif(not WCXB.exists(), reason=f"{WCXB} is absent")


def _bench_modules():
    from bench import anchors, scoring

    return anchors, scoring


def _scores(scoring, out, truths):
    preds = [
        t if k else ""
        for t, k in zip(out[S.TEXT].to_pylist(), out[S.KEEP].to_pylist(), strict=True)
    ]
    pairs = list(zip(preds, truths, strict=True))
    return scoring.macro_f1(pairs, "shingle"), scoring.macro_f1(pairs, "word")


def test_default_html_extraction_stays_above_its_floor():
    anchors, scoring = _bench_modules()
    pages = sorted((WCXB / "ground-truth").glob("*.json"))
    truths = [json.loads(p.read_text())["ground_truth"].get("main_content") or "" for p in pages]
    html = [anchors.read_html(WCXB / "html" / f"{p.stem}.html.gz").encode() for p in pages]
    out = crawlsift.make_pipeline()(S.input_table(html=html, charset=["utf-8"] * len(html)))
    shingle, word = _scores(scoring, out, truths)
    assert shingle["f1"] >= FLOORS["extract_wcxb_dev_shingle_f1"], shingle
    assert word["f1"] >= FLOORS["extract_wcxb_dev_word_f1"], word


def test_repair_on_all_visible_text_stays_above_its_floor():
    anchors, scoring = _bench_modules()
    pages = sorted((WCXB / "ground-truth").glob("*.json"))
    truths, texts = [], []
    for path in pages:
        truths.append(json.loads(path.read_text())["ground_truth"].get("main_content") or "")
        texts.append(
            anchors.visible_text(anchors.read_html(WCXB / "html" / f"{path.stem}.html.gz"))
        )
    out = crawlsift.make_pipeline()(S.input_table(text=texts))
    preds = [
        t if k else ""
        for t, k in zip(out[S.TEXT].to_pylist(), out[S.KEEP].to_pylist(), strict=True)
    ]
    shingle = scoring.macro_prf(
        [scoring.shingle_prf(p, t) for p, t in zip(preds, truths, strict=True)]
    )
    word = scoring.macro_prf([scoring.word_prf(p, t) for p, t in zip(preds, truths, strict=True)])
    assert len(pages) == 1497
    assert shingle["f1"] >= FLOORS["repair_wcxb_dev_shingle_f1"], shingle
    assert word["f1"] >= FLOORS["repair_wcxb_dev_word_f1"], word


def test_default_dedup_finds_planted_near_copies_above_its_floors(tmp_path):
    """bench/dedup_recall.py's corpus, one round on the half of the sites the defaults were
    not chosen on: each page with a planted copy (words changed up to 5%, sentences
    inserted or deleted, site chrome added) beside unrelated pages sharing a site's chrome."""
    from bench import dedup_recall as bench

    pages = [p for p in bench.load_pages() if bench.split_of(p["host"]) == bench.SPLITS["report"]]
    corpus = bench.build_corpus(pages, 0, None)
    counts = bench.score(corpus, bench.run_crawlsift(corpus["docs"], tmp_path, {}))
    assert len(corpus["copy_of"]) > 500
    assert bench.recall(counts) >= FLOORS["dedup_planted_recall"], counts
    assert bench.precision(counts) >= FLOORS["dedup_planted_precision"], counts


def test_dedup_pair_precision_and_recall_stay_above_their_floors(tmp_path):
    """bench/dedup.py's corpus, smaller: 5,000 documents, pairs scored on 2,000 of them; with
    the setting its truth is defined by (pairs at 5-gram Jaccard >= 0.8, 14 x 8 bands)."""
    from bench import dedup as bench

    docs, planted = bench.build_corpus(5_000, 0.1, 0)
    sample = bench.subsample(docs, planted, 2_000, 0)
    truth = bench.true_pairs(sample)
    found = bench.run_crawlsift(
        sample, tmp_path, "floor", boilerplate=False, seed=1, rows=8, jaccard_threshold=0.8
    )
    precision, recall = bench.score(bench.cluster_pairs(found["labels"]), truth)
    assert len(truth) > 50
    assert precision >= FLOORS["dedup_pair_precision"], precision
    assert recall >= FLOORS["dedup_pair_recall"], recall

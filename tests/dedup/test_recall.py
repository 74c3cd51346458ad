"""Default dedup finds the near-copies users mean and leaves pages sharing chrome apart."""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa

from crawlsift.dedup import DedupOptions, dedup, minhash
from crawlsift.dedup.tokens import words
from tests.dedup.conftest import article, decisions, vocabulary, write


def _change_words(text: str, share: float, rng: random.Random, vocab: list[str]) -> str:
    """``text`` with ``share`` of its words (at least one) replaced by other words."""
    tokens = text.split(" ")
    for i in rng.sample(range(len(tokens)), max(1, round(share * len(tokens)))):
        tokens[i] = rng.choice([w for w in vocab[:50] if w != tokens[i]])
    return " ".join(tokens)


def _jaccard(a: str, b: str) -> float:
    hashes, offsets = minhash.shingle_hashes(words(pa.array([a, b])), 5)
    sets = [set(hashes[offsets[i] : offsets[i + 1]].tolist()) for i in (0, 1)]
    return len(sets[0] & sets[1]) / len(sets[0] | sets[1])


def test_copies_with_a_few_percent_of_words_changed_are_duplicates(tmp_path: Path) -> None:
    rng = random.Random(11)
    vocab = vocabulary(5)
    rows, copies = [], {}
    for i in range(30):
        text = article(rng, vocab, 25)
        rows.append({"id": f"src-{i:02d}", "date": "2025-01-01", "text": text})
        for share in (0.02, 0.04):
            copy = _change_words(text, share, rng, vocab)
            cid = f"copy-{share}-{i:02d}"
            rows.append({"id": cid, "date": "2025-02-01", "text": copy})
            copies[cid] = (f"src-{i:02d}", _jaccard(text, copy))
    # the 4% copies are what a verification at Jaccard 0.8 throws away
    assert all(0.6 <= j < 0.8 for cid, (_, j) in copies.items() if "0.04" in cid)
    dedup(str(write(tmp_path / "in.parquet", rows)), str(tmp_path / "out"), workers=1)
    got = decisions(tmp_path / "out")
    found = {cid for cid, (src, _) in copies.items() if got[cid][:2] == ("dedup_near", src)}
    assert {cid for cid in copies if "0.02" in cid} <= found
    # MinHash LSH finds a pair of Jaccard 0.6-0.7 with probability 0.87-0.97 (14 x 4 bands)
    assert len({cid for cid in found if "0.04" in cid}) >= 27
    assert all(got[f"src-{i:02d}"][0] == "kept" for i in range(30))


def test_unrelated_pages_sharing_a_header_and_footer_are_not_duplicates(tmp_path: Path) -> None:
    rng = random.Random(12)
    vocab = vocabulary(6)
    rows = []
    for site, pages in enumerate((2, 3, 3, 6, 6)):  # small sites: no boilerplate learned
        header = article(rng, vocab, 4)
        footer = article(rng, vocab, 4)
        for page in range(pages):
            body = article(rng, vocab, 3)
            rows.append(
                {
                    "id": f"site{site}-{page}",
                    "url": f"https://site{site}.example/{page}",
                    "text": "\n".join([header, body, footer]),
                }
            )
    pairs = [(a["text"], b["text"]) for a in rows for b in rows if a["id"] < b["id"]]
    assert max(_jaccard(a, b) for a, b in pairs if a[:40] == b[:40]) > 0.25
    dedup(str(write(tmp_path / "in.parquet", rows)), str(tmp_path / "out"), workers=1)
    got = decisions(tmp_path / "out")
    assert {k for k, v in got.items() if v[0] != "kept"} == set()


def test_verification_is_what_keeps_chrome_sharing_pages_apart(tmp_path: Path) -> None:
    """Pages whose shared chrome is most of their text: the threshold decides."""
    rng = random.Random(13)
    vocab = vocabulary(7)
    header, footer = article(rng, vocab, 6), article(rng, vocab, 6)
    rows = [
        {"id": f"p{i}", "text": "\n".join([header, article(rng, vocab, 2), footer])}
        for i in range(2)
    ]
    similarity = _jaccard(rows[0]["text"], rows[1]["text"])
    src = str(write(tmp_path / "in.parquet", rows))
    found = {}
    for name, threshold in (("below", similarity - 0.05), ("above", similarity + 0.05)):
        dedup(src, str(tmp_path / name), workers=1, jaccard_threshold=threshold, bands=40, rows=2)
        found[name] = decisions(tmp_path / name)["p1"][0]
    assert found == {"below": "dedup_near", "above": "kept"}


def test_cli_defaults_are_the_options_defaults() -> None:
    from crawlsift.cli import main

    params = {p.name: p.default for p in main.commands["dedup"].params}
    assert params["verify"] is DedupOptions.verify is True
    assert params["threshold"] == DedupOptions.jaccard_threshold

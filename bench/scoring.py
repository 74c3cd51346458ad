"""Extraction-quality scores shared by the benchmarks.

The measure is the one in ``shared/data/README.md`` ("article-extraction-benchmark style"):

1. tokens are the matches of ``\\w+`` (Unicode, case kept);
2. a text's shingles are the multiset of its consecutive 4-token tuples; a text with fewer
   than 4 tokens gives one short tuple, an empty text gives none;
3. per page, ``tp = sum(min(count_true, count_pred))``, ``fp`` is the surplus in the
   prediction and ``fn`` the surplus in the truth, and the three are normalised to sum to 1;
4. precision is the mean over pages of ``tp / (tp + fp)``, recall the mean of
   ``tp / (tp + fn)``, and F1 is the harmonic mean of those two means.

Word level is the same with a bag of lower-cased ``\\w+`` tokens instead of shingles.

Empty pages. An empty prediction (a crash or a dropped document) predicts nothing. The
default convention, ``"strict"``, averages over *every* page:

==================================  =========  ======
page                                precision  recall
==================================  =========  ======
nothing predicted, nothing true     1          1
nothing predicted, something true   0          0
something predicted, nothing true   0          0
==================================  =========  ======

This is also what the WCXB ``evaluate.py`` does for its word-level scores. The original
article-extraction-benchmark ``evaluate.py`` differs: it leaves pages with nothing predicted
out of the precision mean, and pages with nothing true out of the recall mean, so a dropped
document costs recall only. ``convention="aeb"`` reproduces that, for comparison with its
published tables.

WCXB publishes its word-level F1 as the mean of per-page F1 rather than the harmonic mean of
the mean precision and mean recall; :func:`mean_page_f1` gives that figure.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Literal

Level = Literal["shingle", "word"]
Convention = Literal["strict", "aeb"]
TpFpFn = tuple[float, float, float]

SHINGLE_SIZE = 4
_TOKEN_RE = re.compile(r"\w+")


def tokenize(text: str) -> list[str]:
    """All ``\\w+`` tokens of ``text`` (Unicode, case kept)."""
    return _TOKEN_RE.findall(text or "")


def shingles(text: str, n: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """Multiset of the consecutive ``n``-token tuples of ``text``.

    A text with fewer than ``n`` tokens gives one short tuple; an empty one gives none.
    """
    toks = tokenize(text)
    if not toks:
        return Counter()
    if len(toks) < n:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


def word_bag(text: str) -> Counter[str]:
    """Multiset of the lower-cased ``\\w+`` tokens of ``text``."""
    return Counter(_TOKEN_RE.findall((text or "").lower()))


def match_counts(pred: Counter, true: Counter) -> TpFpFn:
    """Normalised ``(tp, fp, fn)`` of two multisets; ``(0, 0, 0)`` when both are empty."""
    tp = sum((pred & true).values())
    fp = sum(pred.values()) - tp
    fn = sum(true.values()) - tp
    total = tp + fp + fn
    if total == 0:
        return (0.0, 0.0, 0.0)
    return (tp / total, fp / total, fn / total)


def shingle_prf(pred: str, true: str, n: int = SHINGLE_SIZE) -> TpFpFn:
    """Normalised ``(tp, fp, fn)`` of one page over ``n``-token shingles."""
    return match_counts(shingles(pred, n), shingles(true, n))


def word_prf(pred: str, true: str) -> TpFpFn:
    """Normalised ``(tp, fp, fn)`` of one page over the bag of lower-cased words."""
    return match_counts(word_bag(pred), word_bag(true))


def page_counts(pred: str, true: str, level: Level = "shingle") -> TpFpFn:
    """Normalised ``(tp, fp, fn)`` of one page at the given level."""
    if level == "shingle":
        return shingle_prf(pred, true)
    if level == "word":
        return word_prf(pred, true)
    raise ValueError(f"unknown level {level!r}")


def precision_score(tp: float, fp: float, fn: float) -> float:
    """Precision of one page: 1 if nothing was predicted and nothing is true, else 0."""
    if tp + fp == 0:
        return 1.0 if fn == 0 else 0.0
    return tp / (tp + fp)


def recall_score(tp: float, fp: float, fn: float) -> float:
    """Recall of one page: 1 if nothing is true and nothing was predicted, else 0."""
    if tp + fn == 0:
        return 1.0 if fp == 0 else 0.0
    return tp / (tp + fn)


def page_f1(tp: float, fp: float, fn: float) -> float:
    """F1 of one page from its precision and recall (0 when both are 0)."""
    p, r = precision_score(tp, fp, fn), recall_score(tp, fp, fn)
    return 2 * p * r / (p + r) if p + r else 0.0


def _harmonic(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def macro_prf(counts: Sequence[TpFpFn], convention: Convention = "strict") -> dict[str, float]:
    """Macro-averaged precision, recall and F1 from per-page normalised ``(tp, fp, fn)``.

    ``convention="strict"`` averages over every page; ``"aeb"`` leaves pages with nothing
    predicted out of the precision mean and pages with nothing true out of the recall mean,
    as the article-extraction-benchmark does. An empty sequence scores 0.
    """
    if convention == "strict":
        precisions = [precision_score(*c) for c in counts]
        recalls = [recall_score(*c) for c in counts]
    elif convention == "aeb":
        precisions = [precision_score(*c) for c in counts if c[0] + c[1] > 0]
        recalls = [recall_score(*c) for c in counts if c[0] + c[2] > 0]
    else:
        raise ValueError(f"unknown convention {convention!r}")
    p = statistics.fmean(precisions) if precisions else 0.0
    r = statistics.fmean(recalls) if recalls else 0.0
    return {"precision": p, "recall": r, "f1": _harmonic(p, r)}


def macro_f1(
    pairs: Iterable[tuple[str, str]],
    level: Level = "shingle",
    convention: Convention = "strict",
) -> dict[str, float]:
    """Macro-averaged precision, recall and F1 of ``(pred, true)`` text pairs."""
    return macro_prf([page_counts(p, t, level) for p, t in pairs], convention)


def mean_page_f1(counts: Sequence[TpFpFn]) -> float:
    """Mean over pages of the per-page F1: the figure WCXB publishes as word-level F1."""
    return statistics.fmean(page_f1(*c) for c in counts) if counts else 0.0


def _self_check() -> None:
    """Hand-computed cases; raises AssertionError on a mismatch."""

    def close(a: Sequence[float], b: Sequence[float]) -> bool:
        return all(abs(x - y) < 1e-12 for x, y in zip(a, b, strict=True))

    assert tokenize("a b,cd:e(foo,bar) ") == ["a", "b", "cd", "e", "foo", "bar"]
    assert tokenize("Größe über_all") == ["Größe", "über_all"]
    assert shingles("!") == Counter()
    assert shingles("a,b c ") == Counter({("a", "b", "c"): 1})
    assert shingles("a b c d a b c d") == Counter(
        {
            ("a", "b", "c", "d"): 2,
            ("b", "c", "d", "a"): 1,
            ("c", "d", "a", "b"): 1,
            ("d", "a", "b", "c"): 1,
        }
    )
    # The article-extraction-benchmark's own test cases (argument order here is pred, true).
    assert shingle_prf("a b c", "a b c", n=3) == (1.0, 0.0, 0.0)
    assert shingle_prf("a b c", "a b c d", n=3) == (0.5, 0.0, 0.5)
    assert shingle_prf("a b c d", "a b c", n=3) == (0.5, 0.5, 0.0)
    assert shingle_prf("", "", n=3) == (0.0, 0.0, 0.0)
    assert shingle_prf("", "a", n=3) == (0.0, 0.0, 1.0)
    assert shingle_prf("a", "", n=3) == (0.0, 1.0, 0.0)
    assert shingle_prf("a b c", "a b c a b c", n=3) == (0.25, 0.0, 0.75)
    assert shingle_prf("a b c a b c", "a b c", n=3) == (0.25, 0.75, 0.0)
    # Case matters for shingles, not for words; a short text is one short tuple.
    assert shingle_prf("The cat sat down", "the cat sat down") == (0.0, 0.5, 0.5)
    assert word_prf("The cat sat down", "the cat sat down") == (1.0, 0.0, 0.0)
    assert shingle_prf("a b c", "a b c d") == (0.0, 0.5, 0.5)
    # 6 true tokens -> 3 shingles; prediction keeps the first 5 tokens -> 2 shingles, both
    # true: tp=2, fp=0, fn=1 -> (2/3, 0, 1/3).
    assert close(shingle_prf("a b c d e", "a b c d e f"), (2 / 3, 0.0, 1 / 3))
    # Words: pred {x:2, y:1}, true {x:1, z:1}: tp=1, fp=2, fn=1 -> (1/4, 2/4, 1/4).
    assert close(word_prf("x X y", "x z"), (0.25, 0.5, 0.25))

    # Per-page precision/recall conventions.
    assert (precision_score(0, 0, 0), recall_score(0, 0, 0)) == (1.0, 1.0)
    assert (precision_score(0, 0, 1), recall_score(0, 0, 1)) == (0.0, 0.0)
    assert (precision_score(0, 1, 0), recall_score(0, 1, 0)) == (0.0, 0.0)

    # Macro average over 3 pages: perfect; half the truth found; nothing predicted.
    pairs = [("a b c d", "a b c d"), ("a b c d e", "a b c d e f"), ("", "a b c d")]
    # strict: P = (1 + 1 + 0)/3 = 2/3, R = (1 + 2/3 + 0)/3 = 5/9, F1 = 2PR/(P+R) = 20/33
    m = macro_f1(pairs)
    assert close((m["precision"], m["recall"], m["f1"]), (2 / 3, 5 / 9, 20 / 33))
    # aeb: the empty prediction leaves the precision mean: P = 1, R = 5/9, F1 = 10/14
    m = macro_f1(pairs, convention="aeb")
    assert close((m["precision"], m["recall"], m["f1"]), (1.0, 5 / 9, 10 / 14))
    # Both empty counts 1 on both sides.
    m = macro_f1([("", ""), ("", "x")], level="word")
    assert close((m["precision"], m["recall"], m["f1"]), (0.5, 0.5, 0.5))
    # WCXB's word F1: per-page F1 then mean. Page 1: P=1/3, R=1/2 -> F1=2/5; page 2: 1.
    counts = [word_prf("x X y", "x z"), word_prf("a", "a")]
    assert close((mean_page_f1(counts),), ((2 / 5 + 1) / 2,))
    m = macro_prf(counts)  # P = (1/3 + 1)/2 = 2/3, R = (1/2 + 1)/2 = 3/4
    assert close((m["precision"], m["recall"], m["f1"]), (2 / 3, 3 / 4, 12 / 17))


if __name__ == "__main__":
    _self_check()
    print("scoring self-check: all cases pass")

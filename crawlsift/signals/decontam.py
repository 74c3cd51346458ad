"""Decontamination: remove the passages of a text that overlap evaluation benchmarks.

The user names local benchmark files (the prompts and answers a model will be evaluated on;
nothing is downloaded). Every word n-gram of them is hashed once per process; a text's word
n-grams found in that set mark a benchmark passage, which is removed with ``margin``
characters either side (widened to whole words) as an edit ``decontam_overlap``. The defaults
are GPT-3's rule (Brown et al. 2020, appendix C): 13-grams, a 200-character window, and a
document left in more than 10 pieces is contaminated as a whole (rule
``decontam_contaminated`` on ``decontam_pieces``); so is one more than half removed (rule
``decontam_mostly_removed`` on ``decontam_removed_frac``: what is left is no longer the
document, and an emptied text is nothing).

Words are runs of word characters (``\\w+``), lowercased, so punctuation, case and spacing do
not hide a copy. A benchmark file is JSONL (every string value of each object, nested ones
too, is one text), Parquet (every string cell), or plain text (each line one text); its task
name is the file name up to its first dot. N-grams never span two texts of a benchmark, and a
text shorter than ``ngram`` words gives none.

Edits index ``input_text``. When an earlier stage changed the text, each removed passage is
located in ``input_text`` line by line, runs of white space matching any white space; a
passage that cannot be located (a Unicode repair changed it) is left in the text, and
``decontam_left`` counts its n-grams, which rule ``decontam_left_in_text`` rejects.
"""

from __future__ import annotations

import gzip
import json
import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from crawlsift import schema as S
from crawlsift.errors import InputError
from crawlsift.registry import Rule, Signals, register
from crawlsift.signals._text import active_texts, group_heads, to_arrow

STAGE = "decontam"
NGRAMS = "decontam_ngrams"  # benchmark n-grams found in the text
PIECES = "decontam_pieces"  # pieces of text left between the removed passages
REMOVED = "decontam_removed_frac"  # share of the text's characters removed
LEFT = "decontam_left"  # benchmark n-grams left in the text (passages not located)
BENCHMARKS = "decontam_benchmarks"  # the tasks whose n-grams were found, comma-separated
OVERLAP = "decontam_overlap"
CONTAMINATED = "decontam_contaminated"
MOSTLY_REMOVED = "decontam_mostly_removed"
LEFT_IN_TEXT = "decontam_left_in_text"
#: the thresholds ``--decontaminate`` applies unless a filters file sets them: GPT-3 removed
#: a document split into more than 10 pieces; what is left of a text more than half removed
#: is no longer the document (and an emptied one is nothing); no benchmark n-gram may stay
DEFAULT_RULES: dict[str, float] = {CONTAMINATED: 10, MOSTLY_REMOVED: 0.5, LEFT_IN_TEXT: 0}

#: in no preset: ``make_pipeline(decontaminate=...)`` / ``--decontaminate`` turn both on
SIGNALS = Signals(
    stage=STAGE,
    columns={
        NGRAMS: pa.int64(),
        PIECES: pa.int64(),
        REMOVED: pa.float64(),
        LEFT: pa.int64(),
        BENCHMARKS: pa.string(),
    },
    rules=(
        Rule(CONTAMINATED, PIECES, "max", "split into too many pieces by benchmark passages"),
        Rule(MOSTLY_REMOVED, REMOVED, "max", "too much of the text was benchmark passages"),
        Rule(LEFT_IN_TEXT, LEFT, "max", "a benchmark passage that could not be removed"),
    ),
    edits={OVERLAP: "a passage of a benchmark, with the text around it"},
)

_WORD = r"\w+"
#: a word with the non-word characters before it: the same matches as ``_WORD``, whose lengths
#: give each word's offset
_SPAN = r"\W*\w+"
_MIX = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True, kw_only=True)
class DecontamOptions:
    """Benchmark files and the overlap rule (GPT-3's by default)."""

    #: local benchmark files (JSONL, Parquet or text); none: the stage changes nothing
    benchmarks: tuple[str, ...] = ()
    #: words in an n-gram
    ngram: int = 13
    #: characters removed either side of a benchmark passage
    margin: int = 200

    def __post_init__(self) -> None:
        object.__setattr__(self, "benchmarks", tuple(str(b) for b in self.benchmarks))
        if self.ngram < 1 or self.margin < 0:
            raise InputError("decontam options: ngram must be at least 1 and margin at least 0")
        for path in self.benchmarks:
            if not Path(path).is_file():
                raise InputError(f"benchmark file not found: {path}")


@dataclass(frozen=True)
class BenchmarkIndex:
    """The hashed n-grams of the benchmarks, sorted, with the task each came from."""

    keys: np.ndarray  # uint64, sorted, unique
    task: np.ndarray  # index into ``tasks`` for each key
    tasks: tuple[str, ...]


def _strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, nested ones too."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def read_benchmark(path: str) -> list[str]:
    """The texts of one benchmark file (see the module docstring)."""
    name = Path(path).name.lower()
    try:
        if name.endswith(".parquet"):
            import pyarrow.parquet as pq

            table = pq.read_table(path)
            texts: list[str] = []
            for column in table.columns:
                if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                    texts += [v for v in column.to_pylist() if v]
                elif pa.types.is_list(column.type) and pa.types.is_string(column.type.value_type):
                    texts += [v for row in column.to_pylist() if row for v in row if v]
            return texts
        opener: Any = gzip.open if name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as f:
            if ".jsonl" in name or ".json" in name:
                return [s for line in f if line.strip() for s in _strings(json.loads(line))]
            return [line.rstrip("\n") for line in f if line.strip()]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, pa.ArrowException) as exc:
        raise InputError(f"cannot read benchmark {path}: {exc}") from None


def task_name(path: str) -> str:
    """A benchmark's task name: its file name up to the first dot."""
    return Path(path).name.split(".", 1)[0]


def _ngram_keys(hashes: np.ndarray, doc: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Keys of the word n-grams that lie within one document, and their first word's index.

    A key is a polynomial hash of the n words' hashes (wrapping in 64 bits): the same n
    words give the same key in a benchmark and in a text."""
    if len(hashes) < n:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    starts = np.arange(len(hashes) - n + 1)
    starts = starts[doc[starts] == doc[starts + n - 1]]  # words of one document only
    key = hashes[starts].copy()
    for k in range(1, n):
        key *= _MIX
        key += hashes[starts + k]
    return key, starts


def _words(texts: pl.Series) -> pl.DataFrame:
    """One row per word of the non-null texts: ``doc``, ``h`` (hash of the lowercased word)
    and, with offsets, ``start`` and ``end`` in characters of its text."""
    frame = pl.DataFrame({"doc": pl.int_range(len(texts), eager=True), "text": texts})
    frame = frame.filter(pl.col("text").is_not_null())
    words = frame.select(
        "doc",
        word=pl.col("text").str.extract_all(_WORD),
        span=pl.col("text").str.extract_all(_SPAN),
    ).explode("word", "span")
    words = words.drop_nulls("word")
    width = words["span"].str.len_chars().to_numpy().astype(np.int64)
    doc = words["doc"].to_numpy()
    end = np.cumsum(width)
    head = group_heads(doc)
    end -= (end - width)[head]  # offsets restart at each document
    start = end - words["word"].str.len_chars().to_numpy()
    return pl.DataFrame(
        {
            "doc": doc,
            "h": words["word"].str.to_lowercase().hash().to_numpy(),
            "start": start,
            "end": end,
        }
    )


@cache
def benchmark_index(benchmarks: tuple[str, ...], ngram: int) -> BenchmarkIndex:
    """The n-gram index of ``benchmarks``, built once per process."""
    keys, tasks = [], []
    for i, path in enumerate(benchmarks):
        texts = read_benchmark(path)
        if not texts:
            raise InputError(f"benchmark {path} holds no text")
        words = _words(pl.Series(texts, dtype=pl.String))
        key, _ = _ngram_keys(words["h"].to_numpy(), words["doc"].to_numpy(), ngram)
        keys.append(key)
        tasks.append(np.full(len(key), i, dtype=np.int32))
    key = np.concatenate(keys) if keys else np.zeros(0, np.uint64)
    task = np.concatenate(tasks) if tasks else np.zeros(0, np.int32)
    key, first = np.unique(key, return_index=True)  # a key of two tasks: the first listed
    return BenchmarkIndex(key, task[first], tuple(task_name(p) for p in benchmarks))


def _found(index: BenchmarkIndex, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which ``keys`` are benchmark n-grams, and the task of each found one."""
    if not len(index.keys) or not len(keys):
        return np.zeros(len(keys), bool), np.zeros(0, np.int32)
    at = np.minimum(np.searchsorted(index.keys, keys), len(index.keys) - 1)
    hit = index.keys[at] == keys
    return hit, index.task[at[hit]]


def _spans(starts: np.ndarray, ends: np.ndarray, text: str, margin: int) -> list[list[int]]:
    """Passages [start, end) with ``margin`` either side, widened to whole words (and the
    white space after the last), merged where they touch."""
    merged: list[list[int]] = []
    for s, e in sorted(zip(starts.tolist(), ends.tolist(), strict=True)):
        s, e = max(0, s - margin), min(len(text), e + margin)
        while s > 0 and not text[s - 1].isspace():
            s -= 1
        while e < len(text) and not text[e].isspace():
            e += 1
        while e < len(text) and text[e].isspace():
            e += 1
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return merged


def _line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each ``\n``-separated line of ``text``."""
    spans, at = [], 0
    for line in text.split("\n"):
        spans.append((at, at + len(line)))
        at += len(line) + 1
    return spans


class AlignedLines:
    """The lines of a text matched, in order, to the lines of the input text they came from.

    Earlier stages remove whole lines and change only white space within the lines they
    keep, so a line is matched to the next input line with the same words and marks between
    white space; a line without one (a Unicode repair rewrote it) is not matched."""

    def __init__(self, text: str, source: str) -> None:
        self.text, self.source = text, source
        self.lines = _line_spans(text)
        src_lines = _line_spans(source)
        where: dict[tuple[str, ...], list[int]] = {}
        for k, (a, b) in enumerate(src_lines):
            where.setdefault(tuple(source[a:b].split()), []).append(k)
        self.match: list[tuple[int, int] | None] = []
        cursor = 0
        for a, b in self.lines:
            words = tuple(text[a:b].split())
            found = where.get(words, []) if words else []
            k = bisect_left(found, cursor)
            if k < len(found):
                self.match.append(src_lines[found[k]])
                cursor = found[k] + 1
            else:
                self.match.append(None)

    def locate(self, start: int, end: int) -> list[tuple[int, int]] | None:
        """The spans of ``input_text`` holding ``text[start:end]``, one per line; None if a
        line of it is not matched."""
        out: list[tuple[int, int]] = []
        for (a, b), src in zip(self.lines, self.match, strict=True):
            lo, hi = max(start, a), min(end, b)
            if lo >= hi or not self.text[lo:hi].strip():
                continue
            if src is None:
                return None
            line = self.text[a:b]
            lo -= a
            hi -= a
            while line[lo].isspace():
                lo += 1
            while line[hi - 1].isspace():
                hi -= 1
            mine = [(m.start(), m.end()) for m in re.finditer(r"\S+", line)]
            theirs = [
                (m.start(), m.end()) for m in re.finditer(r"\S+", self.source[src[0] : src[1]])
            ]
            first = next(i for i, (x, y) in enumerate(mine) if x <= lo < y)
            last = next(i for i, (x, y) in enumerate(mine) if x < hi <= y)
            out.append(
                (
                    src[0] + theirs[first][0] + lo - mine[first][0],
                    src[0] + theirs[last][0] + hi - mine[last][0],
                )
            )
        return out


def _remove(
    text: str, source: str | None, spans: list[list[int]]
) -> tuple[str, list[tuple[int, int]], int]:
    """``text`` without ``spans``, the removed spans in ``source`` (``input_text``; None: the
    same as ``text``), and the number of spans that could not be located (left in place)."""
    aligned = AlignedLines(text, source) if source is not None else None
    kept: list[str] = []
    edits: list[tuple[int, int]] = []
    left = last = 0
    for s, e in spans:
        where = [(s, e)] if aligned is None else aligned.locate(s, e)
        if where is None:
            left += 1
            continue
        edits += where
        kept.append(text[last:s])
        last = e
    kept.append(text[last:])
    return "".join(kept), edits, left


def _pieces(text: str, spans: list[list[int]]) -> int:
    """Non-blank pieces of ``text`` between the spans."""
    bounds = [0, *(x for span in spans for x in span), len(text)]
    return sum(1 for a, b in zip(bounds[::2], bounds[1::2], strict=True) if text[a:b].strip())


@register(
    STAGE,
    DecontamOptions,
    columns=(
        *SIGNALS.columns,
        *S.TEXT_REWRITE_COLUMNS,
    ),
)
def decontam(table: pa.Table, *, opts: DecontamOptions | None = None) -> pa.Table:
    """Remove benchmark passages from the text (edits); count them as columns."""
    opts = opts or DecontamOptions()
    texts = active_texts(table)
    n = len(texts)
    ngrams = np.zeros(n, np.int64)
    pieces = np.where(texts.is_null().to_numpy(), 0, 1).astype(np.int64)
    left = np.zeros(n, np.int64)
    removed_frac = np.zeros(n)
    names: list[str | None] = [None] * n
    columns: dict[str, Any] = {}
    hits = np.zeros(0, np.int64)
    if opts.benchmarks:
        index = benchmark_index(opts.benchmarks, opts.ngram)
        words = _words(texts)
        doc = words["doc"].to_numpy()
        keys, first = _ngram_keys(words["h"].to_numpy(), doc, opts.ngram)
        hit, task = _found(index, keys)
        first = first[hit]
        ngrams = np.bincount(doc[first], minlength=n).astype(np.int64)
        hits = np.flatnonzero(ngrams)
    if len(hits):
        start, end = words["start"].to_numpy(), words["end"].to_numpy()
        original: list[str | None] = table.column(S.TEXT).to_pylist()
        inputs = (
            table.column(S.INPUT_TEXT).to_pylist()
            if S.INPUT_TEXT in table.column_names
            else original
        )
        old = table.column(S.EDITS).to_pylist() if S.EDITS in table.column_names else [None] * n
        new_text = list(original)
        new_edits = list(old)
        # a loop over the documents with benchmark n-grams only: those are rare, and each
        # needs its passages merged and located in its input text
        for d in hits.tolist():
            mine = doc[first] == d
            text = original[d]
            assert text is not None
            source = inputs[d]
            spans = _spans(start[first[mine]], end[first[mine] + opts.ngram - 1], text, opts.margin)
            same = source == text
            cut, removed, unlocated = _remove(text, None if same else source, spans)
            new_text[d] = cut
            pieces[d] = _pieces(text, spans)
            removed_frac[d] = 1 - len(cut) / len(text)
            left[d] = int(ngrams[d]) if unlocated else 0
            names[d] = ",".join(sorted({index.tasks[t] for t in task[mine]}))
            edits = [*(old[d] or [])]
            edits += [
                {"start": s, "end": e, "reason": OVERLAP, "replacement": None} for s, e in removed
            ]
            edits.sort(key=lambda x: (x["start"], x["end"]))
            new_edits[d] = edits or None
        columns.update(S.rewritten_text(table, new_text, new_edits, original))
    signals = pl.DataFrame(
        {
            NGRAMS: ngrams,
            PIECES: pieces,
            REMOVED: removed_frac,
            LEFT: left,
            BENCHMARKS: pl.Series(names, dtype=pl.String),
        }
    )
    columns = S.with_rewrite_columns(table, columns)
    return S.with_columns(table, {**to_arrow(signals, texts), **columns})

"""The ``pii`` stage: redact PII in kept texts, each redaction an edit with its token.

It runs last (after ``filter``): only kept rows are redacted. polars picks the texts that
can hold each kind (one regex test per kind over the batch); the finders of ``find.py`` and
``phones.py`` run on those texts only. Overlapping finds are resolved in the order e-mail,
IBAN, card, IP, phone (an IBAN's or a card's digits are no phone number).

Edits index ``input_text``. Where an earlier stage changed the text, a span is located
line by line as decontamination locates its passages (the same words and marks between
white space); failing that, at the next occurrence of the same string in ``input_text``
outside the earlier edits; failing that, inside the replacement of an earlier rewrite (a
Unicode repair), which is then redacted in place and keeps its reason. A span found in
none of these places is left in the text (the output text is always ``input_text`` with
the edits applied).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from crawlsift import schema as S
from crawlsift.pii.find import FINDERS
from crawlsift.pii.find import PREFILTER as FIND_PREFILTER
from crawlsift.pii.options import KINDS, PiiOptions
from crawlsift.pii.phones import PREFILTER as PHONE_PREFILTER
from crawlsift.pii.phones import phones, region_of
from crawlsift.registry import register
from crawlsift.signals._text import active_texts
from crawlsift.signals.decontam import AlignedLines
from crawlsift.signals.language import LANGUAGE

STAGE = "pii"
#: which kind wins where two finds overlap, first first
PRIORITY: tuple[str, ...] = ("email", "iban", "card", "ip", "phone")
_PREFILTER = {**FIND_PREFILTER, "phone": PHONE_PREFILTER}

Find = tuple[int, int, str]  # start, end (in ``text``), kind
_TOKEN = re.compile(r"\S+")


def _kept_texts(table: pa.Table) -> pl.Series:
    """``text`` where the row is kept, null elsewhere."""
    texts = active_texts(table)
    if S.KEEP in table.column_names:
        keep = pl.from_arrow(table.column(S.KEEP).combine_chunks())
        assert isinstance(keep, pl.Series)
        texts = texts.zip_with(
            keep.fill_null(True), pl.Series([None] * len(texts), dtype=pl.String)
        )
    return texts


def _column(table: pa.Table, name: str) -> list[Any]:
    return table.column(name).to_pylist() if name in table.column_names else [None] * len(table)


def _merge(taken: list[Find], spans: list[tuple[int, int]], kind: str) -> list[Find]:
    """``taken`` (sorted, disjoint) with the ``spans`` of ``kind`` that overlap none of it."""
    out: list[Find] = []
    i = 0
    for s, e in sorted(spans):
        while i < len(taken) and taken[i][1] <= s:
            out.append(taken[i])
            i += 1
        if (i < len(taken) and taken[i][0] < e) or (out and out[-1][1] > s):
            continue
        out.append((s, e, kind))
    return out + taken[i:]


def find_all(text: str, kinds: tuple[str, ...], region: str | None) -> list[Find]:
    """Every find of ``kinds`` in ``text``, without overlaps, in text order."""
    taken: list[Find] = []
    for kind in PRIORITY:
        if kind in kinds:
            spans = phones(text, region) if kind == "phone" else FINDERS[kind](text)
            taken = _merge(taken, spans, kind)
    return taken


def _same(a: str, b: str) -> bool:
    """Equal but for white space (earlier stages may change white space within a line)."""
    return a.split() == b.split()


class _Locator:
    """Spans of ``text`` (within one line) in ``source``, the input text: the line's match
    found as decontamination matches lines, then the same offset from the same word."""

    def __init__(self, text: str, source: str) -> None:
        self.aligned = AlignedLines(text, source)
        self.starts = [a for a, _ in self.aligned.lines]

    def locate(self, s: int, e: int) -> tuple[int, int] | None:
        k = bisect_right(self.starts, s) - 1
        a, b = self.aligned.lines[k]
        src = self.aligned.match[k]
        if src is None or e > b:
            return None
        text, source = self.aligned.text, self.aligned.source
        mine = [m.span() for m in _TOKEN.finditer(text, a, b)]
        theirs = [m.span() for m in _TOKEN.finditer(source, src[0], src[1])]
        first = next((i for i, (x, y) in enumerate(mine) if x <= s < y), None)
        last = next((i for i, (x, y) in enumerate(mine) if x < e <= y), None)
        if first is None or last is None or len(mine) != len(theirs):
            return None
        where = (theirs[first][0] + s - mine[first][0], theirs[last][0] + e - mine[last][0])
        return where if _same(source[where[0] : where[1]], text[s:e]) else None


def _free(a: int, b: int, starts: list[int], spans: list[tuple[int, int]]) -> bool:
    """Whether [a, b) overlaps none of ``spans`` (sorted, disjoint; ``starts`` theirs)."""
    k = bisect_right(starts, a) - 1
    if k >= 0 and spans[k][1] > a:
        return False
    return k + 1 >= len(spans) or spans[k + 1][0] >= b


def redact(
    text: str, source: str | None, old: list[dict[str, Any]], finds: list[Find], opts: PiiOptions
) -> tuple[str, list[dict[str, Any]]]:
    """``text`` with ``finds`` replaced by their tokens, and the edits (``old`` ones and the
    new, sorted) against ``source`` (``input_text``; None: the same as ``text``)."""
    edits = sorted((dict(e) for e in old), key=lambda x: (x["start"], x["end"]))
    spans = [(x["start"], x["end"]) for x in edits]
    starts = [a for a, _ in spans]
    rewrites = [x for x in edits if x["replacement"]]
    locator = _Locator(text, source) if source is not None else None
    src = text if source is None else source
    out: list[str] = []
    new: list[dict[str, Any]] = []
    last = cursor = 0
    for s, e, kind in finds:
        token, found = opts.token(kind), text[s:e]
        where = (s, e) if locator is None else locator.locate(s, e)
        if where is None or where[0] < cursor or not _free(*where, starts, spans):
            # the next occurrence outside the earlier edits
            at = src.find(found, cursor)
            while at >= 0 and not _free(at, at + len(found), starts, spans):
                at = src.find(found, at + 1)
            where = (at, at + len(found)) if at >= 0 else None
        if where is not None:
            new.append(
                {"start": where[0], "end": where[1], "reason": KINDS[kind], "replacement": token}
            )
            cursor = where[1]
        else:  # inside an earlier rewrite: redact its replacement
            rewrite = next((x for x in rewrites if found in x["replacement"]), None)
            if rewrite is None:
                continue  # nowhere to record it: left in the text
            rewrite["replacement"] = rewrite["replacement"].replace(found, token)
        out += [text[last:s], token]
        last = e
    out.append(text[last:])
    edits = sorted(edits + new, key=lambda x: (x["start"], x["end"]))
    return "".join(out), edits


@register(STAGE, PiiOptions, columns=S.TEXT_REWRITE_COLUMNS)
def pii(table: pa.Table, *, opts: PiiOptions | None = None) -> pa.Table:
    """Replace e-mail addresses, public IPs, phone numbers (and cards, IBANs) in kept texts."""
    opts = opts or PiiOptions()
    texts = _kept_texts(table)
    frame = pl.DataFrame({"text": texts})
    wanted = frame.select(
        pl.any_horizontal(pl.col("text").str.contains(_PREFILTER[k]) for k in opts.kinds)
    ).to_series()
    rows = np.flatnonzero(wanted.fill_null(False).to_numpy())
    columns: dict[str, Any] = {}
    if len(rows):
        original: list[str | None] = table.column(S.TEXT).to_pylist()
        inputs = _column(table, S.INPUT_TEXT) if S.INPUT_TEXT in table.column_names else original
        old = _column(table, S.EDITS)
        urls, langs, idents = (_column(table, c) for c in (S.URL, S.HTML_LANG, LANGUAGE))
        new_text, new_edits = list(original), list(old)
        changed = False
        # a loop over the texts polars found candidates in: the finders validate each
        # candidate (checksums, address ranges, phone metadata) in Python
        for d in rows.tolist():
            text = original[d]
            assert text is not None
            region = None
            if "phone" in opts.kinds:
                region = region_of(urls[d], langs[d], idents[d], opts.default_region)
            finds = find_all(text, opts.kinds, region)
            if not finds:
                continue
            source = inputs[d]
            same = source is None or source == text
            new_text[d], edits = redact(text, None if same else source, old[d] or [], finds, opts)
            new_edits[d] = edits or None
            changed = True
        if changed:
            columns.update(S.rewritten_text(table, new_text, new_edits, original))
    return S.with_columns(table, S.with_rewrite_columns(table, columns))

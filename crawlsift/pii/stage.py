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
from crawlsift.signals.decontam import _Aligned

STAGE = "pii"
#: which kind wins where two finds overlap, first first
PRIORITY: tuple[str, ...] = ("email", "iban", "card", "ip", "phone")
_PREFILTER = {**FIND_PREFILTER, "phone": PHONE_PREFILTER}

Find = tuple[int, int, str]  # start, end (in ``text``), kind


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


def find_all(text: str, kinds: tuple[str, ...], region: str | None) -> list[Find]:
    """Every find of ``kinds`` in ``text``, without overlaps, in text order."""
    taken: list[Find] = []
    for kind in PRIORITY:
        if kind not in kinds:
            continue
        spans = phones(text, region) if kind == "phone" else FINDERS[kind](text)
        for s, e in spans:
            if not any(s < b and a < e for a, b, _ in taken):
                taken.append((s, e, kind))
    return sorted(taken)


def _same(a: str, b: str) -> bool:
    """Equal but for white space (earlier stages may change white space within a line)."""
    return a.split() == b.split()


def _overlaps(a: int, b: int, spans: list[tuple[int, int]]) -> bool:
    return any(a < e and s < b for s, e in spans)


def redact(
    text: str, source: str | None, old: list[dict[str, Any]], finds: list[Find], opts: PiiOptions
) -> tuple[str, list[dict[str, Any]]]:
    """``text`` with ``finds`` replaced by their tokens, and the edits (``old`` ones and the
    new, sorted) against ``source`` (``input_text``; None: the same as ``text``)."""
    edits = [dict(e) for e in old]
    aligned = _Aligned(text, source) if source is not None else None
    src = text if source is None else source
    busy = [(e["start"], e["end"]) for e in edits]
    out: list[str] = []
    last = cursor = 0
    for s, e, kind in finds:
        token = opts.token(kind)
        where: tuple[int, int] | None = (s, e) if aligned is None else None
        if aligned is not None:
            located = aligned.locate(s, e)
            if located and len(located) == 1 and _same(src[slice(*located[0])], text[s:e]):
                where = located[0]
            else:  # the next occurrence outside the earlier edits
                at = src.find(text[s:e], cursor)
                while at >= 0 and _overlaps(at, at + e - s, busy):
                    at = src.find(text[s:e], at + 1)
                where = (at, at + e - s) if at >= 0 else None
        if where is not None and not _overlaps(*where, busy):
            edits.append(
                {"start": where[0], "end": where[1], "reason": KINDS[kind], "replacement": token}
            )
            busy.append(where)
            cursor = where[1]
        else:  # inside an earlier rewrite: redact its replacement
            rewrite = next(
                (x for x in edits if x["replacement"] and text[s:e] in x["replacement"]), None
            )
            if rewrite is None:
                continue  # nowhere to record it: left in the text
            rewrite["replacement"] = rewrite["replacement"].replace(text[s:e], token)
        out.append(text[last:s])
        out.append(token)
        last = e
    out.append(text[last:])
    edits.sort(key=lambda x: (x["start"], x["end"]))
    return "".join(out), edits


@register(STAGE, PiiOptions, columns=S.TEXT_REWRITE_COLUMNS)
def pii(table: pa.Table, *, opts: PiiOptions | None = None) -> pa.Table:
    """Replace e-mail addresses, public IPs, phone numbers (and cards, IBANs) in kept texts."""
    opts = opts or PiiOptions()
    texts = _kept_texts(table)
    n = len(texts)
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
        urls, langs, idents = (_column(table, c) for c in (S.URL, S.HTML_LANG, "language"))
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
            columns[S.TEXT] = pa.array(new_text, pa.large_string())
            for name in (S.WORD_TOKENS, S.WORD_TOKEN_COUNT):
                columns[name] = pa.nulls(n, S.field(name).type)
            columns[S.EDITS] = S.edits_array(pa.array(new_edits, S.EDITS_TYPE))
            if S.INPUT_TEXT not in table.column_names:
                columns[S.INPUT_TEXT] = pa.array(original, pa.large_string())
    for name in S.TEXT_REWRITE_COLUMNS:
        if name in columns:
            continue
        if name in table.column_names:
            columns[name] = table.column(name)
        elif name == S.INPUT_TEXT:
            columns[name] = table.column(S.TEXT)
        else:
            columns[name] = pa.nulls(n, S.field(name).type)
    return S.with_columns(table, columns)

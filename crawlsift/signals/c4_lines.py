"""The ``c4_lines`` stage: C4's signals, and its line rules applied to the text as edits.

C4 keeps only the lines its line rules accept (``c4.classify_lines``), stripped and with
Wikipedia-style citations removed, and the rules after it (FineWeb's, in datatrove's chain) see
that text. This stage adds the ``c4`` signal columns, rewrites ``text`` the same way and
records, in ``edits``, each removed line with the rule that removed it (``c4_no_terminal_punct``,
``c4_few_words``, ``c4_javascript``, ``c4_policy``, ``c4_long_word``, ``c4_lorem_ipsum``,
``c4_curly_bracket``) and each citation removal as a rewrite (``c4_citation``).

Edits index ``input_text``. Where an earlier stage changed the text, each line of the current
text is located in ``input_text`` as the same line (whitespace collapsed) at the same
occurrence within the document; a line that cannot be located (one a Unicode repair
rewrote) is left in place, so every change to the text stays explained. Blank lines are
dropped without an edit. Lines are split on ``\\n`` only (the ``c4`` stage also splits on
``\\r`` and the other Unicode line breaks).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from crawlsift import schema as S
from crawlsift.registry import Signals, register
from crawlsift.signals._text import active_texts, group_heads, split_lines, to_arrow
from crawlsift.signals.c4 import LINE_REASONS, C4Options, classify_lines, signals_from_lines
from crawlsift.signals.c4 import SIGNALS as C4_SIGNALS

STAGE = "c4_lines"
#: the edit reason of a line that kept its place but lost a citation (``[1]``, ``[edit]``)
CITATION_REASON = "c4_citation"
#: computes the ``c4`` stage's columns (declared there); preset pipelines run it for C4's rules
SIGNALS = Signals(
    stage=STAGE,
    edits={
        **{code: f"line removed: {meaning}" for code, meaning in LINE_REASONS.items()},
        CITATION_REASON: "citation markers removed from a kept line",
    },
)
_SPACE = r"\s\u00a0\u200b\ufeff\x00-\x08\x0b-\x1f\x7f"
_SPACES = rf"[{_SPACE}]+"
#: lines that collapsing runs of ``_SPACES`` to one space and stripping would change
_NEEDS_NORM = rf"[[{_SPACE}]--[ ]]|  |^ | $"
_STR = pl.String


@dataclass(frozen=True, kw_only=True)
class C4LinesOptions(C4Options):
    """The C4 line rules to apply: the same options as the ``c4`` signals."""


def _lines(texts: pl.Series, *, keys: bool) -> pl.DataFrame:
    """One row per ``\n``-separated line: doc, lineno, start, end, part (and kh, occ with
    ``keys``)."""
    lines = split_lines(texts)
    # lines are in document order: numbering and offsets from running sums, not windows
    doc = lines["doc"].to_numpy().astype(np.int64)
    width = lines["part"].str.len_chars().to_numpy().astype(np.int64)
    row = np.arange(len(doc))
    head = group_heads(doc)
    start = np.cumsum(width + 1) - width - 1
    start -= start[head]
    lines = lines.with_columns(
        lineno=pl.Series(row - head, dtype=pl.UInt32),
        width=pl.Series(width, dtype=pl.UInt32),
        start=pl.Series(start, dtype=pl.UInt32),
        end=pl.Series(start + width, dtype=pl.UInt32),
    )
    return _keyed(lines) if keys else lines


def _keyed(lines: pl.DataFrame) -> pl.DataFrame:
    """Add ``kh`` (hash of the line, whitespace collapsed) and ``occ`` (its occurrence number).

    Only the lines whose whitespace needs collapsing go through the regex rewrite; ``occ``
    (how many earlier lines of the document share ``kh``) comes from one stable sort.
    """
    part = lines["part"]
    kh = part.hash()
    fix = part.str.contains(_NEEDS_NORM).arg_true()
    if len(fix):
        norm = part.gather(fix).str.replace_all(_SPACES, " ").str.strip_chars(" ")
        kh = kh.scatter(fix, norm.hash())
    order = (
        pl.DataFrame({"doc": lines["doc"], "kh": kh})
        .with_row_index("row")
        .sort("doc", "kh", maintain_order=True)
    )
    doc, key = order["doc"].to_numpy(), order["kh"].to_numpy()
    new = np.ones(len(order), dtype=bool)
    new[1:] = (doc[1:] != doc[:-1]) | (key[1:] != key[:-1])
    pos = np.arange(len(order))
    occ = np.empty(len(order), dtype=np.uint32)
    occ[order["row"].to_numpy()] = pos - np.maximum.accumulate(np.where(new, pos, 0))
    return lines.with_columns(kh=kh, occ=pl.Series(occ, dtype=pl.UInt32))


def _locate(lines: pl.DataFrame, inputs: pl.Series, moved: pl.Series) -> pl.DataFrame:
    """Add ``in_start``/``in_end``: each line's span in ``input_text`` (null if not found)."""
    same = pl.col("start").cast(pl.Int64)
    lines = lines.with_columns(in_start=same, in_end=pl.col("end").cast(pl.Int64))
    if not moved.any():
        return lines
    todo = inputs.zip_with(moved, pl.Series([None] * len(inputs), dtype=_STR))
    where = _lines(todo, keys=True).select(
        "doc", "kh", "occ", s=pl.col("start").cast(pl.Int64), e=pl.col("end").cast(pl.Int64)
    )
    flag = pl.DataFrame({"doc": pl.int_range(len(moved), eager=True, dtype=pl.UInt32), "m": moved})
    lines = _keyed(lines.join(flag, on="doc"))
    lines = lines.join(where, on=["doc", "kh", "occ"], how="left").sort("doc", "lineno")
    return lines.with_columns(
        in_start=pl.when("m").then("s").otherwise("in_start"),
        in_end=pl.when("m").then("e").otherwise("in_end"),
    )


def _old_edits(table: pa.Table) -> pl.DataFrame:
    """Edits already on the rows, one per row: doc, start, end, reason, replacement."""
    empty = pl.DataFrame(
        schema={"doc": pl.UInt32, "start": pl.Int64, "end": pl.Int64, "reason": _STR}
    ).with_columns(replacement=pl.lit(None, _STR))
    if S.EDITS not in table.column_names:
        return empty
    edits = pl.from_arrow(table.column(S.EDITS).combine_chunks())
    assert isinstance(edits, pl.Series)
    frame = pl.DataFrame({"doc": pl.int_range(len(edits), eager=True, dtype=pl.UInt32)})
    rows = frame.with_columns(e=edits).explode("e").drop_nulls("e")
    return rows.unnest("e").select(empty.columns) if len(rows) else empty


def _kept_token_counts(table: pa.Table, lines: pl.DataFrame, n: int) -> pa.Array:
    """``word_token_count`` of the rewritten text: the tokens of the lines it keeps (tokens
    never span lines, and stripping a line keeps its tokens), counted from ``word_tokens``;
    null for a text that lost a citation (its tokens changed) or whose tokens are unknown."""
    if S.WORD_TOKENS not in table.column_names:
        return pa.nulls(n, pa.int64())
    tokens = table.column(S.WORD_TOKENS).combine_chunks()
    if tokens.null_count == n:
        return pa.nulls(n, pa.int64())
    doc = lines["doc"].to_numpy().astype(np.int64)
    found = lines["in_start"].is_not_null().to_numpy()
    kept = ~(lines["blank"].to_numpy() | (lines["removed"].is_not_null().to_numpy() & found))
    known = tokens.is_valid().to_numpy(zero_copy_only=False)
    known[doc[kept & found & lines["cited"].to_numpy()]] = False
    # tokens per line row: each token's row is its text's first line row plus its line
    first = np.searchsorted(doc, np.arange(n))
    per_text = pc.list_value_length(tokens).fill_null(0).to_numpy()
    line = tokens.flatten().field("line").to_numpy()
    row = np.repeat(first, per_text) + line
    per_line = np.bincount(row, minlength=len(doc))
    counts = np.bincount(doc[kept], weights=per_line[kept], minlength=n).astype(np.int64)
    return pa.array(counts, pa.int64(), mask=~known)


@register(
    STAGE,
    C4LinesOptions,
    columns=(
        *C4_SIGNALS.columns,
        *S.TEXT_REWRITE_COLUMNS,
    ),
)
def c4_lines(table: pa.Table, *, opts: C4LinesOptions | None = None) -> pa.Table:
    """C4 signals; remove the lines C4's line rules reject, each removal an edit."""
    opts = opts or C4LinesOptions()
    texts = active_texts(table)
    n = len(texts)
    original = pl.from_arrow(table.column(S.TEXT).combine_chunks().cast(pa.large_string()))
    assert isinstance(original, pl.Series)
    original = original.cast(_STR)
    if S.INPUT_TEXT in table.column_names:
        inputs = pl.from_arrow(table.column(S.INPUT_TEXT).combine_chunks().cast(pa.large_string()))
        assert isinstance(inputs, pl.Series)
        inputs = inputs.cast(_STR)
        moved = (texts.is_not_null() & inputs.ne_missing(original)).fill_null(False)
    else:
        inputs, moved = original, pl.Series([False] * n, dtype=pl.Boolean)
    lines = classify_lines(_lines(texts, keys=False), opts)
    signals = signals_from_lines(lines, n)
    lines = _locate(lines, inputs, moved)
    found = pl.col("in_start").is_not_null()
    removed = pl.col("removed").is_not_null()
    kept_line = pl.when(found).then(pl.col("line")).otherwise(pl.col("part"))
    new_text = (
        lines.lazy()
        .filter(~(pl.col("blank") | (removed & found)))
        .group_by("doc", maintain_order=True)
        .agg(text=kept_line.str.join("\n"))
        .collect()
    )
    # one edit per removed line (its rule) or cited line (the rewrite), in line order
    new_edits = (
        lines.lazy()
        .filter(~pl.col("blank") & found & (removed | pl.col("cited")))
        .select(
            "doc",
            start="in_start",
            end="in_end",
            reason=pl.when(removed).then("removed").otherwise(pl.lit(CITATION_REASON)),
            replacement=pl.when(removed).then(pl.lit(None, _STR)).otherwise("line"),
        )
        .collect()
    )
    old = _old_edits(table)
    if len(old) or moved.any():  # else the new edits are already in (doc, start) order
        # a total order (ties by end, then input order): the same bytes on every run
        new_edits = pl.concat([old, new_edits]).sort("doc", "start", "end", maintain_order=True)
    edits = new_edits.group_by("doc", maintain_order=True).agg(
        edits=pl.struct("start", "end", "reason", "replacement")
    )
    docs = pl.DataFrame({"doc": pl.int_range(n, eager=True, dtype=pl.UInt32)})
    out = docs.join(new_text, on="doc", how="left").join(edits, on="doc", how="left").sort("doc")
    repaired = out["text"].fill_null("").zip_with(texts.is_not_null(), texts)
    text = repaired.zip_with(texts.is_not_null(), original)
    columns = to_arrow(signals, texts)
    columns[S.TEXT] = text.to_arrow().cast(pa.large_string())
    columns[S.EDITS] = S.edits_array(out["edits"].to_arrow())
    # the tokens found before describe the text before its lines went; their count for
    # the lines kept is what FineWeb's newline ratio needs
    columns[S.WORD_TOKENS] = pa.nulls(n, S.field(S.WORD_TOKENS).type)
    columns[S.WORD_TOKEN_COUNT] = _kept_token_counts(table, lines, n)
    if S.INPUT_TEXT not in table.column_names:
        columns[S.INPUT_TEXT] = original.to_arrow().cast(pa.large_string())
    return S.with_columns(table, columns)

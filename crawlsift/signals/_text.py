"""Shared pieces of the signal stages: the texts to score, words, lines, duplicate counts.

Words are found by one regular expression that approximates the English spaCy tokeniser
datatrove uses (split on whitespace, then opening and closing punctuation, dashes, slashes
and clitics such as ``'s`` / ``n't`` become tokens of their own; URLs and numbers stay whole).
On real pages its token counts are within about 1% of spaCy's (``docs/filters.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa
import xxhash

from crawlsift import schema as S

# affixes split off a whitespace-delimited chunk, and characters never inside a word
_AFFIX = r"""()\[\]{}<>,;:!?¿¡_#*&"`«»“”‘’„…§%=—–$£€¥./\p{So}"""
_NOT_INSIDE = r"\s\-–—'’/:"
_EDGE = _AFFIX + _NOT_INSIDE
_INNER = rf"(?:[^{_NOT_INSIDE}]|[:/\-]\d)"
_LAST = rf"(?:[^{_EDGE}]|[:/\-]\d)"
_CORE = rf"[^{_EDGE}](?:{_INNER}*{_LAST})?"
#: one match per word token
WORD_PATTERN = "|".join(
    [
        r"https?://\S+",  # URLs whole
        r"\.\.+|…",  # ellipses
        r"['’]\w+",  # clitics: 's, 't, 're
        rf"-\d(?:{_INNER}*{_LAST})?",  # negative numbers
        r"-+",
        _CORE,
        r"\S",  # any other single non-space character
    ]
)
#: Python's str.splitlines boundaries, so line counts match the recipes
LINE_BREAKS = r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]"
#: the line breaks other than ``\n``
OTHER_BREAKS = r"[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]"
_SEP = "\x00"


def active_texts(table: pa.Table) -> pl.Series:
    """The ``text`` column as polars strings, null where a row was already rejected."""
    text = pl.from_arrow(table.column(S.TEXT).combine_chunks().cast(pa.large_string()))
    assert isinstance(text, pl.Series)
    text = text.cast(pl.String)
    if S.REASON in table.column_names:
        reason = pl.from_arrow(table.column(S.REASON).combine_chunks())
        assert isinstance(reason, pl.Series)
        text = text.zip_with(reason.is_null(), pl.Series([None] * len(text), dtype=pl.String))
    return text.rename("text")


def docs_frame(texts: pl.Series) -> pl.DataFrame:
    """One row per document: ``doc`` (row index) and ``text``."""
    return pl.DataFrame(
        {"doc": pl.int_range(len(texts), eager=True, dtype=pl.UInt32)}
    ).with_columns(texts.rename("text"))


def _fingerprint(texts: pl.Series) -> tuple[int, int, int, str]:
    """Identifies a batch's texts exactly (xxh3-128 of its Arrow buffers), cheaply."""
    arr = texts.to_arrow()
    digest = xxhash.xxh3_128()
    for buf in arr.buffers():
        if buf is not None:
            digest.update(memoryview(buf))
    return len(texts), arr.offset, texts.null_count(), digest.hexdigest()


@dataclass(frozen=True)
class Words:
    """The word tokens of a batch: ``frame`` has one row per token (``doc``, ``tok``, its
    ``h`` hash and ``len`` in characters), ``per_line`` the token count of each ``\n``-line
    of the non-null texts, in order (tokens never span a line break)."""

    frame: pl.DataFrame
    per_line: np.ndarray


_LAST_WORDS: list[tuple[tuple[int, int, int, str], Words]] = []


def tokenise(texts: pl.Series) -> Words:
    """The batch's word tokens, line by line (``Words``).

    The signal stages of one batch tokenise the same texts; the last result is kept (keyed
    by the texts' exact bytes), so a batch is tokenised once.
    """
    key = _fingerprint(texts)
    last = _LAST_WORDS[0] if _LAST_WORDS else None  # one read: safe if threads share it
    if last is not None and last[0] == key:
        return last[1]
    lines = (
        docs_frame(texts)
        .filter(pl.col("text").is_not_null())
        .select("doc", tok=pl.col("text").str.split("\n"))
        .explode("tok")
        .select("doc", tok=pl.col("tok").str.extract_all(WORD_PATTERN))
    )
    frame = (
        lines.explode("tok")
        .drop_nulls("tok")
        .with_columns(
            pl.col("doc").set_sorted(), h=pl.col("tok").hash(), len=pl.col("tok").str.len_chars()
        )
    )
    result = Words(frame, lines["tok"].list.len().to_numpy())
    _LAST_WORDS[:] = [(key, result)]
    return result


def cached_words(texts: pl.Series) -> Words | None:
    """The batch's word tokens if an earlier stage tokenised these very texts, else None."""
    last = _LAST_WORDS[0] if _LAST_WORDS else None
    return last[1] if last is not None and last[0] == _fingerprint(texts) else None


_LAST_COUNTS: list[tuple[tuple[int, int, int, str], np.ndarray]] = []


def remember_token_counts(texts: pl.Series, counts: np.ndarray) -> None:
    """Note the word-token count of each of ``texts`` for a later ``token_counts`` call.

    ``c4_lines`` knows the counts of the text it writes from the tokens of its lines; FineWeb,
    which reads that text next, then need not tokenise it again.
    """
    _LAST_COUNTS[:] = [(_fingerprint(texts), counts)]


def token_counts(texts: pl.Series) -> np.ndarray:
    """Word tokens per text (remembered for these very texts, or counted), NaN where null."""
    last = _LAST_COUNTS[0] if _LAST_COUNTS else None
    if last is not None and last[0] == _fingerprint(texts):
        return last[1]
    return texts.str.count_matches(WORD_PATTERN).cast(pl.Float64).to_numpy()


def words(texts: pl.Series) -> pl.DataFrame:
    """One row per word token: ``doc``, ``tok``, ``h`` (its hash) and ``len`` (characters)."""
    return tokenise(texts).frame


def split_parts(texts: pl.Series, pattern: str, *, strip: bool = False) -> pl.DataFrame:
    """One row per part of each text split on ``pattern`` (like ``re.split``): ``doc``, ``part``."""
    text = pl.col("text").str.strip_chars() if strip else pl.col("text")
    if pattern in ("\n", r"\n", r"\n+") and not texts.str.contains(_SEP, literal=True).any():
        return _split_newlines(texts, text, runs=pattern == r"\n+")
    return (
        docs_frame(texts)
        .filter(pl.col("text").is_not_null())
        .select("doc", part=text.str.replace_all(pattern, _SEP).str.split(_SEP))
        .explode("part")
        .with_columns(pl.col("doc").set_sorted())
    )


def _split_newlines(texts: pl.Series, text: pl.Expr, *, runs: bool) -> pl.DataFrame:
    """``split_parts`` on ``\\n`` or ``\\n+``: a literal split, no regex rewrite of the text.

    For runs, the empty parts between consecutive newlines are dropped, keeping the first and
    last part of each text (empty when it starts or ends with a newline), as ``re.split`` does.
    """
    parts = (
        docs_frame(texts)
        .filter(pl.col("text").is_not_null())
        .select("doc", part=text.str.split("\n"))
        .explode("part")
    )
    if runs:
        doc = pl.col("doc")
        edge = (doc != doc.shift(1)).fill_null(True) | (doc != doc.shift(-1)).fill_null(True)
        parts = parts.filter((pl.col("part") != "") | edge)
    return parts.with_columns(pl.col("doc").set_sorted())


def duplicates(parts: pl.DataFrame) -> pl.DataFrame:
    """Per document: number of parts, and number and characters of parts seen before in it.

    The counts of datatrove's ``find_duplicates``: a part equal to an earlier part of the same
    document is a duplicate, however often it recurs. Parts are compared by a 64-bit hash of
    the document and the part (one pass over integers, not a window over strings).
    """
    key = parts["doc"].to_numpy().astype(np.uint64) * _DOC_SEED + parts["part"].hash().to_numpy()
    dup = ~pl.Series(key).is_first_distinct()
    return (
        parts.select("doc", dup=dup, chars=pl.col("part").str.len_chars())
        .group_by("doc")
        .agg(n=pl.len(), dups=pl.col("dup").sum(), dup_chars=pl.col("chars").filter("dup").sum())
    )


_DOC_SEED = np.uint64(0xC2B2AE3D27D4EB4F)


def per_doc(n: int, frame: pl.DataFrame, columns: dict[str, pl.Expr]) -> pl.DataFrame:
    """Evaluate ``columns`` on ``frame`` (keyed by ``doc``) aligned to ``n`` documents."""
    docs = pl.DataFrame({"doc": pl.int_range(n, eager=True, dtype=pl.UInt32)})
    return docs.join(frame, on="doc", how="left").sort("doc").select(**columns)


def to_arrow(frame: pl.DataFrame, active: pl.Series) -> dict[str, pa.Array]:
    """The frame's columns as Arrow arrays, null on inactive rows (NaN counts as null)."""
    mask = active.is_not_null()
    out: dict[str, pa.Array] = {}
    for name in frame.columns:
        col = frame[name]
        if col.dtype.is_float():
            col = col.fill_nan(None)
        col = col.zip_with(mask, pl.Series([None] * len(col), dtype=col.dtype))
        out[name] = col.to_arrow().cast(S.COLUMN_TYPES[name])
    return out

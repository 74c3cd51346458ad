"""Shared pieces of the signal stages: the texts to score, words, lines, duplicate counts.

Words are found by one regular expression that approximates the English spaCy tokeniser
datatrove uses (split on whitespace, then opening and closing punctuation, dashes, slashes
and clitics such as ``'s`` / ``n't`` become tokens of their own; URLs and numbers stay whole).
On real pages its token counts are within about 1% of spaCy's (``docs/filters.md``).

The stages of one batch share its line split and its tokens through ``text_batch``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

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


def _fingerprint(texts: pl.Series) -> tuple[int, int, str]:
    """Identifies a batch's texts exactly, whatever their memory layout (xxh3-128 of the
    offsets, the characters and the null mask), cheaply."""
    arr = texts.fill_null("").to_arrow().cast(pa.large_string())
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[
        arr.offset : arr.offset + len(arr) + 1
    ]
    digest = xxhash.xxh3_128()
    if len(offsets):
        digest.update((offsets - offsets[0]).tobytes())
        data = arr.buffers()[2]
        if data is not None:
            digest.update(memoryview(data)[int(offsets[0]) : int(offsets[-1])])
    digest.update(np.packbits(texts.is_null().to_numpy()).tobytes())
    return len(texts), texts.null_count(), digest.hexdigest()


def split_lines(texts: pl.Series) -> pl.DataFrame:
    """One row per ``\\n``-separated line of the non-null texts: ``doc``, ``part``."""
    return (
        docs_frame(texts)
        .filter(pl.col("text").is_not_null())
        .select("doc", part=pl.col("text").str.split("\n"))
        .explode("part")
        .with_columns(pl.col("doc").set_sorted())
    )


@dataclass(frozen=True)
class Words:
    """The word tokens of a batch: ``frame`` has one row per token (``doc``, ``tok``, its
    ``h`` hash and ``len`` in characters), ``per_line`` the token count of each line of
    ``TextBatch.lines``, in order (tokens never span a line break)."""

    frame: pl.DataFrame
    per_line: np.ndarray


class TextBatch:
    """A batch's texts with their lines and word tokens, each computed once when first asked.

    The signal stages of one batch read the same texts: ``text_batch`` hands them the same
    object (the last one, kept and keyed by the texts' exact bytes), so a batch is split into
    lines and tokenised once.
    """

    def __init__(self, texts: pl.Series) -> None:
        self.texts = texts
        #: word tokens per text, when a stage knows them without tokenising (``c4_lines``)
        self.known_token_counts: np.ndarray | None = None

    @cached_property
    def lines(self) -> pl.DataFrame:
        """``split_lines`` of the texts."""
        return split_lines(self.texts)

    @cached_property
    def words(self) -> Words:
        """The word tokens, found line by line."""
        lines = self.lines.select("doc", tok=pl.col("part").str.extract_all(WORD_PATTERN))
        frame = (
            lines.explode("tok")
            .drop_nulls("tok")
            .with_columns(
                pl.col("doc").set_sorted(),
                h=pl.col("tok").hash(),
                len=pl.col("tok").str.len_chars(),
            )
        )
        return Words(frame, lines["tok"].list.len().to_numpy())

    def tokenised(self) -> bool:
        """Whether ``words`` was computed already."""
        return "words" in self.__dict__

    def token_counts(self) -> np.ndarray:
        """Word tokens per text (known, or counted without keeping them), NaN where null."""
        if self.known_token_counts is not None:
            return self.known_token_counts
        return self.texts.str.count_matches(WORD_PATTERN).cast(pl.Float64).to_numpy()


_LAST_BATCH: list[tuple[tuple[int, int, str], TextBatch]] = []


def text_batch(texts: pl.Series) -> TextBatch:
    """The shared ``TextBatch`` of ``texts``: the last one if the texts are the same."""
    key = _fingerprint(texts)
    last = _LAST_BATCH[0] if _LAST_BATCH else None  # one read: safe if threads share it
    if last is not None and last[0] == key:
        return last[1]
    batch = TextBatch(texts)
    _LAST_BATCH[:] = [(key, batch)]
    return batch


def words(texts: pl.Series) -> pl.DataFrame:
    """One row per word token: ``doc``, ``tok``, ``h`` (its hash) and ``len`` (characters)."""
    return text_batch(texts).words.frame


def split_parts(texts: pl.Series, pattern: str, *, strip: bool = False) -> pl.DataFrame:
    """One row per part of each text split on ``pattern`` (like ``re.split``): ``doc``, ``part``."""
    text = pl.col("text").str.strip_chars() if strip else pl.col("text")
    if pattern in ("\n", r"\n", r"\n+"):
        return _split_newlines(texts, strip=strip, runs=pattern == r"\n+")
    return (
        docs_frame(texts)
        .filter(pl.col("text").is_not_null())
        .select("doc", part=text.str.replace_all(pattern, _SEP).str.split(_SEP))
        .explode("part")
        .with_columns(pl.col("doc").set_sorted())
    )


def _split_newlines(texts: pl.Series, *, strip: bool, runs: bool) -> pl.DataFrame:
    """``split_parts`` on ``\\n`` or ``\\n+``: a literal split, no regex rewrite of the text.

    For runs, the empty parts between consecutive newlines are dropped, keeping the first and
    last part of each text (empty when it starts or ends with a newline), as ``re.split`` does.
    """
    if strip:
        parts = (
            docs_frame(texts.str.strip_chars())
            .filter(pl.col("text").is_not_null())
            .select("doc", part=pl.col("text").str.split("\n"))
            .explode("part")
        )
    else:
        parts = text_batch(texts).lines  # shared with the other stages of the batch
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

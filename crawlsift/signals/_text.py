"""Shared pieces of the signal stages: the texts to score, words, lines, duplicate counts.

Words are found by one regular expression that approximates the English spaCy tokeniser
datatrove uses (split on whitespace, then opening and closing punctuation, dashes, slashes
and clitics such as ``'s`` / ``n't`` become tokens of their own; URLs and numbers stay whole).
On real pages its token counts are within about 1% of spaCy's (``docs/filters.md``).

A stage that tokenises a batch leaves the tokens in the internal column ``word_tokens``
(:data:`crawlsift.schema.WORD_TOKENS`, dropped from outputs) for the stages after it; a stage
that rewrites ``text`` clears it (``schema.with_columns`` does). A stage never depends on
another having run: without the column it tokenises the text itself.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from crawlsift import schema as S
from crawlsift.signals._segment import SEGMENTERS, segmenter

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
# a hyphen between a word's characters and a letter stays inside the word ("e-mail")
_INNER_H = rf"(?:[^{_NOT_INSIDE}]|[:/\-]\d|-\p{{L}})"
_LAST_H = rf"(?:[^{_EDGE}]|[:/\-]\d|-\p{{L}})"
#: ``WORD_PATTERN`` keeping hyphenated words whole ("Brutto-Netto-Rechner", "x-ray"), as
#: spaCy's tokenizers do for :data:`HYPHEN_WORD_LANGUAGES`
WORD_PATTERN_HYPHENS = WORD_PATTERN.replace(_CORE, rf"[^{_EDGE}](?:{_INNER_H}*{_LAST_H})?")
#: languages whose spaCy tokenizer (datatrove's, which FineWeb-2's thresholds were set on)
#: keeps a hyphen between letters inside a word, where English's splits it off; checked with
#: datatrove's tokenizers in the bench's anchor environment. Their texts take
#: ``WORD_PATTERN_HYPHENS`` in the stages that segment (``segment=True``)
HYPHEN_WORD_LANGUAGES = frozenset({"de", "es", "pt", "nl", "sv", "da", "no", "hu", "fi", "ca"})
#: Python's str.splitlines boundaries, so line counts match the recipes
LINE_BREAKS = r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]"
#: the line breaks other than ``\n``
OTHER_BREAKS = r"[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]"
_SEP = "\x00"
#: the column the ``language`` stage writes (ISO 639 code), read to choose a segmenter
LANGUAGE = "language"


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


def group_heads(doc: np.ndarray) -> np.ndarray:
    """For rows in document order, the row of each row's document's first row: a row's
    position in its document is ``row - head``, and a running sum minus its value at the
    head restarts at each document."""
    row = np.arange(len(doc))
    return np.maximum.accumulate(np.where(np.diff(doc, prepend=-1) != 0, row, 0))


def split_lines(texts: pl.Series) -> pl.DataFrame:
    """One row per ``\\n``-separated line of the non-null texts: ``doc``, ``part``."""
    return (
        docs_frame(texts)
        .filter(pl.col("text").is_not_null())
        .select("doc", part=pl.col("text").str.split("\n"))
        .explode("part")
        .with_columns(pl.col("doc").set_sorted())
    )


class TextBatch:
    """A batch's texts with their lines and word tokens, each computed once when first asked.

    One stage makes one ``TextBatch`` of the texts it scores (``text_batch``) and passes it
    to its helpers. ``words`` tokenises the texts (the tokens' strings are needed); ``keys``
    holds what the stages after the first need of each token (hash, length, line), from the
    table's ``word_tokens`` column when an earlier stage left it there, so that a batch is
    tokenised once.
    """

    def __init__(
        self,
        texts: pl.Series,
        tokens: pa.Array | None = None,
        counts: pa.Array | None = None,
        languages: pl.Series | None = None,
    ) -> None:
        self.texts = texts
        self._tokens = tokens
        self._counts = counts
        #: each text's language where it has a segmenter (``_segment.SEGMENTERS``) or a
        #: pattern of its own (:data:`HYPHEN_WORD_LANGUAGES`), else null; None when no text
        #: of the batch is
        self.languages = _segmented(texts, languages)

    @cached_property
    def lines(self) -> pl.DataFrame:
        """``split_lines`` of the texts."""
        return split_lines(self.texts)

    @cached_property
    def words(self) -> pl.DataFrame:
        """One row per word token: ``doc``, ``tok``, ``h`` (its hash), ``len`` (characters)
        and ``line``; found line by line (a token never spans a line break)."""
        if self.languages is not None:
            return self._segmented_words(self.languages)
        lines = self.lines.select("doc", tok=pl.col("part").str.extract_all(WORD_PATTERN))
        head = group_heads(lines["doc"].to_numpy())
        per_line = lines["tok"].list.len().to_numpy()
        line = np.repeat((np.arange(len(head)) - head).astype(np.uint32), per_line)
        frame = lines.explode("tok").drop_nulls("tok")
        return frame.with_columns(
            pl.col("doc").set_sorted(),
            h=pl.col("tok").hash(),
            len=pl.col("tok").str.len_chars(),
            line=pl.Series(line, dtype=pl.UInt32),
        )

    @cached_property
    def keys(self) -> pl.DataFrame:
        """``words`` without the strings: ``doc``, ``h``, ``len``, ``line``; from the
        ``word_tokens`` column where it has the text's tokens."""
        if self._tokens is None or "words" in self.__dict__:
            return self.words.drop("tok")
        tokens = self._tokens
        per_text = pc.list_value_length(tokens).fill_null(0).to_numpy()
        flat = tokens.flatten()
        frame = pl.DataFrame(
            {
                "doc": np.repeat(np.arange(len(tokens), dtype=np.uint32), per_text),
                "h": flat.field("h").to_numpy(),
                "len": flat.field("len").to_numpy(),
                "line": flat.field("line").to_numpy(),
            }
        )
        missing = self._missing()
        if missing.any():  # texts a stage rewrote since: tokenised here
            rest = self.texts.zip_with(pl.Series(missing), pl.Series([None], dtype=pl.String))
            found = TextBatch(rest, languages=self.languages).words.drop("tok")
            frame = pl.concat([frame, found]).sort("doc", maintain_order=True)
        return frame.with_columns(pl.col("doc").set_sorted())

    def tokens(self) -> pa.Array:
        """The tokens as the ``word_tokens`` column: a list per text, null where null."""
        if self._tokens is not None and not self._missing().any():
            return self._tokens
        n = len(self.texts)
        frame = self.keys
        bounds = np.searchsorted(frame["doc"].to_numpy(), np.arange(n + 1)).astype(np.int32)
        values = pa.StructArray.from_arrays(
            [
                pa.array(frame["h"].to_numpy(), pa.uint64()),
                pa.array(frame["len"].to_numpy().astype(np.uint32, copy=False)),
                pa.array(frame["line"].to_numpy().astype(np.uint32, copy=False)),
            ],
            names=["h", "len", "line"],
        )
        mask = pa.array(self.texts.is_null().to_numpy()) if self.texts.null_count() else None
        return pa.ListArray.from_arrays(pa.array(bounds), values, mask=mask)

    def _segmented_words(self, languages: pl.Series) -> pl.DataFrame:
        """``words`` where some texts are segmented: the lines of texts in a language with
        a segmenter are split by it (one Python call per line: the segmenters' APIs take
        one string), those of :data:`HYPHEN_WORD_LANGUAGES` by ``WORD_PATTERN_HYPHENS``,
        the others by ``WORD_PATTERN``."""
        lines = self.lines.with_columns(
            line=pl.Series(
                np.arange(len(self.lines)) - group_heads(self.lines["doc"].to_numpy())
            ).cast(pl.UInt32),
            lang=languages.gather(self.lines["doc"]),
        )
        hyphens = pl.col("lang").is_in(list(HYPHEN_WORD_LANGUAGES))
        plain = [
            lines.filter(rows)
            .select("doc", "line", tok=pl.col("part").str.extract_all(pattern))
            .explode("tok")
            .drop_nulls("tok")
            for rows, pattern in (
                (pl.col("lang").is_null(), WORD_PATTERN),
                (hyphens, WORD_PATTERN_HYPHENS),
            )
        ]
        seg = lines.filter(pl.col("lang").is_not_null() & ~hyphens)
        found = [
            segmenter(lang)(part)
            for lang, part in zip(seg["lang"].to_list(), seg["part"].to_list(), strict=True)
        ]
        split = (
            seg.select("doc", "line")
            .with_columns(tok=pl.Series(found, dtype=pl.List(pl.String)))
            .explode("tok")
            .drop_nulls("tok")
        )
        frame = pl.concat([*plain, split]).sort("doc", "line", maintain_order=True)
        return frame.select(
            pl.col("doc").set_sorted(),
            "tok",
            h=pl.col("tok").hash(),
            len=pl.col("tok").str.len_chars(),
            line="line",
        )

    def _missing(self) -> np.ndarray:
        """Texts whose tokens the ``word_tokens`` column given does not hold."""
        assert self._tokens is not None
        valid = self._tokens.is_valid().to_numpy(zero_copy_only=False)
        return self.texts.is_not_null().to_numpy() & ~valid

    def token_counts(self) -> np.ndarray:
        """Word tokens per text, NaN where null: from ``word_token_count`` where it is
        known, else from the tokens, else counted without keeping them."""
        if self._counts is not None:
            known = self._counts.to_numpy(zero_copy_only=False).astype(np.float64)
            todo = self.texts.is_not_null().to_numpy() & np.isnan(known)
            if todo.any():  # texts whose count a stage could not carry over
                rest = self.texts.zip_with(pl.Series(todo), pl.Series([None], dtype=pl.String))
                known[todo] = TextBatch(rest, languages=self.languages).token_counts()[todo]
            return np.where(self.texts.is_null().to_numpy(), np.nan, known)
        if self._tokens is not None or "words" in self.__dict__ or self.languages is not None:
            counts = np.bincount(self.keys["doc"].to_numpy(), minlength=len(self.texts))
            return np.where(self.texts.is_null().to_numpy(), np.nan, counts.astype(np.float64))
        return self.texts.str.count_matches(WORD_PATTERN).cast(pl.Float64).to_numpy()


def _segmented(texts: pl.Series, languages: pl.Series | None) -> pl.Series | None:
    """Each text's language where it has a segmenter or a pattern of its own, else null;
    None when there is none."""
    if languages is None:
        return None
    own = [*SEGMENTERS, *HYPHEN_WORD_LANGUAGES]
    known = languages.is_in(own).fill_null(False) & texts.is_not_null()
    if not known.any():
        return None
    return languages.cast(pl.String).zip_with(known, pl.Series([None], dtype=pl.String))


def text_batch(table: pa.Table, texts: pl.Series, *, segment: bool = False) -> TextBatch:
    """The ``TextBatch`` of ``texts`` (``active_texts(table)``), with the tokens ``table``
    carries in ``word_tokens``, if any (an earlier stage tokenised the same text); with
    ``segment``, texts whose ``language`` has a segmenter are split into words by it."""
    languages = None
    if segment and LANGUAGE in table.column_names:
        found = pl.from_arrow(table.column(LANGUAGE).combine_chunks())
        assert isinstance(found, pl.Series)
        languages = found
    counts = None
    if S.WORD_TOKEN_COUNT in table.column_names:
        counts = table.column(S.WORD_TOKEN_COUNT).combine_chunks()
        if counts.null_count == len(counts):
            counts = None
    if S.WORD_TOKENS not in table.column_names:
        return TextBatch(texts, counts=counts, languages=languages)
    tokens = table.column(S.WORD_TOKENS).combine_chunks()
    if tokens.null_count == len(tokens):
        return TextBatch(texts, counts=counts, languages=languages)
    active = texts.is_not_null().to_numpy()
    if (tokens.is_valid().to_numpy(zero_copy_only=False) & ~active).any():
        # rows rejected since the tokens were found: their tokens are not this batch's
        tokens = pc.if_else(pa.array(active), tokens, pa.nulls(len(tokens), tokens.type))
    return TextBatch(texts, tokens, counts, languages)


def split_parts(
    texts: pl.Series, pattern: str, *, strip: bool = False, batch: TextBatch | None = None
) -> pl.DataFrame:
    """One row per part of each text split on ``pattern`` (like ``re.split``): ``doc``, ``part``."""
    text = pl.col("text").str.strip_chars() if strip else pl.col("text")
    if pattern in ("\n", r"\n", r"\n+"):
        return _split_newlines(texts, strip=strip, runs=pattern == r"\n+", batch=batch)
    return (
        docs_frame(texts)
        .filter(pl.col("text").is_not_null())
        .select("doc", part=text.str.replace_all(pattern, _SEP).str.split(_SEP))
        .explode("part")
        .with_columns(pl.col("doc").set_sorted())
    )


def _split_newlines(
    texts: pl.Series, *, strip: bool, runs: bool, batch: TextBatch | None
) -> pl.DataFrame:
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
        parts = batch.lines if batch is not None else split_lines(texts)
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

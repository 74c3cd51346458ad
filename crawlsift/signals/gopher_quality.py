"""Gopher quality signals (Rae et al. 2021, table A1; datatrove's ``GopherQualityFilter``).

Per document: the number of words that are not pure punctuation and their mean length, ``#``
and ellipses per token, the fractions of lines starting with a bullet or ending with an
ellipsis, the fraction of tokens holding a letter, and how many distinct stop words occur.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

from crawlsift import schema as S
from crawlsift.registry import register
from crawlsift.signals._charsets import PUNCTUATION, char_class
from crawlsift.signals._text import LINE_BREAKS, active_texts, docs_frame, to_arrow, words

STAGE = "gopher_quality"


@dataclass(frozen=True, kw_only=True)
class GopherQualityOptions:
    """Options of the Gopher quality signals; the defaults are the published recipe."""

    stop_words: tuple[str, ...] = ("the", "be", "to", "of", "and", "that", "have", "with")


def gopher_quality_signals(texts: pl.Series, opts: GopherQualityOptions) -> pl.DataFrame:
    """The Gopher quality signal columns for ``texts`` (one row per text)."""
    toks = words(texts)
    tok = toks["tok"]
    alpha = tok.str.contains(r"\p{L}").to_numpy()
    # a token holding a letter is a word (no letter is punctuation): test only the others
    word = alpha.copy()
    rest = np.flatnonzero(~alpha)
    word[rest] = tok.gather(rest).str.contains("[^" + char_class(PUNCTUATION)[1:]).to_numpy()
    n = len(texts)
    doc = toks["doc"].to_numpy().astype(np.int64)

    def per_doc_sum(weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(doc, weights=weights, minlength=n)

    stop = (
        toks.filter(pl.col("tok").is_in(list(opts.stop_words)))
        .unique(["doc", "tok"])
        .group_by("doc")
        .agg(stop=pl.len())
    )
    per_word = pl.DataFrame(
        {
            "doc": pl.int_range(n, eager=True, dtype=pl.UInt32),
            "n_tok": per_doc_sum(),
            "n_words": per_doc_sum(word.astype(np.float64)).astype(np.int64),
            "word_chars": per_doc_sum(np.where(word, tok.str.len_chars().to_numpy(), 0)),
            "alpha": per_doc_sum(alpha.astype(np.float64)),
        }
    ).join(stop, on="doc", how="left")
    text = pl.col("text").str.replace_all(LINE_BREAKS, "\n")
    n_lines = (
        text.str.count_matches("\n", literal=True) + 1 - text.str.ends_with("\n").cast(pl.UInt32)
    )
    docs = docs_frame(texts).with_columns(
        hashes=pl.col("text").str.count_matches("#", literal=True),
        ellipses=pl.col("text").str.count_matches(r"\.\.\.|…"),
        lines=n_lines,
        bullets=text.str.count_matches(r"(?m)^[^\S\n]*[•\-]"),
        end_ellipsis=text.str.count_matches(r"(?m)(?:\.\.\.|…)[^\S\n]*$"),
    )
    n_tok = pl.col("n_tok").cast(pl.Float64).replace(0, None)
    n_words = pl.col("n_words").cast(pl.Float64).replace(0, None)
    return (
        docs.join(per_word, on="doc", how="left")
        .sort("doc")
        .select(
            **{
                S.GOPHER_WORD_COUNT: pl.col("n_words").fill_null(0),
                S.GOPHER_MEAN_WORD_LENGTH: pl.col("word_chars") / n_words,
                S.GOPHER_HASH_RATIO: pl.col("hashes") / n_tok,
                S.GOPHER_ELLIPSIS_RATIO: pl.col("ellipses") / n_tok,
                S.GOPHER_BULLET_LINES_RATIO: pl.col("bullets") / pl.col("lines"),
                S.GOPHER_END_ELLIPSIS_LINES_RATIO: pl.col("end_ellipsis") / pl.col("lines"),
                S.GOPHER_ALPHA_WORDS_RATIO: pl.col("alpha") / n_tok,
                S.GOPHER_STOP_WORDS: pl.col("stop").fill_null(0),
            }
        )
    )


@register(STAGE, GopherQualityOptions)
def gopher_quality(table: pa.Table, *, opts: GopherQualityOptions | None = None) -> pa.Table:
    """Gopher quality signals as columns (null on rows already rejected)."""
    texts = active_texts(table)
    signals = gopher_quality_signals(texts, opts or GopherQualityOptions())
    return S.with_columns(table, to_arrow(signals, texts))

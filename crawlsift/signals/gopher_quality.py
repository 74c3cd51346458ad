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
from crawlsift.registry import (
    DEFAULT_PRESET,
    FINEWEB2_RECIPE,
    FINEWEB_RECIPE,
    Rule,
    Signals,
    in_presets,
    register,
)
from crawlsift.signals._charsets import PUNCTUATION, char_class
from crawlsift.signals._text import (
    LANGUAGE,
    LINE_BREAKS,
    OTHER_BREAKS,
    TextBatch,
    active_texts,
    text_batch,
    to_arrow,
)

STAGE = "gopher_quality"
WORD_COUNT = "gopher_word_count"  # words with a non-punctuation character
MEAN_WORD_LENGTH = "gopher_mean_word_length"
HASH_RATIO = "gopher_hash_ratio"  # '#' per token
ELLIPSIS_RATIO = "gopher_ellipsis_ratio"  # '...' and '…' per token
BULLET_LINES_RATIO = "gopher_bullet_lines_ratio"
END_ELLIPSIS_LINES_RATIO = "gopher_end_ellipsis_lines_ratio"
ALPHA_WORDS_RATIO = "gopher_alpha_words_ratio"  # tokens with a letter
STOP_WORDS = "gopher_stop_words"  # distinct stop words present
_F = pa.float64()
_PRESETS = ("gopher", FINEWEB2_RECIPE, FINEWEB_RECIPE, DEFAULT_PRESET)

SIGNALS = Signals(
    stage=STAGE,
    columns={
        WORD_COUNT: pa.int64(),
        MEAN_WORD_LENGTH: _F,
        HASH_RATIO: _F,
        ELLIPSIS_RATIO: _F,
        BULLET_LINES_RATIO: _F,
        END_ELLIPSIS_LINES_RATIO: _F,
        ALPHA_WORDS_RATIO: _F,
        STOP_WORDS: pa.int32(),
    },
    rules=(
        Rule("gopher_short_doc", WORD_COUNT, "min", "too few words", in_presets(50, *_PRESETS)),
        Rule(
            "gopher_long_doc", WORD_COUNT, "max", "too many words", in_presets(100_000, *_PRESETS)
        ),
        Rule(
            "gopher_below_avg_threshold",
            MEAN_WORD_LENGTH,
            "min",
            "mean word length too short",
            in_presets(3, *_PRESETS),
        ),
        Rule(
            "gopher_above_avg_threshold",
            MEAN_WORD_LENGTH,
            "max",
            "mean word length too long",
            in_presets(10, *_PRESETS),
        ),
        Rule(
            "gopher_too_many_hashes",
            HASH_RATIO,
            "max",
            "too many '#' per word",
            in_presets(0.1, *_PRESETS),
        ),
        Rule(
            "gopher_too_many_ellipsis",
            ELLIPSIS_RATIO,
            "max",
            "too many ellipses per word",
            in_presets(0.1, *_PRESETS),
        ),
        Rule(
            "gopher_too_many_bullets",
            BULLET_LINES_RATIO,
            "max",
            "too many lines start with a bullet",
            in_presets(0.9, *_PRESETS),
        ),
        Rule(
            "gopher_too_many_end_ellipsis",
            END_ELLIPSIS_LINES_RATIO,
            "max",
            "too many lines end in an ellipsis",
            in_presets(0.3, *_PRESETS),
        ),
        Rule(
            "gopher_below_alpha_threshold",
            ALPHA_WORDS_RATIO,
            "min",
            "too few words hold a letter",
            in_presets(0.8, *_PRESETS),
        ),
        Rule(
            "gopher_few_stop_words",
            STOP_WORDS,
            "min",
            "too few distinct stop words (English, or the row's language's list)",
            in_presets(2, *_PRESETS),
        ),
    ),
)


@dataclass(frozen=True, kw_only=True)
class GopherQualityOptions:
    """Options of the Gopher quality signals; the defaults are the published recipe."""

    stop_words: tuple[str, ...] = ("the", "be", "to", "of", "and", "that", "have", "with")
    #: split the words of texts in a language written without spaces (Chinese, Japanese,
    #: Thai: ``crawlsift.signals._segment``) with its segmenter; needs the ``language`` stage
    segment: bool = False
    #: count the stop words of each text's language where FineWeb-2 publishes a list for it
    #: (``crawlsift/data/fineweb2.json``), ``stop_words`` for the others
    language_stop_words: bool = False


def gopher_quality_signals(
    texts: pl.Series,
    opts: GopherQualityOptions,
    batch: TextBatch | None = None,
    languages: pl.Series | None = None,
) -> pl.DataFrame:
    """The Gopher quality signal columns for ``texts`` (one row per text); ``batch`` is
    their ``TextBatch`` when the caller has one, ``languages`` each text's language (for
    ``language_stop_words``)."""
    n = len(texts)
    batch = batch or TextBatch(texts)
    toks = batch.words
    tok = toks["tok"]
    alpha = tok.str.contains(r"\p{L}").to_numpy()
    # a token holding a letter is a word (no letter is punctuation): test only the others
    word = alpha.copy()
    rest = np.flatnonzero(~alpha)
    word[rest] = tok.gather(rest).str.contains("[^" + char_class(PUNCTUATION)[1:]).to_numpy()
    # tokens are in document order: per-document sums are differences of running sums
    bounds = np.searchsorted(toks["doc"].to_numpy(), np.arange(n + 1))

    def per_doc_sum(values: np.ndarray) -> np.ndarray:
        run = np.concatenate([[0], np.cumsum(values, dtype=np.int64)])
        return run[bounds[1:]] - run[bounds[:-1]]

    n_tok = np.diff(bounds)
    n_words = per_doc_sum(word)
    word_chars = per_doc_sum(np.where(word, toks["len"].to_numpy(), 0))
    n_alpha = per_doc_sum(alpha)
    if opts.language_stop_words and languages is not None:
        stop = _language_stop_words(toks, languages, opts.stop_words, n)
    else:
        stop = _stop_words(toks, opts.stop_words, n)
    hashes = texts.str.count_matches("#", literal=True).to_numpy()
    ellipses = texts.str.count_matches(r"\.\.\.|…").to_numpy()
    # lines as Python's splitlines sees them: other line breaks become \n (rare: only there)
    other = texts.str.contains(OTHER_BREAKS).fill_null(False).arg_true()
    text = texts.clone().scatter(other, texts.gather(other).str.replace_all(LINE_BREAKS, "\n"))
    # splitlines drops the empty part after a final break; the parts of the \n split are
    # the ones tokenised (recounted where other breaks became \n)
    parts = np.bincount(batch.lines["doc"].to_numpy(), minlength=n).astype(np.float64)
    parts[other.to_numpy()] = (
        text.gather(other).str.count_matches("\n", literal=True) + 1
    ).to_numpy()
    n_lines = parts - text.str.ends_with("\n").cast(pl.Float64).to_numpy()
    bullet = r"[^\S\n]*[•\-]"
    first = text.str.contains("^" + bullet).cast(pl.UInt32)
    bullets = text.str.count_matches("\n" + bullet) + first
    end_ellipsis = text.str.count_matches(r"(?m)(?:\.\.\.|…)[^\S\n]*$").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        tok_div = np.where(n_tok > 0, n_tok, np.nan)
        return pl.DataFrame(
            {
                WORD_COUNT: n_words,
                MEAN_WORD_LENGTH: word_chars / np.where(n_words > 0, n_words, np.nan),
                HASH_RATIO: hashes / tok_div,
                ELLIPSIS_RATIO: ellipses / tok_div,
                BULLET_LINES_RATIO: bullets.to_numpy() / n_lines,
                END_ELLIPSIS_LINES_RATIO: end_ellipsis / n_lines,
                ALPHA_WORDS_RATIO: n_alpha / tok_div,
                STOP_WORDS: stop,
            }
        )


def _stop_words(toks: pl.DataFrame, stop_words: tuple[str, ...], n: int) -> np.ndarray:
    """Distinct stop words per document: candidates by hash, confirmed by string equality."""
    if not stop_words:
        return np.zeros(n, dtype=np.int64)
    stop_h = pl.Series(stop_words, dtype=pl.String).hash()
    h = toks["h"]
    hit = h.is_in(stop_h.implode()).arg_true()
    cand = hit.filter(toks["tok"].gather(hit).is_in(list(stop_words))).to_numpy()
    kind = np.searchsorted(np.sort(stop_h.to_numpy()), h.to_numpy()[cand])
    seen = np.zeros((n, len(stop_words)), dtype=bool)
    seen[toks["doc"].to_numpy()[cand], kind] = True
    return seen.sum(axis=1)


def _language_stop_words(
    toks: pl.DataFrame, languages: pl.Series, default: tuple[str, ...], n: int
) -> np.ndarray:
    """Distinct stop words per document, each from its language's list (``default`` where
    FineWeb-2 has none): candidates by hash, then a join on (language, word)."""
    from crawlsift.signals.filters import language_data

    data = language_data("fineweb2.json")
    present = [lang for lang in languages.drop_nulls().unique().to_list()]
    lists = {
        lang: data[lang]["stop_words"] for lang in present if data.get(lang, {}).get("stop_words")
    }
    key = languages.cast(pl.String).replace_strict(
        {lang: lang for lang in lists}, default="", return_dtype=pl.String
    )
    words = pl.DataFrame(
        [(k, w) for k, ws in [("", list(default)), *lists.items()] for w in ws],
        schema={"key": pl.String, "tok": pl.String},
        orient="row",
    ).unique()
    cand = toks.filter(pl.col("h").is_in(words["tok"].hash().implode())).select("doc", "tok")
    hits = (
        cand.with_columns(key=key.gather(cand["doc"]))
        .join(words, on=["key", "tok"], how="inner")
        .group_by("doc")
        .agg(pl.col("tok").n_unique())
    )
    out = np.zeros(n, dtype=np.int64)
    out[hits["doc"].to_numpy()] = hits["tok"].to_numpy()
    return out


@register(STAGE, GopherQualityOptions, columns=(*SIGNALS.columns, S.WORD_TOKENS))
def gopher_quality(table: pa.Table, *, opts: GopherQualityOptions | None = None) -> pa.Table:
    """Gopher quality signals as columns (null on rows already rejected)."""
    opts = opts or GopherQualityOptions()
    texts = active_texts(table)
    batch = text_batch(table, texts, segment=opts.segment)
    languages = None
    if opts.language_stop_words and LANGUAGE in table.column_names:
        found = pl.from_arrow(table.column(LANGUAGE).combine_chunks())
        assert isinstance(found, pl.Series)
        languages = found
    signals = gopher_quality_signals(texts, opts, batch, languages)
    return S.with_columns(table, {**to_arrow(signals, texts), S.WORD_TOKENS: batch.tokens()})

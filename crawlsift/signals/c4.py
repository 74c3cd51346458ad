"""C4 signals (Raffel et al. 2020; datatrove's ``C4QualityFilter``).

C4's line rules decide which lines a document keeps: a line goes when a word in it is longer
than 1,000 characters, when it does not end in terminal punctuation (after Wikipedia-style
citations are removed), when it has fewer than 3 words, when it mentions "javascript", or when
it mentions a cookie or terms-of-use policy. The document rules then look at the lines that
survive: "lorem ipsum" or a curly bracket rejects the whole document, and fewer than 5 sentences
in the kept lines does too. The signals are the kept-line sentence count, the number of lines
the line rules remove, and the two document flags.

Terminal punctuation, crawlsift's rule (``closing_after_stop=True``): a line is terminated when
it ends in ``.``, ``!`` or ``?`` optionally followed by closing quotes or brackets (``said."``,
``(see above.)``, ``“Go!”``), but not in an ellipsis. datatrove's rule
(``closing_after_stop=False``) accepts only ``. ! ? " '`` as the very last character, so it
drops ``(see above.)`` and ``“Go!”`` and keeps ``the "word"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

from crawlsift import schema as S
from crawlsift.registry import DEFAULT_PRESET, FINEWEB_RECIPE, Rule, Signals, in_presets, register
from crawlsift.signals._text import LINE_BREAKS, active_texts, per_doc, split_parts, to_arrow

STAGE = "c4"
SENTENCES = "c4_sentences"  # sentences on the lines C4's line rules keep
LINES_REMOVED = "c4_lines_removed"  # lines C4's line rules would remove
LOREM_IPSUM = "c4_lorem_ipsum"
CURLY_BRACKET = "c4_curly_bracket"
_PRESETS = ("c4", FINEWEB_RECIPE, DEFAULT_PRESET)
#: C4's line rules, in order of precedence: the reason of each line removal ``c4_lines``
#: records as an edit (``c4_lorem_ipsum`` and ``c4_curly_bracket`` also reject documents)
LINE_REASONS: dict[str, str] = {
    "c4_long_word": "a word longer than max_word_length characters",
    "c4_no_terminal_punct": "the line does not end in terminal punctuation",
    "c4_few_words": "fewer than min_words_per_line words",
    "c4_lorem_ipsum": "placeholder text",
    "c4_javascript": "mentions javascript",
    "c4_curly_bracket": "a curly bracket (code)",
    "c4_policy": "mentions a cookie, privacy or terms-of-use policy",
}

SIGNALS = Signals(
    stage=STAGE,
    columns={
        SENTENCES: pa.int64(),
        LINES_REMOVED: pa.int64(),
        LOREM_IPSUM: pa.bool_(),
        CURLY_BRACKET: pa.bool_(),
    },
    rules=(
        Rule(
            "c4_lorem_ipsum", LOREM_IPSUM, "flag", "placeholder text", in_presets(True, *_PRESETS)
        ),
        Rule(
            "c4_curly_bracket",
            CURLY_BRACKET,
            "flag",
            "a curly bracket (code) on a kept line",
            in_presets(True, *_PRESETS),
        ),
        Rule(
            "c4_too_few_sentences",
            SENTENCES,
            "min",
            "too few sentences on the lines C4 keeps",
            in_presets(5, *_PRESETS),
        ),
    ),
    run_by="c4_lines",
)
CITATION = r"\[\d*\]|\[edit\]|\[citation needed\]"
POLICY: tuple[str, ...] = (
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
)
POLICY += ("use cookies",)
#: closing quotes and brackets allowed after the stop by crawlsift's terminal rule
CLOSERS = "\"'”’»)]"


@dataclass(frozen=True, kw_only=True)
class C4Options:
    """Options of the C4 signals; the defaults are the published recipe, except as noted."""

    remove_citations: bool = True
    #: remove lines that do not end in terminal punctuation (``c4_no_terminal_punct``); FineWeb
    #: turns this off (datatrove's ``C4QualityFilter(filter_no_terminal_punct=False)``)
    filter_no_terminal_punct: bool = True
    #: crawlsift's terminal-punctuation rule (see the module docstring); False = datatrove's
    closing_after_stop: bool = True
    min_words_per_line: int = 3
    max_word_length: int = 1000
    filter_javascript: bool = True
    filter_policy: bool = True


def _terminated(lines: pl.Series, closing_after_stop: bool) -> np.ndarray:
    """Whether each line ends in terminal punctuation (the ellipsis test only where it does)."""
    if closing_after_stop:
        closers = "".join("\\" + c if c in "]\\" else c for c in CLOSERS)
        # the stop, then only closers to the end; the stop not the end of an ellipsis
        stop, ellipsis = f"[.!?][{closers}]*$", rf"\.\.\.[{closers}]*$"
        ok = lines.str.contains(stop).to_numpy()
        at = np.flatnonzero(ok)
        ok[at] = ~lines.gather(at).str.contains(ellipsis).to_numpy()
        return ok
    return (lines.str.contains(r"""[.!?"']$""") & ~lines.str.ends_with("...")).to_numpy()


def _sentences(lines: pl.Series) -> pl.Series:
    """Sentences in a line: stops followed by more text, plus one (spaCy's sentencizer, roughly)."""
    return lines.str.count_matches(r"""[.!?]+["'”’)\]]*\s+\S""") + 1


def classify_lines(lines: pl.DataFrame, opts: C4Options) -> pl.DataFrame:
    """C4's verdict on each line of a frame with ``doc`` and ``part`` (the raw line).

    Adds ``line`` (stripped, citations removed: what C4 keeps), ``blank`` (nothing but
    spaces), ``cited`` (citations removed from it), ``removed`` (the line rule
    that removes it, null when kept), ``lorem`` and ``curly`` (the document rules, true only
    on lines the earlier line rules keep) and ``sentences`` (counted on kept lines, else 0).
    The rules after the first three (long word, no terminal punctuation, few words) and the
    sentence count only matter on the lines those three keep, so only those are scanned.
    """
    k = opts.min_words_per_line
    stripped = lines["part"].str.strip_chars()
    line, cited = stripped, np.zeros(len(stripped), dtype=bool)
    if opts.remove_citations:
        bracket = stripped.str.contains("[", literal=True).arg_true()  # few: rewrite only those
        before = stripped.gather(bracket)
        after = before.str.replace_all(CITATION, "")
        line = stripped.clone().scatter(bracket, after)  # scatter works in place
        cited[bracket.to_numpy()] = (after != before).to_numpy()
    # the rules in their order of precedence, each on the lines the ones before keep; as in
    # datatrove, words are counted and measured before citations go, the stop checked after
    long = np.zeros(len(line), dtype=bool)
    big = (stripped.str.len_bytes() > opts.max_word_length).arg_true()  # room for a long word
    word = rf"\S{{{opts.max_word_length + 1}}}"
    long[big.to_numpy()] = stripped.gather(big).str.contains(word).to_numpy()
    if opts.filter_no_terminal_punct:
        unterminated = ~_terminated(line, opts.closing_after_stop) & ~long
    else:
        unterminated = np.zeros(len(line), dtype=bool)
    few = np.zeros(len(line), dtype=bool)
    at = np.flatnonzero(~(long | unterminated))
    if k > 1:
        enough = stripped.gather(at).str.contains(r"\S+" + r"\s+\S+" * (k - 1)).to_numpy()
        few[at] = ~enough
        at = at[enough]
    rest = line.gather(at)
    # few lines mention any phrase: one scan for all, then each phrase on those lines only
    phrases = ["lorem ipsum", "javascript", *POLICY]
    # ASCII case-insensitive, as below (a regex scans faster than contains_any here)
    anyone = "(?i-u:" + "|".join(re.escape(p) for p in phrases) + ")"
    hit = rest.str.contains(anyone).arg_true()
    some = rest.gather(hit)

    def on_lines(flag: np.ndarray) -> pl.Series:
        """A flag of the surviving lines as a column of all lines (false elsewhere)."""
        full = np.zeros(len(line), dtype=bool)
        full[at] = flag
        return pl.Series(full)

    def mentions(*words: str) -> np.ndarray:  # the phrases are ASCII: no need to lower-case
        flag = np.zeros(len(rest), dtype=bool)
        found = some.str.contains_any(list(words), ascii_case_insensitive=True)
        flag[hit.to_numpy()] = found.to_numpy()
        return flag

    lorem = mentions("lorem ipsum")
    js = mentions("javascript") & opts.filter_javascript
    curly = rest.str.contains("{", literal=True).to_numpy()
    policy = mentions(*POLICY) & opts.filter_policy
    late = {"lorem": lorem, "js": js, "curly": curly, "policy": policy}
    first = pl.DataFrame(
        {"long": long, "unterminated": unterminated, "few": few}
        | {name: on_lines(flag) for name, flag in late.items()}
    )
    # the first rule (in LINE_REASONS order) a line breaks names its removal
    removed: pl.Expr = pl.lit(None, pl.String)
    flags = ("long", "unterminated", "few", "lorem", "js", "curly", "policy")
    for flag, reason in reversed(list(zip(flags, LINE_REASONS, strict=True))):
        removed = pl.when(flag).then(pl.lit(reason)).otherwise(removed)
    kept = ~(lorem | js | curly | policy)
    sentences = np.zeros(len(line), dtype=np.int64)
    sentences[at[kept]] = _sentences(rest.filter(pl.Series(kept))).to_numpy()
    return lines.with_columns(
        line=line,
        blank=stripped == "",
        cited=pl.Series(cited),
        removed=first.select(removed).to_series(),
        lorem=first["lorem"],
        curly=on_lines(curly & ~lorem & ~js),
        sentences=pl.Series(sentences),
    )


def c4_signals(texts: pl.Series, opts: C4Options) -> pl.DataFrame:
    """The C4 signal columns for ``texts`` (one row per text)."""
    lines = split_parts(texts.str.replace_all(LINE_BREAKS, "\n"), "\n")
    return signals_from_lines(classify_lines(lines, opts), len(texts))


def signals_from_lines(lines: pl.DataFrame, ndocs: int) -> pl.DataFrame:
    """The C4 signal columns from classified lines (``classify_lines``), one row per doc."""
    kept = pl.col("removed").is_null()
    agg = lines.group_by("doc").agg(
        sentences=pl.col("sentences").filter(kept).sum(),
        removed=(~kept).sum(),
        lorem=pl.col("lorem").any(),
        curly=pl.col("curly").any(),
    )
    return per_doc(
        ndocs,
        agg,
        {
            SENTENCES: pl.col("sentences"),
            LINES_REMOVED: pl.col("removed"),
            LOREM_IPSUM: pl.col("lorem"),
            CURLY_BRACKET: pl.col("curly"),
        },
    )


@register(STAGE, C4Options, columns=tuple(SIGNALS.columns))
def c4(table: pa.Table, *, opts: C4Options | None = None) -> pa.Table:
    """C4 line and document signals as columns (null on rows already rejected)."""
    texts = active_texts(table)
    return S.with_columns(table, to_arrow(c4_signals(texts, opts or C4Options()), texts))

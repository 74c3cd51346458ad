"""Documents as a long table of lines, and back.

The repair rules are columnar: every line of every document in a batch becomes one
row of a polars frame (``doc``, ``lineno``, ``start``, ``end``, ``line``) so that a
rule is a vectorised expression over all lines at once, and context ("the previous
content line", "the block this line belongs to") is a window over ``doc``. The frame
is lazy: each rule adds its steps to one query, which the stage runs once.
Offsets are in characters of the input text, which is what Python slicing and the
``edits`` column use.
"""

from __future__ import annotations

import polars as pl

_SPACE_CHARS = r"\s\u00a0\u200b\ufeff\x00-\x08\x0b-\x1f\x7f"
#: runs of characters shown as one space: white space, zero-width marks, C0 controls
WHITESPACE = rf"[{_SPACE_CHARS}]+"
#: a character that is not ``WHITESPACE``, or a C1 control, which ftfy may repair into one
CONTENT_CHAR = rf"[^{_SPACE_CHARS}]|[\u0080-\u009f]"
#: the runs of ``WHITESPACE`` that replacing by one space changes: two characters or more,
#: or one that is not a space. Replacing these gives the same text, and much faster: a
#: lone space between words is most matches of ``WHITESPACE``
_SPACES_TO_COLLAPSE = rf"[{_SPACE_CHARS}]{{2,}}|[[{_SPACE_CHARS}]--[ ]]"

#: where a run of word characters starts: counting these counts the ``\w+`` runs (words),
#: with less work a match than matching each run whole (~15% less for the count)
_WORD_START = r"(?:^|\W)\w"

#: characters that end a sentence, optionally followed by closing quotes or brackets
TERMINAL = r"[.!?…。！？](?:[\"'”’»)\]]*)$"


#: a rule's steps: each adds the columns its (named) expressions compute, in one
#: ``with_columns``, or drops the columns it names. Rules build their steps once per set of
#: parameters (``functools.cache``): a polars expression can be reused by any query, and
#: building a rule's expressions in Python costs as much as running them on one page.
Steps = tuple[tuple[pl.Expr, ...] | tuple[str, ...], ...]


def apply_steps(lines: pl.LazyFrame, steps: Steps) -> pl.LazyFrame:
    """``lines`` with each of ``steps`` added to its query."""
    for step in steps:
        if step and isinstance(step[0], str):
            lines = lines.drop(*step)
        else:
            lines = lines.with_columns(*step)
    return lines


_SPLIT = pl.col("line").fill_null("").str.split("\n")
_WIDTH = pl.col("line").str.len_chars().alias("width")
_LINENO = pl.int_range(pl.len()).over("doc").alias("lineno")
_START = ((pl.col("width") + 1).cum_sum() - (pl.col("width") + 1)).over("doc").alias("start")
_END = (pl.col("start") + pl.col("width")).alias("end")


def explode_lines(docs: pl.LazyFrame) -> pl.LazyFrame:
    """One row per line of ``docs`` (``doc``, ``line`` = the text, other columns carried to
    each line): doc, line, lineno, start, end.

    ``start``/``end`` exclude the newline that ends the line.
    """
    return (
        docs.with_columns(_SPLIT)
        .explode("line")
        .with_columns(_LINENO, _WIDTH)
        .with_columns(_START)
        .with_columns(_END)
        .drop("width")
    )


_SHOWN = (
    pl.coalesce(pl.col("fixed"), pl.col("line"))
    .str.replace_all(_SPACES_TO_COLLAPSE, " ")
    .str.strip_chars(" ")
    .alias("shown")
)
_NORM = pl.col("shown").str.to_lowercase().alias("norm")
_FEATURES = (
    pl.col("norm").str.len_chars().cast(pl.Int64).alias("nchars"),
    pl.col("norm").str.count_matches(_WORD_START).cast(pl.Int64).alias("nwords"),
    (pl.col("norm").str.len_chars() == 0).alias("blank"),
    pl.col("norm").str.contains(TERMINAL).alias("terminal"),
)


def add_features(lines: pl.LazyFrame) -> pl.LazyFrame:
    """Add ``shown`` and what rules match on: norm, nchars, nwords, blank, terminal.

    ``shown`` is the line as it appears in the output: its Unicode-repaired form (``fixed``)
    where there is one, whitespace collapsed, case kept; ``norm`` is ``shown`` lower-cased.
    """
    return lines.with_columns(_SHOWN).with_columns(_NORM).with_columns(*_FEATURES)


def prev_in_doc(expr: pl.Expr, n: int = 1) -> pl.Expr:
    """The value ``n`` rows earlier within the same document (null at its start)."""
    # a plain shift nulled where it crosses a document boundary (lines are in doc order):
    # the same values as ``expr.shift(n).over("doc")`` without grouping the rows by doc
    return pl.when(pl.col("doc").shift(n) == pl.col("doc")).then(expr.shift(n))


def next_in_doc(expr: pl.Expr, n: int = 1) -> pl.Expr:
    """The value ``n`` rows later within the same document (null at its end)."""
    return prev_in_doc(expr, -n)


def only_where(hit: pl.Expr) -> pl.Expr:
    """``norm`` where ``hit``, else the empty string: a cheap input for costly string matching
    (a null would not do, polars still matches the string a masked slot holds)."""
    return pl.when(hit).then(pl.col("norm")).otherwise(pl.lit(""))


def matches_where(pattern: str, hit: pl.Expr) -> pl.Expr:
    """``hit & norm.str.contains(pattern)``, the pattern run only on the lines ``hit`` admits
    (most text is in long lines, which a rule's word limit rules out)."""
    return hit & only_where(hit).str.contains(pattern)

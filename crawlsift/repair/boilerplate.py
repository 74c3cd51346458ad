"""Boilerplate lines and blocks: legal notices, link lists, widget residue, cookie prompts.

Each rule recognises a *kind* of page furniture by its wording and shape, never by a
site's exact strings:

- ``repair_legal_boilerplate``: disclaimers and copyright lines (a header such as
  "Legal Disclaimer:" with the paragraph after it, or any paragraph dense in legal
  vocabulary, or a short "© 2024 … All rights reserved" line);
- ``repair_link_list``: a "most popular / related / trending / recommended" header
  and the run of headline-like lines (no sentence ending, or bulleted) that follows
  it, up to the next line of prose;
- ``repair_widget``: share / comment / subscribe / login residue, i.e. short lines
  made only of widget words and counts ("CommentsNo comment", "Share this article",
  "0 Comments");
- ``repair_cookie_notice``: cookie consent prompts.
"""

from __future__ import annotations

import polars as pl

from crawlsift.repair.lines import matches_where, only_where

LEGAL = "repair_legal_boilerplate"
LINK_LIST = "repair_link_list"
WIDGET = "repair_widget"
COOKIE = "repair_cookie_notice"

LEGAL_HEADER = (
    r"^(?:legal )?(?:disclaimer|disclosure|notice)s?\s*:?$"
    r"|^(?:terms (?:of (?:use|service)|and conditions)|copyright notice)\s*:?$"
)
#: legal vocabulary; a paragraph hitting several distinct terms is a legal notice
LEGAL_TERMS: tuple[str, ...] = (
    r"\bas is\b",
    r"without (?:any )?warrant",
    r"\bliabilit",
    r"\bresponsibility\b",
    r"\baccuracy\b",
    r"\bcompleteness\b",
    r"\breliability\b",
    r"\bcopyright",
    r"all rights reserved",
    r"\bnot be (?:reproduced|republished|redistributed)",
    r"\bdisclaim",
    r"\bendorse",
    r"\bno representations?\b",
    r"\binfring",
    r"\bterms of (?:use|service)\b",
    r"\bprivacy policy\b",
    r"\bprior written (?:consent|permission)\b",
    r"\bfor informational purposes only\b",
    r"\bdoes not constitute\b",
)
COPYRIGHT_LINE = r"©\s*\w|(?:copyright|\(c\))\s*(?:©\s*)?\d{4}|all rights reserved"

LIST_HEADER = (
    r"^(?:the )?(?:most (?:popular|read|viewed|shared|commented|recent)|popular|trending|related"
    r"|recommended|top|latest|recent|more|other|similar|featured|editor'?s? picks?)"
    r"(?: now| today| this week)?"
    r"(?: (?:stories|articles|posts|news|headlines|reads|content|videos|links|topics|on \w+"
    r"|from \w+(?: \w+)?|in \w+(?: \w+)?|for you))?\s*:?$"
    r"|^(?:you (?:may|might) (?:also )?(?:like|enjoy|be interested in)|read (?:more|next|also)"
    r"|also read|don'?t miss|what to read next|more like this|recommended for you"
    r"|in case you missed it)"
    r"\b.{0,30}$"
)
BULLET = r"^(?:[-–—•·*▪►»›]|\d{1,2}[.)])\s"

#: widget words; a short line made only of these (and numbers) is widget residue
WIDGET_WORDS = (
    r"comments?|no|leave|add|post|write|a|an|your|reply|replies|share|shares|shared|this|article|story"
    r"|post|page|on|via|to|with|us|facebook|twitter|x|linkedin|whatsapp|telegram|reddit|pinterest"
    r"|tumblr|email|e-mail|mail|print|tweet|pin|it|subscribe|subscribed|newsletter|sign|up|in|log|login"
    r"|logout|register|follow|like|likes|save|saved|bookmark|copy|link|view|views|read|min|minutes?"
    r"|be|the|first|to|comment|report|flag|vote|votes|upvote|downvote|permalink|embed|more|options"
    r"|back|top|close|menu|toggle|navigation|search|skip|content|advertisement|sponsored|ad"
)
WIDGET_CORE = (
    r"comment|share|subscribe|newsletter|tweet|print|e-?mail|facebook|twitter|linkedin|whatsapp"
    r"|reply|sign ?(?:up|in)|log ?in|follow|bookmark|permalink|advertisement|sponsored|skip to"
)
COOKIE_LINE = (
    r"\bcookies?\b.*\b(?:use|accept|consent|agree|privacy|experience|browsing|settings|policy)\b"
)


def _set(reason: str, hit: pl.Expr) -> pl.Expr:
    return (
        pl.when(pl.col("reason").is_null() & hit.fill_null(False))
        .then(pl.lit(reason))
        .otherwise(pl.col("reason"))
        .alias("reason")
    )


def _previous_content(expr: pl.Expr) -> pl.Expr:
    """``expr`` evaluated on the nearest earlier non-blank line of the same doc."""
    marked = pl.when(~pl.col("blank")).then(expr)
    return marked.shift(1).forward_fill().over("doc")


def mark_legal(lines: pl.DataFrame, *, min_terms: int = 3, max_words: int = 200) -> pl.DataFrame:
    """Legal disclaimers, terms notices and copyright lines."""
    # the terms are counted only on the few lines that hit one (one scan of all lines, not 19)
    norm = lines["norm"]
    some = norm.str.contains("|".join(f"(?:{t})" for t in LEGAL_TERMS)).arg_true()
    counts = pl.sum_horizontal([pl.col("norm").str.contains(t).cast(pl.Int32) for t in LEGAL_TERMS])
    terms = pl.zeros(len(norm), pl.Int32, eager=True).scatter(
        some, norm.gather(some).to_frame().select(counts).to_series()
    )
    lines = lines.with_columns(
        _lhead=pl.col("norm").str.contains(LEGAL_HEADER) & (pl.col("nwords") <= 5),
        _lterms=terms,
    )
    after_header = _previous_content(pl.col("_lhead")).fill_null(False) & (pl.col("_lterms") >= 1)
    dense = (pl.col("_lterms") >= min_terms) & (pl.col("nwords") <= max_words)
    copyright_line = matches_where(COPYRIGHT_LINE, pl.col("nwords") <= 30)
    hit = pl.col("_lhead") | after_header | dense | copyright_line
    return lines.with_columns(_set(LEGAL, hit)).drop("_lhead", "_lterms")


def mark_widgets(lines: pl.DataFrame, *, max_words: int = 10) -> pl.DataFrame:
    """Share / comment / subscribe residue and cookie prompts."""
    # longest alternatives first, so "advertisement" is not eaten as "a" + rest
    words = sorted(set(WIDGET_WORDS.split("|")), key=len, reverse=True)
    candidate = matches_where(WIDGET_CORE, pl.col("nwords") <= max_words)
    # the residue is computed on candidate lines only, the others blanked first
    residue = (
        only_where(candidate).str.replace_all("|".join(words), "").str.replace_all(r"[\d\W_]+", "")
    )
    widget = candidate & (residue.str.len_chars() == 0)
    cookie = matches_where(COOKIE_LINE, pl.col("nwords") <= 80)
    return lines.with_columns(_set(COOKIE, cookie)).with_columns(_set(WIDGET, widget))


def mark_link_lists(lines: pl.DataFrame, *, max_words: int = 30) -> pl.DataFrame:
    """A list header and the headline-like lines that follow it, up to the next prose."""
    header = matches_where(LIST_HEADER, pl.col("nwords") <= 8)
    headline = (pl.col("nwords") <= max_words) & (
        ~pl.col("norm").str.ends_with(".") | pl.col("norm").str.contains(BULLET)
    )
    removed = pl.col("reason").is_not_null()
    # 1 after a list header, 0 after a line of prose; lines in between inherit
    state = (
        pl.when(header)
        .then(pl.lit(1))
        .when(~pl.col("blank") & ~removed & ~headline)
        .then(pl.lit(0))
        .otherwise(None)
    )
    in_list = state.forward_fill().over("doc") == 1
    hit = header | (in_list & ~pl.col("blank") & headline)
    return lines.with_columns(_set(LINK_LIST, hit))

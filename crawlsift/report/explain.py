"""A record's input text with every edit marked and its reason: text, ANSI colour or HTML.

Plain marks follow ``git diff --word-diff`` so they survive copy and paste:
``[-removed text-]{reason}`` for a removal and ``[-old-]{+new+}{reason}`` for a rewrite.
The terminal form shows removals struck through in red, the HTML form uses <del>/<ins>
with the reason as a label; the report uses the same HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from html import escape
from typing import Any

from crawlsift import schema as S
from crawlsift.report.why import measured, number

Marker = Callable[[str, str | None, str], str]

HTML_STYLE = """
del.edit { background: #ffe3e3; color: #862e2e; text-decoration: line-through; }
ins.edit { background: #d3f9d8; text-decoration: none; }
span.why { font: 11px sans-serif; background: #495057; color: #fff; border-radius: 3px;
  padding: 0 4px; margin: 0 3px; text-decoration: none; display: inline-block; }
pre.record { white-space: pre-wrap; overflow-wrap: anywhere; font: 13px/1.45 ui-monospace,
  monospace; border: 1px solid #dee2e6; padding: 8px; }
"""


def _plain(removed: str, replacement: str | None, reason: str) -> str:
    if replacement is not None:
        return f"[-{removed}-]{{+{replacement}+}}{{{reason}}}"
    return f"[-{removed}-]{{{reason}}}"


def _ansi(removed: str, replacement: str | None, reason: str) -> str:
    out = f"\x1b[9;31m{removed}\x1b[0m"
    if replacement is not None:
        out += f"\x1b[32m{replacement}\x1b[0m"
    return out + f"\x1b[2;33m{{{reason}}}\x1b[0m"


def _html(removed: str, replacement: str | None, reason: str) -> str:
    why = f'<span class="why">{escape(reason)}</span>'
    out = f'<del class="edit" title="{escape(reason)}">{why}{escape(removed)}</del>'
    if replacement is not None:
        out += f'<ins class="edit">{escape(replacement)}</ins>'
    return out


MARKERS: dict[str, Marker] = {"plain": _plain, "ansi": _ansi, "html": _html}


def mark_edits(text: str, edits: Iterable[dict[str, Any]] | None, style: str = "plain") -> str:
    """``text`` with each edit marked in ``style`` (plain, ansi or html)."""
    marker = MARKERS[style]
    keep = escape if style == "html" else str
    out: list[str] = []
    pos = 0
    for edit in sorted(edits or [], key=lambda e: e["start"]):
        start, end = edit["start"], edit["end"]
        out.append(keep(text[pos:start]))
        out.append(marker(text[start:end], edit.get("replacement"), edit["reason"]))
        pos = end
    out.append(keep(text[pos:]))
    return "".join(out)


#: the word-level signals ``explain`` shows when the language stage ran (words segmented per
#: language are counted by them), with their labels
_WORD_SIGNALS = (
    ("gopher_word_count", "words"),
    ("gopher_mean_word_length", "mean length"),
    ("gopher_stop_words", "stop words"),
    ("gopher_alpha_words_ratio", "with a letter"),
)


def word_signals(row: dict[str, Any]) -> str | None:
    """The row's language and word-level signal values, e.g. ``zh (score 0.99); words 412,
    mean length 1.71, ...``; None when the language stage did not run."""
    language = row.get("language")
    if language is None:
        return None
    score = row.get("language_score")
    parts = [
        f"{label} {number(row[col])}" for col, label in _WORD_SIGNALS if row.get(col) is not None
    ]
    head = f"{language} (score {number(score)})" if score is not None else str(language)
    return f"{head}; {', '.join(parts)}" if parts else head


def record_header(
    row: dict[str, Any], limits: Mapping[str, Any] | None = None
) -> list[tuple[str, str]]:
    """(label, value) pairs describing a processed row: id, status, why (a threshold rule's
    measured value against ``limits``, the run's thresholds), title, url (and the URL-list
    entry it matched), date, HTTP status."""
    if row.get(S.KEEP):
        status = "kept"
    else:
        status = f"rejected: {row.get(S.REASON) or 'no reason given'}"
        if row.get(S.STAGE):
            status += f" (stage {row[S.STAGE]})"
    pairs = [("id", str(row.get(S.ID) or "")), ("status", status)]
    why = measured(row, limits or {})
    if why:
        pairs.append(("why", why))
    words = word_signals(row)
    if words:
        pairs.append(("language", words))
    for label, col in (
        ("duplicate of", S.DEDUP_DUPLICATE_OF),
        ("title", S.TITLE),
        ("url", S.URL),
        ("url list entry", S.URL_MATCH),
        ("date", S.DATE),
        ("http_status", S.HTTP_STATUS),
    ):
        if row.get(col) is not None:
            pairs.append((label, str(row[col])))
    return pairs


def render_record(
    row: dict[str, Any], style: str = "plain", limits: Mapping[str, Any] | None = None
) -> str:
    """One processed row as text (plain or ansi) with a header and its edits marked;
    ``limits`` are the filter thresholds the row was judged by."""
    text = row.get(S.INPUT_TEXT) or row.get(S.TEXT) or ""
    pairs = record_header(row, limits)
    if style == "ansi":  # a rejection in red, its measured value in the reasons' yellow
        paint = {"status": "1;31" if not row.get(S.KEEP) else "32", "why": "33"}
        pairs = [(k, f"\x1b[{paint[k]}m{v}\x1b[0m" if k in paint else v) for k, v in pairs]
    header = [f"== {pairs[0][1]}  {pairs[1][1]}"] + [f"   {k}: {v}" for k, v in pairs[2:]]
    body = mark_edits(text, row.get(S.EDITS), style).rstrip("\n")
    return "\n".join(header) + "\n" + body + "\n"


def render_record_html(row: dict[str, Any], limits: Mapping[str, Any] | None = None) -> str:
    """One processed row as an HTML fragment (a definition list and a <pre> holding the
    whole text: it grows with the record, so no removal is hidden in a scroll box)."""
    text = row.get(S.INPUT_TEXT) or row.get(S.TEXT) or ""
    pairs = record_header(row, limits)
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in pairs)
    body = mark_edits(text, row.get(S.EDITS), "html")
    return f'<section class="record"><dl>{items}</dl><pre class="record">{body}</pre></section>'


def html_page(title: str, body: str, style: str = "") -> str:
    """A self-contained HTML page."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{BASE_STYLE}{HTML_STYLE}{style}</style></head>"
        f"<body>{body}</body></html>\n"
    )


BASE_STYLE = """
body { font: 14px/1.5 system-ui, sans-serif; margin: 24px auto; max-width: 1000px; color: #212529; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0 12px; margin: 4px 0; }
dt { color: #868e96; } dd { margin: 0; overflow-wrap: anywhere; }
"""

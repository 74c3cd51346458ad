"""``crawlsift explain``: a record with every removed span marked and its reason.

Marks follow ``git diff --word-diff`` conventions so they survive copy and paste:
``[-removed text-]{reason}`` for a removal and ``[-old-]{+new+}{reason}`` for a rewrite.
"""

from __future__ import annotations

from typing import Any

from crawlsift import schema as S


def render_record(row: dict[str, Any]) -> str:
    """The input text of one processed row with its edits marked, plus a header."""
    text = row.get(S.INPUT_TEXT) or row.get(S.TEXT) or ""
    status = (
        "kept" if row.get(S.KEEP) else f"rejected: {row.get(S.REASON)} (stage {row.get(S.STAGE)})"
    )
    header = [f"== {row.get(S.ID)}  {status}"]
    for label, col in (
        ("title", S.TITLE),
        ("url", S.URL),
        ("date", S.DATE),
        ("http_status", S.HTTP_STATUS),
    ):
        if row.get(col) is not None:
            header.append(f"   {label}: {row[col]}")
    out: list[str] = []
    pos = 0
    for edit in sorted(row.get(S.EDITS) or [], key=lambda e: e["start"]):
        start, end = edit["start"], edit["end"]
        out.append(text[pos:start])
        removed = text[start:end]
        if edit.get("replacement") is not None:
            out.append(f"[-{removed}-]{{+{edit['replacement']}+}}{{{edit['reason']}}}")
        else:
            out.append(f"[-{removed}-]{{{edit['reason']}}}")
        pos = end
    out.append(text[pos:])
    return "\n".join(header) + "\n" + "".join(out).rstrip("\n") + "\n"

"""Unicode damage: mojibake and broken characters, repaired with ftfy.

ftfy is exact but runs per string in Python, so it only sees lines a vectorised
pre-check flags: characters typical of UTF-8 read as Latin-1/cp1252 ("Ã©", "â€™"),
replacement characters, C1 controls, HTML entities. Every changed line becomes an
edit with reason ``repair_unicode`` and the repaired text as its replacement.
"""

from __future__ import annotations

import ftfy
import polars as pl

REASON = "repair_unicode"

SUSPECT = r"[ÃÂâ€™œ\u0080-\u009f\ufffd]|Ã|â€|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);"

# repair damage only: keep curly quotes and full-width forms, which are content
_CONFIG = ftfy.TextFixerConfig(
    normalization="NFC",
    uncurl_quotes=False,
    fix_character_width=False,
    fix_line_breaks=False,  # lines are split by the repair stage itself
    explain=False,
)


def fix_unicode(lines: pl.DataFrame) -> pl.DataFrame:
    """Add ``fixed``: the ftfy-repaired line where it differs, else null."""
    line = lines["line"]
    at = line.str.contains(SUSPECT).fill_null(False).arg_true()
    candidates = line.gather(at).to_list()
    # ftfy is pure and costly (~0.3 ms a line): a line repeated across pages is fixed once
    repaired = {s: ftfy.fix_text(s, config=_CONFIG) for s in dict.fromkeys(candidates)}
    rows = zip(at.to_list(), candidates, strict=True)
    changed = [(i, repaired[s]) for i, s in rows if repaired[s] != s]
    fixed = pl.repeat(None, len(line), dtype=pl.String, eager=True)
    if changed:  # scattered back by row, not joined on (doc, lineno)
        where, values = zip(*changed, strict=True)
        fixed = fixed.scatter(list(where), pl.Series(values, dtype=pl.String))
    return lines.with_columns(fixed=fixed)

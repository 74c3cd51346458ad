"""Unicode damage: mojibake and broken characters, repaired with ftfy.

ftfy is exact but runs per string in Python, so it only sees lines a vectorised
pre-check flags: characters typical of UTF-8 read as Latin-1/cp1252 ("Ã©", "â€™"),
replacement characters, C1 controls, HTML entities. Every changed line becomes an
edit with reason ``repair_unicode`` and the repaired text as its replacement.
"""

from __future__ import annotations

import ftfy
import numpy as np
import polars as pl

SUSPECT = r"[ÃÂâ€™œ\u0080-\u009f\ufffd]|Ã|â€|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);"

# repair damage only: keep curly quotes and full-width forms, which are content
_CONFIG = ftfy.TextFixerConfig(
    normalization="NFC",
    uncurl_quotes=False,
    fix_character_width=False,
    fix_line_breaks=False,  # lines are split by the repair stage itself
    explain=False,
)


def suspect(line: pl.Expr) -> pl.Expr:
    """Whether ``line`` may hold Unicode damage: the lines ``fix_unicode`` repairs."""
    return line.str.contains(SUSPECT).fill_null(False)


def fix_unicode(line: pl.Series, flagged: pl.Series) -> dict[int, str]:
    """The ftfy-repaired ``line``, by row, where ``flagged`` and ftfy changes it."""
    # numpy and Arrow calls, not polars Series methods: each of those runs a query
    at = np.flatnonzero(flagged.to_numpy())
    candidates = line.to_arrow().take(at).to_pylist()
    # ftfy is pure and costly (~0.3 ms a line): a line repeated across pages is fixed once
    repaired = {s: ftfy.fix_text(s, config=_CONFIG) for s in dict.fromkeys(candidates)}
    rows = zip(at.tolist(), candidates, strict=True)
    return {i: repaired[s] for i, s in rows if repaired[s] != s}

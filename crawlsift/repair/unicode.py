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
    suspect = pl.col("line").str.contains(SUSPECT)
    candidates = lines.filter(suspect.fill_null(False))
    if candidates.is_empty():
        return lines.with_columns(fixed=pl.lit(None, dtype=pl.String))
    fixed = [ftfy.fix_text(s, config=_CONFIG) for s in candidates["line"].to_list()]
    changes = candidates.select("doc", "lineno").with_columns(
        fixed=pl.Series(fixed, dtype=pl.String)
    )
    lines = lines.join(changes, on=["doc", "lineno"], how="left", maintain_order="left")
    return lines.with_columns(
        fixed=pl.when(pl.col("fixed") != pl.col("line")).then(pl.col("fixed"))
    )

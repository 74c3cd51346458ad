"""A record of more lines than ``max_lines`` is rejected before its line table exists."""

from __future__ import annotations

import crawlsift
from crawlsift import RepairOptions
from crawlsift import schema as S
from crawlsift.repair.stage import REJECT_TOO_MANY_LINES, STAGE, repair

PROSE = "The council approved the new budget on Tuesday after a long debate about funding."


def test_a_record_over_the_line_cap_is_rejected_unrepaired_the_others_repaired():
    over = "\n".join([PROSE] * 11)  # 11 lines
    at = "\n".join([PROSE] * 10)
    table = S.input_table(text=[over, at, None])
    out = repair(table, opts=RepairOptions(max_lines=10)).to_pylist()
    assert (out[0][S.REASON], out[0][S.STAGE], out[0][S.KEEP]) == (
        REJECT_TOO_MANY_LINES,
        STAGE,
        False,
    )
    assert out[0][S.TEXT] == over  # as read: nothing lost
    assert out[1][S.REASON] is None  # at the cap: repaired and kept
    assert out[2][S.REASON] != REJECT_TOO_MANY_LINES  # no text: not counted


def test_a_dump_of_short_lines_is_rejected_by_default():
    dump = "a\n" * 250_000
    result = crawlsift.clean_text(dump)
    assert (result.reason, result.rejected) == (REJECT_TOO_MANY_LINES, True)
    assert result.text == dump

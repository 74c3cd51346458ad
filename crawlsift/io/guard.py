"""The guard stage: records no later stage should see.

Runs first, vectorised over the batch: a record larger than ``max_record_bytes`` is
rejected as ``too_large`` with its size in ``record_bytes`` (one giant page must not stall
a worker; the readers get the same limit, :func:`read_limit`, and reject what they need
not read whole before it comes this far), and one whose
"text" holds NUL bytes or many control characters, or whose HTML payload starts with
NUL bytes, is rejected as ``binary`` (an image or archive served as text/html).
Rejected rows keep their text, so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from crawlsift import schema as S
from crawlsift.reasons import BINARY, TOO_LARGE
from crawlsift.registry import register

STAGE = "guard"
_CONTROL = r"[\x00-\x08\x0e-\x1f]"


@dataclass(frozen=True, kw_only=True)
class GuardOptions:
    """Limits per record."""

    #: larger text or HTML payloads are rejected as too_large
    max_record_bytes: int = 32 * 1024 * 1024
    #: text with more control characters than this share (per character) is binary
    max_control_share: float = 0.01
    #: bytes at the start of an HTML payload searched for a NUL byte
    sniff_bytes: int = 4096


def read_limit(stages: Sequence[str], options: Mapping[str, Any]) -> int | None:
    """The ``max_record_bytes`` the readers get for a pipeline of ``stages`` with
    ``options``: its guard's limit; None (the readers' own cap) without a guard stage."""
    if STAGE not in stages:
        return None
    return (options.get(STAGE) or GuardOptions()).max_record_bytes


@register(STAGE, GuardOptions, columns=(S.REASON, S.STAGE, S.RECORD_BYTES))
def guard(table: pa.Table, *, opts: GuardOptions | None = None) -> pa.Table:
    """Reject records that are too large or binary before any parsing."""
    opts = opts or GuardOptions()
    text = table.column(S.TEXT)
    html = table.column(S.HTML) if S.HTML in table.column_names else None
    size = pc.binary_length(text.cast(pa.large_binary()))
    if html is not None:
        size = pc.max_element_wise(size, pc.binary_length(html), skip_nulls=True)
    large = pc.fill_null(pc.greater(size, opts.max_record_bytes), False)
    controls = pc.count_substring_regex(text, _CONTROL)
    chars = pc.max_element_wise(pc.utf8_length(text), 1)
    share = pc.divide(pc.cast(controls, pa.float64()), pc.cast(chars, pa.float64()))
    binary = pc.or_(
        pc.fill_null(pc.match_substring(text, "\x00"), False),
        pc.fill_null(pc.greater(share, opts.max_control_share), False),
    )
    if html is not None:
        head = pc.binary_slice(html, 0, opts.sniff_bytes)
        binary = pc.or_(binary, pc.fill_null(pc.match_substring(head, "\x00"), False))
    fresh = pc.is_null(table.column(S.REASON))
    hit = pc.and_(fresh, pc.or_(large, binary))
    known = (
        table.column(S.RECORD_BYTES)
        if S.RECORD_BYTES in table.column_names
        else pa.nulls(table.num_rows, pa.int64())
    )
    if not pc.any(hit).as_py():  # the usual batch: nothing to reject, nothing to compute
        return S.with_columns(table, {S.RECORD_BYTES: known})
    reason = pc.if_else(
        pc.and_(fresh, large),
        pa.scalar(TOO_LARGE),
        pc.if_else(pc.and_(fresh, binary), pa.scalar(BINARY), table.column(S.REASON)),
    )
    stage = pc.if_else(hit, pa.scalar(STAGE), table.column(S.STAGE))
    record_bytes = pc.if_else(pc.and_(fresh, large), pc.cast(size, pa.int64()), known)
    return S.with_columns(table, {S.REASON: reason, S.STAGE: stage, S.RECORD_BYTES: record_bytes})

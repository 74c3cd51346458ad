"""JSON Lines input (``.jsonl``, ``.jsonl.gz``, ``.jsonl.zst``), streamed.

Each non-blank line is one record and always yields one row: a line that is not a
JSON object becomes a ``bad_json`` row, an object without a string ``text`` a
``missing_text`` row, a line longer than :func:`line_limit` a ``too_large`` row with its
length in ``record_bytes``, never held whole (a gzip bomb of one endless line cannot
exhaust memory). A compressed file that ends early yields the rows read so far
plus one ``truncated_file`` row; corrupt compressed data a ``corrupt_file`` row.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from typing import Any, BinaryIO

import pyarrow as pa
import zstandard

from crawlsift import schema as S
from crawlsift.errors import UnreadableFileError
from crawlsift.io._rows import GIVEN_COLUMNS, ReadOptions, RowBuffer, as_status
from crawlsift.io.discover import ReadTask
from crawlsift.io.passthrough import as_text
from crawlsift.reasons import BAD_JSON, CORRUPT_FILE, MISSING_TEXT, TOO_LARGE, TRUNCATED_FILE

CHUNK = 1 << 16
#: JSON bytes per byte of UTF-8 text, at most, where the text is not binary: ``\\uXXXX``
#: for a two-byte character (3x), a surrogate pair for a four-byte one (3x)
JSON_EXPANSION = 3
#: zstd has no output limit per call; small input chunks keep the output bounded.
ZSTD_INPUT_CHUNK = 1 << 13
#: gzip input per call; zlib returns nothing from a call that fails, and the bytes of that
#: call are then inflated again one at a time to keep what comes before the damage
GZIP_INPUT_CHUNK = 1 << 15
_BOM = b"\xef\xbb\xbf"


class _Truncated(Exception):
    """The compressed stream ended before its end marker."""


def _zstd_chunks(fh: BinaryIO) -> Iterator[bytes]:
    """Decompress a (multi-frame) zstd stream, noticing a truncated last frame."""
    dctx = zstandard.ZstdDecompressor()
    dobj = dctx.decompressobj()
    in_frame = False
    while raw := fh.read(ZSTD_INPUT_CHUNK):
        while raw:
            out = dobj.decompress(raw)
            in_frame = True
            if out:
                yield out
            if dobj.eof:
                raw, dobj, in_frame = dobj.unused_data, dctx.decompressobj(), False
            else:
                raw = b""
    if in_frame:
        raise _Truncated("zstd stream ends mid-frame")


def _gzip_chunks(fh: BinaryIO) -> Iterator[bytes]:
    """Inflate a gzip stream of one or more members, yielding all zlib gives before damage.

    zlib by hand, not ``gzip.GzipFile``: GzipFile's read buffer loses what it held when the
    stream fails (8 bytes of garbage after the last member lost the last 35 records of a
    file, a cut at 90% 13 records zlib recovers). Zero bytes after a member are padding, as
    for gzip(1); anything else there must be another member. Output per call is bounded by
    ``CHUNK`` (a gzip bomb is inflated piece by piece).
    """
    dobj = None  # None between members
    while raw := fh.read(GZIP_INPUT_CHUNK):
        data = raw
        while True:
            if dobj is None:
                data = data.lstrip(b"\0")
                if not data:
                    break
                dobj = zlib.decompressobj(31)
            before = dobj.copy()
            try:
                out = dobj.decompress(data, CHUNK)
            except zlib.error:
                yield from _before_damage(before, data)
                raise
            if out:
                yield out
            if dobj.eof:
                data, dobj = dobj.unused_data, None
            elif dobj.unconsumed_tail or len(out) == CHUNK:  # more output from this input
                data = dobj.unconsumed_tail
            else:
                break
    if dobj is not None:
        raise _Truncated("gzip stream ends inside a member")


def _before_damage(dobj: Any, data: bytes) -> Iterator[bytes]:
    """What ``data`` inflates to before the byte where it fails: zlib returns nothing from
    a call that fails, so the bytes are fed one at a time (once per damaged file)."""
    try:
        for i in range(len(data)):
            out = dobj.decompress(data[i : i + 1])
            if out:
                yield out
            if dobj.eof:
                return
    except zlib.error:
        return


def _plain_chunks(fh: BinaryIO) -> Iterator[bytes]:
    while out := fh.read(CHUNK):
        yield out


def line_limit(max_record_bytes: int) -> int:
    """The longest line read: one whose text could still be within ``max_record_bytes``
    (the guard stage then decides on the text itself). A longer line holds a text over the
    limit, a binary one (control characters take up to six bytes each) or other fields
    that alone make the record that large."""
    return JSON_EXPANSION * max_record_bytes + CHUNK


class TooLong(int):
    """Yielded by :func:`_lines` in place of a line over its limit: the line's length."""


def _lines(chunks: Iterator[bytes], limit: int) -> Iterator[bytes | TooLong]:
    """Split a byte stream on ``\\n``; an unterminated last line is yielded too.

    A line longer than ``limit`` is dropped as it streams by and its length (a
    :class:`TooLong`) is yielded in its place.
    """
    tail: list[bytes] = []
    held = 0
    skipping = False
    for chunk in chunks:
        start = 0
        while (nl := chunk.find(b"\n", start)) >= 0:
            piece = chunk[start:nl]
            if skipping:
                skipping = False
                yield TooLong(held + len(piece))
            else:
                if tail:
                    tail.append(piece)
                    piece = b"".join(tail)
                yield piece
            tail, held = [], 0
            start = nl + 1
        if start < len(chunk):
            if not skipping:
                tail.append(chunk[start:])
            held += len(chunk) - start
            if held > limit:
                tail, skipping = [], True
    if skipping:
        yield TooLong(held)
    elif tail:
        yield b"".join(tail)


def parse_record(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a JSON object into (input-column values, pass-through fields)."""
    if not isinstance(obj, dict):
        return {S.REASON: BAD_JSON}, {}
    row: dict[str, Any] = {name: as_text(obj.get(name)) for name in GIVEN_COLUMNS - {S.TEXT}}
    row[S.HTTP_STATUS] = as_status(obj.get(S.HTTP_STATUS))
    text = obj.get(S.TEXT)
    if isinstance(text, str):
        row[S.TEXT] = text
    else:
        row[S.REASON] = MISSING_TEXT
    extra = {k: v for k, v in obj.items() if k not in GIVEN_COLUMNS}
    return row, extra


def _open_chunks(path: str, fh: BinaryIO) -> Iterator[bytes]:
    lower = path.lower()
    if lower.endswith(".gz"):
        return _gzip_chunks(fh)
    if lower.endswith(".zst"):
        return _zstd_chunks(fh)
    return _plain_chunks(fh)


def read_jsonl(task: ReadTask, options: ReadOptions | None = None) -> Iterator[pa.Table]:
    """Stream a JSONL file as tables (batches, see :class:`~crawlsift.io._rows.ReadOptions`)."""
    try:
        fh = open(task.path, "rb")  # noqa: SIM115 - closed in finally, across yields
    except OSError as exc:
        raise UnreadableFileError(task.path, exc.strerror or str(exc)) from exc
    rows = RowBuffer(task, options)
    started = False
    try:
        lines = _lines(_open_chunks(task.path, fh), line_limit(rows.options.max_record_bytes))
        while True:
            try:
                line = next(lines)
            except StopIteration:
                break
            except _Truncated:
                rows.reject(TRUNCATED_FILE)
                break
            except (OSError, EOFError, zlib.error, zstandard.ZstdError) as exc:
                if not started:
                    raise UnreadableFileError(task.path, f"bad compressed data: {exc}") from exc
                rows.reject(CORRUPT_FILE)
                break
            if isinstance(line, TooLong):
                started = True
                rows.reject(TOO_LARGE, record_bytes=int(line))
                yield from rows.batches()
                continue
            if not started and line.startswith(_BOM):
                line = line[len(_BOM) :]
            started = True
            if not line.strip():
                continue
            try:
                row, extra = parse_record(json.loads(line))
            except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError
                row, extra = {S.REASON: BAD_JSON}, {}
            rows.add(row, extra)
            yield from rows.batches()
        yield from rows.finish()
    finally:
        fh.close()

"""WARC and WET input via FastWARC.

``response`` and ``resource`` records become rows: HTML payloads go to ``html`` (HTTP
headers stripped, transfer- and content-encoding undone), ``text/plain`` payloads are
decoded into ``text``, anything else is a ``non_text_payload`` row. WET ``conversion``
records become ``text`` rows. ``warcinfo``, ``request``, ``metadata``, ``revisit`` and
``continuation`` records are not documents and are skipped.

FastWARC does not report a truncated file: it silently yields short records, or none
for a gzip member cut early. So each record's payload length is checked against its
Content-Length, and for gzip files the members from the last record on are inflated
once more at the end. A short record or cut member becomes a ``truncated_file`` row, a
record FastWARC cannot parse a ``bad_warc_record`` row, and reading that file stops.
"""

from __future__ import annotations

import contextlib
import io
import os
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa
from fastwarc.stream_io import BrotliReader, ChunkedReader, GzipReader, ZstdReader
from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

from crawlsift import schema as S
from crawlsift.errors import UnreadableFileError
from crawlsift.io._rows import RowBuffer, decode_text, parse_content_type
from crawlsift.io.discover import ReadTask

DOCUMENT_TYPES = WarcRecordType.response | WarcRecordType.resource | WarcRecordType.conversion
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
#: Exceptions passed on untouched; anything else FastWARC raises (a Rust panic is a
#: BaseException) is a bad record.
_NOT_OURS = (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)


def _raw_deflate(data: bytes) -> bytes:
    try:
        return GzipReader(io.BytesIO(data), zlib=True).read()
    except OSError:
        return zlib.decompressobj(-zlib.MAX_WBITS).decompress(data)


_DECODERS: dict[str, Callable[[bytes], bytes]] = {
    "identity": lambda d: d,
    "gzip": lambda d: GzipReader(io.BytesIO(d)).read(),
    "x-gzip": lambda d: GzipReader(io.BytesIO(d)).read(),
    "deflate": _raw_deflate,
    "br": lambda d: BrotliReader(io.BytesIO(d)).read(),
    "zstd": lambda d: ZstdReader(io.BytesIO(d)).read(),
}


def decode_http_body(
    raw: bytes, transfer_encoding: str | None, content_encoding: str | None
) -> bytes:
    """Undo chunking and content codings; a step that fails leaves the bytes as they were."""
    data = raw
    if transfer_encoding and "chunked" in transfer_encoding.lower():
        with contextlib.suppress(OSError, ValueError):
            data = ChunkedReader(io.BytesIO(data)).read()
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):
        decoder = _DECODERS.get(coding)
        if decoder is None:
            break
        try:
            data = decoder(data)
        except (OSError, ValueError, zlib.error):
            break
    return data


def looks_like_html(data: bytes) -> bool:
    """Whether an untyped payload starts like an HTML document."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _meta(record: WarcRecord) -> dict[str, Any]:
    headers = record.headers
    url = headers.get("WARC-Target-URI")
    if url and url.startswith("<") and url.endswith(">"):  # wget writes <uri>
        url = url[1:-1]
    return {S.ID: record.record_id, S.URL: url, S.DATE: headers.get("WARC-Date")}


def _cut_short(record: WarcRecord, consumed: int) -> bool:
    """Whether a record ended before its Content-Length (or lost its header block)."""
    if consumed < record.content_length:
        return True
    # a header block cut off before Content-Length parses as an empty record
    return record.content_length == 0 and record.headers.get("Content-Length") is None


def _add_record(record: WarcRecord, rows: RowBuffer) -> bool:
    """Append the row of one record (if it is a document); False means stop the file."""
    rtype = record.record_type
    if not rtype & DOCUMENT_TYPES:  # skipped, but checked: it may be where the file ends
        if _cut_short(record, record.consume()):
            rows.reject("truncated_file", **_meta(record))
            return False
        return True
    meta = _meta(record)
    http_headers = None
    if rtype == WarcRecordType.response and record.is_http:
        http_headers = record.http_headers
        meta[S.HTTP_STATUS] = http_headers.status_code
        content_type = http_headers.get("Content-Type")
    else:
        content_type = record.headers.get("Content-Type")
    media, charset = parse_content_type(content_type)
    meta[S.CONTENT_TYPE] = media
    meta[S.CHARSET] = charset
    if media is not None and media not in HTML_TYPES and media not in TEXT_TYPES:
        if _cut_short(record, record.consume()):
            rows.reject("truncated_file", **meta)
            return False
        rows.reject("non_text_payload", **meta)
        return True
    raw = record.reader.read()
    if _cut_short(record, len(raw)):
        rows.reject("truncated_file", **meta)
        return False
    body = raw
    if http_headers is not None:
        body = decode_http_body(
            raw, http_headers.get("Transfer-Encoding"), http_headers.get("Content-Encoding")
        )
    if media in HTML_TYPES or (media is None and looks_like_html(body)):
        rows.add({**meta, S.HTML: body})
    elif media in TEXT_TYPES or (media is None and rtype == WarcRecordType.conversion):
        rows.add({**meta, S.TEXT: decode_text(body, charset)[0]})
    else:
        rows.reject("non_text_payload", **meta)
    return True


def gzip_tail_truncated(path: str, offset: int, limit: int = 64 << 20) -> bool:
    """Whether a gzip file ends inside a member that starts at or after ``offset``.

    FastWARC silently stops at a truncated gzip member that produced no record, so the
    members from the last record on are checked again (skipped if over ``limit`` bytes).
    """
    with contextlib.suppress(OSError), open(path, "rb") as fh:
        if fh.read(2) != b"\x1f\x8b" or os.fstat(fh.fileno()).st_size - offset > limit:
            return False
        fh.seek(offset)
        dobj = zlib.decompressobj(31)
        pending = False
        try:
            while buf := fh.read(1 << 14):
                while buf:
                    dobj.decompress(buf)
                    pending = True
                    if not dobj.eof:
                        break
                    buf, dobj, pending = dobj.unused_data, zlib.decompressobj(31), False
        except zlib.error:
            return False  # trailing garbage, not truncation
        return pending
    return False


def read_warc(task: ReadTask, batch_size: int = 1000) -> Iterator[pa.Table]:
    """Stream the document records of a WARC/WET file as tables of <= ``batch_size`` rows."""
    try:
        records = iter(
            ArchiveIterator(task.path, parse_http=True, auto_decode="none", verify_digests=False)
        )
    except Exception as exc:
        raise UnreadableFileError(task.path, str(exc)) from exc
    rows = RowBuffer(task.path, task.format)
    seen = 0
    last_pos = 0
    while True:
        try:
            record = next(records)
        except StopIteration:
            if gzip_tail_truncated(task.path, last_pos):
                rows.reject("truncated_file")
            break
        except BaseException as exc:  # FastWARC errors, including Rust panics
            if isinstance(exc, _NOT_OURS):
                raise
            if seen == 0:
                raise UnreadableFileError(task.path, f"not a valid WARC file ({exc})") from None
            rows.reject("bad_warc_record")
            break
        seen += 1
        last_pos = record.stream_pos
        try:
            keep_going = _add_record(record, rows)
        except BaseException as exc:  # payload could not be read
            if isinstance(exc, _NOT_OURS):
                raise
            rows.reject("bad_warc_record", **_meta(record))
            keep_going = False
        if len(rows) >= batch_size:
            yield rows.flush()
        if not keep_going:
            break
    if len(rows):
        yield rows.flush()

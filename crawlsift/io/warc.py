"""WARC and WET input via FastWARC.

``response`` records become rows: HTML payloads go to ``html`` (HTTP headers stripped,
transfer- and content-encoding undone), ``text/plain`` payloads are decoded into
``text``, anything else is a ``non_text_payload`` row. WET ``conversion`` records become
``text`` rows. A ``resource`` record is a document when it holds a page: an HTML one
(some archivers store pages so), or one captured from an ``http(s)`` URL, read like a
response. Everything else is not a document: ``warcinfo``, ``request``, ``metadata``,
``revisit`` and ``continuation`` records (a Common Crawl WARC holds a request, a response
and a metadata record per page), and ``resource`` records of other URIs (wget's
``metadata://.../wget.log`` and ``wget_arguments.txt``, a file stored under its path).
They are counted, never silently dropped: their types ride on the file's rows in
:data:`~crawlsift.schema.SKIPPED_RECORDS` (see :class:`RecordRows`), which the run's
statistics sum as ``skipped_by_type``; a file holding records but no document is one
``no_documents`` row.

FastWARC does not report a truncated file: it silently yields short records, or none
for a gzip member cut early. So each record's payload length is checked against its
Content-Length, and for gzip files the members from the last record on are inflated
once more at the end. A short record at the end of the file, or a cut last member, is a
``truncated_file`` row.

A bad record never ends its file when a record follows it. A record whose payload fails to
be read or decoded is a ``bad_warc_record`` row with its URL and date. Where FastWARC
cannot parse the file any further (a broken header, garbage, a damaged gzip member, a
record cut short in the middle of the file), reading resumes at the next place a record
starts (:func:`find_record`: a ``WARC/1.x`` line, or a gzip member holding one), and
the bytes skipped are one ``bad_warc_record`` row. FastWARC cannot resume inside one gzip
stream, so in a file compressed as a whole, reading stops at the damage.

Memory per record is bounded: a payload over the reader's ``max_record_bytes`` (the guard
stage's limit in a run, see :class:`~crawlsift.io._rows.ReadOptions`), as stored or once
its Content-Encoding is undone (a "gzip bomb" inflates a few kB into gigabytes), is never
held whole; it becomes a ``too_large`` row with its URL, date, status and size
(``record_bytes``), and reading goes on with the next record.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import zlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any, BinaryIO

import pyarrow as pa
from fastwarc.stream_io import BrotliReader, ChunkedReader, ZstdReader
from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

from crawlsift import schema as S
from crawlsift.errors import UnreadableFileError
from crawlsift.io._rows import (
    MAX_RECORD_BYTES,
    ReadOptions,
    RowBuffer,
    parse_content_type,
)
from crawlsift.io.charset import decode_text
from crawlsift.io.discover import ReadTask
from crawlsift.reasons import BAD_WARC_RECORD as BAD_RECORD
from crawlsift.reasons import NO_DOCUMENTS, NON_TEXT_PAYLOAD, TOO_LARGE
from crawlsift.reasons import TRUNCATED_FILE as TRUNCATED

#: record types that are always documents; a ``resource`` record is one when it holds a page
DOCUMENT_TYPES = WarcRecordType.response | WarcRecordType.conversion
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
#: URI schemes of captured web pages (a resource record at another URI is not a page)
WEB_SCHEMES = frozenset({"http", "https"})
#: Exceptions passed on untouched; anything else FastWARC raises (a Rust panic is a
#: BaseException) is a bad record.
NOT_OURS = (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)


class PayloadTooLarge(ValueError):
    """A payload, stored or decoded, is larger than the reader holds in memory; ``size`` is
    the bytes decoded when decoding stopped (more than the limit)."""

    def __init__(self, size: int) -> None:
        super().__init__(f"decoded payload of at least {size} bytes")
        self.size = size


def _read_capped(reader: Any, limit: int) -> bytes:
    """Read a FastWARC stream reader to its end, stopping once past ``limit`` bytes."""
    parts, size = [], 0
    while chunk := reader.read(1 << 16):
        parts.append(chunk)
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(size)
    return b"".join(parts)


def _inflate(data: bytes, wbits: int, limit: int) -> bytes:
    """zlib inflate (all members, for gzip) with at most ``limit`` bytes of output."""
    parts, size = [], 0
    while data:
        dobj = zlib.decompressobj(wbits)
        part = dobj.decompress(data, limit + 1 - size)
        size += len(part)
        parts.append(part)
        if size > limit:
            raise PayloadTooLarge(size)
        if not dobj.eof or wbits != 31:
            break
        data = dobj.unused_data
    return b"".join(parts)


def _raw_deflate(data: bytes, limit: int) -> bytes:
    """HTTP "deflate" is zlib-wrapped by the standard, raw deflate by common practice."""
    try:
        return _inflate(data, zlib.MAX_WBITS, limit)
    except zlib.error:
        return _inflate(data, -zlib.MAX_WBITS, limit)


_DECODERS: dict[str, Callable[[bytes, int], bytes]] = {
    "identity": lambda d, n: d,
    "gzip": lambda d, n: _inflate(d, 31, n),
    "x-gzip": lambda d, n: _inflate(d, 31, n),
    "deflate": _raw_deflate,
    "br": lambda d, n: _read_capped(BrotliReader(io.BytesIO(d)), n),
    "zstd": lambda d, n: _read_capped(ZstdReader(io.BytesIO(d)), n),
}


def decode_http_body(
    raw: bytes,
    transfer_encoding: str | None,
    content_encoding: str | None,
    limit: int | None = None,
) -> bytes:
    """Undo chunking and content codings; a step that fails leaves the bytes as they were.

    Raises :class:`PayloadTooLarge` when a decoded body would exceed ``limit`` bytes
    (default :data:`~crawlsift.io._rows.MAX_RECORD_BYTES`).
    """
    if limit is None:
        limit = MAX_RECORD_BYTES
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
            data = decoder(data, limit)
        except PayloadTooLarge:
            raise
        except (OSError, ValueError, zlib.error):
            break
    return data


def looks_like_html(data: bytes) -> bool:
    """Whether an untyped payload starts like an HTML document."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html"))


class RecordRows(RowBuffer):
    """The rows of one archive file in batches, with the records that are not documents
    counted.

    :meth:`skip` notes a record's type; the next row carries the types noted before it
    in :data:`~crawlsift.schema.SKIPPED_RECORDS`. Each row is held back until the next
    one arrives, so that at the end (:meth:`finish`) the file's last row can take the
    records after it too; batches hold the same rows as they would without holding back.
    """

    def __init__(self, task: ReadTask, options: ReadOptions | None = None) -> None:
        super().__init__(task, options)
        self._skipped: list[str] = []
        self._held: tuple[dict[str, Any], Mapping[str, Any] | None] | None = None

    def skip(self, record_type: str) -> None:
        """Count one record that is not a document."""
        self._skipped.append(record_type)

    def add(self, row: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> None:
        held = dict(row)
        if self._skipped:
            held[S.SKIPPED_RECORDS] = self._skipped
            self._skipped = []
        if self._held is not None:
            super().add(*self._held)
        self._held = (held, extra)

    def finish(self) -> list[pa.Table]:
        """End of the file: the held row takes the records after it; the last batches.

        A file that held records but no document gets one ``no_documents`` row.
        """
        if self._held is None and self._skipped:
            self.reject(NO_DOCUMENTS)
        if self._held is not None:
            row, extra = self._held
            if self._skipped:
                row[S.SKIPPED_RECORDS] = [*(row.get(S.SKIPPED_RECORDS) or ()), *self._skipped]
                self._skipped = []
            self._held = None
            super().add(row, extra)
        return super().finish()


def _target_uri(record: WarcRecord) -> str | None:
    url = record.headers.get("WARC-Target-URI")
    if url and url.startswith("<") and url.endswith(">"):  # wget writes <uri>
        url = url[1:-1]
    return url


def _meta(record: WarcRecord) -> dict[str, Any]:
    url = _target_uri(record)
    return {S.ID: record.record_id, S.URL: url, S.DATE: record.headers.get("WARC-Date")}


def is_document(record: WarcRecord) -> bool:
    """Whether a record is a document: a response or conversion, or a resource holding a
    page (HTML, or captured from an http(s) URL)."""
    rtype = record.record_type
    if rtype & DOCUMENT_TYPES:
        return True
    if rtype != WarcRecordType.resource:
        return False
    media, _ = parse_content_type(record.headers.get("Content-Type"))
    if media in HTML_TYPES:
        return True
    scheme, colon, _ = (_target_uri(record) or "").partition(":")
    return bool(colon) and scheme.strip().lower() in WEB_SCHEMES


def _cut_short(record: WarcRecord, consumed: int) -> bool:
    """Whether a record ended before its Content-Length (or lost its header block)."""
    if consumed < record.content_length:
        return True
    # a header block cut off before Content-Length parses as an empty record
    return record.content_length == 0 and record.headers.get("Content-Length") is None


def _add_record(record: WarcRecord, rows: RecordRows) -> None:
    """Append the row of one record, or count it if it is not a document. Raises
    :class:`_CutShort` for a record shorter than its Content-Length."""
    rtype = record.record_type
    if not is_document(record):  # counted, and checked: it may be where the file ends
        if _cut_short(record, record.consume()):
            raise _CutShort(_meta(record))
        rows.skip(str(rtype))
        return
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
    wanted = media is None or media in HTML_TYPES or media in TEXT_TYPES
    # after the HTTP headers, content_length is what remains: the payload as stored
    stored = record.content_length
    if not wanted or stored > rows.options.max_record_bytes:
        if _cut_short(record, record.consume()):
            raise _CutShort(meta)
        if wanted:
            rows.reject(TOO_LARGE, **meta, record_bytes=stored)
        else:
            rows.reject(NON_TEXT_PAYLOAD, **meta)
        return
    raw = record.reader.read()
    if _cut_short(record, len(raw)):
        raise _CutShort(meta)
    encodings: tuple[str | None, str | None] = (None, None)
    if http_headers is not None:
        encodings = (http_headers.get("Transfer-Encoding"), http_headers.get("Content-Encoding"))
    add_payload(rows, meta, raw, encodings, conversion=rtype == WarcRecordType.conversion)


class _CutShort(Exception):
    """A record ended before its Content-Length; ``meta`` is its row's metadata."""

    def __init__(self, meta: dict[str, Any]) -> None:
        super().__init__("record cut short")
        self.meta = meta


def add_payload(
    rows: RowBuffer,
    meta: dict[str, Any],
    raw: bytes,
    encodings: tuple[str | None, str | None],
    *,
    conversion: bool = False,
) -> None:
    """Append the row of one text or HTML payload (``meta`` holds its content type).

    ``encodings`` are the HTTP Transfer-Encoding and Content-Encoding to undo. HTML goes
    to ``html`` undecoded (the extract stage sniffs its charset); text is decoded. A body
    that decodes to more than the reader's ``max_record_bytes`` is a ``too_large`` row.
    """
    media, charset = meta.get(S.CONTENT_TYPE), meta.get(S.CHARSET)
    try:
        body = decode_http_body(raw, *encodings, limit=rows.options.max_record_bytes)
    except PayloadTooLarge as exc:
        rows.reject(TOO_LARGE, **meta, record_bytes=exc.size)
        return
    if not body:  # an empty record is a document with no text, rejected downstream as such
        rows.add({**meta, S.TEXT: ""})
    elif media in HTML_TYPES or (media is None and looks_like_html(body)):
        rows.add({**meta, S.HTML: body})
    elif media in TEXT_TYPES or (media is None and conversion):
        rows.add({**meta, S.TEXT: decode_text(body, charset)[0]})
    else:
        rows.reject(NON_TEXT_PAYLOAD, **meta)


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


def read_warc(task: ReadTask, options: ReadOptions | None = None) -> Iterator[pa.Table]:
    """Stream the document records of a WARC/WET file as tables (batches, see
    :class:`~crawlsift.io._rows.ReadOptions`)."""
    try:
        # opened here, not by FastWARC: it panics on a path that is not valid UTF-8
        fh = open(task.path, "rb")  # noqa: SIM115 - closed in finally, across yields
    except OSError as exc:
        raise UnreadableFileError(task.path, exc.strerror or str(exc)) from exc
    try:
        yield from _read_records(task, fh, options or ReadOptions())
    finally:
        fh.close()


def _records(fh: BinaryIO, offset: int) -> Iterator[WarcRecord]:
    """FastWARC's records of ``fh`` from the byte ``offset`` on."""
    fh.seek(offset)
    return iter(ArchiveIterator(fh, parse_http=True, auto_decode="none", verify_digests=False))


def _read_records(task: ReadTask, fh: BinaryIO, options: ReadOptions) -> Iterator[pa.Table]:
    """The loop of :func:`read_warc`. After a record that cannot be read, reading resumes
    at the next place a record starts (:func:`find_record`); the bytes between two
    readable records are one ``bad_warc_record`` row."""
    gzipped = fh.read(2) == b"\x1f\x8b"
    try:
        records = _records(fh, 0)
    except Exception as exc:
        raise UnreadableFileError(task.path, str(exc)) from exc
    rows = RecordRows(task, options)
    offset = 0  # where ``records`` started reading
    last_pos = 0  # where the last record FastWARC returned starts
    last_length: int | None = None  # its Content-Length, if it was read whole
    seen = 0
    in_bad_stretch = False  # a bad_warc_record row stands for what comes since the last record
    while True:
        try:
            record = next(records)
        except StopIteration:
            if gzip_tail_truncated(task.path, last_pos):
                rows.reject(TRUNCATED)
            break
        except BaseException as exc:  # FastWARC errors, including Rust panics
            if isinstance(exc, NOT_OURS):
                raise
            search_from = max(offset, last_pos) + 1
            if not gzipped and last_length is not None and last_pos >= offset:
                # not inside the last record's payload, which may quote a WARC header
                search_from = max(search_from, _record_end(fh, last_pos, last_length))
            resume = find_record(fh, search_from, gzipped)
            if seen == 0 and resume is None:
                raise UnreadableFileError(task.path, f"not a valid WARC file ({exc})") from None
            if not in_bad_stretch:
                rows.reject(BAD_RECORD)
                in_bad_stretch = True
            yield from rows.batches()
            if resume is None:
                break
            records, offset = _records(fh, resume), resume
            continue
        seen += 1
        last_pos, last_length = record.stream_pos, None
        try:
            _add_record(record, rows)
            in_bad_stretch = False
            last_length = record.content_length
        except _CutShort as cut:  # the end of the file, unless a record follows
            # uncompressed, a record shorter than its Content-Length ends at the file's end
            lost_length = record.headers.get("Content-Length") is None
            resume = find_record(fh, last_pos + 1, gzipped) if gzipped or lost_length else None
            if resume is None:
                rows.reject(TRUNCATED, **cut.meta)
                break
            rows.reject(BAD_RECORD, **cut.meta)
            in_bad_stretch = True
            records, offset = _records(fh, resume), resume
        except BaseException as exc:  # the payload could not be read
            if isinstance(exc, NOT_OURS):
                raise
            rows.reject(BAD_RECORD, **_safe_meta(record))
            in_bad_stretch = True
        yield from rows.batches()
    yield from rows.finish()


def _safe_meta(record: WarcRecord) -> dict[str, Any]:
    """The metadata of a record that failed, as far as it can be read."""
    try:
        return _meta(record)
    except Exception:
        return {}


#: how much of a file :func:`find_record` reads at a time
SCAN_BYTES = 1 << 20
_GZIP_MEMBER = re.compile(b"\x1f\x8b\x08")
_WARC_LINE = re.compile(rb"WARC/[0-9]{1,3}\.[0-9]{1,3}\r?\n")
_OVERLAP = 16  # longer than a match of either pattern


def find_record(fh: BinaryIO, start: int, gzipped: bool) -> int | None:
    """Where the first record at or after byte ``start`` begins, or None if none does.

    In an uncompressed file a record begins with ``WARC/<version>`` and a line end (not
    necessarily at a line start: damage may have eaten the line end before it); in a gzip
    file, at a gzip member whose data starts so (crawlers write one record per member; a
    file that is one gzip stream has no place to resume). Reads the file in
    :data:`SCAN_BYTES` pieces, without moving ``fh``'s position.
    """
    fd = fh.fileno()
    pattern = _GZIP_MEMBER if gzipped else _WARC_LINE
    tail = b""
    pos = start
    while chunk := os.pread(fd, SCAN_BYTES, pos):
        buf = tail + chunk
        base = pos - len(tail)  # the offset of buf[0] in the file
        for match in pattern.finditer(buf):
            at = base + match.start()
            if not gzipped or _member_holds_record(fd, at):
                return at
        pos += len(chunk)
        tail = buf[-_OVERLAP:]
    return None


def _member_holds_record(fd: int, offset: int) -> bool:
    """Whether the gzip member at ``offset`` starts with a WARC record's first line."""
    try:
        head = zlib.decompressobj(31).decompress(os.pread(fd, 1 << 16, offset), 64)
    except zlib.error:
        return False
    return head.startswith(b"WARC/")


def _record_end(fh: BinaryIO, start: int, content_length: int) -> int:
    """Where an uncompressed record starting at ``start`` ends: after its header block
    (ended by a blank line) and ``content_length`` bytes; ``start`` if no header is found."""
    head = os.pread(fh.fileno(), 1 << 16, start)
    blank = head.find(b"\r\n\r\n")
    return start if blank < 0 else start + blank + 4 + content_length

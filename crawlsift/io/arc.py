"""ARC input (the Internet Archive's format before WARC, used by crawls up to 2008).

FastWARC reads only WARC, so ARC files are read with warcio, which turns each ARC
record into a WARC-style one (``arc2warc``). Rows then follow the WARC reader's rules
(:func:`crawlsift.io.warc.add_payload`): HTML to ``html``, text decoded, other payloads
``non_text_payload``, payloads over the memory cap ``too_large``. A record whose ARC
header has no valid length, or that fails to be read, is a ``bad_warc_record`` row and
reading goes on; one cut short by the end of the file is a ``truncated_file`` row (and
reading stops); a file warcio cannot parse from some record on ends with a
``bad_warc_record`` row. A file that does not start with
the ``filedesc://`` header every ARC file has is unreadable as a whole; that header is
counted as a ``warcinfo`` record that is not a document, as the WARC reader counts its own
(:class:`crawlsift.io.warc.RecordRows`).
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from crawlsift import schema as S
from crawlsift.errors import UnreadableFileError
from crawlsift.io import warc
from crawlsift.io._rows import RowBuffer, parse_content_type
from crawlsift.io.discover import ReadTask
from crawlsift.io.warc import (
    BAD_RECORD,
    NOT_OURS,
    TOO_LARGE,
    TRUNCATED,
    RecordRows,
    add_payload,
)


def _meta(record: Any) -> dict[str, Any]:
    """URL and date; no id: ARC records have none (warcio's are random), so the row
    gets the reader's stable ``<name>#<index>`` (:func:`crawlsift.io._rows.derived_id`)."""
    headers = record.rec_headers
    return {
        S.URL: headers.get_header("WARC-Target-URI"),
        S.DATE: headers.get_header("WARC-Date"),
    }


def _valid_length(record: Any) -> bool:
    value = (record.rec_headers.get_header("Content-Length") or "").strip()
    return value.isdigit()


def _add_record(record: Any, rows: RowBuffer) -> bool:
    """Append the row of one response record; False means the file ends here."""
    meta = _meta(record)
    if not _valid_length(record):
        rows.reject(BAD_RECORD, **meta)
        return True
    http = record.http_headers
    encodings: tuple[str | None, str | None] = (None, None)
    if http is not None:
        status = (http.get_statuscode() or "").strip()
        meta[S.HTTP_STATUS] = int(status) if status.isdigit() else None
        media, charset = parse_content_type(http.get_header("Content-Type"))
        encodings = (http.get_header("Transfer-Encoding"), http.get_header("Content-Encoding"))
    else:
        media, charset = None, None
    meta[S.CONTENT_TYPE], meta[S.CHARSET] = media, charset
    cap = warc.MAX_PAYLOAD_BYTES
    raw = record.raw_stream.read(cap + 1)
    if len(raw) > cap:
        rows.reject(TOO_LARGE, **meta)
        return True
    if getattr(record.raw_stream, "limit", 0) > 0:  # the file ended inside this record
        rows.reject(TRUNCATED, **meta)
        return False
    add_payload(rows, meta, raw, encodings)
    return True


def read_arc(task: ReadTask, batch_size: int = 1000) -> Iterator[pa.Table]:
    """Stream the response records of an ARC file (plain or gzip) as tables."""
    from warcio.archiveiterator import ArchiveIterator

    logging.getLogger("warcio").setLevel(logging.ERROR)
    try:
        fh = open(task.path, "rb")  # noqa: SIM115 (closed in the finally below)
    except OSError as exc:
        raise UnreadableFileError(task.path, exc.strerror or str(exc)) from exc
    rows = RecordRows(task, batch_size)
    try:
        records = iter(ArchiveIterator(fh, arc2warc=True))
        seen = 0
        while True:
            try:
                with contextlib.redirect_stderr(io.StringIO()):  # warcio prints; rows say it
                    record = next(records)
            except StopIteration:
                break
            except BaseException as exc:  # warcio's ArchiveLoadFailed and parse errors
                if isinstance(exc, NOT_OURS):
                    raise
                if seen == 0:
                    raise UnreadableFileError(task.path, f"not a valid ARC file ({exc})") from None
                rows.reject(BAD_RECORD)
                break
            if seen == 0 and record.rec_type != "warcinfo":
                raise UnreadableFileError(
                    task.path, "not a valid ARC file (it does not start with a filedesc:// header)"
                )
            seen += 1
            keep_going = True
            if record.rec_type == "response":
                try:
                    keep_going = _add_record(record, rows)
                except BaseException as exc:  # one record that fails is one row
                    if isinstance(exc, NOT_OURS):
                        raise
                    rows.reject(BAD_RECORD, **_meta(record))
            else:
                rows.skip(record.rec_type)
            yield from rows.batches()
            if not keep_going:
                break
    finally:
        fh.close()
    yield from rows.finish()

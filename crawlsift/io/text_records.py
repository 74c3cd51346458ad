"""Plain-text input: one record per ``.txt`` file, the seed form.

The file may start with a header line ``date YYYY-MM-DD [STATUS]`` (leading spaces or
tabs allowed). If it does, ``date`` and ``http_status`` come from it and the text is
everything after that line, byte for byte; otherwise the text is the whole file.

A file larger than the reader's ``max_record_bytes`` is never read whole: its size is
checked first, and it becomes a ``too_large`` row with its size (``record_bytes``) and the
date and status of its header line, read from its first bytes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from crawlsift import schema as S
from crawlsift.errors import UnreadableFileError
from crawlsift.io._rows import ReadOptions, RowBuffer, as_status
from crawlsift.io.charset import decode_text
from crawlsift.io.discover import ReadTask
from crawlsift.reasons import TOO_LARGE

HEADER = re.compile(
    r"[ \t]*date[ \t]+(\d{4}-\d{2}-\d{2})(?:[ \t]+(\d{1,9}))?[ \t]*(?:\r?\n|\Z)", re.ASCII
)
#: bytes read from the start of a file too large to read, for its header line
HEAD_BYTES = 4096


def parse_text_record(content: str) -> tuple[str | None, int | None, str]:
    """Split a seed text into (date, http_status, text)."""
    match = HEADER.match(content)
    if match is None:
        return None, None, content
    return match.group(1), as_status(match.group(2)), content[match.end() :]


def read_text(task: ReadTask, options: ReadOptions | None = None) -> Iterator[pa.Table]:
    """Yield the single record of a text file as a one-row table."""
    options = options or ReadOptions()
    limit = options.max_record_bytes
    rows = RowBuffer(task, options)
    meta: dict[str, Any] = {S.ID: rows.name, S.CONTENT_TYPE: "text/plain"}
    head = b""
    try:
        with open(task.path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            data = fh.read(limit + 1) if size <= limit else None
            if data is None or len(data) > limit:  # (the file may grow while it is read)
                size, data = max(size, len(data or b"")), None
                fh.seek(0)
                head = fh.read(HEAD_BYTES)
    except OSError as exc:
        raise UnreadableFileError(task.path, exc.strerror or str(exc)) from exc
    if data is None:
        date, status = header_of(head)
        rows.reject(TOO_LARGE, **meta, date=date, http_status=status, record_bytes=size)
        yield from rows.finish()
        return
    content, charset = decode_text(data)
    date, status, text = parse_text_record(content)
    rows.add(
        {
            **meta,
            S.DATE: date,
            S.HTTP_STATUS: status,
            S.CHARSET: charset,
            S.TEXT: text,
        }
    )
    yield from rows.finish()


def header_of(head: bytes) -> tuple[str | None, int | None]:
    """(date, http_status) of the header line at the start of ``head``, the first bytes of
    a file, if a whole header line is there."""
    match = HEADER.match(head.decode("latin-1"))  # the header is ASCII
    if match is None or not match.group(0).endswith("\n"):
        return None, None
    return match.group(1), as_status(match.group(2))

"""Plain-text input: one record per ``.txt`` file, the seed form.

The file may start with a header line ``date YYYY-MM-DD [STATUS]`` (leading spaces or
tabs allowed). If it does, ``date`` and ``http_status`` come from it and the text is
everything after that line, byte for byte; otherwise the text is the whole file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyarrow as pa

from crawlsift import schema as S
from crawlsift.errors import UnreadableFileError
from crawlsift.io._rows import RowBuffer, as_status
from crawlsift.io.charset import decode_text
from crawlsift.io.discover import ReadTask

HEADER = re.compile(
    r"[ \t]*date[ \t]+(\d{4}-\d{2}-\d{2})(?:[ \t]+(\d{1,9}))?[ \t]*(?:\r?\n|\Z)", re.ASCII
)


def parse_text_record(content: str) -> tuple[str | None, int | None, str]:
    """Split a seed text into (date, http_status, text)."""
    match = HEADER.match(content)
    if match is None:
        return None, None, content
    return match.group(1), as_status(match.group(2)), content[match.end() :]


def read_text(task: ReadTask, batch_size: int = 1000) -> Iterator[pa.Table]:
    """Yield the single record of a text file as a one-row table."""
    try:
        with open(task.path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise UnreadableFileError(task.path, exc.strerror or str(exc)) from exc
    content, charset = decode_text(data)
    date, status, text = parse_text_record(content)
    rows = RowBuffer(task)
    rows.add(
        {
            S.ID: rows.name,
            S.DATE: date,
            S.HTTP_STATUS: status,
            S.CONTENT_TYPE: "text/plain",
            S.CHARSET: charset,
            S.TEXT: text,
        }
    )
    yield rows.flush()

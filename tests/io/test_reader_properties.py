"""Properties of the WARC, ARC and text readers on generated, damaged files.

For any sequence of records, cut at any byte or followed by garbage: reading never
raises (except UnreadableFileError for a file broken from its first record), yields
one row per document record it reached, in order, and every row either has a payload
or a reason; the records that are not documents are counted on the rows, whatever the
batch size. The pipeline then keeps or rejects every row it is given.
"""

from __future__ import annotations

import gzip
import tempfile
import zlib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import crawlsift
from crawlsift import schema as S
from crawlsift.errors import UnreadableFileError
from crawlsift.io import discover, read_task
from tests.io.test_warc import record, request, response

PAYLOAD = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda t: f"<html><body><p>{t}</p></body></html>".encode()),
    st.just(b"\x89PNG\r\n\x1a\n\x00\x00"),
    st.just(b""),
)
MEDIA = st.sampled_from(["text/html", "text/plain; charset=utf-8", "image/png", ""])
CODING = st.sampled_from(["", "gzip", "deflate", "br"])


@st.composite
def warc_record(draw: st.DrawFn, n: int) -> tuple[bytes, bool]:
    """One WARC record and whether the reader should turn it into a row."""
    kind = draw(st.sampled_from(["response", "request", "resource", "metadata"]))
    body = draw(PAYLOAD)
    if kind == "request":
        return request(n), False
    if kind == "metadata":
        return record("metadata", n, b"fetchTimeMs: 1\r\n", "application/warc-fields"), False
    media = draw(MEDIA)
    if kind == "resource":
        return record("resource", n, body, media or "application/octet-stream"), True
    coding = draw(CODING)
    extra = {}
    if coding == "gzip":
        body, extra = gzip.compress(body), {"Content_Encoding": "gzip"}
    elif coding == "deflate":
        body, extra = zlib.compress(body), {"Content_Encoding": "deflate"}
    elif coding == "br":  # declared but not applied: the reader must keep the bytes
        extra = {"Content_Encoding": "br"}
    return response(n, body, media or "text/html", **extra), True


@st.composite
def warc_file(draw: st.DrawFn) -> tuple[list[bytes], list[bool]]:
    count = draw(st.integers(min_value=0, max_value=6))
    drawn = [draw(warc_record(n)) for n in range(count)]
    return [r for r, _ in drawn], [d for _, d in drawn]


def _rows(path: Path, batch_size: int) -> list[dict] | None:
    [task] = discover([str(path)])
    try:
        tables = list(read_task(task, batch_size=batch_size))
    except UnreadableFileError:
        return None
    assert all(t.num_rows <= batch_size and t.schema == S.input_schema() for t in tables)
    rows = [r for t in tables for r in t.to_pylist()]
    assert [r[S.SOURCE_INDEX] for r in rows] == list(range(len(rows)))
    for r in rows:
        has_payload = r[S.TEXT] is not None or r[S.HTML] is not None
        assert has_payload != (r[S.REASON] is not None), r
    if tables:  # whatever was read, the pipeline keeps or rejects every row
        out = [crawlsift.make_pipeline()(t) for t in tables]
        assert sum(t.num_rows for t in out) == len(rows)
        for t in out:
            assert t.column(S.KEEP).null_count == 0
            assert all(
                k or r
                for k, r in zip(
                    t.column(S.KEEP).to_pylist(), t.column(S.REASON).to_pylist(), strict=True
                )
            )
    return rows


@settings(max_examples=60, deadline=None, database=None)
@given(warc_file(), st.booleans(), st.integers(min_value=1, max_value=4))
def test_intact_warc_gives_one_row_per_document(
    warc: tuple[list[bytes], list[bool]], gz: bool, batch_size: int
) -> None:
    records, documents = warc
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("p.warc.gz" if gz else "p.warc")
        data = b"".join(gzip.compress(r) if gz else r for r in records)
        path.write_bytes(data)
        rows = _rows(path, batch_size)
        assert rows is not None
        if records and not any(documents):  # records, none a document: one row says so
            assert [r[S.REASON] for r in rows] == ["no_documents"]
        else:
            assert len(rows) == sum(documents)
        assert all(r[S.REASON] != "truncated_file" for r in rows)
        skipped = [t for r in rows for t in r[S.SKIPPED_RECORDS] or ()]
        assert len(skipped) == len(documents) - sum(documents)


@settings(max_examples=80, deadline=None, database=None)
@given(warc_file(), st.booleans(), st.data())
def test_damaged_warc_never_raises_and_never_invents_rows(
    warc: tuple[list[bytes], list[bool]], gz: bool, data: st.DataObject
) -> None:
    records, documents = warc
    raw = b"".join(gzip.compress(r) if gz else r for r in records)
    damage = data.draw(st.sampled_from(["cut", "garbage"]))
    if damage == "cut" and raw:
        raw = raw[: data.draw(st.integers(min_value=0, max_value=len(raw) - 1))]
    else:
        raw += data.draw(st.binary(min_size=1, max_size=64))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("d.warc.gz" if gz else "d.warc")
        path.write_bytes(raw)
        rows = _rows(path, batch_size=3)
        if rows is not None:  # at most one extra row: the reason reading stopped
            assert len(rows) <= sum(documents) + 1


def _arc(records: list[tuple[str, bytes]]) -> bytes:
    info = b"1 0 Test\nURL IP-address Archive-date Content-type Archive-length\n"
    out = [b"filedesc://gen.arc 127.0.0.1 20140216050221 text/plain %d\n" % len(info)]
    out.append(info + b"\n")
    for n, (media, body) in enumerate(records):
        http = b"HTTP/1.1 200 OK\r\nContent-Type: " + media.encode() + b"\r\n\r\n" + body
        arc_type = media.split(";")[0]  # the ARC header line is space-separated
        line = f"http://example.org/{n} 127.0.0.1 20140216050221 {arc_type} {len(http)}\n"
        out.append(line.encode() + http + b"\n")
    return b"".join(out)


@settings(max_examples=40, deadline=None, database=None)
@given(st.lists(st.tuples(MEDIA.filter(bool), PAYLOAD), max_size=5), st.data())
def test_arc_records_are_rows_even_when_cut(
    records: list[tuple[str, bytes]], data: st.DataObject
) -> None:
    raw = _arc(records)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "g.arc"
        path.write_bytes(raw)
        rows = _rows(path, batch_size=2)
        assert rows is not None
        if not records:  # the filedesc header alone: no document
            assert [r[S.REASON] for r in rows] == ["no_documents"]
        else:
            assert [r[S.URL] for r in rows] == [
                f"http://example.org/{n}" for n in range(len(records))
            ]
        assert [t for r in rows for t in r[S.SKIPPED_RECORDS] or ()] == ["warcinfo"]
        path.write_bytes(raw[: data.draw(st.integers(min_value=0, max_value=len(raw)))])
        cut = _rows(path, batch_size=2)
        assert cut is None or len(cut) <= max(len(records), 1)
        if cut and cut[-1][S.REASON] != "truncated_file":  # a cut at a record boundary
            assert all(r[S.REASON] != "truncated_file" for r in cut)


@settings(max_examples=60, deadline=None, database=None)
@given(st.binary(max_size=400))
def test_text_record_of_any_bytes_is_one_row(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.txt"
        path.write_bytes(data)
        rows = _rows(path, batch_size=1)
        assert rows is not None and len(rows) == 1

"""WARC and WET input: real Common Crawl / warcio samples plus generated records."""

from __future__ import annotations

import gzip
import random
import shutil
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from crawlsift import schema
from crawlsift.errors import UnreadableFileError
from crawlsift.io import discover, read_task

WHIRLWIND_RESPONSE_ID = "<urn:uuid:2aabeff2-67f5-4608-8466-e87c6296e2b6>"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def read_all(path: Path, batch_size: int = 1000) -> tuple[list[pa.Table], list[dict]]:
    [task] = discover([str(path)])
    tables = list(read_task(task, batch_size=batch_size))
    for table in tables:
        assert table.schema == schema.input_schema()
    return tables, [row for t in tables for row in t.to_pylist()]


def skipped(rows: list[dict]) -> dict[str, int]:
    """The records that were not documents, by type, as the rows carry them."""
    return dict(Counter(t for r in rows for t in r["skipped_records"] or ()))


def record(rtype: str, n: int, block: bytes, content_type: str, uri: str = "") -> bytes:
    """One WARC/1.0 record."""
    uri = uri or f"https://example.org/{n}"
    head = (
        f"WARC/1.0\r\nWARC-Type: {rtype}\r\n"
        f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{n:012d}>\r\n"
        f"WARC-Date: 2025-06-02T10:00:{n % 60:02d}Z\r\nWARC-Target-URI: {uri}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(block)}\r\n\r\n"
    )
    return head.encode() + block + b"\r\n\r\n"


def response(n: int, body: bytes, content_type: str, status: str = "200 OK", **extra: str) -> bytes:
    headers = "".join(f"{k.replace('_', '-')}: {v}\r\n" for k, v in extra.items())
    http = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{headers}\r\n".encode()
    return record("response", n, http + body, "application/http; msgtype=response")


def request(n: int) -> bytes:
    http = b"GET / HTTP/1.1\r\nHost: example.org\r\n\r\n"
    return record("request", n, http, "application/http; msgtype=request")


def write_warc(path: Path, records: list[bytes], per_record_gzip: bool = True) -> Path:
    if path.name.endswith(".gz") and per_record_gzip:
        path.write_bytes(b"".join(gzip.compress(r) for r in records))
    else:
        path.write_bytes(b"".join(records))
    return path


def test_whirlwind_response(fixtures: Path) -> None:
    path = fixtures / "warc" / "whirlwind.warc.gz"
    _, rows = read_all(path)
    [row] = rows  # warcinfo, request and metadata records are not documents
    assert row["id"] == WHIRLWIND_RESPONSE_ID
    assert row["url"] == "https://an.wikipedia.org/wiki/Escopete"
    assert row["date"] == "2024-05-18T01:58:10Z"
    assert row["http_status"] == 200
    assert row["content_type"] == "text/html" and row["charset"] == "utf-8"
    assert row["html"].startswith(b"<!DOCTYPE html>") and b"Escopete" in row["html"]
    assert not row["html"].startswith(b"HTTP/")  # HTTP headers are stripped
    assert row["text"] is None and row["reason"] is None
    assert row["source_format"] == "warc" and row["source_index"] == 0


def test_whirlwind_wet_conversion(fixtures: Path) -> None:
    _, rows = read_all(fixtures / "warc" / "whirlwind.warc.wet.gz")
    [row] = rows
    assert row["source_format"] == "wet"
    assert row["url"] == "https://an.wikipedia.org/wiki/Escopete"
    assert row["date"] == "2024-05-18T01:58:10Z"
    assert row["id"] == "<urn:uuid:ba729a40-ff84-4085-8d48-0a5b2ee0c42d>"
    assert row["content_type"] == "text/plain" and row["http_status"] is None
    assert row["text"].startswith("Escopete - Biquipedia, a enciclopedia libre\n")
    assert row["html"] is None and row["reason"] is None


def test_gzip_content_encoding_is_decoded(fixtures: Path) -> None:
    _, rows = read_all(fixtures / "warc" / "example.warc.gz")
    [row] = rows  # the revisit record has no payload and is skipped
    assert row["url"] == "http://example.com/"
    assert row["html"].startswith(b"<!doctype html>") and len(row["html"]) == 1270


def test_chunked_transfer_encoding_is_decoded(fixtures: Path) -> None:
    _, [row] = read_all(fixtures / "warc" / "example-iana.org-chunked.warc")
    assert row["html"].startswith(b"<!doctype html>")
    assert row["html"].rstrip().endswith(b"</html>")
    assert b"\r\n0\r\n" not in row["html"]


def test_wrong_chunk_header_keeps_body(fixtures: Path) -> None:
    _, [row] = read_all(fixtures / "warc" / "example-wrong-chunks.warc.gz")
    assert row["html"].startswith(b"<!doctype html>") and row["reason"] is None


def test_warcio_truncated_record(fixtures: Path) -> None:
    _, rows = read_all(fixtures / "warc" / "example-trunc.warc")
    assert [r["reason"] for r in rows] == [None, "bad_warc_record"]
    assert rows[0]["html"].startswith(b"<!doctype html>")
    assert rows[1]["stage"] == "read" and rows[1]["text"] is None


@pytest.mark.parametrize("cut", [1500, 9000, 18500])
def test_truncated_file(fixtures: Path, tmp_path: Path, cut: int) -> None:
    data = (fixtures / "warc" / "whirlwind.warc.gz").read_bytes()
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[:cut])
    _, rows = read_all(path)
    assert rows[-1]["reason"] == "truncated_file" and rows[-1]["stage"] == "read"
    if cut > 18374:  # the response member is complete, the metadata member is cut
        assert rows[0]["id"] == WHIRLWIND_RESPONSE_ID and rows[0]["html"]
        assert len(rows) == 2
    else:
        assert len(rows) == 1


def test_non_text_payload_and_text_plain(tmp_path: Path) -> None:
    records = [
        request(1),
        response(2, PNG, "image/png"),
        response(3, "Grüße".encode("latin-1"), "text/plain; charset=ISO-8859-1"),
        response(4, b"%PDF-1.4", "application/pdf", status="404 Not Found"),
        record("resource", 5, b"<html><p>resource</p></html>", "text/html; charset=utf-8"),
        record("metadata", 6, b"fetchTimeMs: 1\r\n", "application/warc-fields"),
    ]
    path = write_warc(tmp_path / "gen.warc.gz", records)
    _, rows = read_all(path)
    assert [r["url"] for r in rows] == [f"https://example.org/{n}" for n in (2, 3, 4, 5)]
    png, plain, pdf, resource = rows
    assert png["reason"] == "non_text_payload" and png["stage"] == "read"
    assert png["content_type"] == "image/png" and png["html"] is None and png["text"] is None
    assert png["http_status"] == 200
    assert plain["text"] == "Grüße" and plain["charset"] == "iso-8859-1"
    assert plain["reason"] is None
    assert pdf["reason"] == "non_text_payload" and pdf["http_status"] == 404
    assert resource["html"] == b"<html><p>resource</p></html>"
    assert resource["http_status"] is None and resource["content_type"] == "text/html"
    assert [r["source_index"] for r in rows] == [0, 1, 2, 3]


def test_untyped_html_is_sniffed(tmp_path: Path) -> None:
    http = b"HTTP/1.1 200 OK\r\n\r\n  <!DOCTYPE html><title>t</title>"
    rec = record("response", 1, http, "application/http; msgtype=response")
    _, [row] = read_all(write_warc(tmp_path / "sniff.warc", [rec]))
    assert row["html"].endswith(b"<title>t</title>") and row["content_type"] is None


def test_batch_size_is_respected(tmp_path: Path) -> None:
    records = [response(n, b"<html>%d</html>" % n, "text/html") for n in range(5)]
    path = write_warc(tmp_path / "five.warc", records)
    tables, rows = read_all(path, batch_size=2)
    assert [t.num_rows for t in tables] == [2, 2, 1]
    assert [r["html"] for r in rows] == [b"<html>%d</html>" % n for n in range(5)]
    assert [r["source_index"] for r in rows] == list(range(5))


def test_garbage_after_records_is_a_bad_record(tmp_path: Path) -> None:
    good = response(1, b"<html>ok</html>", "text/html")
    path = tmp_path / "tail.warc"
    path.write_bytes(good + b"this is not a WARC record\r\n\r\n")
    _, rows = read_all(path)
    assert [r["reason"] for r in rows] == [None, "bad_warc_record"]


def test_not_a_warc_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.warc"
    path.write_text("just some text\n")
    with pytest.raises(UnreadableFileError, match=r"notes\.warc"):
        read_all(path)


def test_empty_warc_has_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "empty.warc.gz"
    path.write_bytes(b"")
    assert read_all(path)[1] == []


def test_wet_file_named_like_commoncrawl(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "CC-MAIN-x.warc.wet.gz"
    shutil.copy(fixtures / "warc" / "whirlwind.warc.wet.gz", path)
    [task] = discover([str(path)])
    assert task.format == "wet"
    assert read_all(path)[1][0]["text"].startswith("Escopete")


def test_bad_target_uris_keep_their_records(fixtures: Path) -> None:
    _, [row] = read_all(fixtures / "warc" / "example-wget-bad-target-uri.warc.gz")
    assert row["url"] == "http://example.com/"  # wget's <uri> form, unwrapped
    assert row["html"].startswith(b"<!doctype html>")
    # wget's own records (MANIFEST, wget_arguments.txt, wget.log) are counted, not documents
    assert skipped([row]) == {"warcinfo": 1, "request": 1, "metadata": 1, "resource": 2}
    _, [png] = read_all(fixtures / "warc" / "example-space-in-target-uri.warc.gz")
    # its one record is a PNG stored under its file:// path: a resource that is not a page
    assert png["reason"] == "no_documents" and png["stage"] == "read"
    assert png["skipped_records"] == ["warcinfo", "resource"]


def test_chunked_header_without_chunked_body(fixtures: Path) -> None:
    _, [row] = read_all(fixtures / "warc" / "example-bad-non-chunked.warc.gz")
    assert row["reason"] is None and b"Example Domain" in row["html"]


def test_gzip_bomb_is_rejected_without_inflating_it(tmp_path: Path) -> None:
    from crawlsift.io import warc

    bomb = gzip.compress(b"\0" * (warc.MAX_PAYLOAD_BYTES + 1), compresslevel=9)
    assert len(bomb) < warc.MAX_PAYLOAD_BYTES // 500
    records = [
        response(1, bomb, "text/html", Content_Encoding="gzip"),
        response(2, gzip.compress(b"<html>fine</html>"), "text/html", Content_Encoding="gzip"),
    ]
    _, rows = read_all(write_warc(tmp_path / "bomb.warc", records))
    assert [r["reason"] for r in rows] == ["too_large", None]
    assert rows[0]["url"] == "https://example.org/1" and rows[0]["html"] is None
    assert rows[1]["html"] == b"<html>fine</html>"


@pytest.mark.parametrize("coding", ["br", "zstd", "deflate"])
def test_other_content_codings_are_capped(coding: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import zlib

    import zstandard

    brotli = pytest.importorskip("brotli")

    from crawlsift.io import warc

    body = b"<html>" + b"a" * 5000 + b"</html>"
    packed = {
        "br": brotli.compress,
        "zstd": zstandard.ZstdCompressor().compress,
        "deflate": zlib.compress,
    }[coding](body)
    assert warc.decode_http_body(packed, None, coding) == body
    with pytest.raises(warc.PayloadTooLarge):
        warc.decode_http_body(packed, None, coding, limit=1000)


def test_record_over_the_memory_cap_is_skipped_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crawlsift.io import warc

    monkeypatch.setattr(warc, "MAX_PAYLOAD_BYTES", 1000)
    records = [
        response(1, b"<html>" + b"x" * 2000 + b"</html>", "text/html"),
        response(2, b"<html>small</html>", "text/html"),
    ]
    _, rows = read_all(write_warc(tmp_path / "big.warc.gz", records))
    assert [r["reason"] for r in rows] == ["too_large", None]
    assert rows[0]["http_status"] == 200 and rows[0]["html"] is None


def test_empty_record_is_a_document_without_text(tmp_path: Path) -> None:
    _, [row] = read_all(write_warc(tmp_path / "empty.warc", [response(1, b"", "text/html")]))
    assert row["text"] == "" and row["reason"] is None


@pytest.mark.parametrize("name", ["example.arc", "example.arc.gz"])
def test_arc_files(fixtures: Path, name: str) -> None:
    [task] = discover([str(fixtures / "warc" / name)])
    assert task.format == "arc"
    _, [row] = read_all(fixtures / "warc" / name)
    assert row["url"].startswith("http://example.com/")
    assert row["date"] == "2014-02-16T05:02:21Z" and row["http_status"] == 200
    assert row["content_type"] == "text/html" and b"Example Domain" in row["html"]
    assert row["id"] == f"{name}#0" and row["source_format"] == "arc"


def test_arc_record_shorter_than_its_length(fixtures: Path) -> None:
    # its header line declares 1,591 bytes; the file holds 1,579 after it
    _, [row] = read_all(fixtures / "warc" / "example-space-in-url.arc")
    assert row["reason"] == "truncated_file"
    assert row["url"] == (
        "http://example.com/index.cfm?FuseAction=Email"
        "&EmailTitle=Examples%20From%20The%20Live%20Web&IsPopUp=False"
    )


def test_arc_ids_are_stable(fixtures: Path) -> None:
    first = read_all(fixtures / "warc" / "example.arc")[1]
    assert read_all(fixtures / "warc" / "example.arc")[1] == first


def test_bad_arc_records_are_rejected_and_reading_goes_on(fixtures: Path) -> None:
    _, rows = read_all(fixtures / "warc" / "bad.arc")
    assert [r["reason"] for r in rows] == ["bad_warc_record", None, "bad_warc_record"]
    assert rows[1]["text"] == ""  # a 1-byte record: a document with no text
    assert all(r["url"] == "http://example.com/" for r in rows)


@pytest.mark.parametrize(
    "data", [b"\x00\x01 certainly not an archive\n", b"just some text\n", b"\x1f\x8b\x08junk"]
)
def test_not_an_arc_file(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "notes.arc"
    path.write_bytes(data)
    with pytest.raises(UnreadableFileError, match=r"notes\.arc"):
        read_all(path)


def test_cut_arc_file_ends_with_a_truncated_row(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "cut.arc"
    path.write_bytes((fixtures / "warc" / "example.arc").read_bytes()[:900])
    _, [row] = read_all(path)
    assert row["reason"] == "truncated_file" and row["url"] == "http://example.com/"


def test_whole_file_gzip_warc_reads_every_record(fixtures: Path) -> None:
    # warcio rejects a WARC gzipped as one member ("example-bad"); FastWARC streams it
    _, rows = read_all(fixtures / "warc" / "example-whole-file-gzip.warc.gz")
    assert [(r["url"], r["http_status"], r["reason"]) for r in rows] == [
        ("http://example.com?example=1", 200, None),
        ("http://www.iana.org/domains/example", 302, None),
    ]


def wget_warc(path: Path, pages: int = 1) -> Path:
    """What `wget --warc-file` writes: warcinfo, request/response pairs, then its own records
    (a metadata record of its manifest, resource records of its arguments and log)."""
    records = [record("warcinfo", 0, b"software: Wget/1.21\r\n", "application/warc-fields")]
    for n in range(1, pages + 1):
        page = b"<html><body><p>Page %d of the site, with a paragraph.</p></body></html>" % n
        records += [request(2 * n), response(2 * n + 1, page, "text/html")]
    base = "<metadata://gnu.org/software/wget/warc/{}>"
    records += [
        record("metadata", 90, b"<urn:uuid:1>\n", "text/plain", base.format("MANIFEST.txt")),
        record(
            "resource",
            91,
            b'"wget" "--warc-file=x"\n',
            "text/plain",
            base.format("wget_arguments.txt"),
        ),
        record(
            "resource",
            92,
            b"Resolving example.org... 1.2.3.4\n",
            "text/plain",
            base.format("wget.log"),
        ),
    ]
    return write_warc(path, records)


def test_wget_records_are_counted_not_documents(tmp_path: Path) -> None:
    _, rows = read_all(wget_warc(tmp_path / "site.warc.gz", pages=2))
    assert [r["url"] for r in rows] == ["https://example.org/3", "https://example.org/5"]
    assert all(r["html"].startswith(b"<html>") and r["reason"] is None for r in rows)
    assert skipped(rows) == {"warcinfo": 1, "request": 2, "metadata": 1, "resource": 2}
    # a row carries the records before it; the last one also those after it
    assert rows[0]["skipped_records"] == ["warcinfo", "request"]
    assert rows[1]["skipped_records"] == ["request", "metadata", "resource", "resource"]


@pytest.mark.parametrize("batch_size", [1, 2, 3, 1000])
def test_common_crawl_layout_counts_every_record_at_any_batch_size(
    tmp_path: Path, batch_size: int
) -> None:
    records = [record("warcinfo", 0, b"isPartOf: CC-MAIN\r\n", "application/warc-fields")]
    for n in range(1, 6):  # request, response, metadata per page
        records += [
            request(n),
            response(n, b"<html><p>page %d</p></html>" % n, "text/html"),
            record("metadata", n, b"fetchTimeMs: 120\r\n", "application/warc-fields"),
        ]
    tables, rows = read_all(write_warc(tmp_path / "cc.warc.gz", records), batch_size=batch_size)
    assert len(rows) == 5 and all(t.num_rows <= batch_size for t in tables)
    assert skipped(rows) == {"warcinfo": 1, "request": 5, "metadata": 5}


def test_a_resource_record_is_a_document_when_it_holds_a_page(tmp_path: Path) -> None:
    records = [
        record("resource", 1, b"<html><p>archived page</p></html>", "text/html", "urn:x:page"),
        record("resource", 2, b"plain words", "text/plain; charset=utf-8", "https://a.org/t"),
        record("resource", 3, PNG, "image/png", "http://a.org/logo.png"),
        record("resource", 4, PNG, "image/png", "file:///home/me/logo.png"),
        record("resource", 5, b"a crawler's notes", "text/plain", "metadata://crawler/notes"),
        record("resource", 6, b"notes", "text/plain", "notes.txt"),
    ]
    _, rows = read_all(write_warc(tmp_path / "res.warc", records))
    assert [r["id"][-2] for r in rows] == ["1", "2", "3"]
    assert rows[0]["html"] == b"<html><p>archived page</p></html>"
    assert rows[1]["text"] == "plain words"
    assert rows[2]["reason"] == "non_text_payload"  # captured from a web URL, as a response
    assert skipped(rows) == {"resource": 3}


def test_a_file_of_records_but_no_documents_is_one_row_that_says_so(tmp_path: Path) -> None:
    records = [
        record("warcinfo", 0, b"software: x\r\n", "application/warc-fields"),
        request(1),
        record("resource", 2, b"log", "text/plain", "metadata://x/log"),
    ]
    _, [row] = read_all(write_warc(tmp_path / "none.warc.gz", records))
    assert row["reason"] == "no_documents" and row["stage"] == "read"
    assert row["text"] is None and row["html"] is None
    assert row["skipped_records"] == ["warcinfo", "request", "resource"]


def test_a_run_counts_the_records_that_are_not_documents(tmp_path: Path) -> None:
    import json

    import crawlsift
    from crawlsift.report.summary import format_summary

    path = wget_warc(tmp_path / "site.warc.gz", pages=3)
    out = tmp_path / "out"
    summary = crawlsift.clean([str(path)], str(out), workers=1, batch_size=2)
    stats = json.loads((out / "stats.json").read_text())
    assert stats["records_in"] == 3 == stats["kept"] + stats["rejected"]
    expected = {"metadata": 1, "request": 3, "resource": 2, "warcinfo": 1}
    assert stats["skipped_by_type"] == expected
    assert (
        "skipped    7 archive records that are not documents "
        "(metadata 1, request 3, resource 2, warcinfo 1)"
    ) in format_summary(summary)
    kept = pq_columns(out / "kept")
    assert "skipped_records" not in kept and "html" not in kept  # counted, never written


def pq_columns(directory: Path) -> list[str]:
    import pyarrow.parquet as pq

    return [n for p in sorted(directory.glob("*.parquet")) for n in pq.read_schema(p).names]


def test_text_plain_with_a_charset_python_cannot_use_is_decoded_and_reading_goes_on(
    tmp_path: Path,
) -> None:
    """``charset=undefined`` raised UnicodeError: the record became bad_warc_record and
    the rest of the file was lost (10 records in, 6 rows out)."""
    labels = {3: "undefined", 6: "punycode", 8: "utf8mb4"}
    records = [
        response(n, f"Grüße, record {n}.".encode(), f"text/plain; charset={labels.get(n, 'utf-8')}")
        for n in range(10)
    ]
    _, rows = read_all(write_warc(tmp_path / "labels.warc.gz", records))
    assert [r["text"] for r in rows] == [f"Grüße, record {n}." for n in range(10)]
    assert [r["charset"] for r in rows][3] == "undefined"  # the label as declared


def test_a_record_that_fails_is_one_row_and_reading_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crawlsift.io import warc

    def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
        if b"poison" in data:
            raise ValueError("cannot decode")
        return data.decode(), "utf-8"

    monkeypatch.setattr(warc, "decode_text", decode)
    bodies = [b"first", b"poison", b"third", b"fourth"]
    records = [response(n, body, "text/plain") for n, body in enumerate(bodies)]
    _, rows = read_all(write_warc(tmp_path / "one-bad.warc.gz", records))
    assert [(r["text"], r["reason"]) for r in rows] == [
        ("first", None),
        (None, "bad_warc_record"),
        ("third", None),
        ("fourth", None),
    ]
    assert rows[1]["url"] == "https://example.org/1"


def _damaged(kind: str, records: list[bytes]) -> tuple[str, bytes]:
    """A file of ``records`` whose third record is damaged in the way ``kind`` says."""
    members = [gzip.compress(r) for r in records]
    bad = bytearray(members[2])
    if kind == "garbage between records":
        return ".warc", b"".join(records[:2]) + b"not a record\r\n\r\n" + b"".join(records[2:])
    if kind == "garbage instead of a record":
        return ".warc", b"".join(records[:2]) + b"x" * 500 + b"".join(records[3:])
    if kind == "gzip member damaged at its start":
        bad[12:40] = b"\xff" * 28
    elif kind == "gzip member damaged inside its payload":
        middle = len(bad) // 2
        bad[middle : middle + 64] = bytes(range(64))
    elif kind == "gzip member cut short":
        bad = bad[: len(bad) // 2]
    elif kind == "gzip member of garbage":
        bad = bytearray(gzip.compress(b"garbage, no WARC record\r\n\r\n"))
    return ".warc.gz", b"".join(members[:2]) + bytes(bad) + b"".join(members[3:])


DAMAGE = [
    "garbage between records",
    "garbage instead of a record",
    "gzip member damaged at its start",
    "gzip member damaged inside its payload",
    "gzip member cut short",
    "gzip member of garbage",
]


@pytest.mark.parametrize("kind", DAMAGE)
def test_reading_resumes_at_the_next_record_after_damage(tmp_path: Path, kind: str) -> None:
    rng = random.Random(7)
    words = ["harbour", "ferry", "terminal", "spring", "sailing", "summer", "bridge"]
    bodies = [" ".join(rng.choices(words, k=8000)).encode() for _ in range(6)]
    records = [
        response(n, b"<html><p>%s</p></html>" % b, "text/html") for n, b in enumerate(bodies)
    ]
    ending, data = _damaged(kind, records)
    path = tmp_path / f"damaged{ending}"
    path.write_bytes(data)
    _, rows = read_all(path, batch_size=2)
    read = [int(r["url"].rsplit("/", 1)[1]) for r in rows if r["reason"] is None]
    intact = [0, 1, 3, 4, 5] if kind != "garbage between records" else [0, 1, 2, 3, 4, 5]
    assert read == intact
    assert [r["reason"] for r in rows if r["reason"]] == ["bad_warc_record"]
    assert all(r["html"] for r in rows if r["reason"] is None)


def test_a_damaged_first_record_does_not_make_the_file_unreadable(tmp_path: Path) -> None:
    records = [response(n, b"<html>%d</html>" % n, "text/html") for n in range(3)]
    path = tmp_path / "bad-start.warc"
    path.write_bytes(b"WARC/1.0\r\nthis header is broken\r\n\r\n" + b"".join(records[1:]))
    _, rows = read_all(path)
    assert [(r["url"] or "")[-1:] or r["reason"] for r in rows] == ["bad_warc_record", "1", "2"]


def arc_file(path: Path, bodies: list[tuple[bytes, str]]) -> Path:
    """An ARC v1 file of HTTP responses ``(body, content type)``."""
    version = b"1 0 crawlsift\nURL IP-address Archive-date Content-type Archive-length\n"
    out = [
        b"filedesc://%s 0.0.0.0 20140216050221 text/plain %d\n" % (path.name.encode(), len(version))
    ]
    out.append(version + b"\n")
    for n, (body, content_type) in enumerate(bodies):
        http = b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\n\r\n%s" % (content_type.encode(), body)
        head = b"http://example.com/%d 1.2.3.4 20140216050221 text/plain %d\n" % (n, len(http))
        out.append(head + http + b"\n")
    path.write_bytes(b"".join(out))
    return path


def test_arc_text_with_a_charset_python_cannot_use_is_decoded(tmp_path: Path) -> None:
    """``undefined`` raised UnicodeError out of the reader (the run died); ``punycode``
    turned "second" into "ઽ઼રષ"."""
    bodies = [
        (b"first", "text/plain"),
        (b"second", "text/plain; charset=punycode"),
        (b"third", "text/plain; charset=undefined"),
        (b"fourth", "text/plain"),
    ]
    _, rows = read_all(arc_file(tmp_path / "labels.arc", bodies))
    assert [(r["text"], r["reason"]) for r in rows] == [
        ("first", None),
        ("second", None),
        ("third", None),
        ("fourth", None),
    ]

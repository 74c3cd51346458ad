"""Build the bundled demo sample in crawlsift/data/demo from ../shared/data (run once).

- pages.warc.gz: a few WCXB dev pages (CC-BY-4.0) as HTTP response records, plus one
  image payload, to show extraction and the rejection of non-text payloads;
- visible-text.jsonl: the all-visible text of other WCXB pages, the kind of text a
  naive crawler stores, to show text-only repair;
- the seed record and Common Crawl's whirlwind WARC/WET files as they are.
"""

from __future__ import annotations

import gzip
import json
import shutil
import uuid
from pathlib import Path

from fastwarc.warc import WarcRecord, WarcRecordType
from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import bytes_to_str, detect_encoding

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
WCXB = SHARED / "data" / "extraction" / "wcxb-dev"
OUT = ROOT / "crawlsift" / "data" / "demo"
WARC_PAGES = ["0004", "0012", "0031", "0057"]
TEXT_PAGES = ["0002", "0023", "0044", "0068", "0090"]
# a 1x1 transparent PNG
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082"
)


def _truth(page: str) -> dict:
    return json.loads((WCXB / "ground-truth" / f"{page}.json").read_text())


def _response(url: str, body: bytes, content_type: str, date: str) -> WarcRecord:
    http = (
        f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    rec = WarcRecord()
    rec.init_headers(
        WarcRecordType.response, f"uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}".encode()
    )
    rec.headers["WARC-Target-URI"] = url
    rec.headers["WARC-Date"] = date
    rec.headers["Content-Type"] = "application/http; msgtype=response"
    rec.set_bytes_content(http)
    return rec


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with gzip.open(OUT / "pages.warc.gz", "wb") as f:
        for page in WARC_PAGES:
            body = gzip.decompress((WCXB / "html" / f"{page}.html.gz").read_bytes())
            _response(
                _truth(page)["url"], body, "text/html; charset=utf-8", "2025-06-01T12:00:00Z"
            ).write(f)
        _response("https://example.org/logo.png", PNG, "image/png", "2025-06-01T12:00:01Z").write(f)
    with open(OUT / "visible-text.jsonl", "w", encoding="utf-8") as f:
        for page in TEXT_PAGES:
            raw = gzip.decompress((WCXB / "html" / f"{page}.html.gz").read_bytes())
            text = extract_plain_text(bytes_to_str(raw, detect_encoding(raw)), main_content=False)
            row = {
                "id": f"wcxb-{page}",
                "url": _truth(page)["url"],
                "text": text,
                "collection": "wcxb-dev",
            }
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
        f.write(
            json.dumps(
                {
                    "id": "error-only",
                    "url": "https://example.com/gone",
                    "http_status": 404,
                    "text": "Oops!\nSorry, the page you requested could not be found.",
                }
            )
            + "\n"
        )
    shutil.copy(ROOT / "tests" / "fixtures" / "000_54a851cabf0a182d.txt", OUT)
    shutil.copy(SHARED / "data" / "warc" / "whirlwind.warc.gz", OUT)
    shutil.copy(SHARED / "data" / "warc" / "whirlwind.warc.wet.gz", OUT)
    (OUT / "SOURCES.md").write_text(
        "# Demo sample sources\n\n"
        "- `pages.warc.gz`, `visible-text.jsonl`: pages of the WCXB v1.0 dev split "
        "(web-content-extraction-benchmark, CC-BY-4.0), wrapped as WARC responses / "
        "all-visible text by `scripts/make_demo_sample.py`; one generated PNG record and one "
        "generated error-page record.\n"
        "- `whirlwind.warc.gz`, `whirlwind.warc.wet.gz`: real Common Crawl records "
        "(CC-MAIN-2024-22) from commoncrawl/whirlwind-python (Apache-2.0).\n"
        "- `000_54a851cabf0a182d.txt`: the record crawlsift was created from.\n"
    )


if __name__ == "__main__":
    main()

"""Floor: a bare FastWARC + resiliparse loop, the least a WARC -> text run can cost.

Run by crawlsift's Python (FastWARC and resiliparse are crawlsift dependencies)::

    python resiliparse_floor.py INPUT_DIR OUTPUT_DIR

Every HTTP response record of the ``*.warc.gz`` files in INPUT_DIR: its body decoded with
resiliparse's encoding detection, ``extract_plain_text(main_content=True)``, each text written
as one JSON line into OUTPUT_DIR/kept/texts.jsonl. No filters, no report, one process.
"""

import json
import sys
from pathlib import Path

from fastwarc.warc import ArchiveIterator, WarcRecordType
from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import bytes_to_str, detect_encoding


def main(source: str, output: str) -> None:
    out = Path(output) / "kept"
    out.mkdir(parents=True)
    with (out / "texts.jsonl").open("w", encoding="utf-8") as sink:
        for path in sorted(Path(source).glob("*.warc.gz")):
            with path.open("rb") as stream:
                for record in ArchiveIterator(stream, record_types=WarcRecordType.response):
                    body = record.reader.read()
                    text = extract_plain_text(
                        bytes_to_str(body, detect_encoding(body)), main_content=True
                    )
                    sink.write(json.dumps({"id": record.record_id, "text": text}) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

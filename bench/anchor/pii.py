"""Anchor: datatrove's PIIFormatter over a JSONL file of texts, as FineWeb's recipe runs it.

Run by the anchor environment's Python (``bench/anchor.py``)::

    python pii.py INPUT.jsonl OUTPUT.json RUNS

For each text (``id``, ``text``) the spans ``PIIFormatter()`` (its defaults: e-mails, then
public IPv4) replaces: its own e-mail and IP replacers' regexes and validator, the IP
matches that fall inside a replaced e-mail left out (``format`` has replaced those first);
each span's text is checked to be gone from ``format``'s output. Then ``format`` over all
texts ``RUNS`` times, CPU seconds of each run. Writes ``{"spans": {id: [[start, end,
kind]]}, "cpu": [...]}``.
"""

import json
import sys
import time

from datatrove.pipeline.formatters import PIIFormatter


def spans(formatter, text):
    found = []
    for m in formatter.emails_replacer.regex.finditer(text):
        found.append([m.start(), m.end(), "email"])
    validator = formatter.ip_replacer.validator
    for m in formatter.ip_replacer.regex.finditer(text):
        inside = any(a <= m.start() < b for a, b, _ in found)
        if not inside and (validator is None or validator(m.group(0))):
            found.append([m.start(), m.end(), "ip"])
    return sorted(found)


def main(source, output, runs):
    with open(source, encoding="utf-8") as f:
        docs = [json.loads(line) for line in f]
    formatter = PIIFormatter()
    out = {}
    for doc in docs:
        found = spans(formatter, doc["text"])
        formatted = formatter.format(doc["text"])
        for s, e, _ in found:
            if doc["text"][s:e] in formatted and doc["text"][s:e] not in (
                "email@example.com",
                "firstname.lastname@example.org",
            ):
                # a span left in format's output would mean this reading of it is wrong
                print(f"warning: {doc['id']}: a span format() kept", file=sys.stderr)
        out[doc["id"]] = found
    cpu = []
    for _ in range(runs):
        start = time.process_time()
        for doc in docs:
            formatter.format(doc["text"])
        cpu.append(time.process_time() - start)
    with open(output, "w", encoding="utf-8") as f:
        json.dump({"spans": out, "cpu": cpu}, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))

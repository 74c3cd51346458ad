"""Anchor: datatrove's URLFilter (FineWeb's, all defaults) on a list of URLs.

Run by the anchor environment's Python (``bench/anchor.py``)::

    python url_filter.py URLS_JSONL OUT_JSONL

Reads one ``{"url": ...}`` a line; writes ``{"keep": bool, "reason": str | null}`` a line in
the same order, and prints one JSON line: ``load_s`` (building the filter, its lists and
tldextract's suffix list, which the first URL loads; CPU seconds), ``filter_s`` (CPU
seconds of ``filter`` over every URL) and ``rss_mib`` (peak resident memory).
"""

import json
import sys
import time

from datatrove.data import Document
from datatrove.pipeline.filters import URLFilter


def main(source: str, output: str) -> None:
    with open(source) as f:
        urls = [json.loads(line)["url"] for line in f]
    start = time.process_time()
    url_filter = URLFilter()
    url_filter.download_data()  # its lists, read on the first document otherwise
    url_filter.filter(Document(text="", id="warm", metadata={"url": urls[0]}))  # tldextract's
    load = time.process_time() - start
    start = time.process_time()
    verdicts = []
    for i, url in enumerate(urls):
        found = url_filter.filter(Document(text="", id=str(i), metadata={"url": url}))
        keep, reason = (found, None) if isinstance(found, bool) else found
        verdicts.append({"keep": keep, "reason": reason})
    spent = time.process_time() - start
    with open(output, "w") as f:
        f.writelines(json.dumps(v) + "\n" for v in verdicts)
    # VmHWM, not ru_maxrss: the latter keeps the forking parent's peak across exec
    with open("/proc/self/status") as f:
        peak = int(next(x for x in f if x.startswith("VmHWM:")).split()[1]) / 1024
    print(json.dumps({"load_s": load, "filter_s": spent, "rss_mib": peak}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

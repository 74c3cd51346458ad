"""Anchor: datatrove's ``FastTextClassifierFilter`` scoring documents with a fastText model.

Run by the anchor environment's Python (``bench/anchor.py``)::

    python fasttext_classifier.py DOCS.jsonl MODEL LABEL RUNS OUT.json

Each document (``id``, ``text``) is scored by the filter as a datatrove user configures it for
a DCLM-style model (document mode, newlines replaced by a space, the label's score saved in the
metadata, a threshold of 0 so every document passes). The model is loaded before timing; the
CPU seconds of each of RUNS passes over the documents and the scores of the last pass go to
OUT.json.
"""

import json
import sys
import time

from datatrove.data import Document
from datatrove.pipeline.filters import FastTextClassifierFilter


def main(docs_path: str, model: str, label: str, runs: int, out_path: str) -> None:
    with open(docs_path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    name = label.removeprefix("__label__")
    block = FastTextClassifierFilter(model, keep_labels=(name, 0.0), newline_replacement=" ")
    assert block.model is not None  # loads (copies) the model before timing
    seconds = []
    scores: dict[str, float] = {}
    for _ in range(runs):
        docs = [Document(text=r["text"], id=r["id"]) for r in rows]
        start = time.process_time()
        for doc in docs:
            block.filter(doc)
        seconds.append(time.process_time() - start)
        scores = {d.id: float(d.metadata.get(f"__label__{name}", 0.0)) for d in docs}
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"seconds": seconds, "scores": scores}, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])

"""Anchor: datatrove's four quality filters over a JSONL file, as a datatrove user runs them.

Run by the anchor environment's Python (``bench/anchor.py``)::

    python filters.py INPUT_DIR OUTPUT_DIR

``JsonlReader`` (``id``, ``text``) -> GopherQualityFilter -> GopherRepetitionFilter ->
C4QualityFilter -> FineWebQualityFilter (all with their defaults) -> ``JsonlWriter`` of the
kept documents into OUTPUT_DIR/kept, one task and one worker (``LocalPipelineExecutor``).
"""

import sys

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.filters import (
    C4QualityFilter,
    FineWebQualityFilter,
    GopherQualityFilter,
    GopherRepetitionFilter,
)
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter


def main(source: str, output: str) -> None:
    pipeline = [
        JsonlReader(source),
        GopherQualityFilter(),
        GopherRepetitionFilter(),
        C4QualityFilter(),
        FineWebQualityFilter(),
        JsonlWriter(f"{output}/kept"),
    ]
    LocalPipelineExecutor(pipeline, tasks=1, workers=1, logging_dir=f"{output}/logs").run()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

"""Anchor: WARC -> Trafilatura -> datatrove's four quality filters, as a datatrove user runs it.

Run by the anchor environment's Python (``bench/anchor.py``)::

    python warc_pipeline.py INPUT_DIR OUTPUT_DIR

``WarcReader`` (the response records of the ``*.warc.gz`` files in INPUT_DIR) ->
``Trafilatura`` (its defaults: ``favour_precision=True``, 1 s timeout a page) ->
GopherQualityFilter -> GopherRepetitionFilter -> C4QualityFilter -> FineWebQualityFilter ->
``JsonlWriter`` into OUTPUT_DIR/kept; one task and one worker (``LocalPipelineExecutor``).
"""

import sys

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.extractors import Trafilatura
from datatrove.pipeline.filters import (
    C4QualityFilter,
    FineWebQualityFilter,
    GopherQualityFilter,
    GopherRepetitionFilter,
)
from datatrove.pipeline.readers import WarcReader
from datatrove.pipeline.writers import JsonlWriter


def main(source: str, output: str) -> None:
    pipeline = [
        WarcReader(source, glob_pattern="*.warc.gz"),
        Trafilatura(),
        GopherQualityFilter(),
        GopherRepetitionFilter(),
        C4QualityFilter(),
        FineWebQualityFilter(),
        JsonlWriter(f"{output}/kept"),
    ]
    LocalPipelineExecutor(pipeline, tasks=1, workers=1, logging_dir=f"{output}/logs").run()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

"""Anchor: datatrove's MinHash dedup, its four stages, as a datatrove user runs them.

Run by the anchor environment's Python (``bench/anchor.py``)::

    python minhash.py INPUT_DIR OUTPUT_DIR [SEED]

``JsonlReader`` (``id``, ``text``) -> MinhashDedupSignature; MinhashDedupBuckets (one task per
band, as datatrove requires); MinhashDedupCluster; ``JsonlReader`` -> MinhashDedupFilter ->
``JsonlWriter`` of the kept documents into OUTPUT_DIR/kept (the removed ones into
OUTPUT_DIR/removed). 5-gram shingles, 14 bands of 8 hashes (datatrove's defaults), one worker.
"""

import sys

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup.minhash import (
    MinhashConfig,
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
    MinhashDedupSignature,
)
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter


def main(source: str, output: str, seed: int) -> None:
    config = MinhashConfig(n_grams=5, num_buckets=14, hashes_per_bucket=8, seed=seed)
    stages = [
        ([JsonlReader(source), MinhashDedupSignature(f"{output}/sigs", config=config)], 1),
        ([MinhashDedupBuckets(f"{output}/sigs", f"{output}/buckets", config=config)], 14),
        ([MinhashDedupCluster(f"{output}/buckets", f"{output}/clusters", config=config)], 1),
        (
            [
                JsonlReader(source),
                MinhashDedupFilter(
                    f"{output}/clusters", exclusion_writer=JsonlWriter(f"{output}/removed")
                ),
                JsonlWriter(f"{output}/kept"),
            ],
            1,
        ),
    ]
    for n, (pipeline, tasks) in enumerate(stages):
        LocalPipelineExecutor(
            pipeline, tasks=tasks, workers=1, logging_dir=f"{output}/logs-{n}"
        ).run()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 1)

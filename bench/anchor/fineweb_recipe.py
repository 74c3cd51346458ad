"""Anchor: FineWeb's processing chain with datatrove's own classes, as ``examples/fineweb.py``.

Run by the anchor environment's Python (``bench/anchor.py``)::

    python fineweb_recipe.py INPUT_DIR OUTPUT_DIR LID_MODEL [--filters-only]

``WarcReader`` (the ``*.warc.gz`` files in INPUT_DIR) -> ``URLFilter`` -> ``Trafilatura(
favour_precision=True)`` -> ``LanguageFilter`` (English, 0.65) -> ``GopherRepetitionFilter`` ->
``GopherQualityFilter`` -> ``C4QualityFilter(filter_no_terminal_punct=False)`` ->
``FineWebQualityFilter`` -> ``PIIFormatter`` -> ``JsonlWriter`` into OUTPUT_DIR/output; each
filter writes what it removes to OUTPUT_DIR/removed/<step> (as FineWeb did), so every
document's fate can be read back. One task, one worker (``LocalPipelineExecutor``).

``--filters-only`` reads ``*.jsonl.gz`` documents (``id``, ``text``) from INPUT_DIR instead and
runs the chain from the language filter on: datatrove's filters on another extractor's text.

Two settings differ from the original, both because this machine is offline: the URL filter's
tldextract uses its bundled public-suffix list (``suffix_list_urls=()``) instead of fetching
it, and the language model is LID_MODEL, the ``lid.176.ftz`` file crawlsift's language stage
loads (the compressed form of the ``lid.176.bin`` datatrove downloads), so both sides identify
languages with the same model.
"""

import sys

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.extractors import Trafilatura
from datatrove.pipeline.filters import (
    C4QualityFilter,
    FineWebQualityFilter,
    GopherQualityFilter,
    GopherRepetitionFilter,
    LanguageFilter,
    URLFilter,
)
from datatrove.pipeline.formatters import PIIFormatter
from datatrove.pipeline.readers import JsonlReader, WarcReader
from datatrove.pipeline.writers import JsonlWriter

#: the steps that remove documents, in the chain's order (the bench reads these folders)
STEPS = ("url", "language", "gopher_rep", "gopher_qual", "c4", "fineweb_qual")


def offline_url_filter(removed: JsonlWriter) -> URLFilter:
    from tldextract import TLDExtract

    url_filter = URLFilter(exclusion_writer=removed)
    url_filter.tldextractor = TLDExtract(suffix_list_urls=())
    return url_filter


def use_model_file(model_path: str) -> None:
    """Make datatrove's fastText language identifier load ``model_path`` (the file crawlsift
    loads) where it would download ``lid.176.bin``."""
    from datatrove.utils import lid

    lid.cached_asset_path_or_download = lambda *args, **kwargs: model_path


def main(source: str, output: str, model_path: str, filters_only: bool = False) -> None:
    use_model_file(model_path)

    def removed(step: str) -> JsonlWriter:
        return JsonlWriter(f"{output}/removed/{step}")

    if filters_only:
        head = [JsonlReader(source, glob_pattern="*.jsonl.gz")]
    else:
        head = [
            WarcReader(source, glob_pattern="*.warc.gz"),
            offline_url_filter(removed("url")),
            Trafilatura(favour_precision=True),
        ]
    pipeline = [
        *head,
        LanguageFilter(languages=["en"], exclusion_writer=removed("language")),
        GopherRepetitionFilter(exclusion_writer=removed("gopher_rep")),
        GopherQualityFilter(exclusion_writer=removed("gopher_qual")),
        C4QualityFilter(filter_no_terminal_punct=False, exclusion_writer=removed("c4")),
        FineWebQualityFilter(exclusion_writer=removed("fineweb_qual")),
        PIIFormatter(),
        JsonlWriter(f"{output}/output"),
    ]
    LocalPipelineExecutor(pipeline, tasks=1, workers=1, logging_dir=f"{output}/logs").run()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], "--filters-only" in sys.argv[4:])

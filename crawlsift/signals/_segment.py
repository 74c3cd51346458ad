"""Word segmentation for languages written without spaces between words.

The signal stages find words with one regular expression (``_text.WORD_PATTERN``), which is
right for scripts that separate words with spaces; on Chinese, Japanese or Thai text it makes
a whole clause one "word". For rows whose ``language`` (the ``language`` stage's ISO 639 code)
is one of :data:`SEGMENTERS`, the stages with ``segment=True`` split each line with that
language's segmenter instead. Each segmenter is an optional extra, imported the first time a
row of its language is met; a missing one is one :class:`MissingExtraError` naming the extra.

Chosen by measured speed on the shared pages' lines (CPU time, one core, median of 3; the
chosen ones are re-measured by ``bench/multilingual.py``) among well-kept PyPI packages, with
their licences:

* Chinese (``zh``, and ``wuu``/``yue``, which lid.176 also reports): ``rjieba`` (MIT), the
  Python binding of jieba-rs, a Rust port of jieba with jieba's dictionary: 15-18 MB/s
  where ``jieba`` itself (MIT, pure Python) does about 1 MB/s, with near-identical tokens.
* Japanese (``ja``): ``fugashi`` (MIT; MeCab, BSD) with ``unidic-lite`` (BSD): about
  3.5 MB/s, where SudachiPy + sudachidict-core (Apache-2.0) does about 1.8 MB/s.
* Thai (``th``): ``nlpo3`` (Apache-2.0; PyThaiNLP's newmm algorithm in Rust) with the word
  list of ``pythainlp`` (Apache-2.0): the same tokens as ``pythainlp``'s ``newmm`` engine,
  about 19 MB/s against 2.4 MB/s (on a Thai paragraph repeated: the shared pages hold none).

Korean is written with spaces between words (eojeol) and keeps the regular expression: its
morpheme segmenter ``kiwipiepy`` is LGPL, which this package does not take on.

Segmenter output is cut to the pieces holding a non-space character, stripped, so that
spaces inside a line (Latin words in Chinese text) are never tokens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from crawlsift.errors import MissingExtraError

Segment = Callable[[str], list[str]]


@dataclass(frozen=True)
class Segmenter:
    """A language's segmenter: the packages it needs and the pip extra installing them."""

    packages: str
    extra: str
    load: Callable[[], Segment]


def _chinese() -> Segment:
    import rjieba

    return lambda line: rjieba.cut(line)


def _japanese() -> Segment:
    import fugashi
    import unidic_lite  # noqa: F401  (the dictionary fugashi finds; fail here when absent)

    tagger = fugashi.Tagger()
    return lambda line: [word.surface for word in tagger(line)]


def _thai() -> Segment:
    from importlib import resources

    import nlpo3

    words = resources.files("pythainlp") / "corpus" / "words_th.txt"
    nlpo3.load_dict(str(words), "crawlsift-th")
    return lambda line: nlpo3.segment(line, "crawlsift-th")


_ZH = Segmenter("rjieba", "zh", _chinese)
#: segmenters by language code (lid.176's codes)
SEGMENTERS: dict[str, Segmenter] = {
    "zh": _ZH,
    "wuu": _ZH,
    "yue": _ZH,
    "ja": Segmenter("fugashi, unidic-lite", "ja", _japanese),
    "th": Segmenter("nlpo3, pythainlp", "th", _thai),
}


@cache
def segmenter(language: str) -> Segment:
    """The word segmenter of ``language`` (a key of :data:`SEGMENTERS`), loaded once."""
    spec = SEGMENTERS[language]
    try:
        split = spec.load()
    except ModuleNotFoundError:
        raise MissingExtraError(spec.packages, spec.extra) from None

    def words(line: str) -> list[str]:
        return [piece.strip() for piece in split(line) if piece and not piece.isspace()]

    return words

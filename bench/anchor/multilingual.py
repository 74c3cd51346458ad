"""Anchor: datatrove's filters in FineWeb-2's order, each language with its tokenizer.

Run by the anchor environment's Python (``bench/anchor.py``)::

    python multilingual.py DOCS.jsonl SETTINGS.json OUT.jsonl

DOCS.jsonl holds ``id``, ``text``, ``language`` and ``language_score`` (crawlsift's lid.176
verdict, so both sides judge the same language). SETTINGS.json maps each language to the
datatrove tokenizer code (FineWeb-2's ``<iso639-3>_<Script>`` config name, or ``eng``), the
thresholds crawlsift applies to it (crawlsift rule names) and its stop words. Per document, as
FineWeb-2's ``fineweb-2-pipeline.py`` runs them: the language score, GopherRepetitionFilter
(paragraph and duplicate-line-character rules off), FineWebQualityFilter (short lines off),
GopherQualityFilter. Writes one line per document: ``id`` and ``reason`` (null when kept;
``no-tokenizer`` when datatrove has none for the language here).
"""

import json
import sys

from datatrove.data import Document
from datatrove.pipeline.filters import (
    FineWebQualityFilter,
    GopherQualityFilter,
    GopherRepetitionFilter,
)
from datatrove.utils.word_tokenizers import load_word_tokenizer


def build(setting):
    t = setting["thresholds"]
    lang = setting["tokenizer"]
    return [
        GopherRepetitionFilter(
            dup_line_frac=t.get("gopher_dup_line_frac"),
            dup_para_frac=0,
            dup_line_char_frac=0,
            dup_para_char_frac=0,
            top_n_grams=tuple((n, t[f"gopher_top_{n}_gram"]) for n in (2, 3, 4)),
            dup_n_grams=tuple((n, t[f"gopher_duplicated_{n}_n_grams"]) for n in range(5, 11)),
            language=lang,
        ),
        FineWebQualityFilter(
            short_line_thr=999,
            char_duplicates_ratio=t["fineweb_char_dup_ratio"],
            line_punct_thr=t["fineweb_line_punct_ratio"],
            new_line_ratio=t["fineweb_list_ratio"],
            language=lang,
        ),
        GopherQualityFilter(
            min_doc_words=t["gopher_short_doc"],
            max_doc_words=t["gopher_long_doc"],
            min_avg_word_length=t["gopher_below_avg_threshold"],
            max_avg_word_length=t["gopher_above_avg_threshold"],
            max_symbol_word_ratio=t["gopher_too_many_hashes"],
            max_bullet_lines_ratio=t["gopher_too_many_bullets"],
            max_ellipsis_lines_ratio=t["gopher_too_many_end_ellipsis"],
            max_non_alpha_words_ratio=t["gopher_below_alpha_threshold"],
            min_stop_words=t["gopher_few_stop_words"],
            stop_words=setting["stop_words"],
            language=lang,
        ),
    ]


def main(source, settings_path, output):
    with open(settings_path, encoding="utf-8") as f:
        settings = json.load(f)
    chains = {}
    with open(source, encoding="utf-8") as docs, open(output, "w", encoding="utf-8") as out:
        for line in docs:
            row = json.loads(line)
            setting = settings[row["language"]]
            reason = None
            if row["language_score"] < setting["thresholds"]["language_score"]:
                reason = "language_score"
            else:
                if row["language"] not in chains:
                    try:
                        load_word_tokenizer(setting["tokenizer"])  # fails when it has none
                        chains[row["language"]] = build(setting)
                    except Exception as exc:  # no tokenizer for the language in this env
                        print(f"{row['language']}: {exc}", file=sys.stderr)
                        chains[row["language"]] = None
                chain = chains[row["language"]]
                if chain is None:
                    reason = "no-tokenizer"
                else:
                    doc = Document(text=row["text"], id=row["id"])
                    for step in chain:
                        verdict = step.filter(doc)
                        if verdict is not True:
                            reason = verdict[1] if isinstance(verdict, tuple) else "rejected"
                            break
            out.write(json.dumps({"id": row["id"], "reason": reason}) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])

"""Regenerate ``crawlsift/data/fineweb2.json`` from FineWeb-2's published per-language configs.

FineWeb-2 (github.com/huggingface/fineweb-2, Apache-2.0) publishes one YAML file per
language and script (``configs/<iso639-3>_<Script>.yml``) with the thresholds its filtering
pipeline (``fineweb-2-pipeline.py``) used for that language, and its stop words. This script
carries those facts over (no code) into one JSON file keyed by the codes crawlsift's
``language`` stage reports (fastText lid.176: ISO 639-1 where the language has one, else
ISO 639-3), with each value named by the crawlsift rule it sets:

=========================  =====================================
FineWeb-2 config key       crawlsift rule
=========================  =====================================
language_score             language_score
dup_line_frac              gopher_dup_line_frac
top_n_grams (n, value)     gopher_top_<n>_gram
dup_n_grams (n, value)     gopher_duplicated_<n>_n_grams
line_punct_thr             fineweb_line_punct_ratio
new_line_ratio             fineweb_list_ratio
min_avg_word_length        gopher_below_avg_threshold
max_avg_word_length        gopher_above_avg_threshold
max_non_alpha_words_ratio  gopher_below_alpha_threshold
stopwords                  (the Gopher stop-word list)
=========================  =====================================

Where several configs map to one code (scripts; the individual languages of a macrolanguage,
e.g. ``cmn`` for ``zh``) the one with the most documents in FineWeb-2's
``fineweb2-language-distribution.csv`` is taken. ISO 639-3 -> 639-1 comes from ``pycountry``
(needed here only, not by crawlsift).

Usage::

    python bench/fineweb2_configs.py PATH/TO/fineweb-2 [--commit HASH]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "crawlsift" / "data" / "fineweb2.json"
#: macrolanguage (lid.176 code) -> the individual language FineWeb-2 files it under
MACRO = {
    "zh": "cmn",
    "ar": "arb",
    "fa": "pes",
    "ms": "zsm",
    "sw": "swh",
    "et": "ekk",
    "lv": "lvs",
    "uz": "uzn",
    "ne": "npi",
    "az": "azj",
    "mn": "khk",
    "no": "nob",
    "or": "ory",
    "ps": "pbt",
    "ku": "kmr",
    "om": "gaz",
    "yi": "ydd",
    "mg": "plt",
    "sq": "als",
    "qu": "quy",
    "gn": "gug",
    "kv": "kpv",
}
SCALARS = {
    "language_score": "language_score",
    "dup_line_frac": "gopher_dup_line_frac",
    "line_punct_thr": "fineweb_line_punct_ratio",
    "new_line_ratio": "fineweb_list_ratio",
    "min_avg_word_length": "gopher_below_avg_threshold",
    "max_avg_word_length": "gopher_above_avg_threshold",
    "max_non_alpha_words_ratio": "gopher_below_alpha_threshold",
}


def git_show(repo: Path, commit: str, path: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "show", f"{commit}:{path}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def main(argv: list[str] | None = None) -> int:
    import pycountry
    import yaml

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("repo", type=Path, help="a git checkout (or bare mirror) of fineweb-2")
    parser.add_argument("--commit", default="HEAD")
    args = parser.parse_args(argv)
    commit = subprocess.run(
        ["git", "-C", str(args.repo), "rev-parse", args.commit],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    docs: dict[str, int] = {}
    dist = git_show(args.repo, commit, "fineweb2-language-distribution.csv").splitlines()
    for row in csv.DictReader(dist):
        if row["split"] == "train" and row["documents"].isdigit():
            docs[row["subset"]] = int(row["documents"])
    names = subprocess.run(
        ["git", "-C", str(args.repo), "ls-tree", "--name-only", commit, "configs/"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    individual = {v: k for k, v in MACRO.items()}
    best: dict[str, str] = {}
    for name in names:
        subset = Path(name).stem
        code3 = subset.split("_")[0]
        lang = pycountry.languages.get(alpha_3=code3)
        code = individual.get(code3) or (getattr(lang, "alpha_2", None) if lang else None) or code3
        if code not in best or docs.get(subset, 0) > docs.get(best[code], 0):
            best[code] = subset
    languages = {}
    for code in sorted(best):
        config = yaml.safe_load(git_show(args.repo, commit, f"configs/{best[code]}.yml"))
        entry: dict[str, object] = {"fineweb2_config": best[code]}
        for key, rule in SCALARS.items():
            if key in config:
                entry[rule] = config[key]
        for n, value in config.get("top_n_grams", []):
            entry[f"gopher_top_{n}_gram"] = value
        for n, value in config.get("dup_n_grams", []):
            entry[f"gopher_duplicated_{n}_n_grams"] = value
        entry["stop_words"] = list(config.get("stopwords") or [])
        languages[code] = entry
    data = {
        "source": "FineWeb-2 per-language filter configs, github.com/huggingface/fineweb-2 "
        f"configs/*.yml at commit {commit}",
        "license": "Apache-2.0 (FineWeb-2 repository); facts carried over by "
        "bench/fineweb2_configs.py",
        "languages": languages,
    }
    # one language per line: a diff of a new FineWeb-2 commit shows the languages changed
    body = ",\n".join(
        f"{json.dumps(code)}: {json.dumps(entry, ensure_ascii=False)}"
        for code, entry in languages.items()
    )
    head = {k: v for k, v in data.items() if k != "languages"}
    text = json.dumps(head, ensure_ascii=False)[:-1] + ', "languages": {\n' + body + "\n}}\n"
    OUT.write_text(text, encoding="utf-8")
    print(f"{len(languages)} languages -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

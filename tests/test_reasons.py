"""One list of reason codes: every code a run writes is in it, no module defines its own,
and docs/reasons.md is generated from it."""

from __future__ import annotations

import re
from pathlib import Path

import crawlsift
from crawlsift import reasons
from crawlsift.io.writers import read_output
from crawlsift.report import reason_docs

PACKAGE = Path(crawlsift.__file__).parent
FIXTURES = Path(__file__).parent / "fixtures"
CODES = {r.code for r in reasons.every_reason()}
OWN = {r.code for r in reasons.REASONS}  # the filters' codes are declared by signal modules


def test_codes_are_unique_per_stage_and_effect():
    seen = [(r.code, r.stage, r.effect) for r in reasons.every_reason()]
    assert len(seen) == len(set(seen))
    assert all(r.meaning and r.effect in ("reject", "edit", "note") for r in reasons.REASONS)


def test_no_module_spells_a_code_of_the_list_itself():
    # a code in a constant, a rejection or a comparison with a reason; the same words as
    # stats field names (``"empty_text": counts.empty_text``) are not codes
    use = re.compile(r'^[A-Z_]+(, [A-Z_]+)* = "|reject\(|reason', re.IGNORECASE)
    spelled = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "reasons.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if not use.search(code):
                continue
            for literal in re.findall(r'(?<![\w.])"([a-z][a-z0-9_]+)"', code):
                if literal in OWN:
                    spelled.append(f"{path.relative_to(PACKAGE)}:{n}: {literal}")
    assert not spelled


def test_every_reason_a_run_writes_is_listed(tmp_path):
    crawlsift.clean(str(FIXTURES), str(tmp_path / "out"), workers=1, record_timeout=None)
    rejected = read_output(str(tmp_path / "out" / "rejected")).to_pylist()
    kept = read_output(str(tmp_path / "out" / "kept")).to_pylist()
    written = {r["reason"] for r in rejected}
    written |= {e["reason"] for r in rejected + kept for e in r["edits"] or []}
    assert len(written) > 3 and written <= CODES


def test_the_docs_table_is_current():
    assert reason_docs.main(["--check"]) == 0

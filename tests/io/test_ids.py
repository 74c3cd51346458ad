"""Record ids: given ids are kept; derived ids are unique in a run by construction.

A record without an id gets ``<name>#<index>`` (a ``.txt`` file: ``<name>``), ``name`` being
its file's path relative to the deepest directory holding every input named.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawlsift import schema as S
from crawlsift.io import discover, read_task
from tests.io.test_warc import arc_file

YEARS = ("2024", "2025")


def crawl_tree(root: Path) -> Path:
    """Files of the same names in two folders, none of whose records carries an id."""
    crawl = root / "crawl"
    for year in YEARS:
        folder = crawl / year
        folder.mkdir(parents=True)
        (folder / "part-0.jsonl").write_text('{"text": "one"}\n{"text": "two"}\n')
        (folder / "page.txt").write_text("a page")
        pq.write_table(pa.table({"text": ["three"]}), folder / "part-0.parquet")
        arc_file(folder / "old.arc", [(b"<html>four</html>", "text/html")])
    return crawl


def ids_of(inputs: list[str]) -> list[str]:
    return [
        row[S.ID]
        for task in discover(inputs)
        for table in read_task(task)
        for row in table.to_pylist()
    ]


EXPECTED = sorted(
    f"{year}/{name}"
    for year in YEARS
    for name in ("old.arc#0", "page.txt", "part-0.jsonl#0", "part-0.jsonl#1", "part-0.parquet#0")
)


@pytest.mark.parametrize(
    "inputs",
    [
        ["{crawl}"],
        ["{crawl}/2024", "{crawl}/2025"],
        ["{crawl}/*/*"],
        ["{crawl}/2025/part-0.jsonl", "{crawl}/2024", "{crawl}/2025/page.txt", "{crawl}/2025/*.*"],
    ],
)
def test_same_named_files_in_other_folders_get_other_ids(tmp_path: Path, inputs: list[str]) -> None:
    """``crawl/2024/part-0.jsonl`` and ``crawl/2025/part-0.jsonl`` both gave
    ``part-0.jsonl#0``, and ``.txt`` files their base name, so dedup refused the corpus."""
    crawl = crawl_tree(tmp_path)
    assert sorted(ids_of([i.format(crawl=crawl) for i in inputs])) == EXPECTED


def test_ids_do_not_depend_on_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crawl = crawl_tree(tmp_path)
    monkeypatch.chdir(crawl)
    assert sorted(ids_of(["."])) == sorted(ids_of([str(crawl)])) == EXPECTED
    monkeypatch.chdir(tmp_path)
    assert sorted(ids_of(["crawl/2024/part-0.jsonl"])) == ["part-0.jsonl#0", "part-0.jsonl#1"]


def test_given_ids_are_kept_as_given(tmp_path: Path) -> None:
    crawl = crawl_tree(tmp_path)
    for year in YEARS:  # a user's ids, the same in both files
        (crawl / year / "part-0.jsonl").write_text('{"id": "x", "text": "one"}\n')
    assert ids_of([str(crawl / "*" / "part-0.jsonl")]) == ["x", "x"]


# a tree: (folder, stem, bytes after the stem, extension) of each file
FOLDERS = st.sampled_from(["", "a", "b", "a/b", "b/a", "a.jsonl", "a.jsonl#0"])
STEMS = st.sampled_from(["a", "b", "x#1", "a.jsonl#0", "a.jsonl"])
ODD = st.sampled_from([b"", b"\xe9", b"\xe8"])  # bytes that are not UTF-8
EXTENSIONS = st.sampled_from([".jsonl", ".txt", ".parquet"])
FILES = st.lists(st.tuples(FOLDERS, STEMS, ODD, EXTENSIONS), max_size=10)


@settings(max_examples=40, deadline=None, database=None)
@given(FILES, st.data())
def test_derived_ids_are_unique_in_any_tree_whatever_is_named(
    files: list[tuple[str, str, bytes, str]], data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = []
        for folder, stem, odd, extension in files:
            directory = root / folder
            if directory.is_file():
                continue
            path = os.fsencode(directory / stem) + odd + extension.encode()
            if os.path.exists(path):
                continue
            directory.mkdir(parents=True, exist_ok=True)
            if extension == ".parquet":
                with open(path, "wb") as fh:
                    pq.write_table(pa.table({"text": ["p", "q"]}), fh)
            else:
                with open(path, "w") as fh:
                    fh.write(json.dumps({"text": "t"}) + "\n" + json.dumps({"text": "u"}) + "\n")
            paths.append(os.fsdecode(path))
        if not paths:
            return
        named = data.draw(
            st.lists(st.sampled_from([*paths, str(root), str(root / "a"), str(root / "b")]))
        )
        named = [n for n in named if os.path.exists(n)] or [str(root)]
        ids = ids_of(named)
        assert len(ids) == len(set(ids))

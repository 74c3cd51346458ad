"""discover(): files, directories, globs, formats, stable ids."""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import pytest

from crawlsift.errors import InputError, UnreadableFileError
from crawlsift.io import ReadTask, detect_format, discover, read_task


def touch(path: Path, content: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    return path


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.txt", "text"),
        ("a.jsonl", "jsonl"),
        ("a.jsonl.gz", "jsonl"),
        ("a.JSONL.ZST", "jsonl"),
        ("a.parquet", "parquet"),
        ("a.warc", "warc"),
        ("CC-MAIN-1.warc.gz", "warc"),
        ("CC-MAIN-1.warc.wet.gz", "wet"),
        ("a.wet", "wet"),
        ("a.wet.gz", "wet"),
        ("a.json.gz", None),
        ("a.json", None),
        ("a.csv", None),
        ("a.gz", None),
        ("warc", None),
    ],
)
def test_detect_format(name: str, fmt: str | None) -> None:
    assert detect_format(name) == fmt


def test_single_file(tmp_path: Path) -> None:
    path = touch(tmp_path / "page.txt", "hello")
    [task] = discover([str(path)])
    assert task == ReadTask(str(path), "text", task.task_id, 5)
    assert len(task.task_id) == 16 and int(task.task_id, 16) >= 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        task.size = 1  # type: ignore[misc]


def test_directory_is_recursive_sorted_and_skips_hidden_and_unknown(tmp_path: Path) -> None:
    touch(tmp_path / "b.jsonl")
    touch(tmp_path / "a.txt")
    touch(tmp_path / "sub" / "c.warc.gz")
    touch(tmp_path / "sub" / "deeper" / "d.wet.gz")
    touch(tmp_path / "notes.md")
    touch(tmp_path / ".hidden.txt")
    touch(tmp_path / ".git" / "e.txt")
    tasks = discover([str(tmp_path)])
    names = [os.path.relpath(t.path, tmp_path) for t in tasks]
    assert names == ["a.txt", "b.jsonl", "sub/c.warc.gz", "sub/deeper/d.wet.gz"]
    assert [t.format for t in tasks] == ["text", "jsonl", "warc", "wet"]


def test_glob_and_dedup(tmp_path: Path) -> None:
    a = touch(tmp_path / "a.txt")
    touch(tmp_path / "b.txt")
    touch(tmp_path / "c.md")
    tasks = discover([str(tmp_path / "*"), str(a), str(tmp_path), f"{tmp_path}/./a.txt"])
    assert [Path(t.path).name for t in tasks] == ["a.txt", "b.txt"]


def test_recursive_glob(tmp_path: Path) -> None:
    touch(tmp_path / "x" / "y" / "deep.jsonl")
    touch(tmp_path / "top.jsonl")
    tasks = discover([str(tmp_path / "**" / "*.jsonl")])
    assert [Path(t.path).name for t in tasks] == ["top.jsonl", "deep.jsonl"]  # by full path


def test_result_is_sorted_across_inputs(tmp_path: Path) -> None:
    b = touch(tmp_path / "b.txt")
    a = touch(tmp_path / "a.txt")
    assert [t.path for t in discover([str(b), str(a)])] == [str(a), str(b)]


def test_task_id_is_stable_and_tracks_size(tmp_path: Path) -> None:
    path = touch(tmp_path / "a.txt", "one")
    first = discover([str(path)])[0].task_id
    assert discover([str(path)])[0].task_id == first
    relative = os.path.relpath(path)
    assert discover([relative])[0].task_id == first  # absolute path is hashed
    path.write_text("longer content")
    assert discover([str(path)])[0].task_id != first


def test_unknown_extension_named_explicitly(tmp_path: Path) -> None:
    path = touch(tmp_path / "data.csv")
    with pytest.raises(InputError, match=r"data\.csv.*unknown input format"):
        discover([str(path)])


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.txt: no such file"):
        discover([str(tmp_path / "nope.txt")])


def test_glob_matching_nothing(tmp_path: Path) -> None:
    touch(tmp_path / "a.csv")
    with pytest.raises(InputError, match=r"\*\.csv: pattern matches no input files"):
        discover([str(tmp_path / "*.csv")])


def test_directory_without_inputs(tmp_path: Path) -> None:
    touch(tmp_path / "readme.md")
    with pytest.raises(InputError, match="contains no input files"):
        discover([str(tmp_path)])


def test_no_inputs() -> None:
    with pytest.raises(InputError):
        discover([])


def test_plain_string_is_one_input(tmp_path: Path) -> None:
    path = touch(tmp_path / "a.txt")
    assert [t.path for t in discover(str(path))] == [str(path)]


def test_fixture_directory(fixtures: Path) -> None:
    tasks = discover([str(fixtures)])
    by_name = {Path(t.path).name: t for t in tasks}
    assert by_name["000_54a851cabf0a182d.txt"].format == "text"
    assert by_name["whirlwind.warc.gz"].format == "warc"
    assert by_name["whirlwind.warc.wet.gz"].format == "wet"
    assert "whirlwind-LICENSE" not in by_name
    assert all(t.size == os.path.getsize(t.path) for t in tasks)


def _crawl_with_outputs(root: Path) -> None:
    """Inputs, a clean output and a dedup output inside them, and a look-alike non-output."""
    touch(root / "a.jsonl")
    touch(root / "sub" / "b.warc.gz")
    touch(root / "out" / "_run.json", "{}")
    touch(root / "out" / "kept" / "part-1-00000.parquet")
    touch(root / "out" / "_timeouts" / "1.jsonl")
    touch(root / "sub" / "deduped" / "_dedup.json", "{}")
    touch(root / "sub" / "deduped" / "kept" / "part-00000.parquet")
    touch(root / "sub" / "deduped" / "_work" / "meta" / "batch-0.parquet")
    touch(root / "runs" / "run.json", "{}")  # not a manifest name: an ordinary input folder
    touch(root / "runs" / "c.txt")


@pytest.mark.parametrize(
    "pattern",
    [
        "{root}",
        "{root}/*",
        "{root}/**",
        "{root}/**/*.parquet",
        "{root}/**/*.*",
        "{root}/*/kept/*.parquet",
    ],
)
def test_outputs_inside_the_input_tree_are_not_found(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, pattern: str
) -> None:
    _crawl_with_outputs(tmp_path)
    inp = pattern.format(root=tmp_path)
    if inp.endswith("*.parquet"):
        with pytest.raises(InputError, match="matches no input files"):
            discover([inp])
    else:
        names = [os.path.relpath(t.path, tmp_path) for t in discover([inp])]
        assert names == ["a.jsonl", "runs/c.txt", "sub/b.warc.gz"]
    assert f"not reading {tmp_path / 'out'}: it is a crawlsift output" in caplog.text


def test_a_path_inside_an_output_named_literally_is_read(tmp_path: Path) -> None:
    _crawl_with_outputs(tmp_path)
    kept = tmp_path / "out" / "kept"
    expected = [str(kept / "part-1-00000.parquet")]
    assert [t.path for t in discover([str(kept)])] == expected  # what `dedup out/` reads
    assert [t.path for t in discover([str(kept / "*.parquet")])] == expected
    assert [t.path for t in discover([str(tmp_path / "out" / "*" / "*.parquet")])] == expected
    assert [t.path for t in discover(expected)] == expected


def test_an_output_directory_named_as_input_is_an_error(tmp_path: Path) -> None:
    _crawl_with_outputs(tmp_path)
    with pytest.raises(InputError, match=r"out is a crawlsift output .*_run\.json.*out/kept"):
        discover([str(tmp_path / "out")])
    with pytest.raises(InputError, match=r"deduped is a crawlsift output .*_dedup\.json"):
        discover([str(tmp_path / "sub" / "deduped")])


def test_output_markers_are_the_ones_the_commands_write() -> None:
    from crawlsift.dedup.progress import MARKER
    from crawlsift.engine.remote import RUN_FILE
    from crawlsift.io.discover import OUTPUT_MARKERS

    assert set(OUTPUT_MARKERS) == {RUN_FILE, MARKER}


def hostile_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A crawl directory with a record each in a.jsonl, behind a symbolic link to another
    directory and in a directory that cannot be listed, plus a link loop, a broken link
    and a named pipe with an input's name (and one without)."""
    crawl, other = tmp_path / "crawl", tmp_path / "other"
    touch(crawl / "a.jsonl", '{"text": "a"}\n')
    touch(other / "b.jsonl", '{"text": "b"}\n')
    touch(crawl / "locked" / "c.jsonl", '{"text": "c"}\n')
    (crawl / "linked").symlink_to(other)
    (crawl / "linked-again").symlink_to(other, target_is_directory=True)  # entered once
    (crawl / "sub").mkdir()
    (crawl / "sub" / "up").symlink_to(crawl)  # a loop
    (crawl / "gone.jsonl").symlink_to(tmp_path / "missing.jsonl")
    os.mkfifo(crawl / "pipe.jsonl")
    os.mkfifo(crawl / "pipe.md")  # no input's name: not an input
    listdir = os.scandir

    def scandir(path: str) -> object:  # root may list any directory: deny this one
        if Path(path) == crawl / "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return listdir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    return crawl


def test_links_are_followed_once_and_what_cannot_be_read_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Symbolic links to directories, directories that cannot be listed, broken links and
    named pipes were skipped without a word."""
    crawl = hostile_tree(tmp_path, monkeypatch)
    tasks = discover([str(crawl)])
    found = {os.path.relpath(t.path, crawl): t.problem for t in tasks}
    assert found == {
        "a.jsonl": None,
        "gone.jsonl": f"broken symbolic link (to {tmp_path / 'missing.jsonl'})",
        "linked/b.jsonl": None,
        "locked": "cannot list directory: Permission denied",
        "pipe.jsonl": "a named pipe (FIFO), not a regular file",
    }
    for task in tasks:
        if task.problem is not None:  # reading one says why, without opening it
            with pytest.raises(UnreadableFileError, match=re.escape(task.problem)):
                list(read_task(task))


def test_a_named_directory_that_cannot_be_listed_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crawl = hostile_tree(tmp_path, monkeypatch)
    with pytest.raises(InputError, match=r"locked: cannot list directory: Permission denied"):
        discover([str(crawl / "locked")])
    with pytest.raises(InputError, match=r"gone\.jsonl: broken symbolic link"):
        discover([str(crawl / "gone.jsonl")])

"""Build crawlsift's shipped URL block lists (crawlsift/data/urlfilter/) from datatrove's assets.

datatrove (Apache-2.0) ships UT1's blacklists (Université Toulouse Capitole, CC BY-SA 4.0) as
``url_filterblacklistsv0_3_0.tar.gz`` (files ``domains`` and ``urls``) and its word lists
(``banned_words.txt``, ``banned_subwords.txt``, ``soft_banned_words.txt``) in
``datatrove/assets/``. This script normalises every domain and URL entry as crawlsift
normalises hosts and URLs (:mod:`crawlsift.urlfilter.hosts`), stores their 64-bit hashes
sorted (:func:`crawlsift.urlfilter.lists.pack_hashes`) and copies the word lists unchanged.
The output is the same bytes for the same assets.

    python scripts/build_url_blocklist.py [DATATROVE_ASSETS_DIR]

The default assets folder is the one of the benchmarks' anchor environment
(``python bench/anchor.py build``; ``$CRAWLSIFT_BENCH_ANCHOR`` or ``.bench-anchor/``).
"""

from __future__ import annotations

import os
import shutil
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawlsift.urlfilter.hosts import entry_domain, entry_url  # noqa: E402
from crawlsift.urlfilter.lists import (  # noqa: E402
    BANNED_SUBWORDS_FILE,
    BANNED_WORDS_FILE,
    DOMAINS_FILE,
    SOFT_BANNED_WORDS_FILE,
    URLS_FILE,
    pack_hashes,
    sorted_unique,
)

OUT = ROOT / "crawlsift" / "data" / "urlfilter"
TARBALL = "url_filterblacklistsv0_3_0.tar.gz"


def default_assets() -> Path:
    anchor = Path(os.environ.get("CRAWLSIFT_BENCH_ANCHOR") or ROOT / ".bench-anchor")
    found = sorted(anchor.glob("lib/python3*/site-packages/datatrove/assets"))
    if not found:
        sys.exit("no anchor environment: run `python bench/anchor.py build` or name the folder")
    return found[0]


def members(tarball: Path) -> dict[str, list[str]]:
    """The lines of each file of the tarball."""
    found = {}
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar.getmembers():
            handle = tar.extractfile(member)
            if handle is not None:
                found[Path(member.name).name] = handle.read().decode("utf-8").splitlines()
    return found


def main() -> None:
    assets = Path(sys.argv[1]) if len(sys.argv) > 1 else default_assets()
    lists = members(assets / TARBALL)
    domains = [d for d in map(entry_domain, lists["domains"]) if d]
    urls = [u for u in map(entry_url, lists["urls"]) if u]
    OUT.mkdir(parents=True, exist_ok=True)
    for name, keys in ((DOMAINS_FILE, domains), (URLS_FILE, urls)):
        packed = sorted_unique(keys)
        (OUT / name).write_bytes(pack_hashes(packed))
        size = (OUT / name).stat().st_size
        print(f"{name}: {len(keys):,} entries, {len(packed):,} distinct keys, {size:,} bytes")
    for name in (BANNED_WORDS_FILE, SOFT_BANNED_WORDS_FILE, BANNED_SUBWORDS_FILE):
        shutil.copyfile(assets / name, OUT / name)


if __name__ == "__main__":
    main()

"""URL filter: crawlsift's ``url_filter`` beside datatrove's ``URLFilter`` on the same URLs.

Two URL sets:

* **real**: the URLs of the pages under ``../shared/data`` (WCXB dev ground truth, the
  trafilatura evaluation set, the target URIs of the WARC files);
* **planted**: synthetic URLs from datatrove's own asset (the anchor environment's
  ``url_filterblacklistsv0_3_0.tar.gz``), seed 0: listed domains written as a crawler sees
  them (``https://d/``, ``http://www.d/page``, a subdomain with a query, the host upper-cased),
  listed URLs with a scheme, banned words, pairs of soft-banned words and banned subwords
  planted in the paths of real hosts, and as many real hosts with harmless paths.

Each side runs in its own fresh process (crawlsift with this Python, datatrove with the anchor
environment's, ``bench/anchor/url_filter.py``), alternated over ``--runs`` runs: the CPU
seconds to load the lists (crawlsift: the first batch, which loads them; datatrove: building
the filter and ``download_data``) and to judge every URL, and the peak resident memory.
Reported per set: the agreement per URL on keep/drop, each disagreement class with examples,
and the medians and ratio of the times. Exits 0 with a note when the shared data or the
anchor is absent.

Usage::

    python bench/url_filter.py [--runs K] [--markdown] [--smoke] [--anchor-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import anchor, harness

SHARED = harness.SHARED
BATCH = 1000  # URLs per batch on crawlsift's side, as the engine's default batch size
#: datatrove's URLFilter reasons, as crawlsift's codes
DATATROVE_REASONS = {
    "domain": "url_blocked_domain",
    "subdomain": "url_blocked_domain",
    "url": "url_blocked_url",
    "hard_blacklisted": "url_banned_word",
    "soft_blacklisted": "url_soft_banned_words",
    "blacklisted_subword": "url_banned_subword",
}


def real_urls(data: Path) -> list[str]:
    """The URLs of the shared data's pages, in a fixed order, without repeats."""
    urls: list[str] = []
    for path in sorted((data / "extraction" / "wcxb-dev" / "ground-truth").glob("*.json")):
        urls.append(json.loads(path.read_text()).get("url") or "")
    evaldata = data / "extraction" / "trafilatura-eval" / "evaldata.json"
    if evaldata.exists():
        urls += list(json.loads(evaldata.read_text()))
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    for path in sorted((data / "warc").rglob("*.warc*")):
        try:
            with open(path, "rb") as f:
                for record in ArchiveIterator(f, record_types=WarcRecordType.response):
                    uri = record.headers.get("WARC-Target-URI")
                    if uri:
                        urls.append(uri)
        except Exception:  # warcio's deliberately broken test files
            continue
    return list(dict.fromkeys(u for u in urls if u))


def _asset_lists(anchor_dir: Path | None) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """datatrove's UT1 domains and URLs and its word lists, from the anchor environment."""
    found = sorted(
        (anchor_dir or anchor.default_dir()).glob("lib/python3*/site-packages/datatrove/assets")
    )
    if not found:
        raise FileNotFoundError("no datatrove assets in the anchor environment")
    assets = found[0]
    lists: dict[str, list[str]] = {}
    with tarfile.open(assets / "url_filterblacklistsv0_3_0.tar.gz", "r:gz") as tar:
        for member in tar.getmembers():
            handle = tar.extractfile(member)
            if handle is not None:
                lists[Path(member.name).name] = handle.read().decode().splitlines()
    words = {
        name: [w.strip() for w in (assets / f"{name}.txt").read_text().splitlines()]
        for name in ("banned_words", "soft_banned_words", "banned_subwords")
    }
    words = {k: [w for w in v if w and not w.startswith("#")] for k, v in words.items()}
    return lists["domains"], lists["urls"], words


def planted_urls(real: list[str], anchor_dir: Path | None, n: int) -> tuple[list[str], list[str]]:
    """The synthetic sets (see the module docstring), ``n`` listed domains' worth: URLs as
    datatrove's lists are written (and harmless ones), and the same entries as crawlers see
    them (``www.`` and other subdomains, upper case, the URL list with a scheme)."""
    from urllib.parse import urlsplit

    domains, listed_urls, words = _asset_lists(anchor_dir)
    rng = random.Random(0)
    hosts = sorted({urlsplit(u).hostname or "" for u in real} - {""})
    as_listed, variants = [], []
    for d in rng.sample(domains, n):
        as_listed += [f"https://{d}/", f"https://{d}/{rng.randrange(10**4)}/page.html"]
        variants += [
            f"http://www.{d}/index.html",
            f"https://m.{d}/a/b?c=1",
            f"HTTPS://{d.upper()}/",
        ]
    variants += [f"http://{u}" for u in rng.sample(listed_urls, min(n, len(listed_urls)))]
    for _ in range(n):
        host = rng.choice(hosts)
        as_listed.append(f"https://{host}/{rng.choice(words['banned_words'])}-story")
        soft = rng.sample(words["soft_banned_words"], 2)
        as_listed.append(f"https://{host}/news/{soft[0]}/{soft[1]}.html")
        sub = rng.choice(words["banned_subwords"]).replace(" ", "-")
        as_listed.append(f"https://{host}/x{sub}y")
        as_listed.append(f"https://{host}/{rng.randrange(10**6)}/article-{rng.randrange(10**4)}")
    return as_listed, variants


def crawlsift_side(source: str, output: str) -> None:
    """crawlsift's ``url_filter`` (shipped lists, defaults) over the URLs; as the anchor."""
    from crawlsift.urlfilter.stage import UrlFilterOptions, judge

    with open(source) as f:
        urls = [json.loads(line)["url"] for line in f]
    opts = UrlFilterOptions()
    start = time.process_time()
    judge(urls[:1], opts)  # loads the lists, tldextract and the automaton
    load = time.process_time() - start
    start = time.process_time()
    verdicts: list[Any] = []
    for at in range(0, len(urls), BATCH):
        verdicts += judge(urls[at : at + BATCH], opts)
    spent = time.process_time() - start
    with open(output, "w") as f:
        for v in verdicts:
            f.write(json.dumps({"keep": v is None, "reason": v and v[0], "match": v and v[1]}))
            f.write("\n")
    # VmHWM, not ru_maxrss: the latter keeps the forking parent's peak across exec
    with open("/proc/self/status") as f:
        peak = int(next(x for x in f if x.startswith("VmHWM:")).split()[1]) / 1024
    print(json.dumps({"load_s": load, "filter_s": spent, "rss_mib": peak}))


def _run(argv: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        raise RuntimeError(f"{argv[1]} failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def classify(url: str, ours: dict[str, Any], theirs: dict[str, Any]) -> str:
    """The class of a disagreement (each class is explained in docs/benchmarks.md)."""
    if ours["keep"]:
        return f"datatrove only: {theirs['reason']}"
    reason = ours["reason"]
    if reason == "url_blocked_url":
        return "crawlsift only: UT1 URL list (datatrove compares the URL with its scheme)"
    if reason == "url_blocked_domain":
        from crawlsift.urlfilter.hosts import host_of, is_ip, split_url

        if is_ip(host_of(url)):
            return "crawlsift only: a listed IP address (tldextract gives it no domain)"
        written = split_url(url)[0].rpartition("@")[2].partition(":")[0]
        if written != written.lower() or not written.isascii() or written.endswith("."):
            return "crawlsift only: host written in upper case, Unicode or with a trailing dot"
        return "crawlsift only: a listed parent domain of the host other than its registered domain"
    if reason in ("url_banned_word", "url_soft_banned_words", "url_banned_subword"):
        lowered = url.lower() != url
        return f"crawlsift only: {reason}" + (" (upper case in the URL)" if lowered else "")
    return f"crawlsift only: {reason}"


def compare(urls: list[str], ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> dict:
    agree = sum(o["keep"] == t["keep"] for o, t in zip(ours, theirs, strict=True))
    classes: dict[str, list[str]] = defaultdict(list)
    for url, o, t in zip(urls, ours, theirs, strict=True):
        if o["keep"] != t["keep"]:
            classes[classify(url, o, t)].append(url)
    both = [
        (o["reason"], DATATROVE_REASONS.get(t["reason"], t["reason"]))
        for o, t in zip(ours, theirs, strict=True)
        if not o["keep"] and not t["keep"]
    ]
    return {
        "urls": len(urls),
        "agree": agree,
        "dropped_crawlsift": sum(not o["keep"] for o in ours),
        "dropped_datatrove": sum(not t["keep"] for t in theirs),
        "same_reason": sum(a == b for a, b in both),
        "both_dropped": len(both),
        "classes": {k: v for k, v in sorted(classes.items(), key=lambda kv: -len(kv[1]))},
        "reasons": Counter(o["reason"] for o in ours if not o["keep"]),
    }


def measure(urls: list[str], runs: int, anchor_dir: Path | None, work: Path) -> dict:
    """Both sides over ``urls``, alternated ``runs`` times: their verdicts and timings."""
    source = work / "urls.jsonl"
    source.write_text("".join(json.dumps({"url": u}) + "\n" for u in urls))
    env = {**os.environ, "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""}  # datatrove's: no fetch
    here = [sys.executable, str(Path(__file__).resolve()), "--side"]
    there = [str(anchor.python(anchor_dir)), str(anchor.script("url_filter"))]
    sides = {
        "crawlsift": (lambda o: [*here, str(source), str(o)], harness.crawlsift_env()),
        "datatrove": (lambda o: [*there, str(source), str(o)], env),
    }
    times: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
    names = list(sides)
    for r in range(runs):
        for name in names[r % 2 :] + names[: r % 2]:
            argv, side_env = sides[name]
            times[name].append(_run(argv(work / f"{name}.jsonl"), side_env))
    verdicts = {name: _read(work / f"{name}.jsonl") for name in sides}
    result = compare(urls, verdicts["crawlsift"], verdicts["datatrove"])
    for name, runs_of in times.items():
        for key in ("load_s", "filter_s", "rss_mib"):
            result[f"{name}_{key}"] = statistics.median(t[key] for t in runs_of)
    return result


def markdown(results: dict[str, dict], runs: int) -> str:
    lines = [
        f"Shipped lists, all defaults on both sides; medians of {runs} alternated runs, each "
        "side a fresh process; CPU seconds.",
        "",
        "| set | URLs | agree | dropped: crawlsift / datatrove | same reason when both drop "
        "| load s: crawlsift / datatrove | judge µs/URL: crawlsift / datatrove | ratio "
        "| peak MiB: crawlsift / datatrove |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, r in results.items():
        n = r["urls"]
        ours = r["crawlsift_filter_s"] / n * 1e6
        theirs = r["datatrove_filter_s"] / n * 1e6
        lines.append(
            f"| {name} | {n:,} | {r['agree'] / n:.2%} | {r['dropped_crawlsift']:,} / "
            f"{r['dropped_datatrove']:,} | {r['same_reason']:,} / {r['both_dropped']:,} | "
            f"{r['crawlsift_load_s']:.2f} / {r['datatrove_load_s']:.2f} | {ours:.1f} / "
            f"{theirs:.1f} | {theirs / ours:.2f}x | {r['crawlsift_rss_mib']:.0f} / "
            f"{r['datatrove_rss_mib']:.0f} |"
        )
    lines += ["", "Disagreements by class (URLs; an example):", ""]
    for name, r in results.items():
        for cls, urls in r["classes"].items():
            lines.append(f"- {name}, {cls}: {len(urls):,} (`{urls[0][:90]}`)")
        if not r["classes"]:
            lines.append(f"- {name}: none")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.add_arguments(parser, runs=3)
    parser.add_argument("--planted", type=int, default=2000, help="listed domains planted")
    parser.add_argument("--side", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.side:
        crawlsift_side(*args.side)
        return 0
    if not (SHARED / "extraction").is_dir():
        print(f"skipped: no shared data at {SHARED}")
        return 0
    missing = anchor.available(args.anchor_dir)
    if missing:
        print(f"skipped: {missing}")
        return 0
    runs, planted = (1, 50) if args.smoke else (args.runs, args.planted)
    real = real_urls(SHARED)
    as_listed, variants = planted_urls(real, args.anchor_dir, planted)
    sets = {"real": real, "planted as listed": as_listed, "planted variants": variants}
    if args.smoke:
        sets["real"] = real[:200]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, urls in sets.items():
            work = Path(tmp) / name.replace(" ", "-")
            work.mkdir()
            results[name] = measure(urls, runs, args.anchor_dir, work)
            print(name, {k: v for k, v in results[name].items() if k != "classes"})
    body = markdown(results, runs)
    print(body)
    if args.markdown:
        harness.write_markdown("url_filter", body, ["bench/url_filter.py", *(argv or sys.argv[1:])])
    return 0


if __name__ == "__main__":
    sys.exit(main())

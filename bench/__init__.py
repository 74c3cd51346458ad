"""Benchmark scripts, each run as ``python bench/<name>.py``.

A package so that tests, run from the checkout root, import the corpus builders and scores
the benchmarks use (``from bench import scoring``) instead of putting ``bench/`` on sys.path.
"""

"""``python -m crawlsift``: the same as the ``crawlsift`` command."""

from crawlsift.cli import main

main()

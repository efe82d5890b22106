"""``python -m hosts``: the ``tirelire`` command without the console script (tests, benchmarks)."""

from hosts.cli import main

main()

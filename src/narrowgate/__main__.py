"""`python -m narrowgate` runs the CLI (the tests use it to avoid PATH lookups)."""

from narrowgate.cli.main import main

main()

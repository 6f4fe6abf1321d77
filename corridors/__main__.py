"""Run the command-line interface with ``python -m corridors``."""

from corridors.cli.app import main

main()

"""Stage 6, the ``corridors`` command line."""

from corridors.cli.app import app, main

__all__ = ["app", "main"]

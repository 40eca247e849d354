"""``python cli.py …``: every command of the command line (parser and dispatch in ``main``)."""

from cli.main import main

__all__ = ["main"]

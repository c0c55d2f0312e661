"""The `qingfeng` command line (typer): ingest, inspect, search, ask, quiz, faq, serve and check, in
commands.py; progress bars and report lines on the terminal, in progress.py. The top layer: it
may import every other package; nothing imports it.
"""

from assistant.cli.commands import app, main

__all__ = ["app", "main"]

"""The `qingfeng` command line (typer): ingest, inspect, search, ask, quiz, faq, serve and check, in
commands.py; progress bars and report lines on the terminal, in progress.py. The top layer: it
may import every other package; nothing imports it.

`commands` is imported when first used, so that `python -m assistant.cli.commands` does not find
it already imported by this package.
"""

__all__ = ["app", "main"]


def main() -> None:
    """The `qingfeng` entry point."""
    from assistant.cli.commands import main as run

    run()


def __getattr__(name: str):
    if name == "app":
        from assistant.cli.commands import app

        return app
    raise AttributeError(name)

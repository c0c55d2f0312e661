from assistant.cli.commands import app

app()

"""Qingfeng's user-facing side: configuration, command line, (later) retrieval and answers."""

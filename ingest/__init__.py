"""Ingestion: files → parsed document tree → chunks (llama-index TextNodes) → on-disk store."""

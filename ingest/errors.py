"""Errors raised while reading a file, each with a clear Chinese message for the user."""

from __future__ import annotations


class IngestError(Exception):
    """A file could not be ingested. `message` is user-facing Simplified Chinese text."""

    code = "error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UnsupportedFileType(IngestError):
    code = "unsupported"


class EmptyDocument(IngestError):
    code = "empty"


class CorruptFile(IngestError):
    code = "corrupt"


class EncryptedFile(IngestError):
    code = "encrypted"


class ScannedWithoutOcr(IngestError):
    code = "scanned"


class FileTooLarge(IngestError):
    code = "too_large"


class UnreadablePath(IngestError):
    code = "unreadable"


class UndecodableText(IngestError):
    code = "encoding"


class ConverterMissing(IngestError):
    """A format that needs an outside converter (LibreOffice for .doc/.wps) that is not installed."""

    code = "converter_missing"


class ConversionFailed(IngestError):
    code = "conversion_failed"

"""Why a saved index can't be used: each reason its own type so the CLI/API can react precisely."""

from __future__ import annotations


class IndexLoadError(RuntimeError):
    """A saved index cannot be loaded."""


class IndexMismatchError(IndexLoadError):
    """The saved index was built by a different encoder (or dimension) than the configured one."""


class IndexCorruptError(IndexLoadError):
    """Files are missing, damaged (checksum mismatch) or of an unknown format."""

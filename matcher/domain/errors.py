"""The errors the matcher raises on purpose, one tree for the flows, the CLI and the HTTP API.

Each kind says what went wrong in the caller's terms, in Chinese, and maps to one HTTP status in one
place (`api/errors.py`): InvalidInput → 422 (naming the field), NotFound → 404, Conflict → 409,
NotReady → 503, Forbidden → 403. Anything else that escapes is a bug (500).

Rule for ids: an id in the URL path that names nothing is NotFound; an id or value inside a request
(body or query) that names nothing is InvalidInput for that field.
"""

from __future__ import annotations

from typing import Any


class MatcherError(Exception):
    """Base class: `message` is what the user is shown."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(MatcherError, ValueError):
    """One or more input values are wrong. `field` is a path as the caller wrote it: `body.district`,
    `query.target_occupation`, or a bare flow argument (`target_posting`) until a route places it."""

    def __init__(self, field: str, message: str, kind: str = "value_error") -> None:
        super().__init__(message)
        self.field = field
        self.items: list[dict[str, Any]] = [{"field": field, "message": message, "type": kind}]

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"

    @classmethod
    def many(cls, items: list[dict[str, Any]]) -> InvalidInput:
        """Several problems at once (each `{"field", "message", "type"}`), e.g. every lint finding of a posting."""
        err = cls(items[0]["field"], items[0]["message"], items[0].get("type", "value_error"))
        err.items = [dict(i) for i in items]
        return err

    def under(self, location: str) -> InvalidInput:
        """The same problems with their fields placed under `location` ("body", "query"), unless already placed."""
        placed = [i | {"field": _place(location, i["field"])} for i in self.items]
        return InvalidInput.many(placed)


def _place(location: str, field: str) -> str:
    if field == location or field.startswith((f"{location}.", "body.", "query.", "path.")):
        return field
    return f"{location}.{field}"


class NotFound(MatcherError, LookupError):
    """What the URL names does not exist (or may not be shown to this caller, like a non-consenting candidate)."""


class Conflict(MatcherError):
    """The request clashes with the current state: the id exists, the posting is closed, a rebuild is running."""


class NotReady(MatcherError):
    """The service cannot answer yet: indexes not loaded, database unreachable."""


class Forbidden(MatcherError):
    """The caller may not do this (the API's role checks raise their own 401/403; this is for domain rules)."""


__all__ = ["MatcherError", "InvalidInput", "NotFound", "Conflict", "NotReady", "Forbidden"]

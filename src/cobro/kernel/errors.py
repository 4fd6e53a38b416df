"""Errors as data (`Problem`) for batch work, and the `CobroError` family for request-level failures."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one piece of input.  Batch work returns these instead of raising.

    `file`, `row` and `column` locate the problem for a person; `code` is stable for machines.
    """

    message: str
    file: str = ""
    row: int | None = None
    column: str = ""
    code: str = "invalid"
    severity: str = "error"  # "error" blocks an import, "warning" does not

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message,
                "code": self.code, "severity": self.severity}

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.row) if p not in ("", None))
        col = f" [{self.column}]" if self.column else ""
        return f"{where}{col}: {self.message}" if where else f"{self.message}{col}"


class CobroError(Exception):
    """Base for failures a caller can act on."""


class NotFoundError(CobroError):
    pass


class ConflictError(CobroError):
    pass


class InvalidInputError(CobroError):
    """Bad input for a whole request (a file that cannot be read, a mapping that is wrong)."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class InvalidTransitionError(CobroError):
    pass


class AuthenticationError(CobroError):
    """No valid credentials (HTTP 401)."""


class PermissionDeniedError(CobroError):
    """Valid credentials, but the role lacks the permission (HTTP 403)."""


class ThrottledError(CobroError):
    """Too many attempts; `retry_after` seconds until the next one may succeed (HTTP 429)."""

    def __init__(self, message: str, retry_after: int = 0) -> None:
        super().__init__(message)
        self.retry_after = retry_after

"""Diagnostics: every problem the build finds, with the file and line it is about. Pure."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.Enum):
    """How bad a problem is: errors reject input (exit 1), warnings only do with --strict."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem, printed as `path:line: severity: message`."""

    path: str  # as the user named it: "seeds/a.txt", "content/b.md"
    line: int | None  # 1-based; None when the problem is about the whole file
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        return f"{self.path}:{self.line or 1}: {self.severity.value}: {self.message}"

    @property
    def sort_key(self) -> tuple[str, int, str]:
        return (self.path, self.line or 0, self.message)


class ContentError(Exception):
    """Raised by pure parse and validate code; carries the Diagnostic to show."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


def error(path: str, line: int | None, message: str) -> ContentError:
    """Make a ContentError for `path:line: message` (to `raise`)."""
    return ContentError(Diagnostic(path, line, message))


def warning(path: str, line: int | None, message: str) -> Diagnostic:
    """Make a warning Diagnostic."""
    return Diagnostic(path, line, message, Severity.WARNING)

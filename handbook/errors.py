"""Diagnostics as values, and the one exception tree of the pipeline.

Code below the command line never prints; it collects `Diagnostic`s and raises
`BuildError` with all of them, so an editor sees every problem of a run at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    severity: str  # "error" or "warning"
    code: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message} [{self.code}]"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class Diagnostics:
    """Collects problems while the book is read; raises once at the end."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    @staticmethod
    def _where(path: Path | str) -> str:
        # Relative to the working folder when inside it, so editors can click it.
        path = Path(path)
        try:
            return str(path.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(path)

    def error(self, path: Path | str, line: int, code: str, message: str) -> None:
        self.items.append(Diagnostic(self._where(path), line, "error", code, message))

    def warning(self, path: Path | str, line: int, code: str, message: str) -> None:
        self.items.append(Diagnostic(self._where(path), line, "warning", code, message))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if not d.is_error]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise BuildError(sorted(self.items, key=_order))


def _order(d: Diagnostic) -> tuple:
    return (d.path, d.line, d.severity, d.code, d.message)


class HandbookError(Exception):
    """Base of every error the pipeline raises on purpose."""


class BuildError(HandbookError):
    """The book cannot be built; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))


class RenderError(HandbookError):
    """A typesetting engine reported a problem with the generated document."""

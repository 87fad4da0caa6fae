"""Problems as values, and the one exception tree of the pipeline.

Every problem of a run, whatever found it (the sources, the settings, the typesetter, a check of a
finished file, the output folder), is a `Diagnostic` with a place, a severity and a code. Code below
the command line never prints; it collects diagnostics and raises `BuildError` with all of them,
so an editor sees every problem of a run at once, and only the command line picks exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str  # a source file (relative to the working folder when inside it) or an output's name
    line: int  # 0 when the problem is the file as a whole
    severity: str  # "error" or "warning"
    code: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message} [{self.code}]"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def where(path: Path | str) -> str:
    """A path as an editor can click it: relative to the working folder when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):
        return str(path)


class Diagnostics:
    """Collects problems while a stage runs; raises once at the end."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def error(self, path: Path | str, line: int, code: str, message: str) -> None:
        self.items.append(Diagnostic(where(path), line, "error", code, message))

    def warning(self, path: Path | str, line: int, code: str, message: str) -> None:
        self.items.append(Diagnostic(where(path), line, "warning", code, message))

    def output_error(self, name: str, code: str, message: str, line: int = 0) -> None:
        """A problem of a file the build made (named as in the output folder)."""
        self.items.append(Diagnostic(name, line, "error", code, message))

    def extend(self, items) -> None:
        self.items.extend(items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if not d.is_error]

    def raise_if_errors(self, kind: type[BuildError] | None = None) -> None:
        if self.errors:
            raise (kind or BuildError)(sorted(self.items, key=_order))


def _order(d: Diagnostic) -> tuple:
    return (d.path, d.line, d.severity, d.code, d.message)


class HandbookError(Exception):
    """Base of every error the pipeline raises on purpose."""


class BuildError(HandbookError):
    """The book cannot be built; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class RenderError(BuildError):
    """The typesetter, or a check of a finished file, found a problem in what the build made."""

    @classmethod
    def of(cls, name: str, code: str, message: str) -> RenderError:
        return cls([Diagnostic(name, 0, "error", code, message)])


class Interrupted(KeyboardInterrupt):
    """The build was asked to stop (Ctrl-C, SIGTERM, a CPU limit); its temporary files are removed."""

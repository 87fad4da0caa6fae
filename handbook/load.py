"""Reading and checking a book: the first two stages of every build, and all of `handbook check`."""

from __future__ import annotations

from handbook import checks, sources
from handbook.errors import BuildError, Diagnostic
from handbook.model import Book
from handbook.project import Project


def read_checked(project: Project) -> tuple[Book, list[Diagnostic]]:
    """The book, checked; raises BuildError listing every problem (warnings included)."""
    book, diags = sources.read(project)
    if book is not None:
        diags.extend(checks.model(book, project))
    diags.raise_if_errors()
    if book is None:  # pragma: no cover - sources.read records why
        raise BuildError(diags.items)
    return book, diags.warnings

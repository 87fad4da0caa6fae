"""The tasks the build gives its second-core worker (`handbook/worker.py`).

- `warm`: import the typesetter and the writers while the main process reads the book;
  `keep_book`: the book it read.
- `checklists`: make the checklist PDFs (all, or a share) with the page numbers of an earlier
  layout (the last build's, or this one's once its numbers settle); the main process keeps each
  only if its inputs turn out the same as the final layout's. The links inside each are checked
  here, too.
- `check`: check the links inside finished files, off the book's critical path.

The parts of the book it lays out, renumbers and writes are the tasks of `typeset/laidout.py`.
"""

from __future__ import annotations

from handbook import checks
from handbook.errors import Diagnostic
from handbook.pagemap import PageMap
from handbook.project import Project

_books: dict[Project, object] = {}  # in the worker: the book the main process read


def _book(project: Project):
    from handbook.load import read_checked

    if project not in _books:
        _books[project] = read_checked(project)[0]
    return _books[project]


def warm(project: Project) -> None:
    from handbook.checks import files  # noqa: F401
    from handbook.outputs import checklists  # noqa: F401
    from handbook.typeset import laidout  # noqa: F401

    # Keep what was just imported out of the collector's scans; the collector itself keeps its
    # pace here, so that the garbage of one checklist is gone before the next.
    import gc

    gc.freeze()


def keep_book(project: Project, book) -> None:
    """The book as the main process read it: sent once, it costs a tenth of reading it again."""
    _books[project] = book


def checklists(project: Project, page_map: PageMap, reuse,
               only: frozenset[str] | None = None) -> dict[str, tuple[str, bytes, list[Diagnostic]]]:
    """What it rendered of the checklist PDFs (`only` those named): name -> inputs key, PDF, link
    problems. Unchanged files are left to the main process, which keeps them itself."""
    from handbook.outputs import checklists as pack

    made = pack.make(_book(project), page_map, project, reuse, only=only)
    return {name: (made.keys[name], made.files[name], checks.outputs({name: made.files[name]}))
            for name in made.rendered}


def check(files: dict[str, bytes]) -> list[Diagnostic]:
    return checks.outputs(files)


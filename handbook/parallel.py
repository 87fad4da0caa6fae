"""The second core: a worker process that makes the checklist PDFs while the main
process lays out the book, and checks the links inside each output once it is made.

Checklists cite the handbook's page numbers, which only the book's layout
knows; the worker uses the page numbers of the last layout, and the checklists
writer keeps each result only if the page numbers it cites did not move.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path


def _die_with_parent(parent: int) -> None:
    """A worker must not outlive a build that was killed (Linux: parent-death signal)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # killed while this process was starting, before the signal was set
        os._exit(1)


_loaded: dict[Path, object] = {}  # in the worker: the book it read while the main process did


def _load(chapters: Path) -> None:
    """Read the book and import the writers while the main process starts its layout."""
    from handbook.build import load_checked
    from handbook.linkcheck import internal  # noqa: F401
    from handbook.writers import checklists  # noqa: F401

    _loaded[chapters] = load_checked(chapters)[0]
    # Keep what was just imported out of the collector's scans; the collector itself keeps
    # its pace here, so that the garbage of one checklist is gone before the next.
    import gc

    gc.freeze()


def _checklists(chapters: Path, layouts_dir: Path, paper: str, pages: dict[str, int], out: Path | None,
                previous: dict[str, dict]) -> dict:
    from handbook.build import load_checked
    from handbook.writers import Context, checklists

    book = _loaded.pop(chapters, None) or load_checked(chapters)[0]
    ctx = Context(layouts_dir=layouts_dir, paper=paper, pages=dict(pages), out=out, previous=previous)
    made = checklists.write(book, ctx)
    # Only what it rendered (the main process reuses unchanged files itself), each with
    # the problems of the links inside it: checked here, off the book's critical path.
    return {name: (ctx.keys[name], made[name], link_problems({name: made[name]})) for name in ctx.rendered}


def link_problems(files: dict[str, bytes]) -> list[str]:
    """Every link inside finished files must land: PDF pages, EPUB files and ids, site pages."""
    from handbook.linkcheck.internal import check_epub_links, check_pdf_links, check_site_links

    problems: list[str] = []
    site = {name.removeprefix("site/"): data for name, data in files.items() if name.startswith("site/")}
    for name, data in files.items():
        if name.endswith(".pdf") and not name.startswith("site/"):
            problems += check_pdf_links(data, name)
        elif name.endswith(".epub"):
            problems += check_epub_links(data, name)
    if site:
        problems += [f"site/{p}" for p in check_site_links(site)]
    return problems


@contextmanager
def _stderr_to_null():
    """Processes started here write nothing to the terminal: a worker killed with the build
    while it starts would print the traceback of its broken start-up. All a worker has to say
    comes back with its results."""
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


class Helper:
    def __init__(self) -> None:
        # A fresh interpreter, not a fork: the layout engine's libraries are not fork-safe.
        with _stderr_to_null():
            self.pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=_die_with_parent, initargs=(os.getpid(),))
            self.pool.submit(int)  # starts the worker (and multiprocessing's resource tracker) now
        self.future: Future | None = None
        self.checks: list[Future] = []
        self.checked: dict[str, list[str]] = {}  # checklists made ahead -> their link problems
        self.ahead_problems: list[str] = []

    def __enter__(self) -> "Helper":
        return self

    def preload(self, chapters: Path) -> None:
        self.pool.submit(_load, chapters)

    def start_checklists(self, chapters: Path, layouts_dir: Path, paper: str, pages: dict[str, int],
                         out: Path | None = None, previous: dict[str, dict] | None = None) -> None:
        if pages:
            self.future = self.pool.submit(_checklists, chapters, layouts_dir, paper, pages, out, previous or {})

    def check_links(self, files: dict[str, bytes]) -> None:
        self.checks.append(self.pool.submit(link_problems, files))

    def link_problems(self) -> list[str]:
        return self.ahead_problems + [p for future in self.checks for p in future.result()]

    def checklists(self) -> dict:
        """What the worker made (name -> key, bytes), or nothing if it could not (the writer
        then renders); the problems of its links are kept for `link_problems`."""
        if self.future is None:
            return {}
        try:
            made = self.future.result()
        except Exception:  # noqa: BLE001 - a failed guess costs time, never correctness
            return {}
        self.checked = {name: problems for name, (_, _, problems) in made.items()}
        return {name: (key, data) for name, (key, data, _) in made.items()}

    def check_made(self, made: dict[str, bytes], ahead: list[str]) -> None:
        """Check the links of files just made; those made ahead by the worker were checked there."""
        self.ahead_problems += [p for name in made if name in ahead for p in self.checked.get(name, [])]
        rest = {name: data for name, data in made.items() if name not in ahead}
        if rest:
            self.check_links(rest)

    def __exit__(self, kind, value, traceback) -> None:
        # Failed or interrupted, the build stops the worker now, not after its job; done, it
        # has every answer, and the worker holds nothing worth the tenth of a second its
        # interpreter takes to wind down.
        processes = list((getattr(self.pool, "_processes", None) or {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.kill()
        self.pool.shutdown(wait=True)

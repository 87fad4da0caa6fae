"""The print-on-demand paperback: `paperback/interior.pdf`, `paperback/cover.pdf` and
`paperback/README.txt`, made from the book like the other outputs (handbook/paperback/ holds the
parts).

    interior = the book laid out at the trim, its inside margin set for its page count
    cover    = the wrap for that page count on that paper stock
    README   = trim, pages, paper, spine, the files and how to upload them (layouts/paperback/README.txt.j2)

An interior made from the same inputs by the last build is kept with its page count, so changing
only the paper stock makes the cover again and nothing else.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable

from pypdf import PdfReader

from handbook import layouts
from handbook.model import Book
from handbook.outputs import Made, Reuse
from handbook.paperback import cover, geometry, interior
from handbook.project import Project

FOLDER = "paperback"  # inside the build's --out: the paperback's own output folder
README = "README.txt"


def make(book: Book, project: Project, reuse: Reuse, last_pages: int, say: Callable[[str], None]):
    """(Made, the page count, warnings)."""
    started = time.monotonic()
    prepared = interior.inputs(book, project)
    key = prepared[0]
    kept = reuse(interior.NAME, key)
    if kept is not None:
        pages, warnings = len(PdfReader(io.BytesIO(kept)).pages), ()
        pdf = kept
        say(f"{interior.NAME}: {pages} pages, unchanged and kept")
    else:
        made = interior.lay_out(book, project, last_pages, say, prepared)
        pdf, pages, warnings = made.pdf, made.pages, made.warnings
        say(f"laid out {interior.NAME} ({pages} pages) in {time.monotonic() - started:.1f} s")
    wrap_pdf, wrap = cover.make(book, project, pages)
    readme = layouts.render(project, "paperback/README.txt.j2", config=book.config, wrap=wrap,
                            trim=project.paperback.trim, stock=project.paperback.stock, pages=pages,
                            inches=geometry.inches, gutter=geometry.gutter(pages), bleed=geometry.BLEED,
                            interior=interior.NAME, cover=cover.NAME, date=book.date)
    files = {interior.NAME: pdf, cover.NAME: wrap_pdf, README: readme.encode()}
    return Made(files, keys={interior.NAME: key}), pages, list(warnings)

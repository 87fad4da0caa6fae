"""The checks of a build: of the model once the sources are read, and of each finished file.

    problems = checks.model(book, project)  # internal links; every character in a pinned font
    problems = checks.outputs(files)   # every link inside the PDFs, the EPUB and the site lands

Pictures are checked as they are read (sources/pictures.py), so nothing is read twice.
"""

from __future__ import annotations

from handbook.checks import glyphs, xrefs
from handbook.errors import Diagnostic, Diagnostics
from handbook.model import Book
from handbook.project import Project


def model(book: Book, project: Project) -> list[Diagnostic]:
    diags = Diagnostics()
    xrefs.check_links(book, diags)
    glyphs.check(book, project, diags)
    return diags.items


def outputs(files: dict[str, bytes]) -> list[Diagnostic]:
    """Every link inside finished files must land: PDF pages, EPUB files and ids, site pages."""
    from handbook.checks.files import check_epub_links, check_pdf_links, check_site_links

    problems: list[Diagnostic] = []
    site = {name.removeprefix("site/"): data for name, data in files.items() if name.startswith("site/")}
    for name, data in files.items():
        if name.endswith(".pdf") and not name.startswith("site/"):
            problems += check_pdf_links(data, name)
        elif name.endswith(".epub"):
            problems += check_epub_links(data, name)
    if site:
        problems += check_site_links(site)
    return problems

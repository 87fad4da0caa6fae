"""The web edition's downloads: the book's files copied into `site/downloads/`, with their facts.

The site must work as a plain folder and as the only thing a server serves,
so it carries its own copies; size, page count and SHA-256 are read from
exactly the bytes it links.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from handbook.errors import HandbookError
from handbook.model import Book, Checklist
from handbook.outputs.pdfinfo import page_count

FOLDER = "downloads/"


@dataclass(frozen=True)
class Download:
    """One file a reader can download, as the download page describes it."""

    href: str  # relative to the site's root
    name: str  # the file's name as saved
    size: int  # bytes
    pages: int | None  # PDFs only
    sha256: str
    kind: str  # "pdf" or "epub"
    checklist: Checklist | None = None


def _download(outputs: dict[str, bytes], source: str, checklist: Checklist | None = None) -> Download:
    data = outputs.get(source)
    if data is None:
        raise HandbookError(f"site: error: {source} was not made before the site")
    kind = source.rsplit(".", 1)[-1]
    pages = page_count(data) if kind == "pdf" else None
    return Download(href=FOLDER + source, name=source.rsplit("/", 1)[-1], size=len(data), pages=pages,
                    sha256=hashlib.sha256(data).hexdigest(), kind=kind, checklist=checklist)


@dataclass(frozen=True)
class Downloads:
    book: Download
    epub: Download
    pack: Download
    checklists: tuple[Download, ...]

    def every(self) -> tuple[Download, ...]:
        return (self.book, self.epub, self.pack, *self.checklists)

    def checklist(self, ident: str) -> Download:
        return next(d for d in self.checklists if d.checklist is not None and d.checklist.id == ident)


def downloads(book: Book, outputs: dict[str, bytes]) -> tuple[Downloads, dict[str, bytes]]:
    """What the download page lists, and the files to copy into the site (by site path)."""
    listed = Downloads(
        book=_download(outputs, "handbook.pdf"),
        epub=_download(outputs, "handbook.epub"),
        pack=_download(outputs, "checklists.pdf"),
        checklists=tuple(_download(outputs, f"checklists/{c.id}.pdf", c) for c in book.checklists),
    )
    files = {d.href: outputs[d.href.removeprefix(FOLDER)] for d in listed.every()}
    return listed, files

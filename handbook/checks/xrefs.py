"""The book's id index: where each internal link points, and a check of every one.

A cross-reference is a link to another chapter's Markdown file, optionally with a heading or
checklist id (`02-education.md#certification`). The index is made once per book, so checking a
book's links takes time in proportion to their number (a chapter of 2,000 footnotes once took
a minute because every link recomputed its page's ids).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from handbook.errors import Diagnostics
from handbook.model import Book, Chapter


@dataclass(frozen=True)
class Destination:
    """Where a cross-reference lands."""

    slug: str  # the chapter linked to
    ident: str | None  # the heading or checklist id, or None for the chapter itself


class Index:
    def __init__(self, book: Book):
        self.chapters = {ch.filename: ch for ch in book.chapters}
        self.ids = {ch.slug: frozenset(h.id for h in ch.headings) | {c.id for c in ch.checklists}
                    | {f.id for f in ch.figures} | set(ch.anchors) for ch in book.chapters}

    def resolve(self, chapter: Chapter, url: str) -> Destination | None:
        """Where an internal link points; None for an external link or a missing target."""
        if urlsplit(url).scheme:
            return None
        parts = urlsplit(url)
        name = unquote(parts.path).removeprefix("./")
        target = chapter if name == "" else self.chapters.get(name)
        if target is None:
            return None
        ident = unquote(parts.fragment) or None
        if ident is not None and ident not in self.ids[target.slug]:
            return None
        return Destination(slug=target.slug, ident=ident)

    def closest(self, slug: str, ident: str) -> str | None:
        found = difflib.get_close_matches(ident, sorted(self.ids[slug]), n=1, cutoff=0.6)
        return found[0] if found else None


def index(book: Book) -> Index:
    """The book's index, made once (kept on the book, which never changes once read)."""
    if "_xrefs" not in book.__dict__:
        object.__setattr__(book, "_xrefs", Index(book))
    return book.__dict__["_xrefs"]


def check_links(book: Book, diags: Diagnostics) -> None:
    """Record an error for every internal link that does not resolve."""
    found = index(book)
    for chapter in book.chapters:
        for link in chapter.links:
            url = link.url
            if urlsplit(url).scheme:
                continue  # the scheme was checked when the chapter was read
            parts = urlsplit(url)
            name = unquote(parts.path).removeprefix("./")
            if name and name not in found.chapters:
                why = "no chapter file" if name.endswith(".md") else "not a chapter of this book"
                diags.error(link.path, link.line, "broken-xref", f"link to {name!r}: {why}")
                continue
            if found.resolve(chapter, url) is None:
                target = found.chapters.get(name, chapter)
                ident = unquote(parts.fragment)
                hint = found.closest(target.slug, ident)
                diags.error(link.path, link.line, "broken-xref",
                            f"link to {name or chapter.filename}#{ident}: no heading, checklist or figure with that id"
                            + (f" (did you mean #{hint}?)" if hint else ""))

"""The id index of the book: resolves and checks every internal link.

A cross-reference is a link to another chapter's Markdown file, optionally
with a heading or checklist id (`02-education.md#certification`). Writers ask
`resolve` where such a link points and decide how to write it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from handbook.errors import Diagnostics
from handbook.model import Book, Chapter


@dataclass(frozen=True)
class Target:
    slug: str  # the chapter linked to
    ident: str | None  # the heading or checklist id, or None for the chapter itself


def ids_of(chapter: Chapter) -> set[str]:
    return {h.id for h in chapter.headings} | {c.id for c in chapter.checklists}


def resolve(book: Book, chapter: Chapter, url: str) -> Target | None:
    """Where an internal link points; None for an external link or a missing target."""
    if _is_external(url):
        return None
    parts = urlsplit(url)
    name = unquote(parts.path).removeprefix("./")
    slug = chapter.slug if name == "" else name.removesuffix(".md")
    target = next((ch for ch in book.chapters if ch.slug == slug and ch.filename == slug + ".md"), None)
    if target is None:
        return None
    ident = unquote(parts.fragment) or None
    if ident is not None and ident not in ids_of(target):
        return None
    return Target(slug=target.slug, ident=ident)


def check_links(book: Book, diags: Diagnostics) -> None:
    """Record an error for every internal link that does not resolve."""
    names = {ch.filename for ch in book.chapters}
    for chapter in book.chapters:
        for link in chapter.links:
            url = link.url
            if _is_external(url):
                if url.lower().startswith(("javascript:", "data:", "file:")):
                    diags.error(link.path, link.line, "bad-link", f"link scheme not allowed: {url!r}")
                continue
            parts = urlsplit(url)
            name = unquote(parts.path).removeprefix("./")
            if name and name not in names:
                why = "no chapter file" if name.endswith(".md") else "not a chapter of this book"
                diags.error(link.path, link.line, "broken-xref", f"link to {name!r}: {why}")
                continue
            if resolve(book, chapter, url) is None:
                where = name or chapter.filename
                diags.error(link.path, link.line, "broken-xref",
                            f"link to {where}#{unquote(parts.fragment)}: no heading or checklist with that id")


def _is_external(url: str) -> bool:
    scheme = urlsplit(url).scheme
    return bool(scheme)

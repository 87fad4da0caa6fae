"""The printed pages in the EPUB: where each page of the PDF begins, placed in the EPUB's documents.

The PDF writer records, for each printed page, the first numbered block that
begins on it (`ctx.page_marks`), and the page of every print anchor
(`ctx.pages`); checklists are found through their anchors. A page on which no
block begins (a second page of contents, a page that only continues a
paragraph, a blank page) gets its marker where the block it continues ends:
before the next page's marker when that is in the same document, else at the
end of the document. So every printed page has one place, in print order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from handbook.errors import RenderError
from handbook.model import Book

# The print layout's front pages and the EPUB documents that stand for them.
FRONT = {"front/cover": "cover", "front/title": "titlepage", "front/edition": "titlepage", "front/toc": "nav"}
OPS_NS = "http://www.idpf.org/2007/ops"
OPS = "{" + OPS_NS + "}"  # as lxml names attributes: epub:type is OPS + "type"


@dataclass
class Placement:
    """Pages to mark, by where their markers stand."""

    at: dict[str, list[int]] = field(default_factory=dict)  # block key -> pages marked at that block
    ends: dict[str, list[int]] = field(default_factory=dict)  # document -> pages marked at its end


@dataclass(frozen=True)
class PageEntry:
    """One entry of the page-list: a printed page and its marker in the EPUB."""

    label: str
    href: str


def document_of(key: str) -> str | None:
    """The EPUB document that holds a block key; None for a front page the EPUB has no document for."""
    if key.startswith("front/"):
        return FRONT.get(key)
    return key.split("/", 1)[0]


def page_starts(book: Book, marks: dict[str, int], anchors: dict[str, int], anchor_of) -> dict[int, str]:
    """Page -> the first block that begins on it: the PDF's marks, and checklists found by their anchors."""
    starts = {page: key for key, page in marks.items() if document_of(key) is not None}
    for chapter in book.chapters:
        for token in chapter.tokens:
            if token.type != "checklist":
                continue
            page = anchors.get(anchor_of(chapter, token.meta["checklist"].id))
            key = token.meta["b"]
            if page is not None and (page not in starts or _earlier(key, starts[page])):
                starts[page] = key
    return starts


def _earlier(key: str, other: str) -> bool:
    slug, _, n = key.rpartition("/")
    other_slug, _, other_n = other.rpartition("/")
    return slug == other_slug and n.isdigit() and other_n.isdigit() and int(n) < int(other_n)


def place(starts: dict[int, str], page_count: int) -> Placement:
    """Give each of the PDF's pages 1..page_count a place in the EPUB."""
    placement = Placement()
    for page in range(1, page_count + 1):
        key = starts.get(page)
        if key is None:
            before = max((p for p in starts if p < page), default=None)
            after = min((p for p in starts if p > page), default=None)
            if after is not None and (before is None or document_of(starts[before]) == document_of(starts[after])):
                key = starts[after]  # just before the next page's marker
            elif before is not None:
                placement.ends.setdefault(document_of(starts[before]), []).append(page)
                continue
            else:
                continue  # nothing of the book was found on any page
        placement.at.setdefault(key, []).append(page)
    return placement


def page_breaks(name: str, root: etree._Element) -> list[PageEntry]:
    """The page-break markers of one parsed document, in document order."""
    entries = []
    for element in root.iter(etree.Element):
        if "pagebreak" in str(element.get(OPS + "type", "")).split():
            label = element.get("aria-label") or element.get("title") or (element.text or "").strip()
            entries.append(PageEntry(label=label, href=f"{name}#{element.get('id')}"))
    return entries


def check_complete(entries: list[PageEntry], page_count: int) -> None:
    """Every printed page once, in print order: otherwise the EPUB would cite pages wrongly."""
    labels = [entry.label for entry in entries]
    expected = [str(n) for n in range(1, page_count + 1)]
    if labels != expected:
        missing = sorted(set(expected) - set(labels), key=int)
        raise RenderError(f"handbook.epub: error: the page-list does not follow the PDF's pages "
                          f"(missing {missing or 'none'}; found {len(labels)} of {page_count})")

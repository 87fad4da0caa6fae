"""The printed pages in the EPUB: where each page of the PDF begins, placed in the EPUB's documents.

The typesetter records, for each printed page, the first numbered block that
begins on it, and the page of every print anchor (the `PageMap`); checklists
are found through their anchors. A page on which no
block begins (a second page of contents, a page that only continues a
paragraph, a blank page) gets its marker where the block it continues ends:
before the next page's marker when that is in the same document, else at the
end of the document. So every printed page has one place, in print order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from handbook import pagemap
from handbook.errors import RenderError
from handbook.model import Book
from handbook.pagemap import PageMap

# The print layout's front pages and the EPUB documents that stand for them.
FRONT = {"cover": "cover", "title": "titlepage", "edition": "titlepage", "toc": "nav"}
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
    front = pagemap.front_of(key)
    return FRONT.get(front) if front is not None else pagemap.chapter_of(key)


def first_blocks(book: Book, page_map: PageMap) -> dict[int, str]:
    """Page -> the first block that begins on it: the layout's starts, and checklists found by
    their anchors."""
    starts = {page: key for page, key in page_map.first_blocks().items() if document_of(key) is not None
              and (pagemap.front_of(key) is not None or pagemap.number_of(key) is not None)}  # not print-only
    for chapter in book.chapters:
        for token in chapter.tokens:
            if token.type != "checklist":
                continue
            page = page_map.page(chapter.slug, token.meta["checklist"].id)
            key = token.meta["b"]
            if page is not None and (page not in starts or _earlier(key, starts[page])):
                starts[page] = key
    return starts


def _earlier(key: str, other: str) -> bool:
    n, other_n = pagemap.number_of(key), pagemap.number_of(other)
    return (pagemap.chapter_of(key) == pagemap.chapter_of(other) is not None
            and n is not None and other_n is not None and n < other_n)


def placement(starts: dict[int, str], page_count: int) -> Placement:
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
        raise RenderError.of("handbook.epub", "page-list", f"the page-list does not follow the PDF's pages "
                             f"(missing {missing or 'none'}; found {len(labels)} of {page_count})")

"""Where the book's lists, checklists and tables fall on the printed pages, read from the PDF's text
(pdfium, in the order the typesetter drew it) and the book's model: the page each item begins and
ends on, so a test can see how a break divides them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pypdfium2
from pdf_support import bookmarks, reader, squash

SNIPPET = 28  # letters and digits looked for at each end of an item


@dataclass(frozen=True)
class Unit:
    """One item of a list, checklist or table, as two pieces of squashed text to find: where it
    begins and where it ends (print adds "(page N)" after a cross-reference, so each piece stops at
    one)."""

    head: str
    tail: str


@dataclass(frozen=True)
class Run:
    """A list, checklist or table of a chapter: its kind, a name for messages, its items."""

    kind: str  # "list", "checklist" or "table"
    name: str
    chapter: str
    units: tuple[Unit, ...]


def page_texts(path: Path) -> list[str]:
    """Each page's text as pdfium reads it: lines end with CR LF; a word hyphenated at the end of a
    line is joined by U+FFFE."""
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def _collect(children, pieces: list[str]) -> None:
    """Add an inline run's text to `pieces`, squashed, the last piece continued; a new piece starts
    where print may add words of its own: after a link (a cross-reference's page, a web address in
    the appendices) and at a note's call."""
    for child in children or []:
        if child.type in ("text", "code_inline"):
            pieces[-1] += squash(child.content)
        elif child.type in ("link_close", "footnote_ref"):
            pieces.append("")


def _unit(pieces: list[str]) -> Unit | None:
    pieces = [p for p in pieces if p]
    if not pieces:
        return None
    return Unit(pieces[0][:SNIPPET], pieces[-1][-SNIPPET:])


def runs(book) -> list[Run]:
    """Every list (items at any depth, each list on its own), checklist and table of the book."""
    found: list[Run] = []
    for chapter in book.chapters:
        stack: list[tuple[int, list]] = []  # open lists: (line, items), each item a list of inline pieces
        table: list | None = None
        table_line = 0
        row: list[str] | None = None
        for token in chapter.tokens:
            kind = token.type
            if kind in ("bullet_list_open", "ordered_list_open"):
                stack.append((token.map[0] + 1 if token.map else 0, []))
            elif kind == "list_item_open" and stack:
                stack[-1][1].append([""])
            elif kind in ("bullet_list_close", "ordered_list_close") and stack:
                line, items = stack.pop()
                units = tuple(u for u in (_unit(i) for i in items) if u is not None)
                if len(units) >= 2:
                    found.append(Run("list", f"list at {chapter.filename}:{line}", chapter.slug, units))
            elif kind == "inline" and stack and stack[-1][1] and row is None:
                _collect(token.children, stack[-1][1][-1])
            elif kind == "table_open":
                table_line = token.map[0] + 1 if token.map else 0
            elif kind == "tbody_open":
                table = []
            elif kind == "tr_open" and table is not None:
                row = [""]  # its cells' text, one after the other as print draws them
            elif kind == "inline" and row is not None:
                _collect(token.children, row)
            elif kind == "tr_close" and table is not None and row is not None:
                table.append(row)
                row = None
            elif kind == "tbody_close" and table is not None:
                units = tuple(u for u in (_unit(r) for r in table) if u is not None)
                found.append(Run("table", f"table at {chapter.filename}:{table_line}", chapter.slug, units))
                table = None
            elif kind == "checklist":
                checklist = token.meta["checklist"]
                items = [[""] for _ in checklist.tree]
                for item, pieces in zip(checklist.tree, items):
                    _collect(item.tokens, pieces)
                units = tuple(u for u in (_unit(i) for i in items) if u is not None)
                found.append(Run("checklist", f"checklist {checklist.title!r}", chapter.slug, units))
    return found


def chapter_pages(path: Path, book) -> dict[str, tuple[int, int]]:
    """Each chapter's first and last page (its slug -> pages)."""
    marks = {m.title: m.page for m in bookmarks(reader(path)) if m.depth == 0}
    starts = [marks[ch.title] for ch in book.chapters]
    ends = [s - 1 for s in starts[1:]] + [len(reader(path).pages)]
    return {ch.slug: (s, e) for ch, s, e in zip(book.chapters, starts, ends)}


def placed(run: Run, texts: list[str], first: int, last: int) -> list[tuple[int, int]] | None:
    """(page it begins on, page it ends on) for each unit of the run, searched in order from the
    chapter's first page; None if some unit is not found."""
    squashed = [squash(t) for t in texts]
    out, page, offset = [], first, 0
    for unit in run.units:
        start = _find(squashed, unit.head, page, last, offset)
        if start is None:
            return None
        end = _find(squashed, unit.tail, start[0], last, start[1])  # the tail may overlap the head
        if end is None:
            return None
        out.append((start[0], end[0]))
        page, offset = end[0], end[1] + len(unit.tail)
    return out


def _find(squashed, text, page, last, offset):
    """(page, offset) of the first `text` from `offset` of `page` on."""
    for number in range(page, last + 1):
        at = squashed[number - 1].find(text, offset if number == page else 0)
        if at >= 0:
            return number, at
    return None


def breaks(pages: list[tuple[int, int]]) -> list[int]:
    """Where a page break falls between units: k for a break between unit k and unit k + 1."""
    return [k for k in range(1, len(pages)) if pages[k][0] > pages[k - 1][1]]


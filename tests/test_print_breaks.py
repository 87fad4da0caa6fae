"""Where page breaks fall inside the book's checklists, tables and lists, read from the printed
pages: two items of a checklist and two rows of a table at least on each side of a break; where a
checklist's frame ends (a known fault: not at its last item); no folio on a page that opens the
contents or a chapter."""

from __future__ import annotations

import re

import pypdfium2
import pypdfium2.raw as pdfium
import pytest
from pdf_makeup import breaks, chapter_pages, page_texts, placed, runs
from pdf_support import bookmarks, reader

from handbook.build import load_checked

from conftest import CHAPTERS


@pytest.fixture(scope="module")
def book():
    book, _ = load_checked(CHAPTERS)
    return book


def _divided(book, path, kinds):
    """(name, items before the break, items after it) for each break inside a run of `kinds`,
    and how many runs the measure placed."""
    texts = page_texts(path)
    pages = chapter_pages(path, book)
    out, seen = [], 0
    for run in runs(book):
        if run.kind not in kinds:
            continue
        where = placed(run, texts, *pages[run.chapter])
        if where is None:
            continue
        seen += 1
        for k in breaks(where):
            out.append((run.name, k, len(run.units) - k))
    return out, seen


def test_checklists_and_tables_keep_two_items_each_side_of_a_break(handbook_paper, book):
    paper, out = handbook_paper
    divided, seen = _divided(book, out / "handbook.pdf", ("checklist", "table"))
    assert seen >= 20  # the measure finds the book's checklists and tables on the pages
    assert [d for d in divided if min(d[1], d[2]) < 2] == [], paper


def _folio(text: str, label: str) -> bool:
    """Whether a page's text carries its number as a running head: pdfium reads the margin boxes
    last: the folio on its own, or before or after the running title."""
    return re.search(rf"(?:\r\n|\s){re.escape(label)}(?:\u2003|$)", text) is not None


def test_no_folio_on_the_first_contents_page_nor_on_a_chapter_opener(handbook_paper):
    paper, out = handbook_paper
    path = out / "handbook.pdf"
    texts, labels = page_texts(path), reader(path).page_labels
    marks = bookmarks(reader(path))
    contents = next(m.page for m in marks if m.title == "Contents")
    openers = {m.page for m in marks if m.depth == 0 and m.title != "Contents"}
    assert not _folio(texts[contents - 1], labels[contents - 1]), paper
    assert _folio(texts[contents], labels[contents]), paper  # the next contents page has one: the measure sees it
    assert [p for p in sorted(openers) if _folio(texts[p - 1], labels[p - 1])] == [], paper
    assert sum(_folio(t, label) for t, label in zip(texts, labels)) > len(texts) / 2, paper


def _frame_strips(path) -> tuple[int, list[tuple[int, int]]]:
    """How many framed boxes, or framed parts of boxes, with text in them the pages have
    (checklists, their items, callouts), and for each, the empty space between its lowest text and
    its bottom edge, in points, when that is more than a line and the box's padding: (page, points).
    The cover's panel, which runs on below its words by design, is left out."""
    pdf = pypdfium2.PdfDocument(str(path))
    boxes, strips = 0, []
    try:
        for n in range(1, len(pdf)):
            page = pdf[n]
            text = page.get_textpage()
            chars = [box for box in (text.get_charbox(i) for i in range(text.count_chars())) if box[3] > box[1]]
            for obj in page.get_objects(max_depth=5):
                if obj.type != pdfium.FPDF_PAGEOBJ_PATH:
                    continue
                left, bottom, right, top = obj.get_bounds()
                inside = [c for c in chars if c[0] >= left and c[2] <= right and c[1] >= bottom - 1 and c[3] <= top + 1]
                if right - left < 300 or top - bottom < 12 or not inside:
                    continue
                boxes += 1
                if min(c[1] for c in inside) - bottom > 24:
                    strips.append((n + 1, round(min(c[1] for c in inside) - bottom)))
    finally:
        pdf.close()
    return boxes, strips


def test_a_checklist_frame_ends_at_its_last_item(handbook_paper):
    """A checklist broken over pages ends its frame's sides with its last item on the page, with no
    empty framed strip below them (a box stretched to the page's foot)."""
    paper, out = handbook_paper
    boxes, strips = _frame_strips(out / "handbook.pdf")
    print(f"\n{paper}: {boxes} framed boxes or parts, strips below their text: {strips}")
    assert boxes >= 20
    assert strips == [], paper

"""The printed book made up like a trade book, measured on its pages: full pages, a readable measure,
one column of page numbers in the contents, a cover that reads as a thumbnail, one edition and
one date."""

from __future__ import annotations

import statistics

import pypdfium2
import pytest
from pdf_support import bookmarks, reader

from handbook.build import load_checked
from handbook.outputs import cover
from handbook.project import Project

from conftest import CHAPTERS

INCH = 72.0
BOTTOM_MARGIN = 0.9 * INCH
LINE = 12 * 1.42  # the body's line height in points (layouts/print/handbook.css)


def _lines(page) -> list[tuple[float, float, float, str]]:
    """(top, left, right, text) of each line of a page, in points from the page's top: pdfium's text
    rectangles (one a run of text), joined by their baseline."""
    text = page.get_textpage()
    height = page.get_height()
    lines: dict[int, list] = {}
    for index in range(text.count_rects()):
        left, bottom, right, top = text.get_rect(index)
        lines.setdefault(round(bottom), []).append((height - top, left, right, text.get_text_bounded(left, bottom, right, top)))
    return [(min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs),
             "".join(r[3] for r in sorted(runs, key=lambda r: r[1]))) for runs in lines.values()]


def _chapter_pages(path) -> tuple[list[int], int]:
    starts = sorted({m.page for m in bookmarks(reader(path)) if m.depth == 0 and m.title != "Contents"})
    return starts, len(reader(path).pages)


def test_no_page_ends_short_but_a_chapters_last(handbook_paper):
    """At most three pages that are not the last of their chapter end more than 5 lines short."""
    paper, out = handbook_paper
    path = out / "handbook.pdf"
    starts, count = _chapter_pages(path)
    pdf = pypdfium2.PdfDocument(path)
    lowest = {}
    for number in range(starts[0], count + 1):
        page = pdf[number - 1]
        text = page.get_textpage()
        bottoms = [text.get_charbox(i)[1] for i in range(text.count_chars()) if text.get_charbox(i)[3] > text.get_charbox(i)[1]]
        if bottoms:
            lowest[number] = (min(bottoms) - BOTTOM_MARGIN) / LINE  # lines left empty at the foot
    last_of_chapter = {max((p for p in lowest if p < start), default=0) for start in starts[1:]} | {max(lowest)}
    # A chapter's "Links in this chapter" needs its heading and two rows of codes (a break leaves
    # two rows at least, layouts/print/handbook.css), about 12 lines: the page before it ends the
    # chapter's text and may end as short as that.
    links_next = {p for p in lowest if p < count and lowest[p] < 12
                  and pdf[p].get_textpage().get_text_range().startswith("Links in this chapter")}
    short = {p: round(lines, 1) for p, lines in lowest.items()
             if lines > 5 and p not in last_of_chapter | links_next}
    print(f"\n{paper}: {len(short)} short pages: {short}; before a chapter's links: {sorted(links_next)}")
    assert len(short) <= 3


def test_body_lines_have_a_trade_books_measure(handbook_out):
    """The median full line of body text holds 60 to 75 characters."""
    path = handbook_out / "handbook.pdf"
    starts, count = _chapter_pages(path)
    pdf = pypdfium2.PdfDocument(path)
    lengths = []
    for number in range(starts[0], starts[-2]):
        for top, left, right, text in _lines(pdf[number - 1]):
            if right - left > 4.5 * INCH and top > INCH:  # a full line of the text block
                lengths.append(len(" ".join(text.split())))
    median = statistics.median(lengths)
    print(f"\nmedian full line: {median} characters ({len(lengths)} lines)")
    assert 60 <= median <= 75


def test_contents_page_numbers_in_one_column(handbook_paper):
    paper, out = handbook_paper
    path = out / "handbook.pdf"
    marks = bookmarks(reader(path))
    first = next(m.page for m in marks if m.title == "Contents")
    last = min(m.page for m in marks if m.depth == 0 and m.title != "Contents") - 1
    pdf = pypdfium2.PdfDocument(path)
    lines = 0
    for number in range(first, last + 1):
        rights = [round(right, 1) for top, left, right, text in _lines(pdf[number - 1])
                  if top > INCH and text.strip()[-1:].isdigit() and "." in text]  # a leader, then a number
        lines += len(rights)
        assert not rights or max(rights) - min(rights) < 1.0, (number, sorted(set(rights)))
    assert lines > 60


def test_the_cover_reads_as_a_thumbnail(handbook_out):
    from PIL import Image

    image = Image.open(handbook_out / "cover.png")
    assert image.size == (1600, 2560)
    assert image.getpixel((5, 5)) != (255, 255, 255)  # drawn to the edge: no page margin
    book, _ = load_checked(CHAPTERS)
    page = pypdfium2.PdfDocument(cover.page(book, Project(CHAPTERS)))[0]
    text = page.get_textpage()
    tallest = max(text.get_charbox(i)[3] - text.get_charbox(i)[1] for i in range(text.count_chars()))
    # At 120 pixels wide, the title's capitals stand at least 6 pixels tall.
    assert tallest / page.get_width() * 120 >= 6


@pytest.mark.parametrize("title, fits", [("T" * 40, True), (("A long title " * 23)[:299], True)])
def test_long_titles_shrink_to_fit_the_cover(book_copy, title, fits):
    meta = book_copy / "book.yaml"
    meta.write_text(meta.read_text().replace("title: A Small Sample Book", f"title: {title}"))
    book, _ = load_checked(book_copy)
    assert len(pypdfium2.PdfDocument(cover.page(book, Project(book_copy)))) == 1


def test_one_edition_one_date(handbook_out):
    """The edition page reads as a copyright page; its edition, year and date agree."""
    book, _ = load_checked(CHAPTERS)
    pages = reader(handbook_out / "handbook.pdf").pages
    edition_page = " ".join(pages[3].extract_text().split())
    cover_page = " ".join(pages[0].extract_text().split())
    year = str(book.date.year)
    assert book.config.edition.upper() in cover_page.upper() and year in book.config.edition
    date = book.date.strftime("%B ") + str(book.date.day) + book.date.strftime(", %Y")
    assert f"{book.config.edition} (version {book.config.version}), published {date}." in edition_page
    assert f"© {year} {book.config.publisher}" in edition_page and "CC BY 4.0" in edition_page
    assert "Built" not in edition_page and "sources of that date" not in edition_page

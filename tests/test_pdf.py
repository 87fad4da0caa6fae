"""handbook.pdf as a reader, a screen reader and a printer meet it: read from the built file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdf
import pypdfium2
import pypdfium2.raw as pdfium_raw
import pytest
from pdf_support import (
    bookmarks,
    contents_numbers,
    fonts,
    is_embedded,
    link_targets,
    named_pages,
    page_texts,
    reader,
    squash,
)
from PIL import Image

from handbook import typeset
from handbook.build import build, load_checked
from handbook.errors import BuildError, RenderError
from handbook.layouts import DEFAULT_LAYOUTS
from handbook.project import Project
from handbook.sources import source_date

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "sample"


def book_and_pdf(book_out):
    chapters, out = book_out
    book, _ = load_checked(chapters)
    return book, reader(out / "handbook.pdf")


def chapter_marks(book, doc):
    """The top-level bookmark of each chapter, in book order."""
    top = [m for m in bookmarks(doc) if m.depth == 0]
    by_title = {m.title: m for m in top}
    return [by_title[ch.title] for ch in book.chapters]


def test_tagged_pdf_with_language_and_title(book_out):
    book, doc = book_and_pdf(book_out)
    root = doc.trailer["/Root"]
    assert "/StructTreeRoot" in root
    tree = root["/StructTreeRoot"].get_object()
    assert tree.get("/K") is not None and tree.get("/ParentTree") is not None
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == book.config.language
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    xmp = doc.xmp_metadata
    assert xmp is not None and b"pdfuaid" in xmp.stream.get_data()


def test_metadata_pinned_to_the_sources(book_out):
    book, doc = book_and_pdf(book_out)
    info = doc.metadata
    cfg = book.config
    assert info["/Title"] == cfg.title
    assert info["/Author"] == cfg.author
    assert info["/Subject"] == (cfg.description or cfg.subtitle)
    assert info["/Keywords"] == ", ".join(cfg.keywords)
    stamp = "D:" + source_date(Project(book.root)).strftime("%Y%m%d%H%M%S")
    assert info["/CreationDate"].startswith(stamp)
    assert info["/ModDate"].startswith(stamp)


def test_a_bookmark_per_chapter_and_section(book_out):
    book, doc = book_and_pdf(book_out)
    marks = bookmarks(doc)
    top = [m.title for m in marks if m.depth == 0]
    assert top == ["Contents"] + [ch.title for ch in book.chapters] + (["Index"] if book.index else [])
    for chapter in book.chapters:
        start = marks.index(next(m for m in marks if m.depth == 0 and m.title == chapter.title))
        inner = []
        for mark in marks[start + 1:]:
            if mark.depth == 0:
                break
            if mark.depth == 1:
                inner.append(mark.title)
        assert inner == [h.text for h in chapter.headings if h.level == 2], chapter.title
    assert all(1 <= m.page <= len(doc.pages) for m in marks)


def test_contents_page_numbers_are_where_chapters_start(book_out):
    book, doc = book_and_pdf(book_out)
    texts = page_texts(doc)
    starts = chapter_marks(book, doc)
    contents = next(m for m in bookmarks(doc) if m.title == "Contents")
    assert "\n".join(texts[contents.page - 1:starts[0].page - 1]).count(". .") > 20  # dotted leaders
    numbers = contents_numbers(doc, [ch.title for ch in book.chapters])
    for chapter, mark in zip(book.chapters, starts):
        assert numbers[chapter.title] == mark.page, chapter.title
        # ... and the chapter's title is printed on that page, the page it says.
        assert squash(chapter.title) in squash(texts[mark.page - 1])


def running_lines(path: Path) -> list[str]:
    """The text printed in the top margin of each page: the running head and folio."""
    document = pypdfium2.PdfDocument(str(path))
    try:
        lines = []
        for page in document:
            width, height = page.get_size()
            lines.append(" ".join(page.get_textpage().get_text_bounded(0, height - 72, width, height).split()))
        return lines
    finally:
        document.close()


def test_running_heads_and_folios(book_out):
    book, doc = book_and_pdf(book_out)
    _, out = book_out
    heads = running_lines(out / "handbook.pdf")
    titles = [ch.title for ch in book.chapters] + (["Index"] if book.index else [])  # the index runs as a chapter
    openers = [m.page for m in chapter_marks(book, doc)] + \
        [m.page for m in bookmarks(doc) if m.depth == 0 and m.title == "Index"][:len(titles) - len(book.chapters)]
    contents = next(m.page for m in bookmarks(doc) if m.title == "Contents")
    texts = page_texts(doc)
    title = " ".join(book.config.title.split())
    for number, head in enumerate(heads, 1):
        chapter = max((i for i, page in enumerate(openers) if page <= number), default=None)
        if number <= contents or number in openers or not texts[number - 1].strip():
            assert head == "", f"page {number} (cover, front matter, first contents page, opener or blank) has {head!r}"
        elif number < openers[0]:
            assert head == str(number), f"contents page {number}: {head!r}"
        elif number % 2 == 0:
            assert head == f"{number} {title}", f"left page {number}: {head!r}"
        else:
            expected = " ".join(titles[chapter].split())
            assert head == f"{expected} {number}", f"right page {number}: {head!r}"
    assert all(page % 2 == 1 for page in openers), "every chapter opens on a right-hand page"


def test_every_internal_link_lands_on_a_page(book_out):
    book, doc = book_and_pdf(book_out)
    links = link_targets(doc)
    assert len(links) >= len(book.chapters)  # the contents alone link every chapter
    assert [link for link in links if link[1] is None or not 1 <= link[1] <= len(doc.pages)] == []
    # Cross-references read "(page N)", ", page N" or ",” page N", N being where the link lands; never "see" twice.
    landing = {target for _, target in links}
    texts = [" ".join(text.split()) for text in page_texts(doc)]
    said = {int(n) for text in texts for n in re.findall(r"(?:\(|,”? )page\s+(\d+)", text)}
    assert said and said <= landing
    assert [t for t in texts if re.search(r"\bsee\W+(?:\w+\W+){0,6}\(see page", t, re.I)] == []


def test_sample_cross_reference_names_the_page(sample_out):
    doc = reader(sample_out / "handbook.pdf")
    pages = named_pages(doc)
    texts = page_texts(doc)
    first = pages["ch-01-first"]
    second = pages["ch-02-second"]
    assert f"See the second chapter (page {second})" in " ".join(texts[first - 1].split())


def test_text_is_hyphenated_by_its_language(book_out):
    """Justified text breaks words by the rules of the book's language, at a hyphen."""
    book, doc = book_and_pdf(book_out)
    words = {w.lower() for ch in book.chapters for w in re.findall(r"[A-Za-z]+", ch.path.read_text("utf-8"))}
    broken = re.findall(r"([A-Za-z]+)[\u2010-]\s*\n\s*([a-z]+)", "\n".join(page_texts(doc)))
    hyphenated = [a + b for a, b in broken if (a + b).lower() in words]
    minimum = 20 if len(book.chapters) > 5 else 0  # the sample book is too short to need any
    assert len(hyphenated) >= minimum
    assert doc.trailer["/Root"]["/Lang"] == book.config.language


def test_every_font_embedded(book_out):
    _, doc = book_and_pdf(book_out)
    used = fonts(doc)
    assert used
    assert [name for name, font in used.items() if not is_embedded(font)] == []
    names = " ".join(used)
    assert "Source-Serif" in names and "Source-Sans" in names  # serif text, sans headings
    # No glyph fell back to a system font or a slanted stand-in for a missing italic.
    assert [n for n in used if "Source-" not in n or "Oblique" in n] == []


def _notes(chapter):
    """Each footnote of a chapter: (the text just before its call, the start of its own text)."""
    tokens = chapter.tokens
    bodies, before = {}, {}
    current = None
    for token in tokens:
        if token.type == "footnote_open":
            current = token.meta["id"]
        elif token.type == "footnote_close":
            current = None
        elif token.type == "inline" and current is not None and current not in bodies:
            bodies[current] = token.content
        elif token.type == "inline":
            last = ""
            for child in token.children or []:
                if child.type == "text":
                    last = child.content
                elif child.type == "footnote_ref":
                    before[child.meta["id"]] = last
    return [(before[k], bodies[k]) for k in sorted(before)]


def test_footnotes_print_on_the_page_of_their_call(book_out):
    book, doc = book_and_pdf(book_out)
    texts = [squash(t) for t in page_texts(doc)]
    starts = chapter_marks(book, doc)
    ends = [m.page for m in starts[1:]] + [len(texts) + 1]
    count = 0
    for chapter, start, end in zip(book.chapters, starts, ends):
        for before, body in _notes(chapter):
            call = squash(before)[-40:]
            note = squash(body)[:40]
            call_pages = [n for n in range(start.page, end) if call in texts[n - 1]]
            note_pages = [n for n in range(start.page, end) if note in texts[n - 1]]
            assert len(call_pages) == 1 and note_pages == call_pages, (chapter.title, body[:40])
            count += 1
    assert count == sum(len(_notes(ch)) for ch in book.chapters) and count > 0


def _heading_bottom(text, mark) -> float:
    """Where a heading's last line ends (PDF points), found from its last word below the bookmark."""
    searcher = text.search(mark.title.split()[-1], match_case=True)
    while (hit := searcher.get_next()) is not None:
        index, count = hit
        _, bottom, _, top = text.get_charbox(index + count - 1)
        if mark.top - 60 <= top <= mark.top + 2:
            return bottom
    raise AssertionError(f"heading {mark.title!r} is not printed on page {mark.page}")


def test_headings_keep_two_lines_after_them(book_out):
    """No heading ends a page: two lines of what follows come with it (one, where the chapter ends)."""
    book, doc = book_and_pdf(book_out)
    texts = page_texts(doc)
    last_pages = {m.page - 1 for m in chapter_marks(book, doc)} | {len(texts)}
    last_pages |= {n - 1 for n in last_pages if not texts[n - 1].strip()}  # a blank page before an opener
    document = pypdfium2.PdfDocument(str(book_out[1] / "handbook.pdf"))
    try:
        for mark in bookmarks(doc):
            if mark.depth == 0:
                continue
            text = document[mark.page - 1].get_textpage()
            end = _heading_bottom(text, mark)
            lines = set()
            for i in range(text.count_chars()):
                left, bottom, right, top = text.get_charbox(i)
                if top < end - 1 and bottom > 0.9 * 72 and text.get_text_range(i, 1).strip():
                    lines.add(round(bottom))
            needed = 1 if mark.page in last_pages else 2
            assert len(lines) >= needed, f"heading {mark.title!r} ends page {mark.page}"
    finally:
        document.close()


def test_checklists_break_between_items_and_name_themselves_on_the_next_page(book_out):
    """A checklist starts with its title and first item together; where it runs over, the next page
    names it "(continued)" in its margin, and no item is split."""
    book, doc = book_and_pdf(book_out)
    pages = named_pages(doc)
    texts = [squash(t) for t in page_texts(doc)]
    for checklist in book.checklists:
        page = pages[f"ch-{checklist.chapter}--{checklist.id}"]
        assert squash(checklist.title) in texts[page - 1]
        assert squash(checklist.items[0].text)[:40] in texts[page - 1]
        for item in checklist.items:
            where = [n for n, text in enumerate(texts, 1) if n >= page and squash(item.text)[:12] in text]
            assert where, (checklist.id, item.text)
            if where[0] != page:  # the item runs on the next page, which names the checklist
                assert squash(f"{checklist.title} (continued)") in texts[where[0] - 1], (checklist.id, where[0])


def _write(book_dir: Path, out: Path, paper: str = "letter") -> pypdf.PdfReader:
    book, _ = load_checked(book_dir)
    out.write_bytes(typeset.lay_out(book, Project(book_dir, DEFAULT_LAYOUTS, paper)).pdf)
    return pypdf.PdfReader(out)


def test_long_table_repeats_its_header_and_keeps_rows_whole(book_copy, tmp_path):
    rows = "\n".join(f"| row {n} first cell | row {n} second cell, which is long enough to wrap onto a "
                     f"second line in its column | row {n} end |" for n in range(1, 91))
    (book_copy / "03-table.md").write_text(
        "---\ntitle: A long table\n---\n\nAll the rows:\n\n| Name | Description | Last |\n|---|---|---|\n"
        + rows + "\n", encoding="utf-8")
    doc = _write(book_copy, tmp_path / "handbook.pdf")
    texts = [" ".join(t.split()) for t in page_texts(doc)]
    with_rows = [t for t in texts if "row 45 first cell" in t or re.search(r"row \d+ end", t)]
    assert len(with_rows) >= 3
    for text in with_rows:
        assert "Name Description Last" in text  # the header on every page of the table
    for n in range(1, 91):
        first = [i for i, t in enumerate(texts) if f"row {n} first cell" in t]
        last = [i for i, t in enumerate(texts) if f"row {n} end" in t]
        assert first == last and len(first) == 1, f"row {n} is split"


def test_image_alt_text_is_required_and_tagged(book_copy, tmp_path):
    Image.new("RGB", (60, 40), "steelblue").save(book_copy / "chart.png")
    chapter = book_copy / "02-second.md"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text + "\n![](chart.png)\n", encoding="utf-8")
    line = text.count("\n") + 2
    with pytest.raises(BuildError) as info:
        load_checked(book_copy)
    assert any(d.path.endswith("02-second.md") and d.line == line and d.code == "image-alt"
               for d in info.value.diagnostics)
    assert f"02-second.md:{line}: error:" in str(info.value)

    chapter.write_text(text + "\n![A blue chart of nothing](chart.png)\n", encoding="utf-8")
    doc = _write(book_copy, tmp_path / "handbook.pdf")
    figures = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, pypdf.generic.ArrayObject):
            for kid in node:
                walk(kid)
        elif isinstance(node, pypdf.generic.DictionaryObject):
            if node.get("/S") == "/Figure":
                figures.append(node.get("/Alt"))
            if "/K" in node:
                walk(node["/K"])

    walk(doc.trailer["/Root"]["/StructTreeRoot"])
    assert "A blue chart of nothing" in figures


def test_any_typesetter_warning_fails_the_build(tmp_path):
    layouts = tmp_path / "layouts"
    shutil.copytree(DEFAULT_LAYOUTS, layouts)
    with open(layouts / "print" / "handbook.css", "a", encoding="utf-8") as css:
        css.write("\n.chapter { colour: red; }\n")  # an unknown property: WeasyPrint warns
    out = tmp_path / "out"
    with pytest.raises(RenderError, match="handbook.pdf: error: .*colour"):
        build(SAMPLE, out, layouts_dir=layouts, force=True)
    assert not (out / "handbook.pdf").exists()


BODY_SIZE = 10.75 * 4 / 3  # the running text of layouts/print/handbook.css, in the CSS pixels the PDF uses


def text_lines(page, size: float = BODY_SIZE) -> list[tuple[float, float, float]]:
    """The lines of running text on a page as (baseline from the top, left, right), top to bottom."""
    text = page.get_textpage()
    height = page.get_height()
    rows: dict[int, list[float]] = {}
    for i in range(text.count_chars()):
        if not text.get_text_range(i, 1).strip() or abs(pdfium_raw.FPDFText_GetFontSize(text.raw, i) - size) > 0.3:
            continue
        left, bottom, right, _ = text.get_charbox(i, loose=True)
        key = round(height - bottom)
        row = rows.setdefault(key, [left, right])
        row[0], row[1] = min(row[0], left), max(row[1], right)
    return [(float(key), left, right) for key, (left, right) in sorted(rows.items())]


def test_no_line_of_running_text_is_broken_early(book_out):
    """A short line followed, at the same leading, by a full one means a word was left alone."""
    _, out = book_out
    document = pypdfium2.PdfDocument(str(out / "handbook.pdf"))
    problems = []
    try:
        for number, page in enumerate(document, 1):
            left_edge = (1.05 if number % 2 else 1.4) * 72
            measure = page.get_width() - 2.45 * 72
            lines = [line for line in text_lines(page) if abs(line[1] - left_edge) < 3]
            for (y, left, right), (y2, left2, right2) in zip(lines, lines[1:]):
                if y2 - y < 17 and right - left < measure / 2 and right2 - left2 > 0.9 * measure:
                    problems.append(f"page {number}: a short line at {round(y)} pt from the top")
    finally:
        document.close()
    assert problems == []

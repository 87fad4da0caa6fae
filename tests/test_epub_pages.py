"""The EPUB's page-list and page-break markers cite the pages of the PDF made by the same build.

Where each printed page begins is read back from the PDF itself (its outline and
its text, through pypdf and poppler's pdftotext), never from the build's own
records, so these tests would catch a page map that drifted from the layout.
"""

from __future__ import annotations

import re
import subprocess

from lxml import etree
from pathlib import Path

from conftest import SAMPLE
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from test_epub import EPUB_TYPE, NS, Epub, build_copy

from handbook.build import load_checked
from handbook.outputs.epub_pages import document_of, first_blocks, placement
from handbook.pagemap import PageMap


def pdf_chapter_pages(pdf: Path) -> dict[str, int]:
    """Title -> page for the PDF's top-level bookmarks (its chapters, and the contents)."""
    reader = PdfReader(pdf)
    return {item.title: reader.get_destination_page_number(item) + 1
            for item in reader.outline if not isinstance(item, list)}


def words(text: str) -> list[str]:
    text = re.sub(r"-\n", "", text.replace("\u00ad", ""))  # words hyphenated at a line end
    return re.findall(r"\w+", text.lower())


def pdf_page_words(pdf: Path) -> list[str]:
    """Each page's words, space-separated and padded, for phrase searches."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=300).stdout
    return [" " + " ".join(words(page)) + " " for page in text.split("\f")]


def markers(root) -> list:
    return root.xpath("//*[@epub:type='pagebreak']", namespaces=NS)


def test_page_list_is_every_printed_page_in_reading_order(book_out):
    _, out = book_out
    epub = Epub(out / "handbook.epub")
    count = len(PdfReader(out / "handbook.pdf").pages)
    entries = epub.page_list()
    assert [label for label, _ in entries] == [str(n) for n in range(1, count + 1)]
    positions = []
    for label, href in entries:
        name, _, ident = href.partition("#")
        root = epub.doc(name)
        mark = epub.target(href)
        assert mark is not None and mark.get(EPUB_TYPE) == "pagebreak"
        assert mark.get("role") == "doc-pagebreak" and mark.get("aria-label") == label
        positions.append((epub.spine.index(name), [m.get("id") for m in markers(root)].index(ident)))
    assert positions == sorted(positions)
    # Every marker in the book is in the page-list: none is left for a reader to stumble on.
    assert sum(len(markers(epub.doc(name))) for name in epub.spine) == count


def test_chapter_starts_match_the_pdf(book_out):
    chapters, out = book_out
    book, _ = load_checked(chapters)
    epub = Epub(out / "handbook.epub")
    bookmarks = pdf_chapter_pages(out / "handbook.pdf")
    pages = pdf_page_words(out / "handbook.pdf")
    for chapter in book.chapters:
        printed = bookmarks[chapter.title]
        assert " " + " ".join(words(chapter.title)) + " " in pages[printed - 1]
        root = epub.doc(chapter.slug + ".xhtml")
        before = root.find(".//x:h1", NS).xpath("preceding::*[@epub:type='pagebreak']", namespaces=NS)
        assert before, f"{chapter.slug}: no page marker before the chapter title"
        assert before[-1].get("aria-label") == str(printed), chapter.title
        assert (before[-1].get("aria-label"), f"{chapter.slug}.xhtml#{before[-1].get('id')}") in epub.page_list()
    # The front pages: cover, title page and contents are the EPUB's own.
    page_list = dict(epub.page_list())
    assert page_list["1"].startswith("cover.xhtml#")
    assert page_list[str(bookmarks["Contents"])].startswith(epub.nav_name + "#")


# A chapter's blocks, as a reader would cite them: not the notes (printed at the foot of their page),
# nor what a list, table, checklist or chapter opener holds.
BLOCKS = ("//x:section[@epub:type='chapter' or @epub:type='appendix']//*[self::x:p or self::x:li or self::x:h2"
          " or self::x:h3 or self::x:table or self::x:blockquote or self::x:section[@class='checklist']]"
          "[not(ancestor::x:section[@class='checklist' or @class='footnotes'] or ancestor::x:li"
          " or ancestor::x:table or ancestor::x:header)]")


def leading_words(block) -> list[str]:
    """The block's first words, up to the end of its first link: print adds to links
    ("see page N" after a cross-reference, the address after a web link)."""
    parts = [block.text or ""]
    for child in block:
        parts.append("".join(child.itertext()))
        if child.xpath("descendant-or-self::x:a", namespaces=NS):
            break
        parts.append(child.tail or "")
    return words("".join(parts))[:4]


def _marks_before_text(block) -> list:
    """The page marks inside a block before its first words (a mark further in, inside a quote that
    runs over a page, marks where a later page begins, not where the block does)."""
    found = []
    for element in block.iter():
        if element is not block and "pagebreak" in (element.get(f"{{{NS['epub']}}}type") or ""):
            found.append(element)
            if (element.tail or "").strip():
                break
        elif (element.text or "").strip():
            break
    return found


def test_every_block_is_on_the_page_the_epub_gives_it(book_out):
    """A reader citing the EPUB's page for any paragraph, heading, list item, table or checklist
    cites the PDF page on which it begins."""
    chapters, out = book_out
    book, _ = load_checked(chapters)
    epub = Epub(out / "handbook.epub")
    pages = pdf_page_words(out / "handbook.pdf")
    checked, wrong = 0, []
    for chapter in book.chapters:
        for block in epub.doc(chapter.slug + ".xhtml").xpath(BLOCKS, namespaces=NS):
            marks = block.xpath("preceding::*[@epub:type='pagebreak']", namespaces=NS) + _marks_before_text(block)
            phrase = leading_words(block)
            if etree.QName(block).localname == "table":
                # A table's text is read column by column: look for its first two header cells.
                phrase = [w for cell in block.xpath(".//x:th", namespaces=NS)[:2] for w in words("".join(cell.itertext()))]
                if len(phrase) >= 2 and all(f" {w} " in pages[int(marks[-1].get("aria-label")) - 1] for w in phrase):
                    checked += 1
                    continue
            if len(phrase) < 2:
                continue  # too short to find in a page for sure
            page = int(marks[-1].get("aria-label"))
            checked += 1
            if " " + " ".join(phrase) + " " not in pages[page - 1]:
                wrong.append((chapter.slug, page, " ".join(phrase)))
    assert wrong == []
    assert checked >= 5 * len(book.chapters)


def test_a4_build_cites_its_own_pages(tmp_path, sample_out):
    out = build_copy(tmp_path, None, "--paper", "a4")
    book, _ = load_checked(SAMPLE)
    epub = Epub(out / "handbook.epub")
    a4_pages = len(PdfReader(out / "handbook.pdf").pages)
    assert [label for label, _ in epub.page_list()] == [str(n) for n in range(1, a4_pages + 1)]
    bookmarks = pdf_chapter_pages(out / "handbook.pdf")
    for chapter in book.chapters:
        first = epub.doc(chapter.slug + ".xhtml").xpath("//x:section/*[1]", namespaces=NS)[0]
        assert first.get(EPUB_TYPE) == "pagebreak" and first.get("aria-label") == str(bookmarks[chapter.title])
    # The EPUB says which PDF it cites, in its metadata and on its title page.
    for built, paper, pages in ((out, "A4", a4_pages),
                                (sample_out, "US Letter", len(PdfReader(sample_out / "handbook.pdf").pages))):
        built_epub = Epub(built / "handbook.epub")
        summary = built_epub.meta("schema:accessibilitySummary")[0]
        assert f"handbook.pdf, {paper}, {pages} pages" in summary
        source = f"{book.config.title}, PDF edition (handbook.pdf), {paper}, {pages} pages"
        assert built_epub.meta("pageBreakSource") == [source]
        assert f"handbook.pdf ({paper}, {pages} pages)" in " ".join(built_epub.doc("titlepage.xhtml").itertext())
    assert "US Letter" not in Epub(out / "handbook.epub").meta("schema:accessibilitySummary")[0]


def test_pages_without_a_block_of_their_own_keep_their_place():
    starts = {1: "front/cover", 3: "front/title", 5: "a/0", 6: "a/3", 8: "a/9", 10: "b/0"}
    placed = placement(starts, 11)
    assert placed.ends == {"cover": [2], "titlepage": [4], "a": [9], "b": [11]}  # blank or ending pages
    assert placed.at["a/9"] == [7, 8]  # a page inside a chapter: just before the next page's marker
    assert placed.at["front/cover"] == [1] and placed.at["b/0"] == [10]


def test_checklists_found_by_their_print_anchor_can_begin_a_page():
    book, _ = load_checked(SAMPLE)
    chapter = book.chapters[0]
    token = next(t for t in chapter.tokens if t.type == "checklist")
    key = token.meta["b"]
    later = f"{chapter.slug}/{int(key.rpartition('/')[2]) + 1}"
    anchors = {f"ch-{chapter.slug}--{token.meta['checklist'].id}": 4}
    starts = first_blocks(book, PageMap(anchors, {"front/cover": 1, later: 4, "front/colophon": 2}, 4))
    assert starts == {1: "front/cover", 4: key}  # the checklist comes first on page 4; no EPUB page for page 2


@given(st.lists(st.lists(st.booleans(), min_size=1, max_size=6), min_size=1, max_size=5))
def test_every_page_is_placed_once_in_reading_order(docs):
    """Documents made of pages that do (True) or do not (False) begin with a block of their own."""
    starts, page = {}, 0
    for d, pages in enumerate(docs):
        for n, begins in enumerate(pages):
            page += 1
            if begins or n == 0:
                starts[page] = f"d{d}/{n}"
    placed = placement(starts, page)
    read = []
    for d, pages in enumerate(docs):
        for n in range(len(pages)):
            read += placed.at.get(f"d{d}/{n}", [])
        read += placed.ends.get(f"d{d}", [])
    assert read == list(range(1, page + 1))
    assert all(document_of(key) for key in placed.at)

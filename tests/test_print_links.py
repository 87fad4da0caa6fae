"""Every link reachable from paper: a web link prints its address, each chapter ends with its web
links as QR codes a phone decodes to the very address, and each printed checklist of a book with a
web edition carries a code to its own place there."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from pdf_support import bookmarks, reader

from handbook import qrcodes
from handbook.build import build, load_checked

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "sample"
CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"
SITE = "https://handbook.example.org/"


def page_lines(path: Path) -> list[list[str]]:
    """Each page's text as lines, as pdfium reads them."""
    document = pypdfium2.PdfDocument(str(path))
    try:
        return [document[i].get_textpage().get_text_range().splitlines() for i in range(len(document))]
    finally:
        document.close()


def decoded(path: Path, pages: range) -> list[str]:
    """The QR codes on `pages` (0-based), decoded from page images, in reading order (row by row,
    left to right)."""
    document = pypdfium2.PdfDocument(str(path))
    found = []
    try:
        for index in pages:
            image = document[index].render(scale=200 / 72).to_pil().convert("L")
            codes = [r for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
            row = 200 / 4  # codes whose tops are within a quarter inch share a row
            codes.sort(key=lambda r: (round(r.position.top_left.y / row), r.position.top_left.x))
            found += [r.text for r in codes]
    finally:
        document.close()
    return found


def web_urls(chapter) -> list[str]:
    seen = []
    for link in chapter.links:
        if link.url.startswith(("http://", "https://")) and link.url not in seen:
            seen.append(link.url)
    return seen


def test_each_chapters_qr_codes_decode_to_its_web_links_in_order(handbook_out):
    book, _ = load_checked(CHAPTERS)
    pdf = handbook_out / "handbook.pdf"
    lines = page_lines(pdf)
    starts = {m.title: m.page - 1 for m in bookmarks(reader(pdf)) if m.depth == 0}
    order = sorted(starts.values()) + [len(lines)]
    checked = 0
    for chapter in book.chapters:
        urls = web_urls(chapter)
        first = starts[chapter.title]
        last = order[order.index(first) + 1]
        heading = [i for i in range(first, last) if "Links in this chapter" in lines[i]]
        if not urls:
            assert not heading, chapter.title
            continue
        assert len(heading) == 1, chapter.title
        assert decoded(pdf, range(heading[0], last)) == urls, chapter.title
        checked += len(urls)
    assert checked > 100


def test_every_web_link_prints_its_address_in_its_chapter(handbook_out):
    """The short address (no scheme, no "www.") is in the chapter's text, its lines broken only
    before a slash, dot, hyphen or the like of the address, so no line ends inside a piece."""
    book, _ = load_checked(CHAPTERS)
    pdf = handbook_out / "handbook.pdf"
    lines = page_lines(pdf)
    text = "\n".join("\n".join(page) for page in lines)
    for chapter in book.chapters:
        for url in web_urls(chapter):
            address = qrcodes.short(url)
            pattern = r"\s*".join(re.escape(piece) for piece in re.split(r"(?=[/.\-_?#&=~])", address) if piece)
            assert re.search(pattern, text), f"{chapter.filename}: {address} is not printed"
            for match in re.finditer(pattern, text):
                for br in re.finditer(r"\s*\n\s*", match.group(0)):
                    after = match.group(0)[br.end():br.end() + 1]
                    assert after in "/.-_?#&=~", f"{address} breaks before {after!r}"


@pytest.fixture(scope="module")
def web_sample(tmp_path_factory) -> tuple[Path, Path]:
    """The sample book, published on the web."""
    book = tmp_path_factory.mktemp("web-book") / "book"
    shutil.copytree(SAMPLE, book)
    with open(book / "book.yaml", "a", encoding="utf-8") as meta:
        meta.write(f"site_url: {SITE}\n")
    with open(book / "01-first.md", "a", encoding="utf-8") as chapter:
        chapter.write("\nStart at [www.Example.org](https://www.example.org/) or [its guide](https://example.org/guide/).\n")
    out = book.parent / "build"
    build(book, out, force=True)
    return book, out


def test_each_printed_checklist_leads_to_its_place_on_the_web(web_sample):
    chapters, out = web_sample
    book, _ = load_checked(chapters)
    pack = out / "checklists.pdf"
    sheets = decoded(pack, range(len(reader(pack).pages)))
    expected = [f"{SITE}{c.chapter}.html#{c.id}" for c in book.checklists]
    assert sheets == expected
    for url in expected:  # ... a place the web edition has
        page, ident = url.removeprefix(SITE).split("#")
        assert f'id="{ident}"' in (out / "site" / page).read_text(encoding="utf-8")
    for checklist in book.checklists:
        single = out / "checklists" / f"{checklist.id}.pdf"
        assert decoded(single, range(1)) == [f"{SITE}{checklist.chapter}.html#{checklist.id}"]
    text = "\n".join("\n".join(page) for page in page_lines(pack))
    assert qrcodes.short(expected[0]).split("/")[0] in text


def test_printed_addresses_do_not_repeat_words_that_name_them(web_sample):
    _, out = web_sample
    text = " ".join(" ".join(page) for page in page_lines(out / "handbook.pdf"))
    assert "its guide (example.org/guide)" in text
    assert "www.Example.org (" not in text and "Start at www.Example.org or" in text


def test_no_checklist_code_without_a_web_edition(sample_out):
    pack = sample_out / "checklists.pdf"
    assert decoded(pack, range(len(reader(pack).pages))) == []

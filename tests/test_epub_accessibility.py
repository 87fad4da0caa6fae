"""EPUB Accessibility 1.1: the package declares its claims, and each claim is true of the book."""

from __future__ import annotations

import re

from lxml import etree
from pypdf import PdfReader
from test_epub import EPUB_TYPE, NS, Epub, reading_files

from handbook.build import load_checked

FEATURES = {"tableOfContents", "readingOrder", "structuralNavigation", "pageNavigation", "pageBreakMarkers",
            "alternativeText", "ARIA", "displayTransformability"}
# The DPUB-ARIA role each structural semantic must carry (what accessibility checkers match).
ROLES = {"chapter": "doc-chapter", "appendix": "doc-appendix", "noteref": "doc-noteref", "footnote": "doc-footnote",
         "endnotes": "doc-endnotes", "pagebreak": "doc-pagebreak", "toc": "doc-toc", "page-list": "doc-pagelist",
         "colophon": "doc-colophon"}
HEADING = re.compile(r"\{http://www\.w3\.org/1999/xhtml\}h([1-6])$")


def test_accessibility_metadata(book_out):
    chapters, out = book_out
    book, _ = load_checked(chapters)
    epub = Epub(out / "handbook.epub")
    pages = len(PdfReader(out / "handbook.pdf").pages)
    assert sorted(epub.meta("schema:accessMode")) == ["textual", "visual"]
    assert epub.meta("schema:accessModeSufficient") == ["textual"]
    assert set(epub.meta("schema:accessibilityFeature")) == FEATURES
    assert epub.meta("schema:accessibilityHazard") == ["none"]
    assert epub.meta("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert epub.meta("a11y:certifiedBy") == [book.config.publisher]
    [summary] = epub.meta("schema:accessibilitySummary")
    assert "WCAG 2.2 Level AA" in summary and f"(handbook.pdf, US Letter, {pages} pages)" in summary
    source = f"{book.config.title}, PDF edition (handbook.pdf), US Letter, {pages} pages"
    assert epub.meta("pageBreakSource") == [source]


def test_every_claim_is_true(book_out):
    chapters, out = book_out
    book, _ = load_checked(chapters)
    epub = Epub(out / "handbook.epub")
    docs = {name: epub.doc(name) for name in epub.spine}
    # readingOrder: front matter, then the chapters as printed.
    assert epub.spine[3:] == reading_files(book)
    # tableOfContents: every chapter is in the nav's toc.
    toc = [a.get("href") for a in epub.nav("toc").iterfind(".//x:a", NS)]
    assert all(ch.slug + ".xhtml" in toc for ch in book.chapters)
    # pageNavigation and pageBreakMarkers: a page-list of every printed page, each a named marker.
    assert len(epub.page_list()) == len(PdfReader(out / "handbook.pdf").pages)
    for name, root in docs.items():
        # structuralNavigation: one h1 opens each document's content; no heading skips a level.
        levels = [int(HEADING.match(e.tag).group(1)) for e in root.iter(etree.Element) if HEADING.match(e.tag)]
        if name not in ("cover.xhtml",):
            assert levels[0] == 1 and levels.count(1) == 1, name
            assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), (name, levels)
        # The page number must not join a heading's accessible name ("12Finance").
        assert not root.xpath("//x:h1//*[@epub:type='pagebreak'] | //x:h2//*[@epub:type='pagebreak']"
                              " | //x:h3//*[@epub:type='pagebreak'] | //x:h4//*[@epub:type='pagebreak']", namespaces=NS)
        # alternativeText, and accessModeSufficient textual: every picture has a text alternative.
        assert all((img.get("alt") or "").strip() for img in root.iterfind(".//x:img", NS)), name
        # ARIA: each structural semantic carries its DPUB-ARIA role.
        for element in root.xpath("//*[@epub:type][not(ancestor::x:nav[@epub:type='landmarks'])]", namespaces=NS):
            for kind in element.get(EPUB_TYPE).split():
                if kind in ROLES:
                    assert element.get("role") == ROLES[kind], (name, kind)
        for mark in root.xpath("//*[@epub:type='pagebreak']", namespaces=NS):
            assert mark.get("aria-label") and mark.get("id"), name
        # Language and title, for assistive technology.
        assert root.get("lang") == book.config.language and root.xpath("string(//x:title)", namespaces=NS).strip()
    # displayTransformability: text sizes are relative and text colours are the reader's.
    css = "\n".join(epub.zip.read(epub.base + i.get("href")).decode()
                    for i in epub.manifest.values() if i.get("media-type") == "text/css")
    assert not re.findall(r"font(?:-size)?\s*:[^;}]*\d(?:px|pt)\b", css)
    assert not re.findall(r"(?<![-\w])(?:color|background(?:-color)?)\s*:", css)
    assert "@font-face" not in css
    # accessibilityHazard none, accessMode: no sound, video, animation or script; pictures (the cover).
    media = {i.get("media-type") for i in epub.manifest.values()}
    assert not {m for m in media if m.startswith(("audio/", "video/"))} and "image/gif" not in media
    assert "text/javascript" not in media and "application/javascript" not in media
    assert any(m.startswith("image/") for m in media)


def test_without_its_pdf_the_epub_claims_no_pages():
    """The writer run on its own (no PDF made): no page-list, and no claim of one."""
    import io
    import zipfile

    from conftest import SAMPLE

    from handbook.outputs import epub
    from handbook.pagemap import PageMap
    from handbook.project import Project
    from handbook.typeset import PrintLayout

    book, _ = load_checked(SAMPLE)
    made = epub.make(book, PrintLayout(b"", {}, PageMap(), ""), Project(SAMPLE), None).files["handbook.epub"]
    package = zipfile.ZipFile(io.BytesIO(made))
    opf = package.read("EPUB/content.opf").decode()
    assert "pageNavigation" not in opf and "pageBreakMarkers" not in opf and "pageBreakSource" not in opf
    assert "visual" not in opf and "cover-image" not in opf
    assert "page-list" not in package.read("EPUB/nav.xhtml").decode()

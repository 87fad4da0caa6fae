"""The web edition against print: its print stylesheet in a real browser, and its page marks
("p. 12") and chapter page numbers checked against the text of the typeset PDF.
"""

from __future__ import annotations

import re

from pypdf import PdfReader
from test_site import ARTIFACTS, book, browser, check_stayed_inside, open_site, serve  # noqa: F401 (fixtures)


def _squash(text: str) -> str:
    """Text without spaces, hyphens or printed web addresses: line breaks and hyphenation
    differ between the PDF and the page, and print spells out the address of a link."""
    text = re.sub(r"https?://\S+?(?=[\s:;,)]|$)", "", text)
    return re.sub(r"[\s\-\u00ad\u2010\u2011]+", "", text)


def test_print_stylesheet(browser, serve, handbook_out, book):
    root = handbook_out / "site"
    site, page = open_site(browser, root, serve(root))
    chapter = next(c for c in book.chapters if c.checklists)
    page.goto(site.url(f"{chapter.slug}.html"))
    page.emulate_media(media="print")
    for hidden in (".book-toc", ".pager", ".site-nav", ".chapter-toc", ".checklist-footer"):
        assert page.locator(hidden).first.evaluate("e => getComputedStyle(e).display") == "none", hidden
    assert page.locator(".checklist input[type=checkbox]").first.is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "site-chapter-print.pdf"
    page.pdf(path=str(pdf), format="Letter", print_background=False)
    text = _squash(" ".join(p.extract_text() for p in PdfReader(pdf).pages))
    assert _squash(chapter.title) in text
    assert _squash(chapter.checklists[0].title) in text
    assert "Next:" not in text and "Previous:" not in text
    page.context.close()
    check_stayed_inside(site)


MARKS = """() => [...document.querySelectorAll('.chapter-body .page-mark')].map(m => {
  const inside = m.parentElement.matches('p, h1, h2, h3, h4, h5, h6, li, blockquote');
  const block = inside ? m.parentElement : m.nextElementSibling;
  return {id: m.id, text: m.innerText, block: block.innerText.replace(m.innerText, '')};
})"""


def test_page_marks_point_at_the_printed_pages(browser, serve, handbook_out, book):
    root = handbook_out / "site"
    # Print adds each web link's address after it, "(bls.gov/oes)": not in the web's text.
    pdf_pages = [_squash(re.sub(r"\s?\((?:[\w-]+\.)+[a-z]{2,}(?:/[^)]*)?\)", "", p.extract_text()))
                 for p in PdfReader(root / "downloads" / "handbook.pdf").pages]
    site, page = open_site(browser, root, serve(root))
    page.goto(site.url("index.html"))
    starts = page.locator(".contents-page").all_inner_texts()
    assert len(starts) == len(book.chapters)
    for chapter, start in zip(book.chapters, starts):
        number = int(re.search(r"\d+", start)[0])
        assert _squash(chapter.title) in pdf_pages[number - 1], (chapter.slug, number)
    checked = 0
    for chapter in book.chapters:
        page.goto(site.url(f"{chapter.slug}.html"))
        for mark in page.evaluate(MARKS):
            number = int(mark["id"].removeprefix("page-"))
            assert mark["text"].replace("\xa0", " ") == f"p. {number}"
            assert _squash(mark["block"])[:24] in pdf_pages[number - 1], (chapter.slug, mark)
            checked += 1
    assert checked >= len(pdf_pages) // 2  # most pages of the book begin with a marked block
    page.context.close()
    check_stayed_inside(site)

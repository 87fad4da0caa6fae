"""A laid-out part renumbered in place is, byte for byte, the part laid out afresh with the new
numbers; where that cannot hold, renumbering refuses and leaves the layout as it was."""

from __future__ import annotations

import pytest

from conftest import CHAPTERS
from handbook import fonts, layouts
from handbook.project import Project
from handbook.typeset import engine, laidout, sandbox
from handbook.typeset.laidout import PartJob
from handbook.typeset.merge import foreign_href

CSS = """
@font-face { font-family: "Source Serif"; src: url(fonts/SourceSerifPro-Regular.ttf); }
@page { size: 12cm 9cm; margin: 1.5cm 1cm; @top-right { content: "Title\\2003" counter(page); }
        @bottom-center { content: FOLIO; } }
body { font: 10pt/1.3 "Source Serif", serif; text-align: justify; }
a.xref::after { content: " (page\\00a0" target-counter(attr(href url), page) ")"; }
a.xref[data-page]::after { content: " (page\\00a0" attr(data-page) ")"; }
.toc a[data-page]::after { content: leader(". ") "\\2002" attr(data-page); }
"""
WORDS = "the practice manager keeps the schedule, the staff and the books in order every week".split()


def _html(start: int, there: int, folio: str = "none") -> str:
    """A part of 5 or so pages: its first page numbered `start`, citing another part's anchor on
    page `there`, and its own anchors."""
    blocks = [f'<ul class="toc"><li><a href="{foreign_href("elsewhere")}" data-page="{there}">Elsewhere</a></li></ul>']
    for n in range(16):
        text = " ".join(WORDS[(n + i) % len(WORDS)] for i in range(30 + 5 * (n % 4)))
        xref = (f'<a class="xref" href="#p{(n * 7) % 16}">a section</a> '
                f'and <a class="xref" href="{foreign_href("elsewhere")}" data-page="{there}">another</a> ') if n % 3 == 1 else ""
        blocks.append(f'<p id="p{n}">{xref}{text}.</p>')
    css = CSS.replace("FOLIO", folio)
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
            f'<style>{css}</style><style>@page :first {{ counter-reset: page {start} }}</style></head>'
            f'<body>{"".join(blocks)}</body></html>')


@pytest.fixture(scope="module")
def files():
    fonts.ensure_isolated()
    return layouts.fonts_for(Project(CHAPTERS), CSS)


def _pages(document, start: int, there: int) -> dict[str, int]:
    own = {}
    for number, page in enumerate(document.pages, start):
        for anchor in page.anchors:
            own.setdefault(anchor, number)
    return {"elsewhere": there, **own}


def _render(html: str, files):
    return sandbox.paginate(html, files, "t.pdf", pdf_variant="pdf/ua-1")


def _pdf(document) -> bytes:
    return sandbox.write(document, "t.pdf", pdf_variant="pdf/ua-1")


@pytest.mark.parametrize(("before", "after"), [((23, 45), (31, 57)), ((11, 3), (15, 7)), ((101, 340), (187, 122))])
def test_renumbered_in_place_equals_a_fresh_layout(files, before, after):
    document = _render(_html(*before), files)
    assert len(document.pages) >= 4
    changed = engine.renumber(document, (before[0], after[0]),
                              (_pages(document, *before), _pages(document, *after)))
    assert changed >= len(document.pages)  # every folio, and the links
    assert _pdf(document) == _pdf(_render(_html(*after), files))
    assert _pdf(document) != _pdf(_render(_html(*before), files))


@pytest.mark.parametrize(("before", "after", "folio"), [
    ((95, 45), (97, 45), "none"),  # folios 99 and 100 on one part: another width
    ((23, 45), (23, 105), "none"),  # a cited page with another number of digits
    ((23, 45), (25, 45), "counter(page, upper-roman)"),  # a counter style it does not know
    ((23, 45), (25, 45), "counter(pages)"),  # the part's page count is not the book's
    ((23, 45), (25, 45), '"p. " counter(page) " of 23"'),  # the old number twice where one is printed
])
def test_what_cannot_be_renumbered_in_place_is_refused_and_left_as_it_was(files, before, after, folio):
    document = _render(_html(*before, folio), files)
    untouched = _pdf(_render(_html(*before, folio), files))
    with pytest.raises(engine.Unsupported):
        engine.renumber(document, (before[0], after[0]), (_pages(document, *before), _pages(document, *after)))
    assert _pdf(document) == untouched


def test_a_part_that_cannot_be_renumbered_is_laid_out_afresh(files):
    first = PartJob("p", _html(95, 45), "k1")
    facts = laidout.lay_out_part(first, files, hold=True)
    assert facts.pdf == b""
    moved = PartJob("p", _html(97, 45), "k2")
    pages = {"elsewhere": 45, **{a: 95 + p - 1 for a, p in facts.anchors.items()}}
    result = laidout.renumber_part(moved, files, facts, (95, 97), (pages, {**pages, **{a: p + 2 for a, p in pages.items() if a != "elsewhere"}}))
    assert not result.renumbered and result.key == "k2"
    assert laidout.write_part("p") == _pdf(_render(_html(97, 45), files))
    again = laidout.lay_out_part(PartJob("p", _html(23, 45), "k3"), files, hold=True)
    pages = {"elsewhere": 45, **{a: 23 + p - 1 for a, p in again.anchors.items()}}
    result = laidout.renumber_part(PartJob("p", _html(25, 47), "k4"), files, again, (23, 25),
                                   (pages, {a: p + 2 for a, p in pages.items()}))
    assert result.renumbered and result.key == "k4" and result.count == again.count
    assert laidout.write_part("p") == _pdf(_render(_html(25, 47), files))
    laidout.forget()

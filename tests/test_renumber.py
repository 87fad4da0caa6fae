"""A laid-out part renumbered in place is, byte for byte, the part laid out afresh with the new
numbers: where they keep their widths, by changing their text; where they change width, by
paginating the held layout again. Where that cannot hold, renumbering refuses."""

from __future__ import annotations

import pytest

from conftest import CHAPTERS
from handbook import fonts, layouts
from handbook.project import Project
from handbook.typeset import engine, faults, laidout, sandbox
from handbook.typeset.corrected import corrected_layout
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
[data-turn] { break-before: page; }
"""
WORDS = "the practice manager keeps the schedule, the staff and the books in order every week".split()


def _html(start: int, there: int, folio: str = "none", blocks: int = 16, every: int = 3, table: bool = False) -> str:
    """A part of 5 or so pages (with 16 `blocks`): its first page numbered `start`, citing another
    part's anchor on page `there` (in one block out of `every`), and its own anchors."""
    blocks_ = [f'<ul class="toc"><li><a href="{foreign_href("elsewhere")}" data-page="{there}">Elsewhere</a></li></ul>']
    for n in range(blocks):
        text = " ".join(WORDS[(n + i) % len(WORDS)] for i in range(30 + 5 * (n % 4)))
        xref = (f'<a class="xref" href="#p{(n * 7) % blocks}">a section</a> '
                f'and <a class="xref" href="{foreign_href("elsewhere")}" data-page="{there}">another</a> ') if n % every == 1 else ""
        blocks_.append(f'<p id="p{n}" data-b="b/{n}">{xref}{text}.</p>')
    if table:
        blocks_.insert(blocks // 2, f'<table><tr><td>Where</td><td><a class="xref" href="{foreign_href("elsewhere")}" '
                                    f'data-page="{there}">there</a></td></tr></table>')
    blocks = blocks_
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
    renumbered, _ = engine.renumber(document, (before[0], after[0]),
                                    (_pages(document, *before), _pages(document, *after)))
    assert renumbered is document  # the same layout, its texts changed
    assert _pdf(document) == _pdf(_render(_html(*after), files))
    assert _pdf(document) != _pdf(_render(_html(*before), files))


@pytest.mark.parametrize(("before", "after", "folio"), [
    ((95, 45), (97, 45), "none"),  # folios 99 and 100 on one part, with no layout state held
    ((23, 45), (23, 105), "none"),  # a cited page with another number of digits: the same
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


@pytest.mark.parametrize(("before", "after", "blocks", "every", "pages"), [
    ((95, 45), (97, 45), 16, 3, 0),  # folios 99 and 100, and the part's own links, on one part
    ((23, 9), (23, 1000), 16, 2, 1),  # cited pages three digits wider: the text after them moves
    ((95, 9), (97, 1000), 24, 2, 0),  # both, and anchors cited before them move to the next page
    ((95, 9), (97, 1000), 21, 2, 1),
    ((101, 340), (97, 45), 16, 3, 0),  # narrower
])
def test_numbers_of_another_width_are_paginated_again_as_a_fresh_layout(files, before, after, blocks, every, pages):
    """`pages`: how many pages the part gains; anchors that move must be cited where they land."""
    document, _, _, state = corrected_layout(_html(*before, "counter(page)", blocks, every), files)
    moved, kept = engine.renumber(document, (before[0], after[0]),
                                  (_pages(document, *before), _pages(document, *after)), state, faults.faults)
    fresh = corrected_layout(_html(*after, "counter(page)", blocks, every), files)[0]
    assert moved is not document and len(moved.pages) == len(document.pages) + pages == len(fresh.pages)
    assert _pdf(moved) == _pdf(fresh)
    if pages:  # and again, from the state kept with it: back to the numbers it had
        again, _ = engine.renumber(moved, (after[0], before[0]), (_pages(moved, *after), _pages(moved, *before)), kept, faults.faults)
        assert _pdf(again) == _pdf(corrected_layout(_html(*before, "counter(page)", blocks, every), files)[0])


def test_numbers_changed_in_place_then_of_another_width(files):
    """The state kept follows the numbers changed in place: a later repagination starts from them
    (first page 23 then 25, the cited page 45 then 105)."""
    document, _, _, state = corrected_layout(_html(23, 45, "counter(page)"), files)
    same, kept = engine.renumber(document, (23, 25), (_pages(document, 23, 45), _pages(document, 25, 45)), state, faults.faults)
    assert same is document and kept is state
    moved, _ = engine.renumber(same, (25, 25), (_pages(same, 25, 45), _pages(same, 25, 105)), kept, faults.faults)
    assert moved is not same
    assert _pdf(moved) == _pdf(corrected_layout(_html(25, 105, "counter(page)"), files)[0])


def test_a_number_of_another_width_in_a_table_is_refused(files):
    """The layout keeps a table's column widths: the part is laid out afresh."""
    document, _, _, state = corrected_layout(_html(23, 9, table=True), files)
    with pytest.raises(engine.Unsupported, match="table"):
        engine.renumber(document, (23, 23), (_pages(document, 23, 9), _pages(document, 23, 10)), state, faults.faults)


def test_a_page_made_again_that_holds_a_block_a_correction_marked_is_refused(files):
    """A fresh layout might not mark it: the part is laid out afresh."""
    with engine.corrected(lambda views: [("b/7", "data-turn")], 1) as state:
        document = _render(_html(23, 9, every=2), files)
    assert state.applied == [("b/7", "data-turn")]
    with pytest.raises(engine.Unsupported, match="marked"):
        engine.renumber(document, (23, 23), (_pages(document, 23, 9), _pages(document, 23, 10)), state, faults.faults)


def test_a_part_that_cannot_be_renumbered_is_laid_out_afresh(files):
    first = PartJob("p", _html(95, 45), "k1")
    facts = laidout.lay_out_part(first, files, hold=True)
    assert facts.pdf == b""
    moved = PartJob("p", _html(97, 45), "k2")
    pages = {"elsewhere": 45, **{a: 95 + p - 1 for a, p in facts.anchors.items()}}
    shifted = (pages, {**pages, **{a: p + 2 for a, p in pages.items() if a != "elsewhere"}})
    result = laidout.renumber_part(moved, files, facts, (95, 97), shifted)  # folio 100: paginated again
    assert result.renumbered and result.key == "k2"
    assert laidout.write_part("p") == _pdf(_render(_html(97, 45), files))
    roman = "counter(page, upper-roman)"  # a counter style renumbering does not know
    facts = laidout.lay_out_part(PartJob("p", _html(95, 45, roman), "k1"), files, hold=True)
    result = laidout.renumber_part(PartJob("p", _html(97, 45, roman), "k2"), files, facts, (95, 97), shifted)
    assert not result.renumbered and result.key == "k2"
    assert laidout.write_part("p") == _pdf(_render(_html(97, 45, roman), files))
    again = laidout.lay_out_part(PartJob("p", _html(23, 45), "k3"), files, hold=True)
    pages = {"elsewhere": 45, **{a: 23 + p - 1 for a, p in again.anchors.items()}}
    result = laidout.renumber_part(PartJob("p", _html(25, 47), "k4"), files, again, (23, 25),
                                   (pages, {a: p + 2 for a, p in pages.items()}))
    assert result.renumbered and result.key == "k4" and result.count == again.count
    assert laidout.write_part("p") == _pdf(_render(_html(25, 47), files))
    laidout.forget()

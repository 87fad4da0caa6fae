"""A small book laid out whole and laid out part by part, then merged: the two PDFs must read the
same (pages, text, links, bookmarks, tags, catalog), and the merged one must pass PDF/UA-1."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pikepdf
import pytest
import weasyprint
from pdf_compare import differences

from handbook import fonts
from handbook.typeset import merge, sandbox

HERE = Path(__file__).resolve().parent
OPTIONS = {"pdf_variant": "pdf/ua-1"}
DOT = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAC"
       "hwGA60e6kgAAAABJRU5ErkJggg==")
HEAD = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A Small Book</title>
<style>
@page { size: 360px 480px; margin: 60px 48px; @top-right { content: counter(page) } }
@page :blank { @top-right { content: none } }
body { font: 12px/1.4 serif }
img { width: 120px; height: 40px }
input { appearance: auto }
%s
</style></head><body>"""
WORDS = ("The parts of a book are laid out one by one and joined again, and a reader must not see "
         "where one part ends and the next begins. ")


def _chapter(number: int, paragraphs: int, extra: str) -> str:
    text = "".join(f"<p>{WORDS * 3}</p>" for _ in range(paragraphs))
    return (f'<section class="chapter" style="break-before: right"><h1 id="ch{number}">Chapter {number}</h1>'
            f"{extra}{text}<h2 id=\"ch{number}-end\">Ending {number}</h2><p>{WORDS}</p></section>")


TABLE = ("<table><tr><th>Part</th><th>Pages</th></tr><tr><td>Front</td><td>1</td></tr>"
         "<tr><td>Chapters</td><td>6</td></tr></table>")


# The book's parts: the front matter, then three chapters of 2, 3 and 1 pages, so that the first and
# the third chapter start after a blank verso and the second does not.
PARTS = [
    '<h1 id="title">A Small Book</h1><nav><h2 id="contents">Contents</h2><ol>'
    + "".join(f'<li><a href="#ch{n}">Chapter {n}</a></li>' for n in (1, 2, 3)) + "</ol></nav>",
    _chapter(1, 2, '<p>See <a href="#ch2-end">the end of chapter 2</a>, <a href="#ch3">chapter 3</a> and '
                   f'<a href="#ch1-end">this chapter\'s end</a>.</p>{TABLE}'),
    _chapter(2, 4, f'<figure><img src="{DOT}" alt="A black square"><figcaption>A figure.</figcaption>'
                   '</figure><p><input name="reader" title="Reader" value="A reader"></p><p>Back to <a href="#contents">the contents</a>; out to '
                   '<a href="https://example.org/handbook">example.org</a>.</p>'),
    _chapter(3, 0, f'<p>See <a href="#ch1">chapter 1</a>.</p>{TABLE}<p><input type="checkbox" name="done" title="Done"></p><ul><li>One item</li><li>Another item'
                   '<ol><li>A nested item</li></ol></li></ul>'),
]


def _render(html: str) -> bytes:
    """Laid out and written as a build does: the pinned fonts only, every glyph mapped to its text."""
    fonts.ensure_isolated()
    return sandbox.write(weasyprint.HTML(string=html, base_url=str(HERE)).render(**OPTIONS), "test.pdf", **OPTIONS)


def _foreign_links(body: str) -> str:
    """The part's links to anchors it does not have, written as links to another part."""
    own = set(re.findall(r'id="([^"]+)"', body))
    return re.sub(r'href="#([^"]+)"', lambda m: m.group(0) if m.group(1) in own
                  else f'href="{merge.foreign_href(m.group(1))}"', body)


class _Caught(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def lay_out(out: Path) -> tuple[list[bytes], list[bool]]:
    """The book laid out whole (`whole.pdf` in `out`) and part by part: (parts, blank_before).
    Each part starts at its page of the whole book: a part is a right-hand page, so one that would
    start on an even page follows a blank verso, as `break-before: right` leaves in the whole book."""
    caught = _Caught()
    logging.getLogger("weasyprint").addHandler(caught)
    try:
        (out / "whole.pdf").write_bytes(_render(HEAD % "" + "".join(PARTS) + "</body></html>"))
        parts, blanks, page = [], [], 1
        for body in PARTS:
            blank = page % 2 == 0 and body.startswith('<section class="chapter"')
            page += blank
            # The first page shows the number the counter is reset to.
            first = f"@page :first {{ counter-reset: page {page} }}"
            parts.append(_render(HEAD % first + _foreign_links(body) + "</body></html>"))
            blanks.append(blank)
            page += len(pikepdf.open(io.BytesIO(parts[-1])).pages)
    finally:
        logging.getLogger("weasyprint").removeHandler(caught)
    assert [f"{r.levelname}: {r.getMessage()}" for r in caught.records] == []
    return parts, blanks


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """The whole book's PDF, the parts' PDFs with their blank_before flags, and the merged PDF."""
    out = tmp_path_factory.mktemp("merge")
    parts, blanks = lay_out(out)
    merged = merge.merge(parts, blanks)
    (out / "merged.pdf").write_bytes(merged)
    return out, parts, blanks, merged


def test_the_merged_parts_read_as_the_whole_book(book):
    out, _, blanks, _ = book
    assert blanks == [False, True, False, True]
    assert differences(out / "whole.pdf", out / "merged.pdf") == []


def test_the_merged_book_passes_the_pdf_ua_validator(book):
    import page  # page-validation

    out, _, _, _ = book
    reports = {name: str(page.validate_pdf(str(out / f"{name}.pdf"), profile="ua1")) for name in ("whole", "merged")}
    rules = {name: {line.split("]")[0] + "]" for line in report.splitlines() if line.startswith("[")}
             for name, report in reports.items()}
    # The merge adds no failure of its own. With the build's pinned fonts, this small book's form
    # fields (WeasyPrint's own appearance font) map a glyph to U+0000 in the whole layout too; the
    # handbook has no fields, and its PDFs pass every rule (tests/test_print_accessibility.py).
    assert rules["merged"] <= rules["whole"] <= {"[PDFUA1-FONT-UNICODE-VALUE-001]"}, reports


def test_every_reference_lands_on_a_page_of_the_merged_page_tree(book):
    """Tags, link annotations, destinations and bookmarks point at the merged pages themselves, and
    the parent tree maps each page's marked content and each annotation back to its element."""
    pdf = pikepdf.open(io.BytesIO(book[3]))
    pages = {page.objgen: page for page in pdf.pages}
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    assert len(parents) == len(nums) // 2
    keys = [int(page.StructParents) for page in pdf.pages]
    keys += [int(a.StructParent) for page in pdf.pages for a in page.get("/Annots", [])]
    assert sorted(keys) == sorted(parents) and len(set(keys)) == len(keys)
    owned = set()
    document = pdf.Root.StructTreeRoot.K[0]
    stack = [document]
    while stack:
        element = stack.pop()
        assert element.objgen == document.objgen or element.Pg.objgen in pages  # the Document has no page
        kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
        for kid in kids:
            if isinstance(kid, int):
                owned.add((element.Pg.objgen, kid, element.objgen))
            elif kid.get("/Type") == "/OBJR":
                assert kid.Pg.objgen in pages and kid.Obj.objgen in {a.objgen for a in pages[kid.Pg.objgen].Annots}
                assert parents[int(kid.Obj.StructParent)].objgen == element.objgen
            else:
                assert kid.P.objgen == element.objgen
                stack.append(kid)
    for page in pdf.pages:  # each MCID of the page, by the parent tree, is owned by its element
        mapped = {(page.objgen, mcid, e.objgen) for mcid, e in enumerate(parents[int(page.StructParents)])}
        assert {o for o in owned if o[0] == page.objgen} <= mapped
    targets = [dest[0] for dest in pdf.Root.Names.Dests.Names[1::2]]
    item = pdf.Root.Outlines.First
    while item is not None:
        targets.append(item.Dest[0])
        item = item.get("/Next")
    assert all(target.objgen in pages for target in targets)
    fonts = set(pdf.Root.AcroForm.DR.Font.keys())  # the fonts the fields' appearances name
    named = [re.search(r"(/\S+) [\d.]+ Tf", str(a.DA)).group(1) for page in pdf.pages
             for a in page.get("/Annots", []) if "/DA" in a]
    assert named and set(named) <= fonts


def test_header_cells_keep_names_of_their_own(book):
    """WeasyPrint names a table's header cells after the table's object number, which two parts can
    share: here chapter 1 comes twice, and its header cells' names must not."""
    _, parts, blanks, _ = book
    pdf = pikepdf.open(io.BytesIO(merge.merge(parts + parts[1:2], blanks + [True])))
    elements, stack = [], [pdf.Root.StructTreeRoot.K[0]]
    while stack:
        elements.append(stack.pop())
        kids = elements[-1].K
        stack += [k for k in (kids if isinstance(kids, pikepdf.Array) else [kids])
                  if isinstance(k, pikepdf.Dictionary) and "/S" in k]
    ids = [str(e.ID) for e in elements if "/ID" in e]
    cited = [str(h) for e in elements for h in e.get("/A", {}).get("/Headers", [])]
    assert len(ids) == 3 * 2 and len(set(ids)) == len(ids) and len(cited) == 3 * 4 and set(cited) == set(ids)


def test_a_blank_verso_is_the_blank_page_the_whole_book_has(book):
    out, _, _, merged = book
    whole, ours = pikepdf.open(out / "whole.pdf"), pikepdf.open(io.BytesIO(merged))
    for number in (2, 8):
        a, b = whole.pages[number - 1], ours.pages[number - 1]
        assert sorted(a.keys()) == sorted(b.keys())
        assert [list(a[box]) for box in ("/MediaBox", "/TrimBox", "/BleedBox")] == \
            [list(b[box]) for box in ("/MediaBox", "/TrimBox", "/BleedBox")]
        assert a.Contents.read_bytes() == b.Contents.read_bytes() and a.Tabs == b.Tabs
        for pdf, page in ((whole, a), (ours, b)):
            nums = pdf.Root.StructTreeRoot.ParentTree.Nums
            assert list(nums[list(nums[0::2]).index(page.StructParents) * 2 + 1]) == []


def test_merging_again_gives_the_same_bytes(book):
    _, parts, blanks, merged = book
    assert merge.merge(parts, blanks) == merged


def test_a_link_to_an_anchor_no_part_has_is_refused(book):
    _, parts, _, _ = book
    with pytest.raises(ValueError, match="ch2-end"):
        merge.merge(parts[1:2], [False])  # chapter 1 alone: its links to chapters 2 and 3 land nowhere


def test_the_foreign_prefix_survives_url_handling():
    from urllib.parse import urljoin

    for anchor in ("ch1", "a b", "caf\u00e9", "x#y%20"):
        href = merge.foreign_href(anchor)
        assert urljoin("file:///book/print/", href) == href and href.isascii()

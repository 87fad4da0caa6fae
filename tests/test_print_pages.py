"""Every page of every PDF, as an image: nothing drawn outside the page margins; page sizes.

The frames (pdf_support) are the page geometry written in layouts/print/handbook.css and
checklists.css. The only ink allowed in a margin is the running head with its folio (the
book) or the footer line (the checklists), in the band the CSS gives it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pdf_support import (
    citations,
    SHEET,
    book_frame,
    bookmarks,
    contents_numbers,
    link_targets,
    reader,
    stray_ink,
)

from handbook import typeset
from handbook.build import build, load_checked
from handbook.layouts import DEFAULT_LAYOUTS
from handbook.project import Project

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "sample"
SIZES = {"letter": (612.0, 792.0), "a4": (595.28, 841.89)}


@pytest.fixture(scope="module")
def a4_out(tmp_path_factory) -> Path:
    """The sample book on A4 (small enough to build again for this)."""
    out = tmp_path_factory.mktemp("a4") / "build"
    build(SAMPLE, out, paper="a4", force=True)
    return out


def _outputs(out: Path) -> list[Path]:
    return [out / "handbook.pdf", out / "checklists.pdf", *sorted((out / "checklists").glob("*.pdf"))]


def test_handbook_pages_stay_inside_margins(book_out):
    _, out = book_out
    assert stray_ink(out / "handbook.pdf", book_frame) == []


def test_checklist_pages_stay_inside_margins(book_out):
    _, out = book_out
    problems = []
    for path in _outputs(out)[1:]:
        problems += stray_ink(path, lambda number: SHEET)
    assert problems == []


def test_a4_pages_stay_inside_margins(a4_out):
    problems = stray_ink(a4_out / "handbook.pdf", book_frame)
    for path in _outputs(a4_out)[1:]:
        problems += stray_ink(path, lambda number: SHEET)
    assert problems == []


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_page_size(paper, sample_out, a4_out):
    out = a4_out if paper == "a4" else sample_out
    for path in _outputs(out):
        for page in reader(path).pages:
            box = page.mediabox
            assert (round(float(box.width), 1), round(float(box.height), 1)) == \
                tuple(round(v, 1) for v in SIZES[paper]), f"{path.name} is not {paper}"


def test_a4_contents_and_cross_references_follow_the_pages(a4_out):
    doc = reader(a4_out / "handbook.pdf")
    book, _ = load_checked(SAMPLE)
    starts = {m.title: m.page for m in bookmarks(doc) if m.depth == 0}
    assert contents_numbers(doc, [ch.title for ch in book.chapters]) == {ch.title: starts[ch.title]
                                                                          for ch in book.chapters}
    assert all(target is not None for _, target in link_targets(doc))


def test_real_handbook_is_letter_by_default(handbook_out):
    for path in _outputs(handbook_out):
        box = reader(path).pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_margin_check_sees_stray_ink(tmp_path):
    """The check itself: a layout that lets lines run past the margin is caught."""
    layouts = tmp_path / "layouts"
    shutil.copytree(DEFAULT_LAYOUTS, layouts)
    with open(layouts / "print" / "handbook.css", "a", encoding="utf-8") as css:
        css.write("\n.chapter p { white-space: nowrap; }\n")
    book, _ = load_checked(SAMPLE)
    path = tmp_path / "handbook.pdf"
    path.write_bytes(typeset.lay_out(book, Project(SAMPLE, layouts)).pdf)
    problems = stray_ink(path, book_frame)
    assert problems and all("right margin" in p for p in problems)


def test_every_printed_page_number_is_where_its_link_lands(handbook_paper):
    """Contents entries and "(page N)" references at every level, on each paper: a number printed
    before its target moved in the layout would still link right but read wrong."""
    paper, out = handbook_paper
    found = citations(out / "handbook.pdf")
    assert len(found) > 150, paper  # the contents and the cross-references
    wrong = [c for c in found if c.cited != c.lands]
    assert not wrong, f"{paper}: {wrong[:5]}"

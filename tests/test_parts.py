"""The book laid out in parts (front matter, each chapter, the index), then merged, is the book laid
out as one document, page by page: text, page labels, links, bookmarks, tags, fields. And an edit
lays out again only what it changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from handbook import fonts, pagemap, scratch
from handbook.build import build
from handbook.load import read_checked
from handbook.project import Project
from handbook.typeset import lay_out_whole, parts
from pdf_compare import differences

ROOT = Path(__file__).resolve().parent.parent
CONSTRUCTS = ROOT / "tests" / "fixtures" / "constructs"


def _whole(chapters: Path, paper: str, tmp_path: Path) -> Path:
    project = Project(chapters, ROOT / "layouts", paper)
    with scratch.folder() as temporary:
        fonts.isolate(temporary)
        book, _ = read_checked(project)
        path = tmp_path / "whole.pdf"
        path.write_bytes(lay_out_whole(book, project).pdf)
    return path


@pytest.mark.parametrize("which", ["sample", "handbook", "handbook-a4", "constructs"])
def test_the_book_in_parts_is_the_book_laid_out_whole(which, request, tmp_path):
    if which == "constructs":
        out = tmp_path / "constructs"
        build(CONSTRUCTS, out, force=True)
        chapters, paper = CONSTRUCTS, "letter"
    else:
        fixture = {"sample": "sample_out", "handbook": "handbook_out", "handbook-a4": "handbook_a4_out"}[which]
        out = request.getfixturevalue(fixture)
        chapters = ROOT / "tests" / "fixtures" / "sample" if which == "sample" else ROOT / "chapters"
        paper = "a4" if which == "handbook-a4" else "letter"
    # Only the kind of a space may differ: a glyph maps back to one character per font subset, and
    # where the space glyph also sets an em space, the whole book's subset and a part's may pick
    # different ones (README, "The PDF in parts and the PDF in one piece").
    found = [d for d in differences(_whole(chapters, paper, tmp_path), out / "handbook.pdf")
             if not d.startswith("spaces:")]
    assert found == [], "\n".join(found)


def test_parts_are_kept_and_an_edit_lays_out_only_what_it_moved(tmp_path, book_copy, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # as in a repository: the date of the last commit
    out = tmp_path / "out"
    build(book_copy, out)
    kept = sorted(p.name for p in (out / "print" / "parts").iterdir())
    assert any(name.startswith("front.") for name in kept) and len(kept) >= 6, kept
    before = {p.name: p.read_bytes() for p in (out / "print" / "parts").iterdir()}
    messages: list[str] = []

    # A word changed in the last chapter: only that part is laid out again (and the index).
    last = sorted(book_copy.glob("*.md"))[-1]
    last.write_text(last.read_text().replace("\n\n", "\n\nOne more sentence here.\n\n", 1))
    build(book_copy, out, progress=messages.append)
    laid = next(m for m in messages if m.startswith("laid out handbook.pdf"))
    assert "1 parts laid out" in laid or "2 parts laid out" in laid, laid
    after = {p.name: p.read_bytes() for p in (out / "print" / "parts").iterdir()}
    unchanged = [name for name in before if name.endswith(".pdf") and before[name] == after.get(name)]
    assert "front.pdf" in unchanged and len(unchanged) >= len(before) // 2 - 2, unchanged


def test_a_first_build_and_a_build_over_an_old_one_give_the_same_bytes(tmp_path, book_copy):
    """The parts' page map settles the same whether it starts from a guess or from the last build."""
    first, again = tmp_path / "first", tmp_path / "again"
    build(book_copy, again)
    chapter = sorted(book_copy.glob("*.md"))[0]
    chapter.write_text(chapter.read_text() + "\n\nA closing paragraph long enough to move a page or two. " * 30)
    build(book_copy, again)  # from the last build's map and parts
    build(book_copy, first)  # from a guess
    assert (first / "handbook.pdf").read_bytes() == (again / "handbook.pdf").read_bytes()


def test_split_keeps_every_chapter_and_cuts_nothing():
    project = Project(ROOT / "tests" / "fixtures" / "sample", ROOT / "layouts")
    from handbook.typeset.printhtml import print_files

    book, _ = read_checked(project)
    html = print_files(book, project)["handbook.html"].decode()
    pieces = parts.split(html)
    assert [p.name for p in pieces] == ["front"] + [pagemap.anchor(c.slug) for c in book.chapters]
    body = html[html.index(">", html.index("<body")) + 1:]
    for piece in pieces:
        assert piece.body in body  # cut at the layout's marks, not rewritten
    assert all(anchor not in piece.ids for piece in pieces for anchor in piece.cites)
    assert parts.place([8, 12, 9, 3]) == [1, 9, 21, 31]
    assert parts.blank_before([1, 9, 21, 31], [8, 12, 9, 3]) == [False, False, False, True]

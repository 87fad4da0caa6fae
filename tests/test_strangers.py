"""What strangers write, from other tools' habits, reaches paper whole: a note of two paragraphs,
tasks typed outside a checklist, an address with nowhere to break, a title in straight quotes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdfium2
import pytest
from clirun import handbook
from pdf_support import book_frame, stray_ink

from handbook.build import build, load_checked

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "sample"
ADDRESS = "https://example.com/" + "a" * 150
CHAPTER = f"""---
title: Methods -- an "overview"
summary: The "first" look.
---

Text with a long note.[^long]

[^long]: Its first paragraph.

    Its second paragraph.

    <!-- a note to editors, which no output shows -->

- [x] Done thing
- [ ] Open thing

A long address [big link]({ADDRESS}) here.
"""


@pytest.fixture(scope="module")
def stranger(tmp_path_factory) -> tuple[Path, Path]:
    book = tmp_path_factory.mktemp("stranger") / "book"
    shutil.copytree(SAMPLE, book)
    (book / "03-x.md").write_text(CHAPTER, encoding="utf-8")
    out = book.parent / "out"
    build(book, out, force=True)
    return book, out


def _text(pdf: Path) -> list[str]:
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


def test_a_chapter_title_gets_the_texts_typography(stranger):
    book, out = stranger
    chapter = next(c for c in load_checked(book)[0].chapters if c.slug == "03-x")
    assert chapter.title == "Methods – an “overview”"
    pages = [page.replace("\xa0", " ") for page in _text(out / "handbook.pdf")]
    assert sum("Methods – an “overview”" in page for page in pages) >= 2  # the contents, the opener


def test_every_paragraph_of_a_note_is_printed(stranger):
    _, out = stranger
    pages = _text(out / "handbook.pdf")
    assert not any("a note to editors" in page for page in pages)
    # each on a line of its own, as paragraphs
    assert any(re.search(r"Its first paragraph\.\s*[\r\n]+\s*Its second paragraph\.", page) for page in pages)


def test_a_task_box_sits_on_the_line_of_its_words(stranger):
    _, out = stranger
    document = pypdfium2.PdfDocument(str(out / "handbook.pdf"))
    try:
        index = next(i for i in range(len(document)) if "Done thing" in document[i].get_textpage().get_text_range())
        page = document[index]
        text = page.get_textpage()
        _, bottom, _, top = text.get_charbox(text.get_text_range().index("Done thing"))
        squares = []
        for obj in page.get_objects(max_depth=5):
            if obj.type == pypdfium2.raw.FPDF_PAGEOBJ_PATH:
                left, low, right, high = obj.get_bounds()
                if 4 < right - left < 14 and abs((right - left) - (high - low)) < 1.5:
                    squares.append((low, high))
    finally:
        document.close()
    middle = (bottom + top) / 2
    assert squares and any(low < middle < high for low, high in squares)  # a box beside the words, not above


def test_an_address_with_nowhere_to_break_stays_inside_the_page(stranger):
    _, out = stranger
    assert stray_ink(out / "handbook.pdf", book_frame) == []


def test_a_note_holding_a_code_block_is_an_error_at_its_line(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(SAMPLE, book)
    (book / "03-x.md").write_text("---\ntitle: x\n---\n\nA note.[^n]\n\n[^n]: Text.\n\n    ```\n    code\n    ```\n",
                                  encoding="utf-8")
    result = handbook("check", "--chapters", str(book))
    assert result.returncode == 1
    assert "03-x.md:9: error: a footnote holds a code block" in result.stderr, result.stderr

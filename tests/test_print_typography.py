"""The printed book's typography, read from its pages: no paragraph ends on a hyphenated fragment,
no name is hyphenated, a note's call never starts a line, curly quotes everywhere a reader looks,
en dashes in ranges, US-style cross-references, a clean edition page and even display lines."""

from __future__ import annotations

import re

import pypdfium2
import pytest
from pdf_makeup import page_texts

from handbook.build import load_checked
from handbook.prose import plain_text

from conftest import CHAPTERS

# A year range written with a hyphen ("2024-26", "2023-2033"), not a code (11-9111), an ISO date
# (2026-11-30) or a phone number; and a small-number range ("3-5 years").
RANGE = re.compile(r"(?<![\w./-])(?:(?:19|20)\d\d-(?:\d\d|(?:19|20)\d\d)|\d{1,3}-\d{1,3})(?![\w/-]|\.\d)")


@pytest.fixture(scope="module")
def book():
    book, _ = load_checked(CHAPTERS)
    return book


def _sources(book) -> str:
    return "\n".join(ch.path.read_text(encoding="utf-8") for ch in book.chapters)


def test_no_paragraph_ends_on_a_hyphenated_fragment(handbook_paper, book):
    """pdfium joins a word hyphenated at a line's end with U+FFFE; a last line that holds nothing
    but the word's end and its full stop is a fragment alone."""
    paper, out = handbook_paper
    sources = _sources(book)
    fragments = [(n, m.group()) for n, text in enumerate(page_texts(out / "handbook.pdf"), 1)
                 for m in re.finditer(r"(\w+)\ufffe(\w+)[)”’]*[.!?:][)”’]*(?=\r\n|$)", text)
                 if f"{m.group(1)}-{m.group(2)}" not in sources]  # a hyphen of its own: "no-/shows."
    assert fragments == [], paper


def test_no_name_is_hyphenated(handbook_paper, book):
    """A word with a capital letter is never divided, but at a hyphen of its own (CAHIIM-accredited)."""
    paper, out = handbook_paper
    sources = _sources(book)
    divided = [(n, m.group()) for n, text in enumerate(page_texts(out / "handbook.pdf"), 1)
               for m in re.finditer(r"\b(\w*[A-Z]\w*)\ufffe(\w+)", text)
               if f"{m.group(1)}-{m.group(2)}" not in sources]
    assert divided == [], paper


def test_a_note_call_never_starts_a_line(handbook_paper):
    """A call is a digit set smaller than the word before it (a note's own number at the foot is
    followed by a full stop, a folio by a space); it must not be the first thing on its line."""
    paper, out = handbook_paper
    pdf = pypdfium2.PdfDocument(str(out / "handbook.pdf"))
    alone, calls = [], 0
    try:
        for n in range(len(pdf)):
            text = pdf[n].get_textpage()
            chars = text.get_text_range()
            if chars.startswith("Contents"):  # its chapter numbers, smaller than its heading
                continue
            for i, char in enumerate(chars[1:-1], 1):
                before = len(chars[:i].rstrip()) - 1
                if not char.isdigit() or chars[i + 1] in ".0123456789\u2002\u2003" or before < 0 \
                        or not (chars[before].isalpha() or chars[before] in ".,;:)”’"):
                    continue
                size = pypdfium2.raw.FPDFText_GetFontSize(text.raw, i)
                if 0 < size < 0.75 * pypdfium2.raw.FPDFText_GetFontSize(text.raw, before):
                    calls += 1
                    if chars[i - 1] == "\n":
                        alone.append((n + 1, chars[before - 20:i + 10]))
    finally:
        pdf.close()
    assert calls >= 2  # the book's notes: the measure sees their calls
    assert alone == [], (paper, alone)


def test_no_straight_quotes_in_the_printed_text(handbook_out):
    """Outside web addresses every quotation mark and apostrophe a reader sees is curly: the
    chapters, their standfirsts, checklist titles and their "continued" labels, the front matter."""
    straight = [(n, word) for n, text in enumerate(page_texts(handbook_out / "handbook.pdf"), 1)
                for word in re.findall(r"\S*['\"]\S*", text) if not re.search(r"/|\.\w|=", word)]
    assert straight == []
    pack = [(n, word) for n, text in enumerate(page_texts(handbook_out / "checklists.pdf"), 1)
            for word in re.findall(r"\S*['\"]\S*", text) if not re.search(r"/|\.\w|=", word)]
    assert pack == []


def test_ranges_have_en_dashes(book):
    ranges = [(ch.filename, m.group()) for ch in book.chapters for m in RANGE.finditer(plain_text(ch))]
    ranges += [(ch.filename, m.group()) for ch in book.chapters for m in RANGE.finditer(ch.title + " " + ch.summary)]
    assert ranges == []
    # The measure is not blind: it sees a range, and leaves codes, dates and phone numbers alone.
    found = [m.group() for m in RANGE.finditer("In 2024-26 and 3-5 years; code 11-9111, CPT 99213, "
                                               "2026-11-30, 555-123-4567, 555-1234, O*NET 11-9111.00")]
    assert found == ["2024-26", "3-5"]


def test_printed_ranges_have_en_dashes(handbook_out):
    texts = page_texts(handbook_out / "handbook.pdf")
    assert [(n, m.group()) for n, t in enumerate(texts, 1) for m in RANGE.finditer(t)] == []
    assert any("2024–26" in t for t in texts)


@pytest.mark.parametrize("pdf", ["handbook.pdf", "checklists.pdf"])
def test_cross_references_put_the_comma_inside_the_quotes(handbook_out, pdf):
    text = " ".join(" ".join(t.split()) for t in page_texts(handbook_out / pdf))
    assert re.search(r"“[^”]{3,80},” page \d+", text)
    assert re.findall(r"”, page \d+", text) == []


def test_edition_page_is_clean(handbook_out):
    texts = page_texts(handbook_out / "handbook.pdf")
    edition = next(t for t in texts[:6] if "Subjects:" in t)
    assert "--" not in edition and "licence" not in edition
    assert "Medical offices—Management—Vocational guidance" in " ".join(edition.split())


@pytest.mark.parametrize("page", [1, 3])
def test_title_and_subtitle_break_evenly(handbook_paper, book, page):
    """On the cover (page 1) and the title page (page 3) the title and subtitle each break into
    lines of like length, and not inside a name."""
    paper, out = handbook_paper
    lines = [" ".join(line.split()) for line in page_texts(out / "handbook.pdf")[page - 1].split("\r\n")]
    for display in (book.config.title, book.config.subtitle):
        own = [line for line in lines if line and line in display]
        assert " ".join(own) == display, (paper, page, own)
        lengths = [len(line) for line in own]
        assert len(own) == 1 or min(lengths) >= 0.55 * max(lengths), (paper, page, own)
        assert not any(a.split()[-1][:1].isupper() and b.split()[0][:1].isupper()
                       for a, b in zip(own, own[1:])), (paper, page, own)

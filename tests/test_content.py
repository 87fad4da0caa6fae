"""The book as an editor reads it: reviewed, spelled, sourced, original and readable."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta

import pytest
from conftest import CHAPTERS, ROOT
from pypdf import PdfReader

from handbook.build import load_checked
from handbook.prose import paragraphs, plain_text

BRIEF_DIR = ROOT.parent / "shared" / "source"
WORDLIST = CHAPTERS / "spelling-words.txt"


@pytest.fixture(scope="module")
def book():
    book, warnings = load_checked(CHAPTERS)
    assert warnings == []
    return book


def test_every_chapter_reviewed_in_the_last_twelve_months(book):
    stale = []
    for chapter in book.chapters:
        reviewed = chapter.meta.get("last_reviewed")
        if reviewed is None or book.date.date() - reviewed > timedelta(days=365):
            stale.append(f"{chapter.filename}: last_reviewed {reviewed} (build date {book.date.date()})")
        assert reviewed is None or reviewed <= book.date.date() + timedelta(days=1), chapter.filename
    assert stale == []


def test_size_of_the_book(book, handbook_out):
    words = sum(len(plain_text(ch).split()) for ch in book.chapters)
    pages = len(PdfReader(handbook_out / "handbook.pdf").pages)
    print(f"\nbook: {words} words, {pages} US Letter pages, {len(book.chapters)} chapters")
    assert words >= 20_000
    assert pages >= 60


def test_checklists_worth_printing(book):
    checklists = book.checklists
    items = sum(len(c.items) for c in checklists)
    assert len(checklists) >= 12 and items >= 120, (len(checklists), items)
    for checklist in checklists:
        assert 5 <= len(checklist.items) <= 16, checklist.id


def test_glossary_has_forty_terms(book):
    glossary = next(ch for ch in book.chapters if ch.slug.endswith("glossary"))
    terms = [p for p in paragraphs(glossary) if re.match(r"^[^.:]{1,60}: \S", p.text)]
    assert len(terms) >= 40


def test_every_external_link_is_https(book):
    bad = [f"{link.path.name}:{link.line}: {link.url}" for link in book.links
           if link.is_external and not link.url.startswith("https://")]
    assert bad == []


FIGURE = re.compile(r"\$\s?\d[\d,]*(\.\d+)?|\b\d+(\.\d+)?\s?(%|percent\b)|\b\d{1,3}(,\d{3})+\s+(jobs|openings|positions)\b")
YEAR = re.compile(r"\b(19|20)\d\d\b")


def test_every_figure_names_its_year_and_links_its_source(book):
    bad = []
    for chapter in book.chapters:
        for p in paragraphs(chapter):
            if FIGURE.search(p.text):
                sourced = any(u.startswith("https://") for u in p.links)
                if not (YEAR.search(p.text) and sourced):
                    bad.append(f"{chapter.filename}:{p.line}: {p.text[:90]}")
    assert bad == []


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"“])", text) if s.strip()]


def test_no_sentence_repeated_across_chapters(book):
    seen: dict[str, set[str]] = defaultdict(set)
    for chapter in book.chapters:
        for p in paragraphs(chapter):
            for sentence in _sentences(p.text):
                key = re.sub(r"\W+", " ", sentence.lower()).strip()
                if len(key.split()) >= 5:
                    seen[key].add(chapter.filename)
    repeated = {s: sorted(files) for s, files in seen.items() if len(files) > 1}
    assert repeated == {}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower().replace("’", "'"))


def test_no_run_of_eight_words_copied_from_the_brief(book):
    grams = set()
    for brief in sorted(BRIEF_DIR.glob("*.txt")):
        words = _words(brief.read_text(encoding="utf-8"))
        grams |= {tuple(words[i:i + 8]) for i in range(len(words) - 7)}
    assert grams, "the brief was not found beside the project"
    copied = []
    for chapter in book.chapters:
        for p in paragraphs(chapter):
            words = _words(p.text)
            for i in range(len(words) - 7):
                if tuple(words[i:i + 8]) in grams:
                    copied.append(f"{chapter.filename}:{p.line}: {' '.join(words[i:i + 8])}")
    assert copied == []


def test_spelling(book):
    enchant = pytest.importorskip("enchant")
    from enchant.checker import SpellChecker
    from enchant.tokenize import EmailFilter, URLFilter

    words = [w.strip() for w in WORDLIST.read_text(encoding="utf-8").splitlines()]
    personal = enchant.DictWithPWL("en_US", pwl=None)
    for word in words:
        if word and not word.startswith("#"):
            personal.add_to_session(word)
    checker = SpellChecker(personal, filters=[URLFilter, EmailFilter])
    misspelled = []
    for chapter in book.chapters:
        for p in paragraphs(chapter):
            checker.set_text(p.text.replace("’", "'"))
            for error in checker:
                misspelled.append(f"{chapter.filename}:{p.line}: {error.word}")
    assert misspelled == []


def test_reading_grade(book):
    textstat = pytest.importorskip("textstat")
    prose = "\n".join(plain_text(ch) for ch in book.chapters if not ch.appendix)
    grade = textstat.flesch_kincaid_grade(prose)
    per_chapter = {ch.slug: round(textstat.flesch_kincaid_grade(plain_text(ch)), 1) for ch in book.chapters}
    print(f"\nFlesch-Kincaid grade: {grade:.1f} for the book; by chapter: {per_chapter}")
    assert 8 <= grade <= 12

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


# The 2026 review (facts.md section 13). Two tables: what the book must no longer say, and what
# each correction left in the chapter that owns it. Patterns read the plain text one paragraph at
# a time (a paragraph, list item, checklist item or table row), so "nearby" means the same one.

CORRECTED_CLAIMS = [
    (r"(?=.*\b(PAHCOM|CMM)\b)(?=.*(every (two|2) years|two-year|\b24 CEUs?\b))",
     "PAHCOM's portal: 12 CEUs every 12 months for members, a yearly retest otherwise (13a.1)"),
    (r"\bsince 2019\b", "2019 is when MGMA added the degree rule, not when Pathway 3 began (11.2, 13a)"),
    (r"\bmost states\b[^.]{0,20}\blicens", "every state licenses nursing home administrators (13a.5)"),
    (r"\bas of (early |mid-|late )?20(1\d|2[0-5])\b", "the book is the 2026 edition: re-date or remove"),
    (r"(?-i:(?<!ASTP/)\bONC\b(?!: The name used until July 2024))",
     "the office is ASTP/ONC since July 2024; only the glossary's entry for the old name says ONC (13a.7)"),
    (r"(?<![\w$])[26] ?\+", "MGMA writes two years and six years: say 'two or more', 'six or more' (13a.2)"),
    (r"\blog\b[^.]{0,60}\bfrom (day one|the start)\b|\bfrom day one\b[^.]{0,60}\blog\b",
     "CMPE credit counts only from 30 days before acceptance (13a.3)"),
    (r"\b(state|local) MGMA\b", "16 associations left MGMA in 2024; a state group may be an HLA (13b)"),
    (r"(?=.*ICD-10-CM)(?=.*\b(once a year|(each|every) (federal )?fiscal year)\b)",
     "ICD-10-CM changes every April 1 and October 1 (13a.6)"),
    (r"clean claim rate\.?[^.]{0,120}\b(and|or) paid\b",
     "accepted on first submission is the clean claim rate; paid is first-pass resolution (13a.8)"),
    (r"when this book was prepared|(not available|read|checked) for this book|this book does not print",
     "no notes about the book's own research: a 'Check before you pay' box instead"),
    (r"Compliance a new manager meets", "the compliance chapter's old title, used as a noun"),
]


@pytest.mark.parametrize("pattern, reason", CORRECTED_CLAIMS, ids=[r for _, r in CORRECTED_CLAIMS])
def test_no_claim_from_the_correction_list(book, pattern, reason):
    regex = re.compile(pattern, re.IGNORECASE | re.DOTALL)
    found = [f"{chapter.filename}:{p.line}: {p.text[:100]}"
             for chapter in book.chapters for p in paragraphs(chapter) if regex.search(p.text)]
    assert found == [], reason


CORRECTIONS_REFLECTED = [
    ("06-certification.md", r"at least 12 continuing education units \(CEUs\) every 12 months", "13a.1"),
    ("06-certification.md", r"Non-members retest every year", "13a.1"),
    ("90-glossary.md", r"at least 12 CEUs every 12 months", "13a.1"),
    ("06-certification.md", r"two or more years of healthcare experience", "13a.2"),
    ("06-certification.md", r"six or more years of healthcare experience", "13a.2"),
    ("06-certification.md", r"no earlier than 30 days before the date MGMA accepts your application", "13a.3"),
    ("06-certification.md", r"added the degree-or-credits rule to Pathways 1 and 2 in 2019", "11.2, 13a"),
    ("06-certification.md", r"blueprint that took effect with the December 2020 exam window", "13a.4"),
    ("06-certification.md", r"https://www\.mgma\.com/certification/body-of-knowledge", "13a.4"),
    ("01-the-role.md", r"Every state licenses nursing home administrators", "13a.5"),
    ("08-revenue-cycle.md", r"ICD-10-CM \| .* \| Every April 1 and October 1", "13a.6"),
    ("08-revenue-cycle.md", r"CPT .* \| Every January 1", "13a.6"),
    ("90-glossary.md", r"ICD-10-CM: .* twice a year, on April 1 and October 1", "13a.6"),
    ("07-compliance.md", r"ASTP/ONC, for the Assistant Secretary for Technology Policy", "13a.7"),
    ("07-compliance.md", r"Since July 31, 2024, a provider found to have blocked information faces a penalty", "13a.7"),
    ("08-revenue-cycle.md", r"Clean claim rate\. The share of claims accepted on first submission", "13a.8"),
    ("08-revenue-cycle.md", r"First-pass resolution rate\. The share of claims paid on first submission", "13a.8"),
    ("09-networking.md", r"16 associations covering 18 states left MGMA", "13b"),
    ("07-compliance.md", r"As of mid-2026, it was still a proposal", "13e.3"),
]


@pytest.mark.parametrize("filename, pattern, item", CORRECTIONS_REFLECTED,
                         ids=[f"{f}:{i}" for f, _, i in CORRECTIONS_REFLECTED])
def test_every_correction_of_the_2026_review_is_reflected(book, filename, pattern, item):
    chapter = next(ch for ch in book.chapters if ch.filename == filename)
    # The plain text, one paragraph a line, plus the chapter's link targets (a source URL counts).
    text = "\n".join([p.text for p in paragraphs(chapter)] + [link.url for link in chapter.links])
    assert re.search(pattern, text), f"{filename} no longer states facts.md item {item}: {pattern}"


def test_edition_version_and_review_dates_agree(book):
    version = re.fullmatch(r"(20\d\d)\.\d+", book.config.version)
    assert version, f"version {book.config.version!r} is not YEAR.N"
    year = int(version.group(1))
    assert book.config.edition == f"US, {year} edition", (book.config.edition, book.config.version)
    off_year = [f"{ch.filename}: last_reviewed {ch.meta.get('last_reviewed')}" for ch in book.chapters
                if getattr(ch.meta.get("last_reviewed"), "year", None) != year]
    assert off_year == [], f"every chapter is reviewed in the edition's year, {year}"


def test_reading_grade_of_every_chapter(book):
    # The appendices are held to the same range: the glossary's definitions and the resource
    # notes are written as sentences, so the formula reads them as it reads a chapter.
    textstat = pytest.importorskip("textstat")
    grades = {ch.filename: round(textstat.flesch_kincaid_grade(plain_text(ch)), 1) for ch in book.chapters}
    assert {name: g for name, g in grades.items() if not 6 <= g <= 10} == {}


def test_no_chapter_title_used_as_a_noun(book):
    # "which Revenue cycle basics describes": a title in capitals in the middle of a sentence.
    titles = {ch.filename: ch.title for ch in book.chapters if len(ch.title.split()) >= 2}
    found = []
    for chapter in book.chapters:
        for p in paragraphs(chapter):
            for filename, title in titles.items():
                if filename != chapter.filename and re.search(r"[a-z,;:] " + re.escape(title), p.text):
                    found.append(f"{chapter.filename}:{p.line}: {title}")
    assert found == []


_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")


def _cross_references_in_parentheses(line: str) -> list[str]:
    depth, pos, found = 0, 0, []
    for m in _LINK.finditer(line):
        before = line[pos:m.start()]
        depth += before.count("(") - before.count(")")
        if depth > 0 and "://" not in m.group(2):
            found.append(m.group(0))
        pos = m.end()
    return found


def test_cross_references_keep_the_print_form(book):
    # Print appends " (page N)" to a cross-reference, and an empty one already reads "see ...".
    bad = [f"{link.path.name}:{link.line}: [{link.text}]({link.url})" for link in book.links
           if not link.is_external and re.match(r"\s*see\b", link.text, re.IGNORECASE)]
    for chapter in book.chapters:
        for number, line in enumerate(chapter.path.read_text(encoding="utf-8").splitlines(), 1):
            bad += [f"{chapter.filename}:{number}: inside parentheses: {ref}"
                    for ref in _cross_references_in_parentheses(line)]
    assert bad == []

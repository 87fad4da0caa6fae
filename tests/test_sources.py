"""The source format: front matter, ids, cross-references, checklists, and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from handbook.build import load_checked
from handbook.errors import BuildError


def write(book: Path, name: str, text: str) -> Path:
    path = book / name
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(book: Path) -> list[str]:
    with pytest.raises(BuildError) as info:
        load_checked(book)
    return [f"{Path(d.path).name}:{d.line}: {d.severity}: {d.message}" for d in info.value.diagnostics]


def test_sample_book_model(book_copy):
    book, warnings = load_checked(book_copy)
    assert warnings == []
    assert [c.slug for c in book.chapters] == ["01-first", "02-second"]
    first = book.chapters[0]
    assert first.title == "The first chapter"
    assert [(h.level, h.id, h.line) for h in first.headings] == [(2, "start", 9), (2, "later", 20)]
    second = book.chapters[1]
    assert [h.id for h in second.headings] == ["details", "a-subsection"]
    assert [(c.id, c.title, len(c.items)) for c in book.checklists] == [
        ("first-steps", "First steps", 3), ("ready", "Ready to finish", 2)]
    assert book.checklists[0].items[1].text == "Follow the link"
    links = {(link.url, link.line) for link in first.links}
    assert ("02-second.md#ready", 11) in links
    assert ("https://example.org/page", 12) in links
    assert book.config.title == "A Small Sample Book"
    assert book.config.identifier.startswith("urn:uuid:")


def test_identifier_is_stable(book_copy):
    a, _ = load_checked(book_copy)
    b, _ = load_checked(book_copy)
    assert a.config.identifier == b.config.identifier


def test_broken_cross_references_report_every_one(book_copy):
    write(book_copy, "03-third.md", "---\ntitle: Third\n---\n\nSee [x](04-missing.md).\n\n"
          "And [y](01-first.md#nowhere) and [z](#also-missing).\n")
    found = errors_of(book_copy)
    assert "03-third.md:5: error: link to '04-missing.md': no chapter file" in found
    assert "03-third.md:7: error: link to 01-first.md#nowhere: no heading, checklist or figure with that id" in found
    assert "03-third.md:7: error: link to 03-third.md#also-missing: no heading, checklist or figure with that id" in found


def test_duplicate_heading_and_checklist_ids(book_copy):
    write(book_copy, "03-third.md", "---\ntitle: Third\n---\n\n## One {#same}\n\n## Two {#same}\n\n"
          "::: {.checklist #ready title=\"Again\"}\n- [ ] Do it\n:::\n")
    found = errors_of(book_copy)
    assert "03-third.md:7: error: duplicate heading id 'same' (first used on line 5)" in found
    assert any(f.startswith("03-third.md:9: error: checklist id 'ready' is already used at 02-second.md") for f in found)


def test_checklist_without_id_or_title(book_copy):
    write(book_copy, "03-third.md", "---\ntitle: Third\n---\n\n::: {.checklist}\n- [ ] Do it\n:::\n")
    found = errors_of(book_copy)
    assert "03-third.md:5: error: checklist has no id: add '#some-id'" in found
    assert "03-third.md:5: error: checklist has no title: add title=\"...\"" in found


def test_checklist_items_must_be_tasks(book_copy):
    write(book_copy, "03-third.md", "---\ntitle: Third\n---\n\n::: {.checklist #c title=\"C\"}\n"
          "- [ ] A task\n- not a task\n:::\n")
    assert "03-third.md:7: error: checklist items must be tasks: '- [ ] do this'" in errors_of(book_copy)


def test_unclosed_div(book_copy):
    write(book_copy, "03-third.md", "---\ntitle: Third\n---\n\n::: {.checklist #c title=\"C\"}\n- [ ] A\n")
    assert "03-third.md:5: error: fenced div is not closed by a ':::' line" in errors_of(book_copy)


@pytest.mark.parametrize("front, message", [
    ("---\ntitle: [unclosed\n---\n", "03-third.md:2: error: malformed YAML"),
    ("---\nsummary: no title\n---\n", "03-third.md:1: error: front matter needs a 'title'"),
    ("no front matter\n", "03-third.md:1: error: chapter must start with YAML front matter"),
    ("---\ntitle: x\n", "03-third.md:1: error: front matter is not closed"),
    ("---\ntitle: x\nlast_reviewed: soon\n---\n", "03-third.md:3: error: 'last_reviewed' must be a date"),
])
def test_broken_front_matter(book_copy, front, message):
    write(book_copy, "03-third.md", front + "\nText.\n")
    found = errors_of(book_copy)
    assert any(f.startswith(message) for f in found), found


def test_every_problem_is_reported_not_just_the_first(book_copy):
    write(book_copy, "03-third.md", "---\ntitle: [bad\n---\n")
    write(book_copy, "04-fourth.md", "---\ntitle: Fourth\n---\n\n[x](nowhere.md)\n\n::: {.checklist}\n- [ ] A\n:::\n")
    found = errors_of(book_copy)
    assert len([f for f in found if ": error: " in f]) >= 3
    assert {f.split(":")[0] for f in found} == {"03-third.md", "04-fourth.md"}


def test_unknown_front_matter_key_is_a_warning(book_copy):
    write(book_copy, "03-third.md", "---\ntitle: Third\ncolour: blue\n---\n\nText.\n")
    _, warnings = load_checked(book_copy)
    assert [f"{Path(w.path).name}:{w.line}: {w.message}" for w in warnings] == [
        "03-third.md:3: unknown front-matter key 'colour' (ignored)"]


def test_task_item_outside_checklist_is_a_warning(book_copy):
    write(book_copy, "03-third.md", "---\ntitle: Third\n---\n\n- [ ] stray task\n")
    _, warnings = load_checked(book_copy)
    assert [(Path(w.path).name, w.line, w.code) for w in warnings] == [("03-third.md", 5, "task-outside-checklist")]


def test_heading_ids_are_made_from_text_and_kept_unique(book_copy):
    write(book_copy, "03-third.md", "---\ntitle: Third\n---\n\n## Pay & outlook\n\n## Pay & outlook\n\n"
          "## Résumé, café?\n\n## What's new in 2026\n")
    book, _ = load_checked(book_copy)
    # GitHub's rules, so a link written against a code host's anchor works: accents kept,
    # punctuation dropped, each space a hyphen.
    assert [h.id for h in book.chapters[-1].headings] == ["pay--outlook", "pay--outlook-1", "résumé-café",
                                                           "whats-new-in-2026"]

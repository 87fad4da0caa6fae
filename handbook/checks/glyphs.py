"""Every character the printed book shows must be in one of its pinned fonts (`handbook/fonts.py`):
a character none has is an error at the chapter and line where it is written, naming it."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path

from handbook import fonts
from handbook.errors import Diagnostics
from handbook.model import Book
from handbook.project import Project

# Characters that draw nothing of their own: spaces, controls, format marks (joiners, direction
# marks, soft hyphens) and variation selectors.
_SILENT = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def _drawn(char: str) -> bool:
    code = ord(char)
    return not (unicodedata.category(char) in _SILENT or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF)


def texts(book: Book) -> Iterator[tuple[Path, int, str]]:
    """(file, line, text) of everything the printed book shows."""
    yield book.config.path, 1, " ".join((book.config.title, book.config.subtitle, book.config.author,
                                          book.config.edition, book.config.publisher))
    for chapter in book.chapters:
        yield chapter.path, 2, chapter.title + " " + chapter.summary
        for token in chapter.tokens:
            line = (token.map[0] + 1) if token.map else 0
            if token.type == "inline":
                yield chapter.path, line, token.content
            elif token.type in ("fence", "code_block", "html_block"):
                yield chapter.path, line, token.content
            elif token.type == "figure":
                yield chapter.path, line, token.meta["figure"].caption
            elif token.type == "checklist":
                checklist = token.meta["checklist"]
                yield chapter.path, checklist.line, checklist.title
                for part in checklist.intro:
                    if part.type == "inline":
                        yield chapter.path, (part.map[0] + 1) if part.map else checklist.line, part.content
                for item in checklist.items:
                    yield chapter.path, item.line, " ".join(
                        [c.content for c in item.tokens] + [c.content for p in item.more for c in p])


# The bullets the typesetter draws itself for a list inside a list (CSS's `circle`, then `square`):
# the book's own fonts lack them, so a fallback must be declared when a book nests a bulleted list.
_NESTED_BULLETS = "\u25e6\u25aa"


def _nests_bullets(book: Book) -> bool:
    for chapter in book.chapters:
        depth = 0
        for token in chapter.tokens:
            if token.type in ("bullet_list_open", "ordered_list_open"):
                if token.type == "bullet_list_open" and depth:
                    return True
                depth += 1
            elif token.type in ("bullet_list_close", "ordered_list_close"):
                depth -= 1
    return False


_last: tuple[Book, frozenset[int]] | None = None  # the last book asked about: a build asks once per output


def codes(book: Book) -> frozenset[int]:
    """Every character the book's outputs draw (a quarter of a second for the handbook)."""
    global _last
    if _last is None or _last[0] is not book:
        found = {ord(c) for _, _, text in texts(book) for c in text if _drawn(c)}
        _last = book, frozenset(found | ({ord(c) for c in _NESTED_BULLETS} if _nests_bullets(book) else set()))
    return _last[1]


def check(book: Book, project: Project, diags: Diagnostics) -> None:
    seen: set[tuple[Path, str]] = set()
    for path, line, text in texts(book):
        for char in text:
            if _drawn(char) and (path, char) not in seen and not fonts.covered(project, ord(char)):
                seen.add((path, char))
                name = unicodedata.name(char, "unnamed character")
                diags.error(path, line, "no-glyph", f"character {char!r} (U+{ord(char):04X} {name}) is in none of "
                            f"the book's fonts ({fonts.SPEC} in the layouts lists the fallbacks)")

"""The book's prose as plain paragraphs, for checks that read like an editor.

A paragraph here is what a reader sees as one unit: a paragraph, a list item,
a heading, a checklist item or a whole table row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from handbook.model import Chapter


@dataclass(frozen=True)
class Paragraph:
    text: str
    line: int
    links: tuple[str, ...]


def _inline_text(children) -> tuple[str, list[str]]:
    parts, links = [], []
    for child in children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "link_open":
            links.append(str(child.attrs.get("href", "")))
    return "".join(parts), links


def paragraphs(chapter: Chapter) -> Iterator[Paragraph]:
    row: list[str] | None = None
    row_links: list[str] = []
    row_line = 0
    for token in chapter.tokens:
        if token.type == "tr_open":
            row, row_links, row_line = [], [], (token.map[0] + 1 if token.map else 0)
        elif token.type == "tr_close" and row is not None:
            yield Paragraph(" | ".join(row), row_line, tuple(row_links))
            row = None
        elif token.type == "inline":
            text, links = _inline_text(token.children)
            if row is not None:
                row.append(text)
                row_links.extend(links)
            else:
                yield Paragraph(text, token.map[0] + 1 if token.map else 0, tuple(links))
        elif token.type == "checklist":
            checklist = token.meta["checklist"]
            yield Paragraph(checklist.title, checklist.line, ())
            for item in checklist.items:
                text, links = _inline_text(item.tokens)
                yield Paragraph(text, item.line, tuple(links))


def plain_text(chapter: Chapter) -> str:
    return "\n\n".join(p.text for p in paragraphs(chapter))

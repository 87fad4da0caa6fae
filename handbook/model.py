"""The one model of the book that every writer reads: plain frozen dataclasses.

Each element keeps the source path and line it came from, so any later check
can point an editor at the place to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Heading:
    level: int  # 2 for a section, 3 for a subsection (the chapter title is level 1)
    id: str
    text: str
    line: int
    listed: bool = True  # False for `{.unnumbered}` or `{-}`: left out of the contents


@dataclass(frozen=True)
class Link:
    """A link as written in a chapter: an external URL or a cross-reference."""

    url: str
    text: str
    path: Path
    line: int

    @property
    def is_external(self) -> bool:
        return "://" in self.url or self.url.startswith(("mailto:", "tel:"))


@dataclass(frozen=True)
class Picture:
    """A picture file of the book, read once through the gate and checked (real type, size)."""

    name: str  # its name in the outputs: "images/" + a name made from its content and file name
    media_type: str  # image/png, image/jpeg, image/gif, image/svg+xml
    data: bytes = field(repr=False)
    width: int  # pixels (for SVG, its declared size in CSS pixels, 0 when it has none)
    height: int


@dataclass(frozen=True)
class Image:
    """A picture as a chapter shows it: the reference as written, and the file it resolved to."""

    src: str
    alt: str
    path: Path
    line: int
    picture: Picture | None = None  # None when the reference was refused (an error was recorded)


@dataclass(frozen=True)
class Figure:
    """A picture alone in its paragraph: numbered in its chapter, with a caption."""

    id: str  # from `{#fig-id}`, or made from the number ("figure-2")
    number: int  # 1, 2, ... in its chapter
    image: Image
    caption: str  # the picture's title, else its alt text
    width: str  # from `{width=50%}`, or ""
    line: int


@dataclass(frozen=True)
class ChecklistItem:
    text: str  # plain text, for the pack's field names and searches
    line: int
    tokens: Any = field(compare=False, repr=False)  # inline tokens, rendered per target
    number: int = 0  # 1, 2, ... in the checklist, sub-tasks included, in reading order
    level: int = 0  # 0 for a task, 1 for a sub-task of it, ...
    more: tuple = field(default=(), compare=False, repr=False)  # its later paragraphs (inline tokens each)
    children: tuple[ChecklistItem, ...] = ()  # its sub-tasks


@dataclass(frozen=True)
class Checklist:
    id: str
    title: str
    chapter: str  # slug of the chapter that holds it
    items: tuple[ChecklistItem, ...]  # every item, sub-tasks included, in reading order
    path: Path
    line: int
    tree: tuple[ChecklistItem, ...] = ()  # the top-level tasks, each with its sub-tasks
    level: int = 3  # its title's heading level: one below the section it is in
    intro: Any = field(default=(), compare=False, repr=False)  # block tokens above the list


@dataclass(frozen=True)
class Term:
    """A glossary entry: its anchor in the glossary chapter, and the words a chapter uses it by."""

    id: str  # "term-rvu"
    label: str  # as the glossary writes it: "RVU (relative value unit)"
    forms: tuple[str, ...]  # "RVU", "relative value unit"
    line: int


@dataclass(frozen=True)
class IndexPlace:
    slug: str  # the chapter
    ident: str  # the place's anchor in it ("ix-3")


@dataclass(frozen=True)
class IndexEntry:
    text: str
    places: tuple[IndexPlace, ...]  # in reading order


@dataclass(frozen=True)
class Chapter:
    path: Path
    slug: str  # file name without ".md": also the name of its EPUB and web files
    title: str
    meta: dict[str, Any]
    headings: tuple[Heading, ...]
    links: tuple[Link, ...]
    images: tuple[Image, ...]
    checklists: tuple[Checklist, ...]
    tokens: Any = field(compare=False, repr=False)  # parsed once; writers render these
    words: int = 0
    figures: tuple[Figure, ...] = ()
    anchors: tuple[str, ...] = ()  # ids the build made in the text: glossary entries, index places

    @property
    def filename(self) -> str:
        return self.path.name

    @property
    def appendix(self) -> bool:
        return bool(self.meta.get("appendix", False))

    @property
    def summary(self) -> str:
        return str(self.meta.get("summary", ""))


@dataclass(frozen=True)
class BookConfig:
    title: str
    subtitle: str
    author: str
    publisher: str
    language: str
    edition: str
    version: str
    description: str
    subjects: tuple[str, ...]
    keywords: tuple[str, ...]
    identifier: str
    license: str
    license_url: str
    site_url: str  # ends in "/", or ""
    linkcheck: Any  # linkcheck.settings.Settings, validated with the rest of the metadata
    path: Path


@dataclass(frozen=True)
class Book:
    root: Path  # the chapters folder
    config: BookConfig
    chapters: tuple[Chapter, ...]
    date: datetime  # the sources' date (SOURCE_DATE_EPOCH), aware UTC
    glossary: str = ""  # the glossary chapter's slug, or ""
    terms: tuple[Term, ...] = ()
    index: tuple[IndexEntry, ...] = ()  # sorted as printed

    @property
    def checklists(self) -> tuple[Checklist, ...]:
        return tuple(c for ch in self.chapters for c in ch.checklists)

    @property
    def links(self) -> tuple[Link, ...]:
        return tuple(link for ch in self.chapters for link in ch.links)

    @property
    def pictures(self) -> dict[str, Picture]:
        """Every picture the chapters show, by output name, each once."""
        found = {im.picture.name: im.picture for ch in self.chapters for im in ch.images if im.picture}
        return dict(sorted(found.items()))

    def chapter(self, slug: str) -> Chapter:
        return next(ch for ch in self.chapters if ch.slug == slug)

"""Reading a book folder into the model: the metadata (with the link checker's settings), every
chapter, every picture. Everything is read through the project's gate, and every problem is
recorded with its path and line; the caller decides whether the book can be built.

    book, diagnostics = sources.read(project)
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess

from handbook import limits
from handbook.errors import Diagnostics
from handbook.gate import Refused
from handbook.model import Book, Chapter, Checklist
from handbook.project import Project
from handbook.sources.chapter import load_chapter
from handbook.sources.config import load_config
from handbook.sources import terms
from handbook.sources.pictures import Pictures

IGNORED = {"readme.md"}  # a note for editors beside the chapters, not a chapter


def read(project: Project) -> tuple[Book | None, Diagnostics]:
    """Every chapter of the book in `project.chapters`, in file-name order; None when nothing
    usable was found."""
    diags = Diagnostics()
    root = project.chapters
    if not root.is_dir():
        diags.error(root, 0, "no-book", "the chapters folder does not exist")
        return None, diags
    config = load_config(project, diags)
    names = _chapter_names(project, diags)
    pictures = Pictures(project)
    chapters = [ch for ch in (load_chapter(project, name, diags, pictures) for name in names) if ch is not None]
    _check_unique_checklists(chapters, diags)
    if config is None or not chapters:
        return None, diags
    chapters, glossary, glossary_terms, index = terms.link(chapters, diags)
    return Book(root=root, config=config, chapters=tuple(chapters), date=source_date(project),
                glossary=glossary, terms=glossary_terms, index=index), diags


def _chapter_names(project: Project, diags: Diagnostics) -> list[str]:
    root = project.chapters
    try:
        names = sorted(e.name for e in os.scandir(root) if e.name.endswith(".md") and e.name.lower() not in IGNORED)
    except OSError as exc:
        diags.error(root, 0, "no-book", f"the chapters folder cannot be read: {exc.strerror}")
        return []
    if not names:
        diags.error(root, 0, "no-chapters", "the chapters folder holds no chapter (*.md)")
    elif len(names) > limits.CHAPTERS:
        diags.error(root, 0, "too-many-chapters", f"{len(names)} chapters; the limit is {limits.CHAPTERS}")
        return []
    return names


def source_date(project: Project) -> dt.datetime:
    """SOURCE_DATE_EPOCH, else the last commit's time, else the newest source file's."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        try:
            epoch = subprocess.run(
                ["git", "log", "-1", "--format=%ct"], cwd=project.chapters, capture_output=True, text=True,
                timeout=10, check=False,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            epoch = ""
    if not epoch.isdigit():
        times = []
        for _, located in _files(project):
            times.append(int(located.path.stat().st_mtime))
        epoch = str(max(times, default=0))
    return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)


def _files(project: Project):
    try:
        return [(rel, f) for rel, f in project.gate.files("book") if f is not None]
    except Refused:
        return []


def _check_unique_checklists(chapters: list[Chapter], diags: Diagnostics) -> None:
    seen: dict[str, Checklist] = {}
    for checklist in (c for ch in chapters for c in ch.checklists):
        if not checklist.id:
            continue
        first = seen.get(checklist.id)
        if first is not None and first.path != checklist.path:
            diags.error(checklist.path, checklist.line, "duplicate-id",
                        f"checklist id {checklist.id!r} is already used at {first.path.name}:{first.line}")
        seen.setdefault(checklist.id, checklist)

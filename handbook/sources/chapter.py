"""One chapter file read into the model: front matter, Markdown tokens, ids, links, pictures and
checklists, each with the line it came from.

Every problem is recorded with its path and line; limits (`handbook/limits.py`) keep a hostile
chapter from hanging or exhausting a build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markdown_it.token import Token

from handbook import limits
from handbook.errors import Diagnostics
from handbook.gate import Refused
from handbook.model import Chapter
from handbook.project import Project
from handbook.sources import markdown
from handbook.sources.frontmatter import split_front_matter
from handbook.sources.pictures import Pictures
from handbook.sources.reader import ChapterReader


def load_chapter(project: Project, name: str, diags: Diagnostics, pictures: Pictures | None = None) -> Chapter | None:
    """The chapter file `name` of the book folder; None (with the reason recorded) if it cannot be read."""
    path = project.chapters / name
    try:
        located = project.gate.locate("book", name)
        data = project.gate.read(located, limits.CHAPTER_BYTES)
    except Refused as exc:
        if "larger than" in str(exc):
            diags.error(path, 1, "too-large", f"chapter is larger than {limits.CHAPTER_BYTES // 1024} KiB, the limit")
        else:
            diags.error(path, 0, "unreadable-chapter", f"not read: {exc}")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        diags.error(path, 1 + data[: exc.start].count(b"\n"), "encoding", "file is not UTF-8")
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    meta, body = split_front_matter(text, path, diags)
    if meta is None:
        return None
    env: dict[str, Any] = {}
    try:
        tokens = markdown.parse(body, env)
    except RecursionError:
        diags.error(path, 0, "too-deep", f"the Markdown is nested too deeply to read (the limit is {limits.NESTING})")
        return None
    if not _within_limits(tokens, env, path, diags):
        return None
    _notes_hold_paragraphs(tokens, path, diags)
    slug = path.stem
    if isinstance(meta.get("summary"), str):  # the standfirst and the title get the chapters' typography
        meta = {**meta, "summary": markdown.typeset(meta["summary"])}
    reader = ChapterReader(project, path, slug, diags, pictures or Pictures(project))
    tokens = reader.read(tokens)
    reader.number_blocks(tokens)
    return Chapter(
        path=path, slug=slug, title=markdown.typeset(str(meta["title"]).strip()), meta=meta,
        headings=tuple(reader.headings), links=tuple(reader.links), images=tuple(reader.images),
        checklists=tuple(reader.checklists), tokens=tokens, words=len(body.split()),
        figures=tuple(reader.figures),
    )


def _within_limits(tokens: list[Token], env: dict, path: Path, diags: Diagnostics) -> bool:
    """Nesting depth, footnotes and links per chapter: errors with the line where a limit is passed."""
    ok, links = True, 0
    for token in tokens:
        depth = token.level
        for child in token.children or []:
            if child.level + depth > limits.NESTING and ok:
                diags.error(path, (token.map[0] + 1) if token.map else 0, "too-deep",
                            f"Markdown nested more than {limits.NESTING} levels deep")
                ok = False
            links += child.type == "link_open"
        if depth > limits.NESTING and ok:
            diags.error(path, (token.map[0] + 1) if token.map else 0, "too-deep",
                        f"Markdown nested more than {limits.NESTING} levels deep")
            ok = False
    notes = len(env.get("footnotes", {}).get("list", {}))
    if notes > limits.FOOTNOTES_PER_CHAPTER:
        diags.error(path, 0, "too-many", f"{notes} footnotes; the limit is {limits.FOOTNOTES_PER_CHAPTER} a chapter")
        ok = False
    if links > limits.LINKS_PER_CHAPTER:
        diags.error(path, 0, "too-many", f"{links} links; the limit is {limits.LINKS_PER_CHAPTER} a chapter")
        ok = False
    return ok


_NOT_IN_A_NOTE = {"fence": "a code block", "code_block": "a code block", "bullet_list_open": "a list",
                  "ordered_list_open": "a list", "table_open": "a table", "blockquote_open": "a quote",
                  "heading_open": "a heading", "html_block": "a block of HTML", "dl_open": "a definition list",
                  "container_div_open": "a fenced div", "hr": "a rule"}


def _notes_hold_paragraphs(tokens: list[Token], path: Path, diags: Diagnostics) -> None:
    """Print sets a footnote at the foot of its page as running text: a note may hold paragraphs
    only, or something it holds would be lost on paper."""
    inside = False
    for token in tokens:
        if token.type in ("footnote_open", "footnote_close"):
            inside = token.type == "footnote_open"
        elif inside and token.type in _NOT_IN_A_NOTE and not _comment(token):
            diags.error(path, (token.map[0] + 1) if token.map else 0, "note-block",
                        f"a footnote holds {_NOT_IN_A_NOTE[token.type]}: a note is set as running text at the foot "
                        "of its page; keep it to paragraphs and put the rest in the chapter")


def _comment(token: Token) -> bool:
    """An HTML comment alone in its block: no output shows it, so a note may hold it."""
    text = token.content.strip()
    return token.type == "html_block" and text.startswith("<!--") and text.endswith("-->") and text.count("<!--") == 1

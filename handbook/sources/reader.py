"""Walks a chapter's Markdown tokens once: heading ids, links, pictures, divs and checklists, each
with its line; problems go to the chapter's diagnostics."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

from markdown_it.token import Token
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attrs

from handbook import limits
from handbook.errors import Diagnostics
from handbook.gate import Refused
from handbook.model import Checklist, ChecklistItem, Heading, Image, Link
from handbook.project import Project
from handbook.sources import rawhtml
from handbook.sources.pictures import Pictures

LINK_SCHEMES = {"http", "https", "mailto", "tel"}  # besides relative links (cross-references)
_HEADING_ATTRS = re.compile(r"\s*(\{[^{}]*\})\s*$")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")
_BLOCKS = {"paragraph_open", "heading_open", "list_item_open", "table_open", "blockquote_open",
           "checklist", "fence", "code_block", "hr"}


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug if slug and slug[0].isalpha() else f"s-{slug or 'section'}"


class ChapterReader:
    """Walks a chapter's tokens once: ids, links, images, checklists, with lines."""

    def __init__(self, project: Project, path: Path, slug: str, diags: Diagnostics, pictures: Pictures):
        self.project, self.path, self.slug, self.diags, self.pictures = project, path, slug, diags, pictures
        self.headings: list[Heading] = []
        self.links: list[Link] = []
        self.images: list[Image] = []
        self.checklists: list[Checklist] = []
        self.ids: dict[str, int] = {}
        self.items = 0  # checklist items so far

    def line(self, token: Token) -> int:
        return (token.map[0] if token.map else 0) + 1

    def number_blocks(self, tokens: list[Token]) -> None:
        """Give every block a key that survives into each output, so a page of the
        printed book can be found again in the EPUB and on the web."""
        n = 0
        for token in tokens:
            if token.type in _BLOCKS:
                n += 1
                token.meta["b"] = f"{self.slug}/{n}"

    def read(self, tokens: list[Token]) -> list[Token]:
        out: list[Token] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.type == "container_div_open":
                i = self._div(tokens, i, out)
                continue
            if token.type == "heading_open":
                self._heading(token, tokens[i + 1])
            elif token.type == "inline":
                self._inline(token, self.line(token))
            elif token.type == "list_item_open" and "task-list-item" in str(token.attrs.get("class", "")):
                self.diags.warning(self.path, self.line(token), "task-outside-checklist",
                                   "task item outside a checklist: put it in a '::: {.checklist ...}' div")
            elif token.type == "html_block":
                self._raw_html(token.content, self.line(token))
            out.append(token)
            i += 1
        return out

    def _claim_id(self, ident: str, line: int, what: str) -> None:
        if len(ident) > limits.ID_CHARS:
            self.diags.error(self.path, line, "too-long",
                             f"{what} id is {len(ident)} characters; the limit is {limits.ID_CHARS}")
        if ident in self.ids:
            self.diags.error(self.path, line, "duplicate-id",
                             f"duplicate {what} id {ident!r} (first used on line {self.ids[ident]})")
        else:
            self.ids[ident] = line

    def _heading(self, token: Token, inline: Token) -> None:
        line = self.line(token)
        level = int(token.tag[1])
        if level == 1:
            self.diags.warning(self.path, line, "heading-level",
                               "the chapter title comes from front matter; start sections at '##'")
        explicit = None
        children = inline.children or []
        if children and children[-1].type == "text":
            match = _HEADING_ATTRS.search(children[-1].content)
            if match:
                try:
                    _, attrs = parse_attrs(match.group(1))
                except ParseError:
                    attrs = {}
                explicit = attrs.get("id")
                if explicit:
                    children[-1].content = children[-1].content[: match.start()]
                    inline.content = _HEADING_ATTRS.sub("", inline.content)
        text = "".join(c.content for c in children if c.type in ("text", "code_inline")).strip()
        if explicit:
            if not _ID.match(explicit):
                self.diags.error(self.path, line, "bad-id", f"heading id {explicit!r} is not a valid id")
            self._claim_id(explicit, line, "heading")
            ident = explicit
        else:
            base = slugify(text)
            ident, n = base, 1
            while ident in self.ids:  # automatic ids never clash; explicit ones must not
                ident, n = f"{base}-{n}", n + 1
            self.ids[ident] = line
        token.attrs["id"] = ident
        self.headings.append(Heading(level=level, id=ident, text=text, line=line))
        self._inline(inline, line)

    def _raw_html(self, fragment: str, line: int) -> None:
        found, images = rawhtml.problems(fragment)
        for message in found:
            self.diags.error(self.path, line, "raw-html", message)
        for src, alt in images:
            if not alt.strip():
                self.diags.error(self.path, line, "image-alt", f"image {src!r} has no alt text")
            self._image(src, alt, line)

    def _inline(self, token: Token, line: int) -> None:
        fragment = rawhtml.inline_fragment(token.children)
        if fragment is not None:
            self._raw_html(fragment, line)
        for child in token.children or []:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "link_open":
                text = _plain(token.children, child)
                url = str(child.attrs.get("href", ""))
                scheme = urlsplit(url).scheme.lower()
                if scheme and scheme not in LINK_SCHEMES:
                    self.diags.error(self.path, line, "bad-link", f"link scheme not allowed: {url!r} "
                                     "(links may be https, http, mailto, tel or to a chapter)")
                self.links.append(Link(url=url, text=text, path=self.path, line=line))
            elif child.type == "image":
                alt = "".join(c.content for c in child.children or [])
                src = str(child.attrs.get("src", ""))
                if not alt.strip():
                    self.diags.error(self.path, line, "image-alt", f"image {src!r} has no alt text")
                child.meta["image"] = self._image(src, alt, line)

    def _image(self, src: str, alt: str, line: int) -> Image:
        try:
            picture = self.pictures.get(src)
        except Refused as exc:
            message = str(exc)
            if "does not exist" in message:
                message = f"image {src!r} does not exist"
            self.diags.error(self.path, line, "image", message)
            picture = None
        image = Image(src=src, alt=alt, path=self.path, line=line, picture=picture)
        self.images.append(image)
        return image

    def _div(self, tokens: list[Token], i: int, out: list[Token]) -> int:
        open_token = tokens[i]
        line = self.line(open_token)
        depth, j = 0, i
        while j < len(tokens):
            if tokens[j].type == "container_div_open":
                depth += 1
            elif tokens[j].type == "container_div_close":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        close = tokens[j] if j < len(tokens) else None
        if close is None or close.markup == "":
            self.diags.error(self.path, line, "unclosed-div", "fenced div is not closed by a ':::' line")
        try:
            _, attrs = parse_attrs(open_token.info.strip())
        except ParseError as exc:
            self.diags.error(self.path, line, "bad-attributes", f"cannot read the div's attributes: {exc}")
            attrs = {}
        classes = attrs.get("class", "").split()
        if "checklist" not in classes:
            open_token.meta["attrs"] = attrs
            if attrs.get("id"):
                self._claim_id(attrs["id"], line, "div")
            out.append(open_token)
            inner = self.read(tokens[i + 1: j])
            out.extend(inner)
            if close is not None:
                out.append(close)
            return j + 1
        self._checklist(tokens[i + 1: j], attrs, line, out)
        return j + 1

    def _checklist(self, inner: list[Token], attrs: dict, line: int, out: list[Token]) -> None:
        ident = attrs.get("id", "")
        title = attrs.get("title", "").strip()
        if not ident:
            self.diags.error(self.path, line, "checklist-id", "checklist has no id: add '#some-id'")
        elif not _ID.match(ident):
            self.diags.error(self.path, line, "bad-id", f"checklist id {ident!r} is not a valid id")
        else:
            self._claim_id(ident, line, "checklist")
        if not title:
            self.diags.error(self.path, line, "checklist-title", 'checklist has no title: add title="..."')
        elif len(title) > limits.TITLE_CHARS:
            self.diags.error(self.path, line, "too-long",
                             f"checklist title is {len(title)} characters; the limit is {limits.TITLE_CHARS}")
        items: list[ChecklistItem] = []
        item_level = min((t.level for t in inner if t.type == "list_item_open"), default=-1)
        for k, token in enumerate(inner):
            if token.type == "list_item_open" and token.level == item_level:
                inline = inner[k + 2] if k + 2 < len(inner) else None
                if "task-list-item" not in str(token.attrs.get("class", "")) or inline is None:
                    self.diags.error(self.path, self.line(token), "checklist-item",
                                     "checklist items must be tasks: '- [ ] do this'")
                    continue
                children = [c for c in inline.children or [] if not _is_checkbox(c)]
                if children and children[0].type == "text":
                    children[0] = children[0].copy(content=children[0].content.lstrip())
                self._inline(inline, self.line(token))
                items.append(ChecklistItem(text=_text(children), line=self.line(token), tokens=children))
            elif token.type in ("heading_open", "html_block", "fence", "table_open", "blockquote_open"):
                self.diags.error(self.path, self.line(token), "checklist-content",
                                 "a checklist holds only a task list")
        if not items:
            self.diags.error(self.path, line, "checklist-empty", "checklist has no task items")
        elif len(items) > limits.CHECKLIST_ITEMS:
            self.diags.error(self.path, line, "too-many",
                             f"checklist has {len(items)} items; the limit is {limits.CHECKLIST_ITEMS}")
        self.items += len(items)
        if self.items > limits.CHECKLIST_ITEMS_PER_CHAPTER >= self.items - len(items):
            self.diags.error(self.path, line, "too-many", f"more than {limits.CHECKLIST_ITEMS_PER_CHAPTER} "
                             "checklist items in one chapter")
        checklist = Checklist(id=ident, title=title, chapter=self.slug, items=tuple(items),
                              path=self.path, line=line)
        self.checklists.append(checklist)
        token = Token("checklist", "", 0, map=[line - 1, line], meta={"checklist": checklist})
        out.append(token)


def _is_checkbox(token: Token) -> bool:
    return token.type == "html_inline" and "task-list-item-checkbox" in token.content


def _text(children: list[Token]) -> str:
    parts = []
    for c in children:
        if c.type in ("text", "code_inline"):
            parts.append(c.content)
        elif c.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()


def _plain(children: list[Token], link_open: Token) -> str:
    start = children.index(link_open)
    parts = []
    for c in children[start + 1:]:
        if c.type == "link_close":
            break
        if c.type in ("text", "code_inline"):
            parts.append(c.content)
    return "".join(parts)

"""Walks a chapter's Markdown tokens once: heading ids, links, pictures, raw HTML, divs (callouts and
checklists), figures and alerts, each with its line; problems go to the chapter's diagnostics."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

from markdown_it.token import Token
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attrs

from handbook import limits, qrcodes
from handbook.errors import Diagnostics
from handbook.gate import Refused
from handbook.model import Checklist, Figure, Heading, Image, Link
from handbook.project import Project
from handbook.sources import attributes, callouts, checklists, figures, foreign, rawhtml
from handbook.sources.pictures import Pictures
from handbook.sources.words import ID

LINK_SCHEMES = {"http", "https", "mailto", "tel"}  # besides relative links (cross-references)
_HEADING_ATTRS = re.compile(r"\s*(\{[^{}]*\})\s*$")
_STRAIGHT = str.maketrans("\u201c\u201d\u2018\u2019", "\"\"''")
_UNDEFINED_NOTE = re.compile(r"\[\^([^\]\s]+)\]")
_BLOCKS = {"paragraph_open", "heading_open", "list_item_open", "table_open", "blockquote_open",
           "checklist", "figure", "fence", "code_block", "hr", "dl_open", "container_div_open"}


def slugify(text: str) -> str:
    """A heading's automatic id, as GitHub makes it: lower case, letters (accented ones too), digits,
    spaces as hyphens, other punctuation dropped."""
    text = unicodedata.normalize("NFC", text).strip().lower()
    slug = "".join(c for c in text if c.isalnum() or c in " -_").replace(" ", "-")
    return slug or "section"


class ChapterReader:
    def __init__(self, project: Project, path: Path, slug: str, diags: Diagnostics, pictures: Pictures):
        self.project, self.path, self.slug, self.diags, self.pictures = project, path, slug, diags, pictures
        self.headings: list[Heading] = []
        self.links: list[Link] = []
        self.images: list[Image] = []
        self.checklists: list[Checklist] = []
        self.figures: list[Figure] = []
        self.ids: dict[str, int] = {}
        self.items = 0  # checklist items so far
        self.open_blocks: list[str] = []  # elements raw HTML blocks opened and did not close yet
        self.level = 1  # the level of the last heading (the chapter title is 1)

    def line(self, token: Token) -> int:
        return (token.map[0] if token.map else 0) + 1

    def error(self, line: int, code: str, message: str) -> None:
        self.diags.error(self.path, line, code, message)

    def number_blocks(self, tokens: list[Token]) -> None:
        """Give every block a key that survives into each output, so a page of the
        printed book can be found again in the EPUB and on the web."""
        n = 0
        for token in tokens:
            if token.type in _BLOCKS:
                n += 1
                token.meta["b"] = f"{self.slug}/{n}"

    def read(self, tokens: list[Token], top: bool = True) -> list[Token]:
        out: list[Token] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.type == "container_div_open":
                i = self._div(tokens, i, out)
                continue
            if token.type == "paragraph_open" and (figure := figures.make(self, tokens, i)) is not None:
                out.append(figure)
                i += 3
                continue
            if token.type == "blockquote_open":
                callouts.alert(self, tokens, i)
            if token.type == "heading_open":
                self._heading(token, tokens[i + 1])
            elif token.type == "inline":
                self.inline(token, self.line(token))
            elif token.type == "list_item_open" and "task-list-item" in str(token.attrs.get("class", "")):
                self.diags.warning(self.path, self.line(token), "task-outside-checklist",
                                   "task item outside a checklist: put it in a '::: {.checklist ...}' div")
            elif token.type == "html_block":
                self._html_block(token)
            out.append(token)
            i += 1
        if top and self.open_blocks:  # raw HTML that opened blocks and never closed them
            closing = "".join(rawhtml.closing(tag) for tag in reversed(self.open_blocks))
            out.append(Token("html_block", "", 0, content=closing + "\n"))
            self.open_blocks = []
        return out

    def claim_id(self, ident: str, line: int, what: str) -> None:
        if len(ident) > limits.ID_CHARS:
            self.error(line, "too-long", f"{what} id is {len(ident)} characters; the limit is {limits.ID_CHARS}")
        if ident in self.ids:
            self.error(line, "duplicate-id", f"duplicate {what} id {ident!r} (first used on line {self.ids[ident]})")
        else:
            self.ids[ident] = line

    def auto_id(self, base: str, line: int) -> str:
        ident, n = base, 1
        while ident in self.ids:  # automatic ids never clash; explicit ones must not
            ident, n = f"{base}-{n}", n + 1
        self.ids[ident] = line
        return ident

    def _heading(self, token: Token, inline: Token) -> None:
        line = self.line(token)
        level = int(token.tag[1])
        if level == 1:
            self.diags.warning(self.path, line, "heading-level",
                               "the chapter title comes from front matter; start sections at '##'")
        elif level > self.level + 1:
            self.diags.warning(self.path, line, "heading-level", f"a level-{level} heading after a level-"
                               f"{self.level} one skips a level: screen readers and the PDF's tags expect none")
        self.level = level
        attrs: dict = {}
        children = inline.children or []
        if children and children[-1].type == "text" and (match := _HEADING_ATTRS.search(children[-1].content)):
            written = match.group(1).translate(_STRAIGHT)  # the typographer curled `key="value"`'s quotes
            try:  # pandoc's `{-}` is short for `{.unnumbered}`
                _, attrs = parse_attrs(written.replace("{-", "{.unnumbered", 1) if written.startswith("{-") else written)
            except ParseError as exc:
                self.error(line, "bad-attributes", f"cannot read the heading's attributes {written}: {exc}")
            children[-1].content = children[-1].content[: match.start()]
            inline.content = _HEADING_ATTRS.sub("", inline.content)
        text = "".join(c.content for c in children if c.type in ("text", "code_inline")).strip()
        if not text:
            self.error(line, "empty-heading", "heading has no words (the contents would list an empty line)")
        explicit = attrs.get("id")
        if explicit:
            if not ID.match(explicit):
                self.error(line, "bad-id", f"heading id {explicit!r} is not a valid id")
            self.claim_id(explicit, line, "heading")
            ident = explicit
        else:
            ident = self.auto_id(slugify(text), line)
        token.attrs["id"] = ident
        unlisted = {"unnumbered", "unlisted"} & set(str(attrs.get("class", "")).split())
        self.headings.append(Heading(level=level, id=ident, text=text, line=line, listed=not unlisted))
        self.inline(inline, line)

    def _html_block(self, token: Token) -> None:
        line = self.line(token)
        written = rawhtml.write(token.content, lambda src, alt: self._raw_image(src, alt, line))
        for message in written.problems:
            self.error(line, "raw-html", message)
        for kind, tag in written.events:
            if kind == "start":
                self.open_blocks.append(tag)
            elif tag in self.open_blocks:
                while self.open_blocks.pop() != tag:
                    pass
        token.content = "" if written.comment_only else written.xhtml + "\n"

    def inline(self, token: Token, line: int) -> None:
        """Links, pictures, raw HTML (balanced within the paragraph) and stray note calls of a run."""
        stack: list[str] = []
        children = token.children or []
        figures.loose_attributes(children)
        for child in children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "html_inline" and "task-list-item-checkbox" not in child.content:
                self._html_inline(child, stack, line)
            elif child.type == "link_open":
                self._attributes("link", child.attrs, line)
                self._link(children, child, line)
            elif child.type == "span_open":
                self._attributes("span", child.attrs, line)
            elif child.type == "image":
                alt = "".join(c.content for c in child.children or [])
                src = str(child.attrs.get("src", ""))
                if not alt.strip():
                    self.error(line, "image-alt", f"image {src!r} has no alt text")
                child.meta["image"] = self.image(src, alt, line)
                figures.check_width(self, child, line)
            elif child.type == "text":
                if match := _UNDEFINED_NOTE.search(child.content):
                    self.error(line, "undefined-note", f"footnote [^{match.group(1)}] is not defined: add a line "
                               f"'[^{match.group(1)}]: its text' below the paragraph")
                foreign.warn(self, child.content, line)
        if stack:  # elements raw HTML opened in this paragraph close at its end, as in HTML5
            children.append(Token("html_inline", "", 0, content="".join(rawhtml.closing(t) for t in reversed(stack))))

    def _html_inline(self, child: Token, stack: list[str], line: int) -> None:
        written = rawhtml.write(child.content, lambda src, alt: self._raw_image(src, alt, line))
        for message in written.problems:
            self.error(line, "raw-html", message)
        xhtml = written.xhtml
        for kind, tag in written.events:
            if kind == "start":
                stack.append(tag)
            elif tag in stack:  # close what was opened inside it, then it
                while (last := stack.pop()) != tag:
                    xhtml = rawhtml.closing(last) + xhtml
            else:
                self.diags.warning(self.path, line, "stray-tag", f"</{tag}> closes nothing and is left out")
                xhtml = xhtml.replace(rawhtml.closing(tag), "", 1)
        child.content = xhtml

    def _link(self, children: list[Token], child: Token, line: int) -> None:
        start = children.index(child)
        words = []
        for c in children[start + 1:]:
            if c.type == "link_close":
                break
            if c.type in ("text", "code_inline"):
                words.append(c.content)
        url = str(child.attrs.get("href", ""))
        scheme = urlsplit(url).scheme.lower()
        if scheme and scheme not in LINK_SCHEMES:
            self.error(line, "bad-link", f"link scheme not allowed: {url!r} "
                       "(links may be https, http, mailto, tel or to a chapter)")
        if len(url.encode()) > limits.URL_BYTES:
            self.error(line, "too-long", f"link address is {len(url.encode())} bytes; the limit is {limits.URL_BYTES} "
                       "(it is printed, and made a QR code)")
        elif scheme in ("http", "https") and len(url.encode()) > 200 and qrcodes.version(url) > limits.QR_VERSION:
            self.diags.warning(self.path, line, "dense-qr", f"link address is {len(url.encode())} bytes: its printed "
                               "QR code is too dense for a phone to read from paper; a shorter address reads")
        self.links.append(Link(url=url, text="".join(words), path=self.path, line=line))

    def _attributes(self, kind: str, attrs: dict, line: int) -> None:
        for message in attributes.refused(kind, attrs):
            self.error(line, "bad-attributes", message)

    def _raw_image(self, src: str, alt: str, line: int) -> str | None:
        if not alt.strip():
            self.error(line, "image-alt", f"image {src!r} has no alt text")
        image = self.image(src, alt, line)
        return image.picture.name if image.picture else None

    def image(self, src: str, alt: str, line: int) -> Image:
        try:
            picture = self.pictures.get(src)
        except Refused as exc:
            message = str(exc)
            if "does not exist" in message:
                message = f"image {src!r} does not exist"
            self.error(line, "image", message)
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
            self.error(line, "unclosed-div", "fenced div is not closed by a ':::' line")
        info = open_token.info.strip()
        try:
            _, attrs = parse_attrs(info) if info.startswith("{") else (0, {"class": info})
        except ParseError as exc:
            self.error(line, "bad-attributes", f"cannot read the div's attributes: {exc}")
            attrs = {}
        classes = str(attrs.get("class", "")).split()
        if "checklist" in classes:
            out.append(checklists.read(self, tokens[i + 1: j], attrs, line))
            return j + 1
        callouts.mark(self, open_token, close, attrs, line)
        if not open_token.meta.get("callout"):  # a plain div is written with its attributes
            self._attributes("div", attrs, line)
        open_token.meta["attrs"] = {k: v for k, v in attrs.items() if k != "title"}
        if attrs.get("id"):
            self.claim_id(attrs["id"], line, "div")
        out.append(open_token)
        out.extend(self.read(tokens[i + 1: j], top=False))
        if close is not None:
            out.append(close)
        return j + 1

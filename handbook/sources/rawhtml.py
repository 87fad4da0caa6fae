"""Raw HTML written inside chapters: read as HTML5 (Python's HTML tokenizer), checked against an
allowlist, and written back as XHTML (the EPUB is XML), one tag at a time.

`<br>`, `<img ...>` without a slash, unquoted attributes and HTML's named entities all work;
comments are dropped from every output. Only a small set of elements and attributes may be used:
nothing that loads a file or reaches the network (`<link>`, `<script>`, `<iframe>`, `style` with
`url()`), and no styling, which belongs in the layouts. A picture (`<img src alt>`) goes through the
book's gate like a Markdown picture and is written with its name in the outputs.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

ELEMENTS = {
    "a", "abbr", "b", "br", "cite", "code", "del", "details", "dfn", "div", "em", "i", "img", "ins", "kbd",
    "mark", "p", "q", "s", "small", "span", "strong", "sub", "summary", "sup", "time", "u", "wbr",
}
ATTRIBUTES = {"alt", "cite", "class", "datetime", "dir", "href", "id", "lang", "src", "title"}
IMAGE_ATTRIBUTES = {"width", "height"}
VOID = {"br", "wbr", "img"}
_LINK_SCHEMES = {"http", "https", "mailto", "tel", ""}

Picture = Callable[[str, str], "str | None"]  # (src, alt) -> the picture's name in the outputs


@dataclass
class Written:
    """A fragment as XHTML, what was wrong with it, and the tags it opens and closes, in order."""

    xhtml: str = ""
    problems: list[str] = field(default_factory=list)
    events: list[tuple[str, str]] = field(default_factory=list)  # ("start" | "end", element)
    comment_only: bool = True


class _Writer(HTMLParser):
    def __init__(self, picture: Picture):
        super().__init__(convert_charrefs=True)
        self.picture, self.out = picture, Written()
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.out.comment_only = False
        if tag not in ELEMENTS:
            self.out.problems.append(f"raw HTML element <{tag}> is not allowed")
            return
        values = {}
        for name, value in attrs:
            value = value or ""
            if name == "style":
                self.out.problems.append(f"<{tag} style=...> is not allowed: presentation belongs in the layouts")
            elif name not in ATTRIBUTES and not (tag == "img" and name in IMAGE_ATTRIBUTES):
                self.out.problems.append(f"attribute {name!r} on <{tag}> is not allowed")
            elif name == "href" and urlsplit(value.strip()).scheme.lower() not in _LINK_SCHEMES:
                self.out.problems.append(f"link {value!r} uses a scheme that is not allowed")
            elif name == "href" and not urlsplit(value.strip()).scheme:
                # Checked and resolved only as Markdown: each edition has its own files and anchors.
                self.out.problems.append(f"link {value!r} inside the book: write it in Markdown, [words]({value.strip()})")
            else:
                values[name] = value
        if tag == "img":
            named = self.picture(values.get("src", ""), values.get("alt", ""))
            values["src"] = named or ""
        written = "".join(f' {name}="{html.escape(value)}"' for name, value in values.items())
        self.parts.append(f"<{tag}{written}{' /' if tag in VOID else ''}>")
        if tag not in VOID:
            self.out.events.append(("start", tag))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and tag in ELEMENTS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        self.out.comment_only = False
        if tag in ELEMENTS and tag not in VOID:
            self.parts.append(f"</{tag}>")
            self.out.events.append(("end", tag))

    def handle_data(self, data):
        if data.strip():
            self.out.comment_only = False
        self.parts.append(html.escape(data, quote=False))

    def handle_comment(self, data):
        pass  # comments are notes to editors: no output carries them

    def handle_decl(self, decl):
        self.out.problems.append("a document type declaration is not allowed in a chapter")

    def unknown_decl(self, data):
        self.out.problems.append("a CDATA section or declaration is not allowed in a chapter")

    def handle_pi(self, data):
        self.out.problems.append("a processing instruction is not allowed in a chapter")


def write(fragment: str, picture: Picture) -> Written:
    """`fragment` (a tag, or a block of HTML) as XHTML, with its problems and tag events."""
    writer = _Writer(picture)
    writer.feed(fragment)
    writer.close()
    writer.out.xhtml = "".join(writer.parts)
    return writer.out


def closing(tag: str) -> str:
    return f"</{tag}>"

"""Checks of raw HTML written inside chapters.

Raw HTML must be well-formed (the EPUB is XHTML) and may use only a small set
of elements and attributes: nothing that loads a file or reaches the network
(`<link>`, `<script>`, `<iframe>`, `style` with `url()`, remote images), and no
styling, which belongs in the layouts.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from lxml import etree

ELEMENTS = {
    "a", "abbr", "b", "br", "cite", "code", "del", "dfn", "div", "em", "i", "ins", "kbd",
    "mark", "p", "q", "s", "small", "span", "strong", "sub", "sup", "time", "u", "wbr",
}
ATTRIBUTES = {"alt", "cite", "class", "datetime", "dir", "href", "id", "lang", "src", "title"}
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_LINK_SCHEMES = {"http", "https", "mailto", "tel", ""}


def _numeric_entities(text: str) -> str:
    """XML knows five named entities; HTML's others become numeric references."""

    def one(match: re.Match) -> str:
        name = match.group(1)
        if name in ("amp", "lt", "gt", "quot", "apos"):
            return match.group(0)
        char = html.unescape(match.group(0))
        return match.group(0) if char == match.group(0) else "".join(f"&#{ord(c)};" for c in char)

    return _ENTITY.sub(one, text)


def problems(fragment: str) -> tuple[list[str], list[tuple[str, str]]]:
    """What is wrong with a fragment, and the images (src, alt) it shows."""
    try:
        root = etree.fromstring(f"<root>{_numeric_entities(fragment)}</root>".encode())
    except etree.XMLSyntaxError as exc:
        message = str(exc.msg if hasattr(exc, "msg") else exc).split(", line")[0]
        return [f"raw HTML is not well-formed: {message}"], []
    found: list[str] = []
    images: list[tuple[str, str]] = []
    for element in root.iter():
        if element is root or not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag == "img":
            found.append("raw <img> is not allowed: use Markdown's ![alt text](images/file.png)")
            continue
        if tag not in ELEMENTS:
            found.append(f"raw HTML element <{tag}> is not allowed")
            continue
        for name, value in element.attrib.items():
            name = name.lower()
            if name == "style":
                found.append(f"<{tag} style=...> is not allowed: presentation belongs in the layouts")
            elif name not in ATTRIBUTES:
                found.append(f"attribute {name!r} on <{tag}> is not allowed")
            elif name == "href" and urlsplit(value.strip()).scheme.lower() not in _LINK_SCHEMES:
                found.append(f"link {value!r} uses a scheme that is not allowed")
    return found, images


def inline_fragment(children) -> str | None:
    """An inline run with raw HTML, as one fragment (text escaped); None without raw HTML."""
    raw = [c for c in children or [] if c.type == "html_inline" and not _task_box(c)]
    if not raw:
        return None
    parts = []
    for child in children:
        if child.type == "html_inline" and not _task_box(child):
            parts.append(child.content)
        elif child.type in ("text", "code_inline"):
            parts.append(html.escape(child.content, quote=False))
    return "".join(parts)


def _task_box(token) -> bool:
    # The task-list plugin's own checkbox, not something an author wrote.
    return "task-list-item-checkbox" in token.content

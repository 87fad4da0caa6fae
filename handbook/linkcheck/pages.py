"""What a link checker reads in an HTML or XHTML page: the ids a fragment may name, and its links.

Shared by the external checker (fragments of remote pages) and the internal one (EPUB, web site).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from lxml import etree

# Attributes that point at another resource, by element (SVG's <image> uses xlink:href).
_LINK_ATTRS = {
    "a": ("href",), "area": ("href",), "link": ("href",), "img": ("src",), "script": ("src",),
    "iframe": ("src",), "source": ("src",), "audio": ("src",), "video": ("src", "poster"),
    "track": ("src",), "embed": ("src",), "object": ("data",), "image": ("href", "{http://www.w3.org/1999/xlink}href"),
    "use": ("href", "{http://www.w3.org/1999/xlink}href"),
}


def parse(content: bytes, xml: bool = False) -> etree._Element | None:
    """A tree of the page; XHTML is parsed as XML so a malformed file is caught, HTML leniently."""
    from lxml import etree, html  # imported on first use: most external checks never parse a page

    if not content.strip():
        return None
    if xml:
        try:
            return etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            pass  # fall back to the lenient parser: a link check is not a validator
    try:
        return html.fromstring(content)
    except (etree.ParserError, ValueError):
        return None


def _local(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""  # comments and processing instructions
    return tag.rsplit("}", 1)[-1].lower()  # "{namespace}name" -> "name"


def ids(tree: etree._Element | None) -> frozenset[str]:
    """Every id, and the name of every <a name>: what "#fragment" may point at."""
    if tree is None:
        return frozenset()
    # XPath walks the tree in C: pages of thousands of elements are read many times over.
    return frozenset(map(str, tree.xpath("//@id | //*[local-name() = 'a' or local-name() = 'A']/@name")))


def page_ids(content: bytes) -> frozenset[str]:
    return ids(parse(content))


def links(tree: etree._Element | None) -> Iterator[tuple[str, int]]:
    """(reference, source line) of every href/src/srcset of the page."""
    if tree is None:
        return
    for element in tree.iter():
        name = _local(element.tag)
        for attr in _LINK_ATTRS.get(name, ()):
            if (value := element.get(attr)) is not None:
                yield value.strip(), element.sourceline or 0
        if (srcset := element.get("srcset")) is not None:
            for candidate in srcset.split(","):
                if candidate.strip():
                    yield candidate.split()[0], element.sourceline or 0

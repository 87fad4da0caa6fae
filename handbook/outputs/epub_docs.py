"""The EPUB's XHTML documents, in reading order: cover, title page, contents (nav), chapters.

Each is rendered from layouts/epub and checked here, not in a reader: it must be
well-formed XHTML with unique ids. The nav's page-list is read back from the
page-break markers the layouts placed, so it cannot point anywhere else.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass

import lxml.html
from lxml import etree
from markupsafe import Markup

from handbook import layouts, pagemap
from handbook.errors import RenderError
from handbook.model import Book
from handbook.outputs import epub_pages
from handbook.outputs.epub_meta import PrintEdition
from handbook.outputs.flavours import FileFlavour
from handbook.project import Project

SUFFIX = ".xhtml"
FILES = {"cover": "cover.xhtml", "titlepage": "titlepage.xhtml", "nav": "nav.xhtml"}
COVER_IMAGE = "cover.png"
INDEX = pagemap.INDEX + SUFFIX
XHTML_NS = "http://www.w3.org/1999/xhtml"
HEADINGS = {f"{{{XHTML_NS}}}h{n}" for n in range(1, 7)}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 forbids
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@dataclass(frozen=True)
class Document:
    uid: str  # manifest id
    name: str  # file name in the package
    content: bytes


def documents(book: Book, project: Project, edition: PrintEdition | None, placement: epub_pages.Placement,
           cover: bool, index: list[dict] | None = None) -> tuple[list[Document], list[dict]]:
    """Every XHTML document in reading order, and the contents (chapters and their sections);
    `index`: the index's groups, when the book has one."""
    reserved = {name.removesuffix(SUFFIX) for name in FILES.values()} | {pagemap.INDEX}
    clash = [ch.filename for ch in book.chapters if ch.slug in reserved]
    if clash:
        raise RenderError.of("handbook.epub", "reserved-name",
                             f"chapter file names {clash} are kept for the EPUB's own pages")
    files = {key: name for key, name in FILES.items() if cover or key != "cover"}
    common = {"book": book, "config": book.config, "edition": edition, "files": files, "breaks": placement.at,
              "keys": pagemap, "index": INDEX if index else ""}

    def document(template: str, name: str, **context) -> etree._Element:
        text = layouts.render(project, template, end_pages=placement.ends.get(name.removesuffix(SUFFIX), []),
                              **common, **context)
        return _parse(name, text)

    toc = [{"chapter": ch, "href": ch.slug + SUFFIX, "sections": [h for h in ch.headings if h.level == 2 and h.listed]}
           for ch in book.chapters]
    docs = {}
    if cover:
        docs["cover"] = document("epub/cover.xhtml.j2", FILES["cover"], image=COVER_IMAGE)
    docs["titlepage"] = document("epub/titlepage.xhtml.j2", FILES["titlepage"])
    docs["nav"] = document("epub/nav.xhtml.j2", FILES["nav"], toc=toc, page_list=[])
    for chapter in book.chapters:
        flavour = FileFlavour(book, chapter, project, "epub/checklist.xhtml.j2", "epub/markup.xhtml.j2", epub=True,
                              context={"suffix": SUFFIX, "breaks": placement.at,
                                       "pagebreak_template": "epub/pagebreak.xhtml.j2"})
        docs[f"c-{chapter.slug}"] = document("epub/chapter.xhtml.j2", chapter.slug + SUFFIX, chapter=chapter,
                                             body=_xhtml(flavour.body()))
    if index:
        docs[f"c-{pagemap.INDEX}"] = document("epub/index.xhtml.j2", INDEX, groups=index)
    names = {uid: files.get(uid) or uid.removeprefix("c-") + SUFFIX for uid in docs}

    page_list = [entry for uid, root in docs.items() for entry in epub_pages.page_breaks(names[uid], root)]
    epub_pages.check_complete(page_list, edition.pages if edition else 0)
    docs["nav"] = document("epub/nav.xhtml.j2", FILES["nav"], toc=toc, page_list=page_list)
    return [Document(uid, names[uid], _serialise(root)) for uid, root in docs.items()], toc


def _xhtml(body: Markup) -> Markup:
    """A chapter's HTML as XHTML. Raw HTML an author wrote may not be well-formed XML
    (`<br>`, an unclosed `<b>`): such a body is read as HTML and written back as XHTML."""
    wrapped = f'<div xmlns="{XHTML_NS}" xmlns:epub="{epub_pages.OPS_NS}">{body}</div>'
    try:
        etree.fromstring(wrapped.encode(), _PARSER)
        return body
    except etree.XMLSyntaxError:
        pass
    parts = lxml.html.fragments_fromstring(_NOT_XML.sub("", str(body))) if str(body).strip() else []
    return Markup("".join(html.escape(part, quote=False) if isinstance(part, str)
                          else etree.tostring(part, method="xml", encoding="unicode") for part in parts))


def _parse(name: str, text: str) -> etree._Element:
    """The rendered document as a tree, checked, with its page markers where readers need them."""
    try:
        root = etree.fromstring(text.encode(), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise RenderError.of(f"handbook.epub/{name}", "not-xhtml",
                             f"line {exc.lineno}: not well-formed XHTML: {exc.msg}") from exc
    ids = Counter(e.get("id") for e in root.iter(etree.Element) if e.get("id"))
    twice = sorted(ident for ident, n in ids.items() if n > 1)
    if twice:
        raise RenderError.of(f"handbook.epub/{name}", "duplicate-id", f"ids used twice: {', '.join(twice)}")
    _marks_before_headings(root)
    return root


def _marks_before_headings(root: etree._Element) -> None:
    """A page-break marker that opens a heading moves to just before it: inside, its
    label would join the heading's accessible name ("69PAHCOM" for "PAHCOM")."""
    for heading in [e for e in root.iter(etree.Element) if e.tag in HEADINGS]:
        while len(heading) and not (heading.text or "").strip() and _is_mark(heading[0]):
            mark = heading[0]
            heading.text = (heading.text or "") + (mark.tail or "")
            mark.tail = None
            heading.addprevious(mark)


def _is_mark(element: etree._Element) -> bool:
    return "pagebreak" in str(element.get(epub_pages.OPS + "type", "")).split()


def _serialise(root: etree._Element) -> bytes:
    """The document as XHTML bytes. Only void elements close themselves: an empty span
    written as <span/> swallows what follows in any reader that parses the file as HTML."""
    for element in root.iter(etree.Element):
        if element.text is None and not len(element) and etree.QName(element).localname not in VOID:
            element.text = ""
    return etree.tostring(root.getroottree(), encoding="utf-8", xml_declaration=True)

"""The print HTML of the whole book, with the stylesheet, fonts and pictures it names: exactly
what the typesetter is given (and what `build/print/` keeps, so anyone can time or inspect the
typesetter on it)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from handbook import fonts, layouts, pagemap, qrcodes
from handbook.checks import glyphs
from handbook.model import Book
from handbook.outputs.bookindex import index_groups
from handbook.outputs.flavours import PrintFlavour
from handbook.project import Project


FALLBACK_CSS = "fallback-fonts.css"


def chapters_html(book: Book, project: Project, files: dict[str, bytes]) -> list[dict]:
    """Each chapter's print HTML, what the contents list of it, and its web links with their QR
    codes (whose files go into `files`)."""
    out = []
    for chapter in book.chapters:
        flavour = PrintFlavour(book, chapter, project, "print/checklist.html.j2", "print/markup.html.j2",
                               inline_notes=True)
        out.append({"chapter": chapter, "anchor": pagemap.anchor(chapter.slug), "body": flavour.body(),
                    "toc": [h for h in chapter.headings if h.level == 2 and h.listed], "section_anchor": flavour.anchor,
                    "links": web_links(chapter.links, files)})
    return out


def web_links(links, files: dict[str, bytes]) -> list[dict]:
    """The web links among `links`, each once, in the order they first appear: its words, its address
    (whole and short) and its QR code's file (added to `files`)."""
    found: dict[str, dict] = {}
    for link in links:
        # The scheme as the browser reads it: HTTPS://EXAMPLE.COM is a web address too.
        if urlsplit(link.url).scheme.lower() in ("https", "http") and link.url not in found:
            name, data = qrcodes.svg(link.url)
            files[name] = data
            found[link.url] = {"text": link.text, "url": link.url, "short": qrcodes.short(link.url), "qr": name}
    return list(found.values())


def print_files(book: Book, project: Project, paperback: bool = False) -> dict[str, bytes]:
    """The print HTML, its stylesheets, fonts and pictures: what WeasyPrint is given. The fallback
    fonts' subsets the text needs, if any, are declared in a stylesheet of their own. `paperback`:
    for the printed paperback, whose copyright page says so."""
    css = layouts.read(project, "print/handbook.css").decode()
    fallback_css, fallback_files = fonts.declarations(project, glyphs.codes(book))
    codes: dict[str, bytes] = {}
    html = layouts.render(project, "print/handbook.html.j2", book=book, config=book.config, keys=pagemap,
                          chapters=chapters_html(book, project, codes), paper=project.paper,
                          fallback_fonts=FALLBACK_CSS if fallback_css else "", paperback=paperback)
    files = {"handbook.html": html.encode(), "handbook.css": css.encode(), **codes}
    files.update(layouts.fonts_for(project, css))
    if fallback_css:
        files[FALLBACK_CSS] = fallback_css.encode()
        files.update(fallback_files)
    files.update({name: picture.data for name, picture in book.pictures.items()})
    return files


def index_html(book: Book, project: Project, files: dict[str, bytes], anchors: dict[str, int], start: int) -> str:
    """The index as a document of its own, laid out once the book's pages are known: its first
    page is numbered `start`, each entry lists the pages its places are on."""
    def page_of(place):
        target = pagemap.anchor(place.slug, place.ident)
        return anchors.get(target), target
    return layouts.render(project, "print/index.html.j2", book=book, config=book.config, keys=pagemap,
                          groups=index_groups(book, page_of), start=start, paper=project.paper,
                          anchor=pagemap.anchor(pagemap.INDEX),
                          fallback_fonts=FALLBACK_CSS if FALLBACK_CSS in files else "")


def mark(html: str, marks: list[tuple[str, str]]) -> str:
    """Mark each keyed block (key, attribute), in order; a block marked before with the same
    attribute gets the next degree ("1", "2", ...)."""
    for key, attribute in marks:
        pattern = re.compile(rf'data-b="{re.escape(key)}"((?: data-[a-z]+="\d+")*)')

        def degree(match: re.Match) -> str:
            found = dict(re.findall(r' (data-[a-z]+)="(\d+)"', match.group(1)))
            found[attribute] = str(int(found.get(attribute, 0)) + 1)
            return f'data-b="{key}"' + "".join(f' {name}="{value}"' for name, value in found.items())

        html = pattern.sub(degree, html, count=1)
    return html

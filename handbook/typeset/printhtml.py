"""The print HTML of the whole book, with the stylesheet, fonts and pictures it names: exactly
what the typesetter is given (and what `build/print/` keeps, so anyone can time or inspect the
typesetter on it)."""

from __future__ import annotations

import re

from handbook import fonts, layouts, pagemap
from handbook.checks import glyphs
from handbook.model import Book
from handbook.outputs.flavours import PrintFlavour
from handbook.project import Project


FALLBACK_CSS = "fallback-fonts.css"


def chapters_html(book: Book, project: Project) -> list[dict]:
    """Each chapter's print HTML and what the contents list of it."""
    out = []
    for chapter in book.chapters:
        flavour = PrintFlavour(book, chapter, project, "print/checklist.html.j2", "print/markup.html.j2",
                               inline_notes=True)
        out.append({"chapter": chapter, "anchor": pagemap.anchor(chapter.slug), "body": flavour.body(),
                    "toc": [h for h in chapter.headings if h.level == 2 and h.listed], "section_anchor": flavour.anchor})
    return out


def print_files(book: Book, project: Project, paperback: bool = False) -> dict[str, bytes]:
    """The print HTML, its stylesheets, fonts and pictures: what WeasyPrint is given. The fallback
    fonts' subsets the text needs, if any, are declared in a stylesheet of their own. `paperback`:
    for the printed paperback, whose copyright page says so."""
    css = layouts.read(project, "print/handbook.css").decode()
    fallback_css, fallback_files = fonts.declarations(project, glyphs.codes(book))
    html = layouts.render(project, "print/handbook.html.j2", book=book, config=book.config, keys=pagemap,
                          chapters=chapters_html(book, project), paper=project.paper,
                          fallback_fonts=FALLBACK_CSS if fallback_css else "", paperback=paperback)
    files = {"handbook.html": html.encode(), "handbook.css": css.encode()}
    files.update(layouts.fonts_for(project, css))
    if fallback_css:
        files[FALLBACK_CSS] = fallback_css.encode()
        files.update(fallback_files)
    files.update({name: picture.data for name, picture in book.pictures.items()})
    return files


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

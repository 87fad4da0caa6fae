"""The printable checklist pack, and each checklist alone, with fillable boxes.

Checklists cite the handbook's pages. A PDF whose page text did not change since the last build is
kept; one made ahead on the second core (from an earlier page map) is used when its inputs turn out
the same as the final layout's.
"""

from __future__ import annotations

from markupsafe import Markup

from handbook import fonts, layouts, qrcodes
from handbook.checks import glyphs
from handbook.model import Book, Checklist
from handbook.outputs import Made, Reuse, html, site
from handbook.outputs.flavours import PackFlavour
from handbook.pagemap import PageMap
from handbook.project import Project
from handbook.typeset.engine import filled
from handbook.typeset.sandbox import html_to_pdf, inputs_key

OPTIONS = {"pdf_forms": True, "pdf_variant": "pdf/ua-1"}
FALLBACK_CSS = "fallback-fonts.css"
Ahead = dict[str, tuple[str, bytes]]  # name -> (inputs key, PDF) made on the second core


def _entries(book: Book, page_map: PageMap, project: Project, checklists: list[Checklist],
             files: dict[str, bytes]) -> list[dict]:
    """Each checklist's parts; with a web edition, its page there as an address and a QR code
    (whose file goes into `files`)."""
    entries = []
    for checklist in checklists:
        chapter = book.chapter(checklist.chapter)
        flavour = PackFlavour(book, chapter, project, "print/checklist.html.j2", "print/markup.html.j2",
                              context={"pages": page_map})
        intro, items = html.checklist_parts(checklist, flavour, chapter.slug)
        page = page_map.page(chapter.slug, checklist.id)
        web = site.page_url(book, chapter.slug, checklist.id)
        qr = None
        if web:
            qr, data = qrcodes.svg(web)
            files[qr] = data
        entries.append({"checklist": checklist, "chapter": chapter, "items": items, "intro": Markup(intro),
                        "page": page, "web": qrcodes.short(web) if web else "", "qr": qr})
    return entries


def names(book: Book) -> list[str]:
    """The PDFs `make` makes: the pack first (the largest), then each checklist alone."""
    return ["checklists.pdf"] + [f"checklists/{c.id}.pdf" for c in book.checklists]


def make(book: Book, page_map: PageMap, project: Project, reuse: Reuse | None = None,
         ahead: Ahead | None = None, only: frozenset[str] | None = None) -> Made:
    """The checklist PDFs (`only` those named: a share of the work for the second core)."""
    css = layouts.read(project, "print/checklists.css").decode()
    files = {"checklists.css": css.encode(), **layouts.fonts_for(project, css)}
    fallback_css, fallback_files = fonts.declarations(project, glyphs.codes(book))
    if fallback_css:
        files.update({FALLBACK_CSS: fallback_css.encode(), **fallback_files})
    made = Made({})
    jobs = list(zip(names(book), [list(book.checklists)] + [[c] for c in book.checklists]))
    jobs = [job for job in jobs if only is None or job[0] in only]
    for name, checklists in jobs:
        page = layouts.render(project, "print/checklists.html.j2", book=book, config=book.config,
                              entries=_entries(book, page_map, project, checklists, files), paper=project.paper,
                              fallback_fonts=FALLBACK_CSS if fallback_css else "")
        # Everything the PDF is made from: a checklist whose page text did not change is not
        # rendered again (nor when it was already made ahead with the right page numbers).
        key = made.keys[name] = inputs_key(files, page, **OPTIONS)
        if ahead and name in ahead and ahead[name][0] == key:
            made.files[name] = ahead[name][1]
            made.rendered.append(name)
            made.ahead.append(name)
        elif reuse and (data := reuse(name, key)) is not None:
            made.files[name] = data
            made.kept.append(name)
        else:
            with filled():  # the notes take what is left of their page
                made.files[name] = html_to_pdf(page, files, name, **OPTIONS)[0]
            made.rendered.append(name)
    return made

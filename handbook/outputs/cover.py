"""The cover image (the EPUB's cover, the web edition's download page): `layouts/cover/`, laid out by
the typesetter on one page of 1600 x 2560 CSS pixels, then drawn to a PNG of that size.

A title too long to fit the cover, even at the smallest size the layout gives it, is an error.
"""

from __future__ import annotations

import io

import pypdfium2

from handbook import layouts
from handbook.errors import RenderError
from handbook.model import Book
from handbook.outputs import Made
from handbook.project import Project
from handbook.typeset.sandbox import html_to_pdf

WIDTH, HEIGHT = 1600, 2560  # pixels: sharp on a phone and in a library grid; the 5:8 shape of e-book covers


def page(book: Book, project: Project) -> bytes:
    """The cover as a one-page PDF."""
    css = layouts.read(project, "cover/cover.css")
    files = {"cover.css": css, **layouts.fonts_for(project, css.decode())}
    html = layouts.render(project, "cover/cover.html.j2", config=book.config)
    pdf, document = html_to_pdf(html, files, "cover.png")
    if len(document.pages) != 1:
        raise RenderError.of("cover.png", "cover-overflow", f"the title and subtitle do not fit on the cover "
                             f"({len(document.pages)} pages): shorten them in {book.config.path.name}")
    return pdf


def make(book: Book, project: Project) -> Made:
    pdf = pypdfium2.PdfDocument(page(book, project))
    try:
        sheet = pdf[0]
        image = sheet.render(scale=WIDTH / sheet.get_width()).to_pil().convert("RGB")
    finally:
        pdf.close()
    if image.size != (WIDTH, HEIGHT):
        image = image.resize((WIDTH, HEIGHT))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return Made({"cover.png": buffer.getvalue()})

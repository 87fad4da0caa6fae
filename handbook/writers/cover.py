"""The cover image (EPUB cover, web download page), rendered from the PDF's own cover page."""

from __future__ import annotations

import io

import pypdfium2

from handbook.model import Book

WIDTH = 1600  # pixels: sharp on a phone, small enough for an EPUB


def write(book: Book, ctx) -> dict[str, bytes]:
    pdf = pypdfium2.PdfDocument(ctx.outputs["handbook.pdf"])
    try:
        page = pdf[0]
        scale = WIDTH / page.get_width()
        image = page.render(scale=scale).to_pil().convert("RGB")
    finally:
        pdf.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return {"cover.png": buffer.getvalue()}

"""The cover image (EPUB cover, web download page), rendered from the PDF's own cover page."""

from __future__ import annotations

import io

import pypdfium2

from handbook.outputs import Made

WIDTH = 1600  # pixels: sharp on a phone, small enough for an EPUB


def make(book_pdf: bytes) -> Made:
    pdf = pypdfium2.PdfDocument(book_pdf)
    try:
        page = pdf[0]
        scale = WIDTH / page.get_width()
        image = page.render(scale=scale).to_pil().convert("RGB")
    finally:
        pdf.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return Made({"cover.png": buffer.getvalue()})

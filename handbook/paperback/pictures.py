"""The book's pictures on the paperback's pages: in shades of grey for black ink, and checked for
sharpness where they are printed.

A black-and-white interior prints a colour picture as grey anyway; giving the printer grey pixels
means what the PDF shows is what the page shows. Print needs about 300 pixels per inch at the size a
picture is printed: a picture printed with fewer is reported, at each place a chapter shows it, as
`path:line: warning: ...` (the build still succeeds: the editor decides).
"""

from __future__ import annotations

import io

import pypdfium2
import pypdfium2.raw as pdfium_c
from PIL import Image

from handbook.errors import Diagnostic, where
from handbook.model import Book

PRINT_DPI = 300
_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}


def in_grey(book: Book) -> dict[str, bytes]:
    """Each raster picture (name -> bytes) in shades of grey, same name, format and size."""
    grey: dict[str, bytes] = {}
    for name, picture in book.pictures.items():
        kind = _FORMATS.get(picture.media_type)
        if kind is None:  # SVG: its colours are drawing, set in black ink with the rest
            continue
        with Image.open(io.BytesIO(picture.data)) as image:
            alpha = "A" in image.getbands() or "transparency" in image.info
            converted = image.convert("LA" if alpha and kind != "JPEG" else "L")
            buffer = io.BytesIO()
            converted.save(buffer, format=kind)
        grey[name] = buffer.getvalue()
    return grey


def printed_dpi(pdf: bytes) -> dict[tuple[int, int], float]:
    """The lowest resolution each picture (by its size in pixels) is printed at in `pdf`."""
    found: dict[tuple[int, int], float] = {}
    document = pypdfium2.PdfDocument(pdf)
    try:
        for page in document:
            for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
                meta = image.get_metadata()
                size = (meta.width, meta.height)
                dpi = min(meta.horizontal_dpi, meta.vertical_dpi)
                found[size] = min(found.get(size, dpi), dpi)
    finally:
        document.close()
    return found


def resolution_warnings(book: Book, pdf: bytes, what: str) -> list[Diagnostic]:
    """A warning at each reference to a raster picture printed below PRINT_DPI."""
    if not any(p.media_type in _FORMATS for p in book.pictures.values()):
        return []
    printed = printed_dpi(pdf)
    warnings = []
    for chapter in book.chapters:
        for image in chapter.images:
            picture = image.picture
            if picture is None or picture.media_type not in _FORMATS:
                continue
            dpi = printed.get((picture.width, picture.height))
            if dpi is None or dpi >= PRINT_DPI - 0.5:
                continue
            needed = round(picture.width * PRINT_DPI / dpi)
            warnings.append(Diagnostic(where(image.path), image.line, "warning", "low-resolution",
                                       f"picture {image.src!r} prints at {dpi:.0f} dpi in {what} ({picture.width} "
                                       f"pixels wide); print needs {PRINT_DPI}: give it about {needed} pixels "
                                       "across, or print it smaller"))
    return warnings

"""Facts read back from a finished PDF, for writers that describe or cite it."""

from __future__ import annotations

import pypdfium2


def page_count(data: bytes) -> int:
    # pdfium reads the page tree in C; pypdf took most of the EPUB's and the site's time here.
    document = pypdfium2.PdfDocument(data)
    try:
        return len(document)
    finally:
        document.close()

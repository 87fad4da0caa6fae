"""The typeset book: one print HTML document through layouts/print, then WeasyPrint.

The print HTML is kept in the outputs (`print/`), with its CSS and fonts, so
anyone can time or inspect the typesetter on exactly what it was given.
"""

from __future__ import annotations

from pathlib import Path

from handbook import layouts
from handbook.model import Book
from handbook.writers.render import html_to_pdf
from handbook.writers.targets import PrintTarget

PAPERS = ("letter", "a4")


def chapters_html(book: Book, layouts_dir: Path) -> list[dict]:
    out = []
    for chapter in book.chapters:
        target = PrintTarget(book, chapter, layouts_dir, "print/checklist.html.j2", inline_notes=True)
        out.append({"chapter": chapter, "anchor": f"ch-{chapter.slug}", "body": target.body(),
                    "toc": [h for h in chapter.headings if h.level == 2], "section_anchor": target.anchor})
    return out


def print_files(book: Book, layouts_dir: Path, paper: str) -> dict[str, bytes]:
    """The print HTML, its stylesheet and fonts: what WeasyPrint is given."""
    css = layouts.read(layouts_dir, "print/handbook.css").decode()
    html = layouts.render(layouts_dir, "print/handbook.html.j2", book=book, config=book.config,
                          chapters=chapters_html(book, layouts_dir), paper=paper)
    files = {"handbook.html": html.encode(), "handbook.css": css.encode()}
    files.update(layouts.fonts_for(css))
    return files


def page_starts(document) -> dict[str, int]:
    """For each page, the first block of text that begins on it (block key -> page)."""
    marks: dict[str, int] = {}
    seen: set[str] = set()
    for number, page in enumerate(document.pages, 1):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            key = element.get("data-b") if element is not None else None
            if key is None or key in seen:
                continue
            seen.add(key)
            if number not in marks.values():
                marks[key] = number
    return marks


def write(book: Book, ctx) -> dict[str, bytes]:
    files = print_files(book, ctx.layouts_dir, ctx.paper)
    pdf, document = html_to_pdf(files["handbook.html"].decode(), files, book.root, "handbook.pdf",
                                pdf_variant="pdf/ua-1")
    ctx.pages.update({anchor: number for number, page in enumerate(document.pages, 1)
                      for anchor in page.anchors})
    ctx.page_marks.update(page_starts(document))
    outputs = {"handbook.pdf": pdf}
    outputs.update({f"print/{name}": data for name, data in files.items()})
    return outputs

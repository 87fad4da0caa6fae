"""The typeset book: one print HTML document through layouts/print, then WeasyPrint.

The print HTML is kept in the outputs (`print/`), with its CSS and fonts, so
anyone can time or inspect the typesetter on exactly what it was given.

Two faults of WeasyPrint 70 are corrected after layout, by marking the block
concerned (the layout says what a mark does) and making again the pages the
mark changes (see `relayout`):
- to keep a paragraph from leaving a single line at the foot of a page, it may
  move a footnote of that page to the next one, away from its call: the
  paragraph is marked `data-turn` and starts a new page, as any other orphan;
- when a run of text that ends in a space nearly fills a line, it may break
  the line after one word: the block is marked `data-nudge`, which changes its
  word spacing by a hair so that the lines fall differently.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from handbook import layouts
from handbook.errors import RenderError
from handbook.model import Book
from handbook.writers import readback, relayout, render
from handbook.writers.targets import PrintTarget

PAPERS = ("letter", "a4")
MAX_PASSES = 3  # rounds of corrections at most; each round marks every fault it finds
_CORRECTIONS_CODE = hashlib.sha256(b"".join(Path(m).read_bytes() for m in (__file__, readback.__file__,
                                                                           relayout.__file__))).hexdigest()


def chapters_html(book: Book, layouts_dir: Path) -> list[dict]:
    """Each chapter's print HTML and what the contents list of it."""
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


def _mark(html: str, marks: list[tuple[str, str]]) -> str:
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


def lay_out(book: Book, files: dict[str, bytes], options: dict, corrected: bytes | None = None,
            first_pages=None):
    """Lay the book out, correcting the engine's faults (see above); returns the document.

    `corrected` is the last build's final HTML for these very sources: its corrections
    are what this loop would find again, so it starts from there. `first_pages` is
    given the page of each anchor as soon as the first pagination is done."""
    html = (corrected or files["handbook.html"]).decode()
    early = (lambda pages: first_pages(readback.anchor_pages(pages))) if first_pages else None
    try:
        with relayout.corrected(readback.faults, MAX_PASSES, early) as corrections:
            document = render.render(html, files, book.root, "handbook.pdf", **options)
        marks = corrections.applied
    except relayout.Unsupported:
        document, marks = _lay_out_afresh(book, files, options, html)
    html = _mark(html, marks)
    pages = [page._page_box for page in document.pages]
    misplaced = [ident for ident, (call, note) in readback.note_pages(pages).items() if note and note != call]
    if misplaced:
        raise RenderError(f"handbook.pdf: error: footnotes {', '.join(misplaced)} could not be printed on "
                          "the page of their call")
    files["handbook.html"] = html.encode()
    return document


def _lay_out_afresh(book: Book, files: dict[str, bytes], options: dict, html: str):
    """The same corrections, each round laying the whole marked book out again."""
    marks: list[tuple[str, str]] = []
    for attempt in range(MAX_PASSES + 1):
        document = render.render(html, files, book.root, "handbook.pdf", **options)
        found = readback.faults([page._page_box for page in document.pages])
        if not found or attempt == MAX_PASSES:
            return document, marks
        html = _mark(html, found)
        marks += found
    raise AssertionError("unreachable")


def write(book: Book, ctx) -> dict[str, bytes]:
    """handbook.pdf and its print sources; fills ctx.pages and ctx.page_marks for later writers."""
    files = print_files(book, ctx.layouts_dir, ctx.paper)
    options = {"pdf_variant": "pdf/ua-1"}
    # The last build's corrected HTML stands for these inputs only if the corrections are
    # still found the same way: the code that finds them is part of the key.
    key = render.inputs_key(files, corrections=_CORRECTIONS_CODE, **options)
    document = lay_out(book, files, options, ctx.reusable("print/handbook.html", key), ctx.first_pages)
    for number, page in enumerate(document.pages, 1):
        for anchor in page.anchors:
            ctx.pages.setdefault(anchor, number)  # where it starts, for elements over several pages
    ctx.page_marks.update(readback.page_starts([page._page_box for page in document.pages]))
    pdf = render.write(document, "handbook.pdf", **options)
    outputs = {"handbook.pdf": pdf}
    outputs.update({f"print/{name}": data for name, data in files.items()})
    return outputs

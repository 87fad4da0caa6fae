"""The paperback's interior: the printed book's HTML laid out again at the paperback's trim, as
PDF/X-4 for a print-on-demand service.

The print HTML (typeset/printhtml.py) is given two more stylesheets: the paperback's design
(`layouts/paperback/interior.css`) and its page geometry (`page.css.j2`: trim, bleed on the top,
bottom and outside edges, margins), and an empty last block that makes the last page a blank left
one. The index, laid out after the book as in the printed book, is given the same. The layout corrects the engine's faults as the printed book's does (`typeset.typeset_html`).

The inside margin depends on the page count, which depends on the margin: the book is laid out with
the margin the last build's count called for (or an estimate), and again, wider, whenever the count
it gets calls for more. The margin only grows, so this ends (in one layout when nothing moved).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from handbook import layouts
from handbook.errors import Diagnostic, HandbookError, RenderError
from handbook.gate import Refused
from handbook.model import Book
from handbook.paperback import geometry, pdfx, pictures
from handbook.project import Project
from handbook.typeset import engine, faults, sandbox, typeset_html, with_index
from handbook.typeset.printhtml import print_files

NAME = "interior.pdf"
STYLES = ("paperback.css", "page.css", "colour.css")
END = '<div class="paperback-end" aria-hidden="true"></div>'
WORDS_PER_PAGE = 330  # a 6 x 9 in page of this design, for a first guess at the page count
_CODE = hashlib.sha256(b"".join(Path(m).read_bytes() for m in (__file__, pdfx.__file__, pictures.__file__,
                                                                geometry.__file__))).hexdigest()


@dataclass(frozen=True)
class Interior:
    pdf: bytes
    pages: int
    gutter: float  # the inside margin's print-on-demand minimum it was laid out for, in inches
    key: str  # digest of its inputs: the same key, the same file
    warnings: tuple[Diagnostic, ...] = ()


def inputs(book: Book, project: Project) -> tuple[str, dict[str, bytes]]:
    """The HTML and files the interior is laid out from (all but the page geometry), and their key."""
    files = print_files(book, project, paperback=True)
    files.update(pictures.in_grey(book))
    design = layouts.read(project, "paperback/interior.css")
    files.update({"paperback.css": design, **layouts.fonts_for(project, design.decode())})
    files["colour.css"] = pdfx.profile_css().encode()
    files[pdfx.PROFILE_URL] = colour_profile(project)
    html = dress(files.pop("handbook.html").decode(), end=not book.index)
    page = layouts.read(project, "paperback/page.css.j2")
    key = sandbox.inputs_key({**files, "page.css.j2": page}, html, code=_CODE, trim=project.paperback.trim,
                             **pdfx.OPTIONS)
    return key, {"handbook.html": html.encode(), **files}


def dress(html: str, end: bool = True) -> str:
    """`html` (the book's or its index's) with the paperback's stylesheets and, if `end`, its blank
    last page."""
    links = "".join(f'<link rel="stylesheet" href="{name}">' for name in STYLES)
    html = html.replace("</head>", links + "</head>", 1)
    return html.replace("</body>", END + "</body>", 1) if end else html


def colour_profile(project: Project) -> bytes:
    """The output intent's ICC profile, from Debian's libgs-common (the Makefile installs it)."""
    try:
        return project.gate.read(project.gate.locate("colour", pdfx.PROFILE), 4 * 1024 * 1024)
    except Refused as exc:
        raise HandbookError(f"{project.gate.roots['colour'][0]}/{pdfx.PROFILE}: error: the printing condition's "
                            f"colour profile cannot be read ({exc}); install Debian's libgs-common "
                            "(`make paperback` does)") from None


def lay_out(book: Book, project: Project, last_pages: int, say, prepared=None) -> Interior:
    """The interior of `book`, laid out until its inside margin suits its page count. `prepared` is
    what `inputs` gave, if the caller has it already."""
    key, files = prepared or inputs(book, project)
    files = dict(files)
    html = files.pop("handbook.html").decode()
    width, height = geometry.TRIMS[project.paperback.trim]
    pages = last_pages or _estimate(book, project)
    margin = geometry.gutter(pages)
    while True:
        files["page.css"] = layouts.render(project, "paperback/page.css.j2", trim=project.paperback.trim,
                                           width=width, height=height, bleed=geometry.BLEED,
                                           gutter=margin).encode()
        document, _, warnings = typeset_html(html, files, what=NAME, options=pdfx.OPTIONS)
        if book.index:
            document = with_index(book, project, files, document, _anchors(document), {}, what=NAME,
                                  options=pdfx.OPTIONS, dress=dress)
        count = len(document.pages)
        say(f"laid out {NAME}: {count} pages at {project.paperback.trim} in, inside margin for {pages} pages")
        if geometry.gutter(count) <= margin:
            break
        pages, margin = count, geometry.gutter(count)
    _check_notes(document)
    pdfx.without_links(document)
    pdf = sandbox.write(document, NAME, finisher=pdfx.finisher(pdfx.grey, f"{book.config.identifier}:{NAME}"),
                        **pdfx.OPTIONS)
    warnings += pictures.resolution_warnings(book, pdf, f"paperback/{NAME}")
    return Interior(pdf, count, margin, key, tuple(warnings) + _count_warnings(count))


def _anchors(document) -> dict[str, int]:
    """Each anchor's page, where it starts."""
    anchors: dict[str, int] = {}
    for number, page in enumerate(document.pages, 1):
        for anchor in page.anchors:
            anchors.setdefault(anchor, number)
    return anchors


def _estimate(book: Book, project: Project) -> int:
    words = sum(chapter.words for chapter in book.chapters)
    scale = 1.25 if project.paperback.trim == "5.5x8.5" else 1.0
    return round(words / WORDS_PER_PAGE * scale) + 2 * len(book.chapters) + 8


def _check_notes(document) -> None:
    """Every footnote on the page of its call (the corrections move what pushed it away)."""
    try:
        views = [engine.PageView(page) for page in document.pages]
        misplaced = [ident for ident, (call, note) in faults.note_pages(views).items() if note and note != call]
    except engine.DRIFT:
        return
    if misplaced:
        raise RenderError.of(f"paperback/{NAME}", "footnote-page",
                             f"footnotes {', '.join(misplaced)} could not be printed on the page of their call")


def _count_warnings(count: int) -> tuple[Diagnostic, ...]:
    if geometry.MIN_PAGES <= count <= geometry.MAX_PAGES:
        return ()
    return (Diagnostic(f"paperback/{NAME}", 0, "warning", "page-count",
                       f"{count} pages: print-on-demand paperbacks have {geometry.MIN_PAGES} to "
                       f"{geometry.MAX_PAGES} pages (KDP)"),)

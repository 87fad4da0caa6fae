"""The typesetting stage: the book laid out by WeasyPrint into `handbook.pdf`, with the page facts
every other output cites.

    layout = typeset.lay_out(book, project, reuse, last, beside)   # PrintLayout: PDF, files, PageMap

The book is laid out in parts (`parts`, `inparts`): the front matter, each chapter and the index
apart, on both cores, each again only when what it is given changed, merged into one PDF (`merge`).
`lay_out_whole` lays the book out as one document: the same pages, which the tests compare with
the parts', and the fallback should the parts' page numbers not settle.

The engine's faults (see `faults`) are corrected during each layout itself (`corrected`, `engine`):
only the pages a correction changes are made again. Where the engine's internals are not what
`engine` knows, the marked HTML is laid out afresh with public calls only, and a warning says so.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from handbook.errors import Diagnostic
from handbook.model import Book
from handbook.pagemap import PageMap
from handbook.project import Project
from handbook import pagemap
from handbook.typeset import engine, faults, inparts, sandbox
from handbook.typeset.corrected import OPTIONS, corrected_layout, page_facts
from handbook.typeset.printhtml import index_html, mark, print_files
from handbook.worker import Beside

# A layout kept from the last build stands for the same inputs only if it would be made the same
# way: the code that makes it is part of its key.
_CORRECTIONS_CODE = hashlib.sha256(b"".join(
    path.read_bytes() for path in sorted(Path(__file__).parent.rglob("*.py")))).hexdigest()
Reuse = Callable[[str, str], "bytes | None"]  # (output name, inputs key) -> the last build's bytes


@dataclass(frozen=True)
class PrintLayout:
    pdf: bytes
    files: dict[str, bytes]  # what the typesetter was given, the HTML with its corrections
    page_map: PageMap
    key: str  # digest of the inputs, under which the corrected HTML is kept
    warnings: tuple[Diagnostic, ...] = field(default=())
    parts: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # laid-out parts kept for the next build
    laid_out: tuple[str, ...] = ()  # the parts laid out this time (all others were kept)
    renumbered: tuple[str, ...] = ()  # of those, the ones renumbered in place after their first layout


def lay_out(book: Book, project: Project, reuse: Reuse | None = None, last: PageMap | None = None,
            beside: Beside | None = None, settled: inparts.Settled | None = None) -> PrintLayout:
    """The book laid out in parts (`inparts`), on both cores when `beside` is given, each part
    again only if what it is given changed since the last build (`reuse`, `last` its page map).
    `settled` is given the page map as soon as it has settled. Should the page numbers not
    settle, the whole book is laid out at once, with a warning."""
    files = print_files(book, project)
    html = files.pop("handbook.html").decode()
    key = sandbox.inputs_key(files, corrections=_CORRECTIONS_CODE, **OPTIONS)
    try:
        made = inparts.lay_out(book, project, html, files, key, last or PageMap(), reuse, beside, settled)
    except inparts.Unsettled as exc:
        files["handbook.html"] = html.encode()
        layout = lay_out_whole(book, project)
        warning = Diagnostic("handbook.pdf", 0, "warning", "pages-unsettled",
                             f"the page numbers of the parts did not settle ({exc}): laid out as one document")
        return PrintLayout(layout.pdf, layout.files, layout.page_map, layout.key, (*layout.warnings, warning))
    files["handbook.html"] = mark(html, made.marks).encode()  # the book as laid out, for whoever times it alone
    return PrintLayout(made.pdf, files, made.page_map, key, tuple(made.warnings), made.outputs,
                       tuple(made.laid_out), tuple(made.renumbered))


def lay_out_whole(book: Book, project: Project, reuse: Reuse | None = None,
                  first_pages: Callable[[PageMap], None] | None = None) -> PrintLayout:
    """The book laid out as one document. `reuse` gives the last build's corrected HTML for these very inputs: its corrections are
    what this layout would find again, so it starts from there. `first_pages` is given the
    anchors' pages as soon as the first pagination is done."""
    files = print_files(book, project)
    # The last build's corrected HTML stands for these inputs only if the corrections are
    # still found the same way: the code that finds them is part of the key.
    key = sandbox.inputs_key(files, corrections=_CORRECTIONS_CODE, **OPTIONS)
    corrected = reuse("print/handbook.html", key) if reuse else None
    document, html, warnings = typeset_html((corrected or files["handbook.html"]).decode(), files, first_pages)
    files["handbook.html"] = html.encode()
    anchors, starts = page_facts(document, warnings)
    if book.index:
        document = with_index(book, project, files, document, anchors, starts)
    page_map = PageMap(anchors, starts, len(document.pages))
    pdf = sandbox.write(document, "handbook.pdf", **OPTIONS)
    return PrintLayout(pdf, files, page_map, key, tuple(warnings))


def with_index(book: Book, project: Project, files: dict[str, bytes], document, anchors: dict[str, int],
               starts: dict[str, int], what: str = "handbook.pdf", options: dict | None = None,
               dress: Callable[[str], str] | None = None):
    """The book with its index: laid out now that the pages it cites are known, it takes the place
    of the empty page the book kept for it. `anchors` and `starts` gain its pages. Another edition
    gives its output's name, the typesetter's `options` and `dress` (the index HTML with its own
    stylesheets)."""
    start = anchors[pagemap.anchor(pagemap.INDEX)]
    html = index_html(book, project, files, anchors, start)
    html = dress(html) if dress else html
    files["book-index.html"] = html.encode()
    index = sandbox.paginate(html, files, what, **(OPTIONS if options is None else options))
    for number, page in enumerate(index.pages, start):
        for anchor in page.anchors:
            anchors.setdefault(anchor, number)
    try:
        starts.update({key: page + start - 1 for key, page in
                       faults.block_starts([engine.PageView(page) for page in index.pages]).items()})
    except engine.DRIFT:
        pass  # the index's pages are then placed after the book's last block
    return document.copy(document.pages[:start - 1] + index.pages)


def typeset_html(html: str, files: dict[str, bytes], first_pages: Callable[[PageMap], None] | None = None,
                 what: str = "handbook.pdf", options: dict | None = None):
    """Lay `html` out with the engine's faults corrected: (document, the HTML with its correction
    marks, warnings). `what` names the output in diagnostics; `options` are the typesetter's
    (OPTIONS, the tagged PDF, unless another output says otherwise)."""
    document, marks, warnings, _ = corrected_layout(html, files, first_pages, what, options)
    return document, mark(html, marks), warnings

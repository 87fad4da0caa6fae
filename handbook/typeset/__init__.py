"""The typesetting stage: the whole book laid out by WeasyPrint into `handbook.pdf`, with the page
facts every other output cites.

    layout = typeset.lay_out(book, project, previous)   # PrintLayout: PDF, print files, PageMap

The engine's faults (see `faults`) are corrected during the layout itself (`engine`): only the pages
a correction changes are made again. Where the engine's internals are not what `engine` knows, the
marked HTML is laid out afresh with public calls only, and a warning says so. The corrected print
HTML is kept, so the next build of the same sources starts from it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from handbook.errors import Diagnostic, RenderError
from handbook.model import Book
from handbook.pagemap import PageMap
from handbook.project import Project
from handbook.typeset import engine, faults, sandbox
from handbook import pagemap
from handbook.typeset.printhtml import index_html, mark, print_files

MAX_PASSES = 3  # rounds of corrections at most; each round marks every fault it finds
OPTIONS = {"pdf_variant": "pdf/ua-1"}
_CORRECTIONS_CODE = hashlib.sha256(b"".join(
    Path(m).read_bytes() for m in (__file__, faults.__file__, *sorted(Path(engine.__file__).parent.glob("*.py"))))
).hexdigest()
Reuse = Callable[[str, str], "bytes | None"]  # (output name, inputs key) -> the last build's bytes


@dataclass(frozen=True)
class PrintLayout:
    pdf: bytes
    files: dict[str, bytes]  # what the typesetter was given, the HTML with its corrections
    page_map: PageMap
    key: str  # digest of the inputs, under which the corrected HTML is kept
    warnings: tuple[Diagnostic, ...] = field(default=())


def lay_out(book: Book, project: Project, reuse: Reuse | None = None,
            first_pages: Callable[[PageMap], None] | None = None) -> PrintLayout:
    """`reuse` gives the last build's corrected HTML for these very inputs: its corrections are
    what this layout would find again, so it starts from there. `first_pages` is given the
    anchors' pages as soon as the first pagination is done."""
    files = print_files(book, project)
    # The last build's corrected HTML stands for these inputs only if the corrections are
    # still found the same way: the code that finds them is part of the key.
    key = sandbox.inputs_key(files, corrections=_CORRECTIONS_CODE, **OPTIONS)
    corrected = reuse("print/handbook.html", key) if reuse else None
    document, html, warnings = typeset_html((corrected or files["handbook.html"]).decode(), files, first_pages)
    files["handbook.html"] = html.encode()
    anchors: dict[str, int] = {}
    for number, page in enumerate(document.pages, 1):
        for anchor in page.anchors:
            anchors.setdefault(anchor, number)  # where it starts, for elements over several pages
    try:
        views = [engine.PageView(page) for page in document.pages]
        starts = faults.block_starts(views)
        misplaced = [ident for ident, (call, note) in faults.note_pages(views).items() if note and note != call]
    except engine.DRIFT as exc:  # internals moved: the pages' starts come from the anchors alone
        warnings.append(Diagnostic("handbook.pdf", 0, "warning", "engine-drift",
                                   f"page starts read from anchors only: {type(exc).__name__}: {exc}"))
        starts, misplaced = {}, []
    if misplaced:
        raise RenderError.of("handbook.pdf", "footnote-page",
                             f"footnotes {', '.join(misplaced)} could not be printed on the page of their call")
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
    options = OPTIONS if options is None else options
    early = (lambda views: first_pages(PageMap(faults.anchor_pages(views)))) if first_pages else None
    warnings: list[Diagnostic] = []
    try:
        with engine.corrected(faults.faults, MAX_PASSES, early) as corrections:
            document = sandbox.paginate(html, files, what, **options)
        marks = corrections.applied
    except engine.Unsupported as exc:
        if isinstance(exc, engine.Drift):
            warnings.append(Diagnostic(what, 0, "warning", "engine-drift",
                                       f"layout corrections made afresh (slower): {exc}"))
        document, marks = _lay_out_afresh(files, html, what, options)
    return document, mark(html, marks), warnings


def _lay_out_afresh(files: dict[str, bytes], html: str, what: str, options: dict):
    """The same corrections, each round laying the whole marked book out again."""
    marks: list[tuple[str, str]] = []
    for attempt in range(MAX_PASSES + 1):
        document = sandbox.paginate(mark(html, marks), files, what, **options)
        try:
            found = faults.faults([engine.PageView(page) for page in document.pages])
        except engine.DRIFT:  # the faults cannot be read: the layout stands as it is
            return document, marks
        if not found or attempt == MAX_PASSES:
            return document, marks
        marks += found
    raise AssertionError("unreachable")

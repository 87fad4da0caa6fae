"""The layout of an HTML document with the engine's faults (`faults`) corrected: in place during the
layout where the engine's internals allow (`engine`), otherwise by laying the marked HTML out
again with public calls only."""

from __future__ import annotations

from collections.abc import Callable

from handbook.errors import Diagnostic, RenderError
from handbook.pagemap import PageMap
from handbook.typeset import engine, faults, sandbox
from handbook.typeset.printhtml import mark

MAX_PASSES = 3  # rounds of corrections at most; each round marks every fault it finds
OPTIONS = {"pdf_variant": "pdf/ua-1"}


def corrected_layout(html: str, files: dict[str, bytes], first_pages: Callable[[PageMap], None] | None = None,
                     what: str = "handbook.pdf", options: dict | None = None):
    """`typeset_html`, with the corrections as a list of marks (block key, attribute), and the
    state the layout left for `engine.renumber` (None if it was laid out afresh)."""
    options = OPTIONS if options is None else options
    early = (lambda views: first_pages(PageMap(faults.anchor_pages(views)))) if first_pages else None
    warnings: list[Diagnostic] = []
    try:
        with engine.corrected(faults.faults, MAX_PASSES, early) as corrections:
            document = sandbox.paginate(html, files, what, **options)
        marks, state = corrections.applied, corrections
    except engine.Unsupported as exc:
        if isinstance(exc, engine.Drift):
            warnings.append(Diagnostic(what, 0, "warning", "engine-drift",
                                       f"layout corrections made afresh (slower): {exc}"))
        document, marks = _lay_out_afresh(files, html, what, options)
        state = None
    return document, marks, warnings, state


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


def page_facts(document, warnings: list[Diagnostic], notes: bool = True) -> tuple[dict[str, int], dict[str, int]]:
    """Where a laid-out document's anchors and keyed blocks begin (anchor -> page, block key ->
    page). With `notes`, a footnote printed away from its call's page is an error. Should the
    engine's internals have moved, the blocks' starts are left out and `warnings` says so."""
    anchors: dict[str, int] = {}
    for number, page in enumerate(document.pages, 1):
        for anchor in page.anchors:
            anchors.setdefault(anchor, number)  # where it starts, for elements over several pages
    try:
        views = [engine.PageView(page) for page in document.pages]
        starts = faults.block_starts(views)
        misplaced = [ident for ident, (call, note) in faults.note_pages(views).items()
                     if notes and note and note != call]
    except engine.DRIFT as exc:  # internals moved: the pages' starts come from the anchors alone
        warnings.append(Diagnostic("handbook.pdf", 0, "warning", "engine-drift",
                                   f"page starts read from anchors only: {type(exc).__name__}: {exc}"))
        starts, misplaced = {}, []
    if misplaced:
        raise RenderError.of("handbook.pdf", "footnote-page",
                             f"footnotes {', '.join(misplaced)} could not be printed on the page of their call")
    return anchors, starts

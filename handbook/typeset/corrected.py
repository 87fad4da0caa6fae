"""The layout of an HTML document with the engine's faults (`faults`) corrected: in place during the
layout where the engine's internals allow (`engine`), otherwise by laying the marked HTML out
again with public calls only."""

from __future__ import annotations

from collections.abc import Callable

from handbook.errors import Diagnostic
from handbook.pagemap import PageMap
from handbook.typeset import engine, faults, sandbox
from handbook.typeset.printhtml import mark

MAX_PASSES = 3  # rounds of corrections at most; each round marks every fault it finds
OPTIONS = {"pdf_variant": "pdf/ua-1"}


def corrected_layout(html: str, files: dict[str, bytes], first_pages: Callable[[PageMap], None] | None = None,
                     what: str = "handbook.pdf", options: dict | None = None):
    """`typeset_html`, with the corrections as a list of marks (block key, attribute)."""
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
    return document, marks, warnings


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

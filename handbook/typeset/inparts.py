"""The book laid out in parts (`parts`): each on whichever core is free, again only when what it is
given changed, then merged into one PDF (`merge`).

The page map settles by rounds. Each part is dressed with the map as it stands (the last build's,
or on a first build that of one pagination of the whole book); the parts whose dressed HTML is not that of a
part laid out before (kept in memory by a preview, or in the output folder by the last build) are
laid out; their page counts and anchors make the next map. When every part's dressed HTML matches
its layout, the pages are those of the whole book laid out at once. The index comes last, from the
settled map.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

from handbook import pagemap
from handbook.errors import Diagnostic, RenderError
from handbook.model import Book
from handbook.pagemap import PageMap
from handbook.project import Project
from handbook.typeset import merge, parts
from handbook.typeset.laidout import PartJob, PartLayout, lay_out_part
from handbook.typeset.printhtml import index_html

MAX_ROUNDS = 4  # a map that has not settled after this many rounds of layouts is not going to
Beside = Callable[[PartJob, dict], Future]  # lays a part out on the second core
Reuse = Callable[[str, str], "bytes | None"]

_kept: dict[str, PartLayout] = {}  # the parts of this process's last layout (a preview's), by key


@dataclass(frozen=True)
class InParts:
    pdf: bytes
    page_map: PageMap
    marks: list[tuple[str, str]]
    outputs: dict[str, tuple[str, bytes]]  # print/parts/... -> (key, bytes), for the next build
    laid_out: list[str]  # the parts laid out this time (the others were kept)
    warnings: list[Diagnostic]


class Unsettled(Exception):
    """The page map did not settle: the caller lays the whole book out at once."""


def lay_out(book: Book, project: Project, html: str, files: dict[str, bytes], digest: str,
            last: PageMap, reuse: Reuse | None, beside: Beside | None) -> InParts:
    """`html` is the whole book's print HTML, `files` what it loads (`digest` their key); `last`
    the page map to start from (the last build's, or a first pagination of the whole book)."""
    pieces = parts.split(html)
    starts = [1] + [last.anchors.get(p.name, 1) for p in pieces[1:]]  # a chapter part is named by its anchor
    anchors = dict(last.anchors)
    laid: dict[str, PartLayout] = {}
    fresh: list[str] = []
    for round_ in range(MAX_ROUNDS + 1):
        jobs, changed = [], False
        for piece, start in zip(pieces, starts):
            dressed = parts.dress(piece, start, anchors)
            key = _key(digest, dressed)
            if piece.name in laid and laid[piece.name].key == key:
                continue
            changed = True
            found = _found(piece.name, key, reuse)
            if found is not None:
                laid[piece.name] = found
            else:
                jobs.append(PartJob(piece.name, dressed, key))
        if not changed:
            break
        if round_ == MAX_ROUNDS:
            raise Unsettled(", ".join(j.name for j in jobs) or "kept parts")
        for result in _run(jobs, files, beside):
            laid[result.name] = result
            if result.name not in fresh:
                fresh.append(result.name)
        ordered = [laid[p.name] for p in pieces]
        starts, anchors = _map(pieces, [p.count for p in ordered], [p.anchors for p in ordered])
    ordered = [laid[p.name] for p in pieces]
    if book.index:
        start = anchors[pagemap.anchor(pagemap.INDEX)]
        piece = parts.whole(pagemap.INDEX, index_html(book, project, files, anchors, start))
        dressed = parts.dress(piece, None, anchors)
        key = _key(digest, dressed)
        index = _found(pagemap.INDEX, key, reuse)
        if index is None:
            index = _run([PartJob(pagemap.INDEX, dressed, key, correct=False)], files, None)[0]
            fresh.append(pagemap.INDEX)
        pieces, ordered, starts = pieces + [piece], ordered + [index], starts + [start]
    counts = [p.count for p in ordered]
    try:
        pdf = merge.merge([p.pdf for p in ordered], parts.blank_before(starts, counts))
    except ValueError as exc:  # a link to an anchor no part has (the model's checks should have said)
        raise RenderError.of("handbook.pdf", "merge", f"the book's parts could not be merged: {exc}") from None
    anchors, blocks = {}, {}
    for layout, start in zip(ordered, starts):
        anchors.update({a: page + start - 1 for a, page in layout.anchors.items()})
        blocks.update({b: page + start - 1 for b, page in layout.starts.items()})
    _kept.clear()
    _kept.update({p.key: p for p in ordered})
    outputs = {f"print/parts/{p.name}.{kind}": (p.key, data) for p in ordered
               for kind, data in (("pdf", p.pdf), ("html", p.html.encode()), ("json", p.record()))}
    return InParts(pdf, PageMap(anchors, blocks, starts[-1] + counts[-1] - 1),
                   [m for p in ordered for m in p.marks], outputs, fresh, [w for p in ordered for w in p.warnings])


def _key(digest: str, dressed: str) -> str:
    return hashlib.sha256(f"{digest}\0{dressed}".encode()).hexdigest()


def _map(pieces: list[parts.Part], counts, relative):
    """Each part's first page, and every anchor's page (the index's where it will begin)."""
    starts = parts.place([*counts, 1])
    anchors: dict[str, int] = {}
    for piece, start, found in zip(pieces, starts, relative):
        anchors.update({a: start for a in piece.ids})  # an id its layout placed nowhere: the part's start
        anchors.update({a: page + start - 1 for a, page in found.items()})
    anchors[pagemap.anchor(pagemap.INDEX)] = starts[-1]
    return starts[:-1], anchors


def _found(name: str, key: str, reuse: Reuse | None) -> PartLayout | None:
    """The part laid out before from the same dressed HTML: in memory, or from the last build."""
    if key in _kept:
        return _kept[key]
    if reuse is None:
        return None
    pdf, html, record = (reuse(f"print/parts/{name}.{kind}", key) for kind in ("pdf", "html", "json"))
    return PartLayout.from_record(key, pdf, html, record) if pdf and html and record else None


def _run(jobs: list[PartJob], files: dict[str, bytes], beside: Beside | None) -> list[PartLayout]:
    """Lay the parts out on both cores: every part is offered to the second core, largest first,
    while this one takes them back from the smallest up, for as long as the second core has not
    started on them."""
    jobs = sorted(jobs, key=lambda job: -len(job.html))
    if beside is None or len(jobs) < 2:
        return [lay_out_part(job, files) for job in jobs]
    offered = [beside(job, files) for job in jobs]
    done: list[PartLayout] = []
    problems: list[Diagnostic] = []

    def here(job: PartJob) -> None:
        try:
            done.append(lay_out_part(job, files))
        except RenderError as error:
            problems.extend(error.diagnostics)

    for job, future in zip(jobs[::-1], offered[::-1]):
        if not future.cancel():
            break  # the second core has it, and every larger part before it
        here(job)
    for job, future in zip(jobs, offered):
        if future.cancelled():
            continue
        try:
            result = future.result()
        except Exception:  # noqa: BLE001 - the second core failed (killed, out of memory): this one does it
            here(job)
            continue
        if isinstance(result, RenderError):
            problems.extend(result.diagnostics)
        else:
            done.append(result)
    if problems:
        raise RenderError(sorted(set(problems)))
    return done

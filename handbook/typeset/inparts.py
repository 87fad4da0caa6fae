"""The book laid out in parts (`parts`): each on whichever core is free, again only when what it is
given changed, then merged into one PDF (`merge`).

The page map settles by rounds. Each part is dressed with the map as it stands (the last build's,
or on a first build a guess from the parts' sizes). A part whose dressed HTML is that of a part
laid out before (kept in memory by a preview, or in the output folder by the last build) is taken
as it is. A part laid out in an earlier round, whose numbers only have moved, is renumbered in
place by the process that holds its layout (`laidout.renumber_part`); any other is laid out. The
page counts and anchors of the round make the next map. When every part's dressed HTML matches its
layout, the pages are those of the whole book laid out at once: the parts held are written, and
the index comes last, from the settled map.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace

from handbook import pagemap
from handbook.errors import Diagnostic, RenderError
from handbook.model import Book
from handbook.pagemap import PageMap
from handbook.project import Project
from handbook.typeset import laidout, merge, parts
from handbook.typeset.laidout import PartJob, PartLayout, lay_out_part
from handbook.typeset.printhtml import index_html

MAX_ROUNDS = 4  # a map that has not settled after this many rounds of layouts is not going to
Beside = Callable[..., Future]  # runs a function (of `laidout`) on the second core
Reuse = Callable[[str, str], "bytes | None"]
Settled = Callable[[PageMap], None]

_kept: dict[str, PartLayout] = {}  # the parts of this process's last layout (a preview's), by key


@dataclass(frozen=True)
class InParts:
    pdf: bytes
    page_map: PageMap
    marks: list[tuple[str, str]]
    outputs: dict[str, tuple[str, bytes]]  # print/parts/... -> (key, bytes), for the next build
    laid_out: list[str]  # the parts laid out this time (the others were kept)
    renumbered: list[str]  # of those, the parts renumbered in place at least once
    warnings: list[Diagnostic]


class Unsettled(Exception):
    """The page map did not settle: the caller lays the whole book out at once."""


@dataclass
class _Held:
    """A part laid out by this build and not yet written: where, and the numbers it prints."""
    job: PartJob
    beside: bool  # held by the second core's process (else by this one)
    start: int
    cited: dict[str, int]  # the pages of other parts' anchors it prints


def lay_out(book: Book, project: Project, html: str, files: dict[str, bytes], digest: str,
            last: PageMap, reuse: Reuse | None, beside: Beside | None, settled: Settled | None = None) -> InParts:
    """`html` is the whole book's print HTML, `files` what it loads (`digest` their key); `last`
    the page map to start from (the last build's; unknown on a first build); `settled` is told
    the map as soon as it has settled, before the parts are written."""
    pieces = parts.split(html)
    if last.known:
        starts = [1] + [last.anchors.get(p.name, 1) for p in pieces[1:]]  # a chapter part is named by its anchor
        anchors = dict(last.anchors)
    else:  # a first build: each part's pages guessed from its text, then renumbered
        starts, anchors = _map(pieces, *zip(*(p.guess() for p in pieces)))
    laid: dict[str, PartLayout] = {}
    held: dict[str, _Held] = {}
    fresh: list[str] = []
    renumbered: list[str] = []
    try:
        for round_ in range(MAX_ROUNDS + 1):
            jobs, moved = [], []
            for piece, start in zip(pieces, starts):
                dressed = parts.dress(piece, start, anchors)
                key = _key(digest, dressed)
                if piece.name in laid and laid[piece.name].key == key:
                    continue
                job = PartJob(piece.name, dressed, key)
                cited = {a: anchors.get(a, 0) for a in piece.cites}
                found = _found(piece.name, key, reuse)
                if found is not None:
                    laid[piece.name] = found
                    held.pop(piece.name, None)
                elif piece.name in held:
                    moved.append((job, start, cited))
                else:
                    jobs.append((job, start, cited))
            if not jobs and not moved:
                break
            if round_ == MAX_ROUNDS:
                raise Unsettled(", ".join(j.name for j, _, _ in jobs + moved))
            for result in _run(jobs, moved, files, beside, laid, held):
                if result.name not in fresh:
                    fresh.append(result.name)
            renumbered += [j.name for j, _, _ in moved if laid[j.name].renumbered and j.name not in renumbered]
            ordered = [laid[p.name] for p in pieces]
            starts, anchors = _map(pieces, [p.count for p in ordered], [p.anchors for p in ordered])
        _write(laid, held, files, beside, lambda: settled and settled(
            PageMap(anchors, {}, starts[-1] + laid[pieces[-1].name].count - 1)))
        ordered = [laid[p.name] for p in pieces]
        if book.index:
            start = anchors[pagemap.anchor(pagemap.INDEX)]
            piece = parts.whole(pagemap.INDEX, index_html(book, project, files, anchors, start))
            dressed = parts.dress(piece, None, anchors)
            key = _key(digest, dressed)
            index = _found(pagemap.INDEX, key, reuse)
            if index is None:
                index = lay_out_part(PartJob(pagemap.INDEX, dressed, key, correct=False), files)
                fresh.append(pagemap.INDEX)
            pieces, ordered, starts = pieces + [piece], ordered + [index], starts + [start]
    finally:
        laidout.forget()
    return _merged(ordered, starts, fresh, renumbered)


def _merged(ordered: list[PartLayout], starts: list[int], fresh: list[str], renumbered: list[str]) -> InParts:
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
                   [m for p in ordered for m in p.marks], outputs, fresh, renumbered,
                   [w for p in ordered for w in p.warnings])


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


def _pages(layout: PartLayout, start: int, cited: dict[str, int]) -> dict[str, int]:
    """Every page number a part's links print: its own anchors' from its start, others' as given."""
    return {**cited, **{a: start + page - 1 for a, page in layout.anchors.items()}}


def _run(jobs: list, moved: list, files: dict[str, bytes], beside: Beside | None,
         laid: dict[str, PartLayout], held: dict[str, _Held]) -> list[PartLayout]:
    """One round on both cores. The parts whose numbers moved are renumbered where they are held.
    Every part to lay out is offered to the second core, largest first, while this one takes them
    back from the smallest up, for as long as the second core has not started on them."""
    jobs = sorted(jobs, key=lambda item: -len(item[0].html))
    problems: list[Diagnostic] = []
    done: list[PartLayout] = []

    def take(result, job: PartJob, start: int, cited: dict[str, int], there: bool) -> None:
        if isinstance(result, RenderError):
            problems.extend(result.diagnostics)
            return
        laid[job.name] = result
        held[job.name] = _Held(job, there, start, cited)
        done.append(result)

    def here(job: PartJob, start: int, cited: dict[str, int]) -> None:
        try:
            take(lay_out_part(job, files, hold=True), job, start, cited, False)
        except RenderError as error:
            problems.extend(error.diagnostics)

    def numbers(job: PartJob, start: int, cited: dict[str, int]):
        was, facts = held[job.name], laid[job.name]
        return facts, (was.start, start), (_pages(facts, was.start, was.cited), _pages(facts, start, cited))

    away = [(item, beside(laidout.renumber_part, item[0], files, *numbers(*item)))
            for item in moved if held[item[0].name].beside and beside is not None]
    offered = [beside(laidout.lay_out_parts, [job], files, True) for job, _, _ in jobs] if beside and len(jobs) > 1 else []
    for item in moved:
        if not held[item[0].name].beside:
            take(laidout.renumber_part(item[0], files, *numbers(*item)), *item, False)
    for item, future in zip(jobs[::-1], offered[::-1]):
        if not future.cancel():
            break  # the second core has it, and every larger part before it
        here(*item)
    for item, future in [*away, *zip(jobs, offered)]:
        if future.cancelled():
            continue
        try:
            result = future.result()
        except Exception:  # noqa: BLE001 - the second core failed (killed, out of memory): this one does it
            here(*item)
            continue
        take(result[0] if isinstance(result, list) else result, *item, True)
    if not offered:
        for item in jobs:
            here(*item)
    if problems:
        raise RenderError(sorted(set(problems)))
    return done


def _write(laid: dict[str, PartLayout], held: dict[str, _Held], files: dict[str, bytes], beside: Beside | None,
           then: Callable[[], None]) -> None:
    """Write every part held, each in the process that holds it; `then` runs once the second
    core has its parts to write, and may give it more work."""
    waiting = {name: beside(laidout.write_part, name) for name, part in held.items() if part.beside and beside}
    then()
    for name, part in held.items():
        if name not in waiting:
            laid[name] = replace(laid[name], pdf=laidout.write_part(name))
    for name, future in waiting.items():
        try:
            pdf = future.result()
        except Exception:  # noqa: BLE001 - the second core failed: the part is laid out again here
            pdf = lay_out_part(held[name].job, files).pdf
        laid[name] = replace(laid[name], pdf=pdf)
    held.clear()

"""The book laid out in parts (`parts`): each on whichever core is free, again only when what it is
given changed, then merged into one PDF (`merge`).

The page map settles by rounds. Each part is dressed with the map as it stands (the last build's,
or on a first build a guess from the parts' sizes). A part whose dressed HTML is that of a part
laid out before (kept in memory by a preview, or in the output folder by the last build) is taken
as it is. A part laid out in an earlier round, whose numbers only have moved, is renumbered by
the process that holds its layout (`laidout.renumber_part`); any other is laid out. The
page counts and anchors of the round make the next map. When every part's dressed HTML matches its
layout, the pages are those of the whole book laid out at once: the parts held are written, and
the index comes last, from the settled map.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace

from handbook import pagemap
from handbook.errors import Diagnostic, RenderError
from handbook.model import Book
from handbook.pagemap import PageMap
from handbook.project import Project
from handbook.typeset import dispatch, laidout, merge, parts
from handbook.typeset.dispatch import Item
from handbook.worker import Beside
from handbook.typeset.laidout import PartJob, PartLayout, lay_out_part
from handbook.typeset.printhtml import index_html

MAX_ROUNDS = 4  # a map that has not settled after this many rounds of layouts is not going to
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
    laid: dict[str, PartLayout] = {}
    held: dict[str, _Held] = {}
    fresh: list[str] = []
    renumbered: list[str] = []
    where = {piece.name: i for i, piece in enumerate(pieces)}

    def dress(piece: parts.Part) -> Item | None:
        """The part as the map stands now; None if its layout is already that (or was kept)."""
        starts, anchors = _estimate(pieces, laid, last)
        start = starts[where[piece.name]]
        dressed = parts.dress(piece, start, anchors)
        key = _key(digest, dressed)
        if piece.name in laid and laid[piece.name].key == key:
            return None
        found = _found(piece.name, key, reuse)
        if found is not None:
            laid[piece.name] = found
            held.pop(piece.name, None)
            return None
        return PartJob(piece.name, dressed, key), start, {a: anchors.get(a, 0) for a in piece.cites}

    def take(result: PartLayout, item: Item, there: bool) -> None:
        job, start, cited = item
        if job.name in held and held[job.name].beside != there:  # laid out again by the other core
            beside(laidout.drop, job.name) if held[job.name].beside else laidout.drop(job.name)
        laid[job.name] = result
        held[job.name] = _Held(job, there, start, cited)
        if job.name not in fresh:
            fresh.append(job.name)
        if result.renumbered and job.name not in renumbered:
            renumbered.append(job.name)

    def renumber(item: Item):
        job, start, cited = item
        was, facts = held[job.name], laid[job.name]
        numbers = facts, (was.start, start), (_pages(facts, was.start, was.cited), _pages(facts, start, cited))
        if was.beside and beside is not None:
            return beside(laidout.renumber_part, job, files, *numbers)
        return laidout.renumber_part(job, files, *numbers)

    try:
        for round_ in range(MAX_ROUNDS + 1):
            queue, moved = [], []
            for piece in pieces:
                item = dress(piece)
                if item is None:
                    continue
                if piece.name in held:  # renumbered where it is held
                    moved.append(item)
                else:
                    queue.append(piece)
            if not queue and not moved:
                break
            if round_ == MAX_ROUNDS:
                raise Unsettled(", ".join([p.name for p in queue] + [j.name for j, _, _ in moved]))
            dispatch.run(_order(queue, laid, last), dress, moved, renumber, files, beside, take)
        starts, anchors = _estimate(pieces, laid, last)
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


def _order(queue: list[parts.Part], laid: dict[str, PartLayout], last: PageMap) -> list[parts.Part]:
    """The order a round's parts are laid out in. While the map is a guess (a first build's first
    round), the book's order with the front matter last: each part is then given the real page
    counts of most parts before it, and the contents those of all. Otherwise the largest first,
    so that the two cores end together."""
    if not last.known and not laid:
        return [p for p in queue if p.name != parts.FRONT] + [p for p in queue if p.name == parts.FRONT]
    return sorted(queue, key=lambda piece: -len(piece.body))


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


def _estimate(pieces: list[parts.Part], laid: dict[str, PartLayout], last: PageMap):
    """`_map` as things stand: the parts laid out with their real pages. Until every part is, the
    last build's map; or, on a first build, the others' pages guessed from their text, at the pace
    (characters a page) of the chapters laid out so far."""
    if all(p.name in laid for p in pieces):
        return _map(pieces, [laid[p.name].count for p in pieces], [laid[p.name].anchors for p in pieces])
    if last.known:
        return [1] + [last.anchors.get(p.name, 1) for p in pieces[1:]], dict(last.anchors)
    chapters = [laid[p.name] for p in pieces if p.name in laid and p.name != parts.FRONT]
    pages = sum(layout.count for layout in chapters)
    pace = sum(p.text for p in pieces if p.name in laid and p.name != parts.FRONT) / pages if len(chapters) > 1 else parts.PAGE_TEXT
    facts = [(laid[p.name].count, laid[p.name].anchors) if p.name in laid else p.guess(pace) for p in pieces]
    return _map(pieces, *zip(*facts))


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

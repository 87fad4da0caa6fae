"""One part of the book laid out: its PDF and the page facts the rest of the book needs from it.

The tasks here run in either process (the build's or its second core's). A part laid out stays in
the process that laid it out (`_held`, with the state its layout left) until the book's page map
has settled: given other page numbers (`renumber_part`), it is renumbered in place (its pages made
again where a number changes width), or laid out again where that cannot be done; then it is
written (`write_part`). A `PartLayout` is plain data, so it crosses between the processes, and it
is kept in the output folder (`record`/`from_record`) so that the next build can take the part as
it is when its dressed HTML has not changed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from handbook.errors import Diagnostic, RenderError


@dataclass(frozen=True)
class PartJob:
    name: str
    html: str  # the dressed part (parts.dress)
    key: str  # digest of the dressed HTML and every file it loads
    correct: bool = True  # correct the engine's faults (the index is laid out as it comes)


@dataclass(frozen=True)
class PartLayout:
    name: str
    key: str
    pdf: bytes  # empty while the layout is held, not yet written
    html: str  # what the typesetter was given, with the corrections' marks: WeasyPrint makes `pdf` of it
    marks: tuple[tuple[str, str], ...]  # the corrections the layout made (block key, attribute)
    anchors: dict[str, int]  # anchor -> page within the part (1 is its first)
    starts: dict[str, int]  # block key -> page within the part that begins with it
    count: int
    warnings: tuple[Diagnostic, ...] = field(default=())
    renumbered: bool = False  # made by renumbering an earlier layout in place (not kept in the record)

    def record(self) -> bytes:
        return json.dumps({"name": self.name, "marks": self.marks, "anchors": self.anchors,
                           "starts": self.starts, "count": self.count}, sort_keys=True).encode()

    @classmethod
    def from_record(cls, key: str, pdf: bytes, html: bytes, data: bytes) -> PartLayout | None:
        try:
            record = json.loads(data)
            return cls(record["name"], key, pdf, html.decode(), tuple(tuple(m) for m in record["marks"]),
                       dict(record["anchors"]), dict(record["starts"]), int(record["count"]))
        except (ValueError, KeyError, TypeError):  # UnicodeDecodeError is a ValueError
            return None  # not a record this build can read: the part is laid out again


_held: dict[str, object] = {}  # in this process: the documents of parts laid out and not yet written


def lay_out_part(job: PartJob, files: dict[str, bytes], hold: bool = False) -> PartLayout:
    """Lay out one dressed part with the engine's faults corrected, as the whole book would be;
    with `hold`, the layout is kept in this process, unwritten, for `renumber_part`/`write_part`."""
    from handbook.typeset import sandbox
    from handbook.typeset.printhtml import mark
    from handbook.typeset.corrected import OPTIONS, corrected_layout, page_facts

    if job.correct:
        document, marks, warnings, state = corrected_layout(job.html, files)
    else:
        document, marks, warnings, state = sandbox.paginate(job.html, files, "handbook.pdf", **OPTIONS), [], [], None
    anchors, starts = page_facts(document, warnings)
    if hold:
        _held[job.name] = document, state
        pdf = b""
    else:
        _held.pop(job.name, None)
        pdf = sandbox.write(document, "handbook.pdf", **OPTIONS)
    return PartLayout(job.name, job.key, pdf, mark(job.html, marks), tuple(marks), anchors, starts, len(document.pages), tuple(warnings))


def renumber_part(job: PartJob, files: dict[str, bytes], facts: PartLayout, start: tuple[int, int],
                  pages: tuple[Mapping[str, int], Mapping[str, int]]) -> PartLayout | RenderError:
    """The part held here (`facts` its layout's) as `job` dresses it: the same layout with its page
    numbers changed (`engine.renumber`: the start page and the cited pages, old and new; where a
    number changes width, the pages it moves are made again), or, where that cannot be done, the
    part laid out afresh. A failure comes back as a value."""
    from handbook.typeset import engine, faults, sandbox
    from handbook.typeset.corrected import page_facts
    from handbook.typeset.printhtml import mark

    if job.name in _held:
        document, state = _held.pop(job.name)
        try:
            with sandbox.strict_logs("handbook.pdf"):
                renumbered, state = engine.renumber(document, start, pages, state, faults.faults)
                warnings = list(facts.warnings)
                anchors, starts = (facts.anchors, facts.starts) if renumbered is document else page_facts(renumbered, warnings)
        except (engine.Unsupported, RenderError):
            pass  # laid out afresh below, which says what is wrong if anything is
        else:
            _held[job.name] = renumbered, state
            return replace(facts, key=job.key, html=mark(job.html, list(facts.marks)), anchors=anchors, starts=starts,
                           count=len(renumbered.pages), warnings=tuple(warnings), renumbered=True)
    try:
        return lay_out_part(job, files, hold=True)
    except RenderError as error:
        return error


def write_part(name: str) -> bytes:
    """The PDF of the part held here."""
    from handbook.typeset import sandbox
    from handbook.typeset.corrected import OPTIONS

    return sandbox.write(_held.pop(name)[0], "handbook.pdf", **OPTIONS)


def drop(name: str) -> None:
    """Forget the layout of one part held here (laid out again elsewhere)."""
    _held.pop(name, None)


def forget() -> None:
    """Drop the layouts held here (a build that ended, or failed)."""
    _held.clear()


def lay_out_parts(jobs: list[PartJob], files: dict[str, bytes], hold: bool = False) -> list[PartLayout] | RenderError:
    """Several parts, one after the other (the second core's task); a failure comes back as a
    value, with every problem it found."""
    try:
        return [lay_out_part(job, files, hold) for job in jobs]
    except RenderError as error:
        return error

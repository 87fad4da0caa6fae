"""One part of the book laid out: its PDF and the page facts the rest of the book needs from it.

`lay_out_part` runs in either process (the build's or its second core's); a `PartLayout` is plain
data, so it crosses between them, and it is kept in the output folder (`record`/`from_record`) so
that the next build can take the part as it is when its dressed HTML has not changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

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
    pdf: bytes
    html: str  # what the typesetter was given, with the corrections' marks: WeasyPrint makes `pdf` of it
    marks: tuple[tuple[str, str], ...]  # the corrections the layout made (block key, attribute)
    anchors: dict[str, int]  # anchor -> page within the part (1 is its first)
    starts: dict[str, int]  # block key -> page within the part that begins with it
    count: int
    warnings: tuple[Diagnostic, ...] = field(default=())

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


def lay_out_part(job: PartJob, files: dict[str, bytes]) -> PartLayout:
    """Lay out one dressed part with the engine's faults corrected, as the whole book would be."""
    from handbook.typeset import sandbox
    from handbook.typeset.printhtml import mark
    from handbook.typeset.corrected import OPTIONS, corrected_layout, page_facts

    if job.correct:
        document, marks, warnings = corrected_layout(job.html, files)
    else:
        document, marks, warnings = sandbox.paginate(job.html, files, "handbook.pdf", **OPTIONS), [], []
    anchors, starts = page_facts(document, warnings)
    pdf = sandbox.write(document, "handbook.pdf", **OPTIONS)
    return PartLayout(job.name, job.key, pdf, mark(job.html, marks), tuple(marks), anchors, starts, len(document.pages), tuple(warnings))


def lay_out_parts(jobs: list[PartJob], files: dict[str, bytes]) -> list[PartLayout] | RenderError:
    """Several parts, one after the other (the second core's task); a failure comes back as a
    value, with every problem it found."""
    try:
        return [lay_out_part(job, files) for job in jobs]
    except RenderError as error:
        return error

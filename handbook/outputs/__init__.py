"""The outputs made from the book and its print layout, each a function of exactly what it needs:

    cover.make(layout)                                            # cover.png
    epub.make(book, layout, project, cover)                       # handbook.epub
    checklists.make(book, page_map, project, reuse, ahead)        # checklists.pdf, checklists/<id>.pdf
    site.make(book, layout, project, downloads)                   # site/...

None of them touches the output folder: each returns its files (name -> bytes) as a `Made`, and
the build puts them in place. To add an output, write such a function and call it from
`handbook/build.py`, after the outputs it needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Reuse = Callable[[str, str], "bytes | None"]  # (output name, inputs key) -> the last build's bytes


@dataclass
class Made:
    files: dict[str, bytes]
    keys: dict[str, str] = field(default_factory=dict)  # name -> digest of its inputs, kept for reuse
    rendered: list[str] = field(default_factory=list)  # made now (here or ahead on the second core)
    ahead: list[str] = field(default_factory=list)  # of those, made ahead on the second core
    kept: list[str] = field(default_factory=list)  # kept from the last build

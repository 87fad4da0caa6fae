"""The writers: each turns the book model into output files (path -> bytes).

Writers never touch the output folder; the build stages and renames their files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from handbook.writers import checklists, cover, epub, pdf, site


@dataclass
class Context:
    """What writers share: the layouts, the paper, and where the print layout put each anchor."""

    layouts_dir: Path
    paper: str = "letter"
    pages: dict[str, int] = field(default_factory=dict)  # print anchor -> page number, set by "pdf"
    page_marks: dict[str, int] = field(default_factory=dict)  # block key -> page that begins there
    outputs: dict[str, bytes] = field(default_factory=dict)  # what earlier writers made
    out: Path | None = None  # the output folder of the last build, to reuse unchanged files
    previous: dict[str, dict] = field(default_factory=dict)  # its manifest: name -> key, sha256
    speculated: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # made ahead, in parallel
    keys: dict[str, str] = field(default_factory=dict)  # name -> digest of what made it
    # Called by "pdf" with {anchor: page} as soon as a first pagination is known; later
    # passes may still move a page, so what is made from it must be checked against `pages`.
    first_pages: Callable[[dict[str, int]], None] | None = None
    rendered: list[str] = field(default_factory=list)  # made in this build (here or ahead)
    ahead: list[str] = field(default_factory=list)  # of those, the ones made ahead in parallel
    reused: list[str] = field(default_factory=list)  # kept from the last build

    def reusable(self, name: str, key: str) -> bytes | None:
        """The last build's `name`, if it was made from inputs digested as `key` and is intact."""
        self.keys[name] = key
        last = self.previous.get(name, {})
        if self.out is None or last.get("key") != key:
            return None
        try:
            data = (self.out / name).read_bytes()
        except OSError:
            return None
        return data if hashlib.sha256(data).hexdigest() == last.get("sha256") else None

    def cached(self, name: str, key: str, render: Callable[[], bytes]) -> bytes:
        """The output `name` made from inputs digested as `key`: made ahead in parallel,
        kept from the last build when its inputs did not change, or rendered now."""
        ahead = self.speculated.get(name)
        if ahead is not None and ahead[0] == key:
            self.keys[name] = key
            self.rendered.append(name)
            self.ahead.append(name)
            return ahead[1]
        data = self.reusable(name, key)
        if data is not None:
            self.reused.append(name)
            return data
        self.rendered.append(name)
        return render()


Writer = Callable[..., dict[str, bytes]]

# In order: the PDF comes first, since the others cite its page numbers.
REGISTRY: dict[str, Writer] = {
    "pdf": pdf.write,
    "cover": cover.write,
    "epub": epub.write,
    "checklists": checklists.write,
    "site": site.write,
}

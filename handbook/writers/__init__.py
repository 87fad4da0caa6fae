"""The writers: each turns the book model into output files (path -> bytes).

Writers never touch the output folder; the build stages and renames their files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from handbook.writers import checklists, cover, epub, pdf


@dataclass
class Context:
    """What writers share: the layouts, the paper, and where the print layout put each anchor."""

    layouts_dir: Path
    paper: str = "letter"
    pages: dict[str, int] = field(default_factory=dict)  # print anchor -> page number, set by "pdf"
    page_marks: dict[str, int] = field(default_factory=dict)  # block key -> page that begins there
    outputs: dict[str, bytes] = field(default_factory=dict)  # what earlier writers made


Writer = Callable[..., dict[str, bytes]]

# In order: the PDF comes first, since the others cite its page numbers.
REGISTRY: dict[str, Writer] = {
    "pdf": pdf.write,
    "cover": cover.write,
    "epub": epub.write,
    "checklists": checklists.write,
}

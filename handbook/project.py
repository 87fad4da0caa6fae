"""What a build is asked to do: which book, with which layouts, on which paper; and the gate
through which it reads every file."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import font_source_sans_pro
import font_source_serif_pro

from handbook.gate import Gate

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LAYOUTS = ROOT / "layouts"
# The pinned fonts: the book's own (PyPI packages), and the fallbacks' subsets (npm packages).
FONTSOURCE = ROOT / "node_modules" / "@fontsource"
FONT_DIRS = (Path(font_source_serif_pro.font_directory), Path(font_source_sans_pro.font_directory),
             *sorted(FONTSOURCE.glob("*/files")))
PAPERS = ("letter", "a4")


@dataclass(frozen=True)
class Project:
    chapters: Path  # the book folder, as the user named it (diagnostics show it so)
    layouts: Path = DEFAULT_LAYOUTS
    paper: str = "letter"
    fonts: tuple[Path, ...] = field(default=FONT_DIRS)

    @cached_property
    def gate(self) -> Gate:
        return Gate({"book": self.chapters, "layouts": self.layouts, "fonts": self.fonts, "fontsource": FONTSOURCE})

    def with_paper(self, paper: str) -> Project:
        return Project(self.chapters, self.layouts, paper, self.fonts)

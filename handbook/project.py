"""What a build is asked to do: which book, with which layouts, on which paper; and the gate
through which it reads every file."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import font_source_sans_pro
import font_source_serif_pro

from handbook.gate import Gate

DEFAULT_LAYOUTS = Path(__file__).resolve().parent.parent / "layouts"
FONT_DIRS = (Path(font_source_serif_pro.font_directory), Path(font_source_sans_pro.font_directory))
PAPERS = ("letter", "a4")


@dataclass(frozen=True)
class Project:
    chapters: Path  # the book folder, as the user named it (diagnostics show it so)
    layouts: Path = DEFAULT_LAYOUTS
    paper: str = "letter"
    fonts: tuple[Path, ...] = field(default=FONT_DIRS)

    @cached_property
    def gate(self) -> Gate:
        return Gate({"book": self.chapters, "layouts": self.layouts, "fonts": self.fonts})

    def with_paper(self, paper: str) -> Project:
        return Project(self.chapters, self.layouts, paper, self.fonts)

"""What a build is asked to do: which book, with which layouts, on which paper (and, for the
paperback edition, at which trim on which stock); and the gate through which it reads every file."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import font_source_sans_pro
import font_source_serif_pro

from handbook.gate import Gate
from handbook.paperback.geometry import DEFAULT_STOCK, DEFAULT_TRIM

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LAYOUTS = ROOT / "layouts"
# The pinned fonts: the book's own (PyPI packages), and the fallbacks' subsets (npm packages).
FONTSOURCE = ROOT / "node_modules" / "@fontsource"
FONT_DIRS = (Path(font_source_serif_pro.font_directory), Path(font_source_sans_pro.font_directory),
             *sorted(FONTSOURCE.glob("*/files")))
PAPERS = ("letter", "a4")
# The printing condition a paperback is made for (its PDF/X output intent): Debian's libgs-common.
COLOUR_PROFILES = Path("/usr/share/color/icc/ghostscript")


@dataclass(frozen=True)
class Paperback:
    """The print-on-demand paperback edition: trim size and paper stock (handbook/paperback/geometry.py)."""

    trim: str = DEFAULT_TRIM
    stock: str = DEFAULT_STOCK


@dataclass(frozen=True)
class Project:
    chapters: Path  # the book folder, as the user named it (diagnostics show it so)
    layouts: Path = DEFAULT_LAYOUTS
    paper: str = "letter"
    fonts: tuple[Path, ...] = field(default=FONT_DIRS)
    paperback: Paperback | None = None  # None: the standard edition (PDF, EPUB, checklists, site)

    @cached_property
    def gate(self) -> Gate:
        return Gate({"book": self.chapters, "layouts": self.layouts, "fonts": self.fonts, "fontsource": FONTSOURCE,
                     "colour": COLOUR_PROFILES})

    def with_paper(self, paper: str) -> Project:
        return Project(self.chapters, self.layouts, paper, self.fonts, self.paperback)

    @property
    def layout_name(self) -> str:
        """Under which name the build's record keeps this layout's page facts."""
        return f"paperback-{self.paperback.trim}" if self.paperback else self.paper

"""The print-on-demand rules a paperback is built to, in inches: trim sizes, bleed, the inside margin
a page count needs, the spine a paper stock gives, the size of the cover wrap.

The figures are Kindle Direct Publishing's published paperback specifications (KDP Help, "Set
trim size, bleed, and margins" and "Cover calculator and templates"); IngramSpark's are close
enough that a file made to these is accepted by both (its interior margin advice, 0.5 in, is met by
the layout's own margins, see layouts/paperback/page.css.j2).
"""

from __future__ import annotations

from dataclasses import dataclass

MM_PER_INCH = 25.4
POINTS_PER_INCH = 72

# Trim sizes offered, as given on the command line: (width, height) in inches. 6 x 9 in is the
# usual US trade paperback; 5.5 x 8.5 in ("digest") the smaller one.
TRIMS = {"6x9": (6.0, 9.0), "5.5x8.5": (5.5, 8.5)}
DEFAULT_TRIM = "6x9"

# Bleed: what is printed beyond the trim line and cut off. KDP: 0.125 in on the top, bottom and
# outside edge of an interior page (never the inside, which is bound), on every edge of a cover.
BLEED = 0.125

# Paper thickness per page (inches), KDP's published figures for black-and-white interiors
# (KDP Help, "Cover calculator and templates": spine width = page count x 0.002252 for white
# paper, x 0.0025 for cream).
STOCKS = {"white": 0.002252, "cream": 0.0025}
DEFAULT_STOCK = "white"

# The inside (gutter) margin a page count needs at least, KDP's table: (last page count, inches).
GUTTERS = ((150, 0.375), (300, 0.5), (500, 0.625), (700, 0.75), (828, 0.875))
MIN_PAGES, MAX_PAGES = 24, 828  # what KDP prints as a paperback
# The outside, top and bottom margins KDP requires with bleed (0.25 in without): text must stay
# this far from the trim. The layout keeps more (layouts/paperback/page.css.j2).
MIN_OUTSIDE = 0.375

# Spine text: KDP allows none below 80 pages, and keeps 0.0625 in clear on each side of it. Type
# that fits a narrower spine than 0.25 in (about 100 pages on either stock) is under 9 pt once
# that clearance is taken off: too small to read on a shelf, so the spine is then left plain.
SPINE_TEXT_MIN_PAGES = 80
SPINE_TEXT_MIN_WIDTH = 0.25
SPINE_CLEARANCE = 0.0625

# The barcode's clear zone on the back cover, bottom right (KDP prints the ISBN barcode there):
# width x height, and its distance from the spine and from the bottom trim.
BARCODE = (2.0, 1.2)
BARCODE_MARGIN = 0.25


def gutter(pages: int) -> float:
    """The smallest inside margin KDP accepts for a book of `pages` pages."""
    for last, inches in GUTTERS:
        if pages <= last:
            return inches
    return GUTTERS[-1][1]


def spine_width(pages: int, stock: str) -> float:
    """The spine's width in inches: the page count times the paper's thickness per page."""
    return pages * STOCKS[stock]


def spine_text(pages: int, stock: str) -> bool:
    """Whether the spine is wide enough to carry the title (see SPINE_TEXT_MIN_*)."""
    return pages >= SPINE_TEXT_MIN_PAGES and spine_width(pages, stock) >= SPINE_TEXT_MIN_WIDTH


@dataclass(frozen=True)
class Wrap:
    """The cover wrap's measures, in inches: back, spine and front side by side, bleed all round."""

    trim: tuple[float, float]
    pages: int
    stock: str

    @property
    def spine(self) -> float:
        return spine_width(self.pages, self.stock)

    @property
    def width(self) -> float:
        """Trim width of the flat cover, without bleed: back + spine + front."""
        return 2 * self.trim[0] + self.spine

    @property
    def height(self) -> float:
        return self.trim[1]

    @property
    def media(self) -> tuple[float, float]:
        """The file's page size: the cover with its bleed on every side."""
        return self.width + 2 * BLEED, self.height + 2 * BLEED

    @property
    def spine_text(self) -> bool:
        return spine_text(self.pages, self.stock)

    @property
    def barcode(self) -> tuple[float, float, float, float]:
        """The barcode zone (left, bottom, width, height) from the trim's bottom-left corner."""
        width, height = BARCODE
        return self.trim[0] - BARCODE_MARGIN - width, BARCODE_MARGIN, width, height


def inches(value: float) -> str:
    """A measure as the README prints it: `0.4504 in (11.44 mm)`."""
    return f"{value:.4f} in ({value * MM_PER_INCH:.2f} mm)"

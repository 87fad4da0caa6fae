"""Reading built PDFs for the tests: bookmarks, links, fonts, text and page images."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pypdf
import pypdfium2
from PIL import Image, ImageOps

INCH = 72.0


@dataclass(frozen=True)
class Mark:
    """One bookmark: its title, depth (0 = top level), page (1-based) and top (PDF points)."""

    title: str
    depth: int
    page: int
    top: float


@lru_cache(maxsize=64)
def _reader(path: str, stamp: float) -> pypdf.PdfReader:
    return pypdf.PdfReader(path)


def reader(path: Path) -> pypdf.PdfReader:
    """A cached reader; the file's time is part of the key, so a rebuilt file is read again."""
    return _reader(str(path), path.stat().st_mtime)


def squash(text: str) -> str:
    """Letters and digits only, lower case: compares PDF text (hyphenated, re-flowed) with sources."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


_TEXTS: dict[int, tuple[pypdf.PdfReader, list[str]]] = {}


def page_texts(pdf: pypdf.PdfReader) -> list[str]:
    """Each page's text, extracted once per file."""
    if id(pdf) not in _TEXTS:
        _TEXTS[id(pdf)] = (pdf, [page.extract_text() or "" for page in pdf.pages])
    return _TEXTS[id(pdf)][1]


def bookmarks(pdf: pypdf.PdfReader) -> list[Mark]:
    marks: list[Mark] = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                marks.append(Mark(str(item.title), depth, pdf.get_destination_page_number(item) + 1,
                                  float(item.top or 0)))

    walk(pdf.outline, 0)
    return marks


def contents_numbers(pdf: pypdf.PdfReader, titles: list[str]) -> dict[str, int | None]:
    """The page number the printed contents give for each title, read from the contents pages."""
    marks = bookmarks(pdf)
    start = next(m.page for m in marks if m.depth == 0 and m.title == "Contents")
    end = min(m.page for m in marks if m.depth == 0 and m.title != "Contents")
    text = "\n".join(page_texts(pdf)[start - 1:end - 1])
    found = {}
    for title in titles:
        match = re.search(re.escape(title) + r"[ .\u2002]*?(\d+)\s*$", text, re.M)
        found[title] = int(match.group(1)) if match else None
    return found


def named_pages(pdf: pypdf.PdfReader) -> dict[str, int]:
    """Named destination (the print anchor) -> page number."""
    return {name: pdf.get_destination_page_number(dest) + 1 for name, dest in pdf.named_destinations.items()}


def link_targets(pdf: pypdf.PdfReader) -> list[tuple[int, int | None]]:
    """Every internal link as (page it is on, page it lands on, or None if it lands nowhere)."""
    names = named_pages(pdf)
    pages = {page.indirect_reference.idnum: n for n, page in enumerate(pdf.pages, 1)}
    out = []
    for n, page in enumerate(pdf.pages, 1):
        for ref in page.get("/Annots", []) or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            dest = annot.get("/Dest")
            action = annot.get("/A")
            if dest is None and action is not None and action.get("/S") == "/GoTo":
                dest = action.get("/D")
            if dest is None:
                continue  # an external link (URI action)
            dest = dest.get_object() if hasattr(dest, "get_object") else dest
            if isinstance(dest, (str, bytes)):
                out.append((n, names.get(dest if isinstance(dest, str) else dest.decode())))
            else:
                target = dest[0]
                out.append((n, pages.get(target.idnum) if hasattr(target, "idnum") else None))
    return out


@dataclass(frozen=True)
class Citation:
    """A page number printed in a link (contents entry, "(page N)", ", page N") and where the link lands."""

    page: str  # label of the page the link is on
    words: str
    cited: str
    lands: str  # label of the page it lands on


def link_words(path: Path) -> list[tuple[str, str, str]]:
    """Every internal link that lands on a page: (label of its page, its words, label of the page
    it lands on), its words read from the page's text under the link."""
    pdf = reader(path)
    labels = pdf.page_labels
    links = iter(link_targets(pdf))
    document = pypdfium2.PdfDocument(str(path))
    out = []
    try:
        for index, page in enumerate(pdf.pages):
            text = document[index].get_textpage()
            for ref in page.get("/Annots", []) or []:
                annot = ref.get_object()
                if annot.get("/Subtype") != "/Link" or not (annot.get("/Dest") or (annot.get("/A") or {}).get("/S") == "/GoTo"):
                    continue
                _, lands = next(links)
                if lands is not None:
                    words = text.get_text_bounded(*(float(v) for v in annot["/Rect"])).strip()
                    out.append((labels[index], words, labels[lands - 1]))
    finally:
        document.close()
    return out


def citations(path: Path) -> list[Citation]:
    """Every internal link whose words end in a page number ("(page N)", a contents entry's leaders)."""
    out = []
    for page, words, lands in link_words(path):
        number = re.search(r"(?:page\s|\.\s)\s*(\d+|[ivxlc]+)\)?$", words)
        if number:
            out.append(Citation(page, words, number.group(1), lands))
    return out


def fonts(pdf: pypdf.PdfReader) -> dict[str, dict]:
    """Every font the file uses (pages, forms, annotation appearances, the form's resources)."""
    found: dict[str, dict] = {}
    seen: set[int] = set()

    def resources(res):
        res = res.get_object() if res is not None else None
        if not res or id(res) in seen:
            return
        seen.add(id(res))
        for font in (res.get("/Font") or {}).values():
            font = font.get_object()
            found[str(font.get("/BaseFont"))] = font
        for xobject in (res.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                resources(xobject.get("/Resources"))

    for page in pdf.pages:
        resources(page.get("/Resources"))
        for ref in page.get("/Annots", []) or []:
            appearance = ref.get_object().get("/AP") or {}
            for state in appearance.values():
                state = state.get_object()
                streams = state.values() if isinstance(state, pypdf.generic.DictionaryObject) and \
                    "/Subtype" not in state else [state]
                for stream in streams:
                    resources(stream.get_object().get("/Resources"))
    form = pdf.trailer["/Root"].get("/AcroForm")
    if form is not None:
        resources(form.get_object().get("/DR"))
    return found


def is_embedded(font) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # glyphs drawn by the file itself
    descendants = font.get("/DescendantFonts")
    target = descendants[0].get_object() if descendants else font
    descriptor = target.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else {}
    return any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def checkboxes(pdf: pypdf.PdfReader) -> list[dict]:
    """Every checkbox form field (name, tooltip, page), in page order."""
    out = []
    for n, page in enumerate(pdf.pages, 1):
        for ref in page.get("/Annots", []) or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Widget" or annot.get("/FT") != "/Btn":
                continue
            flags = int(annot.get("/Ff", 0))
            if flags & (1 << 15 | 1 << 16):  # a radio button or a push button
                continue
            out.append({"name": str(annot.get("/T")), "tooltip": str(annot.get("/TU", "")),
                        "page": n, "rect": [float(v) for v in annot["/Rect"]],
                        "print": bool(int(annot.get("/F", 0)) & 4)})
    return out


def page_images(path: Path, scale: float = 1.0):
    """Each page as a greyscale image, one pixel a point at scale 1, with its size in points."""
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        pdf.init_forms()  # draw form fields as a viewer would
        for index in range(len(pdf)):
            page = pdf[index]
            width, height = page.get_size()
            image = page.render(scale=scale, may_draw_forms=True).to_pil().convert("L")
            yield index + 1, width, height, image
    finally:
        pdf.close()


def ink_box(image: Image.Image, region: tuple[float, float, float, float], scale: float,
            threshold: int = 245) -> tuple[float, float, float, float] | None:
    """Where anything is drawn inside `region` (points, from the top left), or None if it is blank."""
    left, top, right, bottom = (round(v * scale) for v in region)
    if right <= left or bottom <= top:
        return None
    crop = ImageOps.invert(image.crop((left, top, right, bottom))).point(lambda v: 255 if v > 255 - threshold else 0)
    box = crop.getbbox()
    if box is None:
        return None
    return tuple(round((v + o) / scale, 1) for v, o in zip(box, (left, top, left, top)))


# -- Page frames: the geometry of layouts/print/handbook.css and checklists.css (inches) ---------

SCALE = 2.0  # two pixels a point
SLACK = 2.5  # points: a glyph's ink may overhang its advance (quotes, italics, display sizes)


@dataclass(frozen=True)
class Frame:
    """Margins in inches; `band` is the one strip of the top or bottom margin that may hold ink."""

    top: float
    bottom: float
    left: float
    right: float
    band: tuple[str, float, float] | None = None  # ("top" | "bottom", inches from that edge: near, far)
    aside: tuple[str, float, float] | None = None  # ("left" | "right" margin, inches from the top: from, to)


# The top band holds the running head with its folio; the outer margin, beside the text's first
# lines, a checklist's "(continued)" label.
BOOK_RIGHT = Frame(1.0, 0.9, 1.3, 2.2, ("top", 0.45, 0.74), ("right", 1.0, 1.6))  # odd pages: binding on the left
BOOK_LEFT = Frame(1.0, 0.9, 2.2, 1.3, ("top", 0.45, 0.74), ("left", 1.0, 1.6))
BOOK_COVER = Frame(1.0, 0.9, 1.2, 1.2)
SHEET = Frame(0.75, 0.9, 0.75, 0.75, ("bottom", 0.38, 0.62))  # every page of the checklists


def book_frame(number: int) -> Frame:
    """The frame of a handbook page: the cover, then right (odd) and left (even) pages."""
    if number == 1:
        return BOOK_COVER
    return BOOK_RIGHT if number % 2 else BOOK_LEFT


def stray_ink(path: Path, frame_of) -> list[str]:
    """Each page's ink outside its frame, as readable complaints."""
    problems = []
    for number, width, height, image in page_images(path, SCALE):
        frame = frame_of(number)
        left, right = frame.left * INCH - SLACK, width - frame.right * INCH + SLACK
        top, bottom = frame.top * INCH - SLACK, height - frame.bottom * INCH + SLACK
        strips = {"left margin": (0, 0, left, height), "right margin": (right, 0, width, height)}
        if frame.aside is not None:  # the margin's allowed note: the strip is checked above and below it
            side, start, end = frame.aside
            x0, x1 = (0, left) if side == "left" else (right, width)
            del strips[f"{side} margin"]
            strips[f"{side} margin (above its note)"] = (x0, 0, x1, start * INCH)
            strips[f"{side} margin (below its note)"] = (x0, end * INCH, x1, height)
        allowed = None
        if frame.band is not None:
            edge, near, far = frame.band
            allowed = (near * INCH, far * INCH) if edge == "top" else (height - far * INCH, height - near * INCH)
        for name, (y0, y1) in {"top margin": (0, top), "bottom margin": (bottom, height)}.items():
            if allowed is not None and y0 <= allowed[0] and allowed[1] <= y1:
                strips[name + " (above the running line)"] = (left, y0, right, allowed[0])
                strips[name + " (below the running line)"] = (left, allowed[1], right, y1)
            else:
                strips[name] = (left, y0, right, y1)
        for name, region in strips.items():
            box = ink_box(image, region, SCALE)
            if box is not None:
                problems.append(f"{path.name} page {number}: ink in the {name} at {box} (points)")
    return problems

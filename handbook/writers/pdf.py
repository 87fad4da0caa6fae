"""The typeset book: one print HTML document through layouts/print, then WeasyPrint.

The print HTML is kept in the outputs (`print/`), with its CSS and fonts, so
anyone can time or inspect the typesetter on exactly what it was given.

Two faults of WeasyPrint 70 are corrected after layout, by marking the block
concerned (the layout says what a mark does) and making again the pages the
mark changes (see `relayout`):
- to keep a paragraph from leaving a single line at the foot of a page, it may
  move a footnote of that page to the next one, away from its call: the
  paragraph is marked `data-turn` and starts a new page, as any other orphan;
- when a run of text that ends in a space nearly fills a line, it may break
  the line after one word: the block is marked `data-nudge`, which changes its
  word spacing by a hair so that the lines fall differently.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from handbook import layouts
from handbook.errors import RenderError
from handbook.model import Book
from handbook.writers import relayout, render
from handbook.writers.targets import PrintTarget

PAPERS = ("letter", "a4")
MAX_PASSES = 3  # rounds of corrections at most; each round marks every fault it finds
_CORRECTIONS_CODE = hashlib.sha256(Path(__file__).read_bytes() + Path(relayout.__file__).read_bytes()).hexdigest()
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def chapters_html(book: Book, layouts_dir: Path) -> list[dict]:
    """Each chapter's print HTML and what the contents list of it."""
    out = []
    for chapter in book.chapters:
        target = PrintTarget(book, chapter, layouts_dir, "print/checklist.html.j2", inline_notes=True)
        out.append({"chapter": chapter, "anchor": f"ch-{chapter.slug}", "body": target.body(),
                    "toc": [h for h in chapter.headings if h.level == 2], "section_anchor": target.anchor})
    return out


def print_files(book: Book, layouts_dir: Path, paper: str) -> dict[str, bytes]:
    """The print HTML, its stylesheet and fonts: what WeasyPrint is given."""
    css = layouts.read(layouts_dir, "print/handbook.css").decode()
    html = layouts.render(layouts_dir, "print/handbook.html.j2", book=book, config=book.config,
                          chapters=chapters_html(book, layouts_dir), paper=paper)
    files = {"handbook.html": html.encode(), "handbook.css": css.encode()}
    files.update(layouts.fonts_for(css))
    return files


def _keyed(page) -> list:
    """The elements with a block key on a page (a page box), in document order (each once)."""
    seen, out = set(), []
    for box in page.descendants():
        element = getattr(box, "element", None)
        if element is not None and element.get("data-b") is not None and id(element) not in seen:
            seen.add(id(element))
            out.append(element)
    return out


def page_starts(pages) -> dict[str, int]:
    """For each page, the first block of text that begins on it (block key -> page)."""
    marks: dict[str, int] = {}
    seen: set[str] = set()
    for number, page in enumerate(pages, 1):
        for element in _keyed(page):
            key = element.get("data-b")
            if key in seen:
                continue
            seen.add(key)
            if number not in marks.values():
                marks[key] = number
    return marks


def note_pages(pages) -> dict[str, tuple[int, int]]:
    """Each footnote (by id): the page of its call and the page its text is printed on."""
    calls: dict[str, int] = {}
    notes: dict[str, int] = {}
    for number, page in enumerate(pages, 1):
        root, *areas = page.children
        for box in root.descendants():
            if getattr(box, "element_tag", "").endswith("::footnote-call"):
                calls.setdefault(box.element.get("id"), number)
        for area in areas:
            for box in area.descendants():
                element = getattr(box, "element", None)
                if element is not None and "footnote" in (element.get("class") or "").split():
                    notes.setdefault(element.get("id"), number)
    return {ident: (page, notes.get(ident, 0)) for ident, page in calls.items()}


def _parents(pages) -> dict[int, object]:
    root = pages[0].children[0].element  # the <html> element
    return {id(child): parent for parent in root.iter() for child in parent}


def turns_for(pages, parents) -> list[str]:
    """Block keys to start on a new page so that every footnote prints on its call's page."""
    keys = []
    for call, note in note_pages(pages).values():
        if note <= call:
            continue
        # The block broken across the foot of the call's page is the one that pushed the note on.
        after = {id(e) for e in _keyed(pages[call])}
        split = [e for e in _keyed(pages[call - 1]) if id(e) in after]
        if not split:
            continue
        element = split[-1]
        parent = parents.get(id(element))
        if parent is not None and parent.get("data-b") is not None and list(parent).index(element) == 0:
            element = parent  # a list item or quote starts with it: move the whole item
        while (previous := _previous(element, parents)) is not None and previous.tag in _HEADINGS:
            element = previous  # headings stay with what follows
        keys.append(element.get("data-b"))
    return keys


def _previous(element, parents):
    parent = parents.get(id(element))
    if parent is None:
        return None
    siblings = list(parent)
    index = siblings.index(element)
    return siblings[index - 1] if index else None


def _line_text(line) -> str:
    return "".join(getattr(box, "text", "") for box in line.descendants())


def early_breaks(pages, parents) -> list[str]:
    """Block keys where a line was broken although the next line's first word would have fit."""
    keys = []
    for page in pages:
        for block in page.descendants():
            lines = [child for child in getattr(block, "children", ()) if type(child).__name__ == "LineBox"]
            for line, following in zip(lines, lines[1:]):
                # Words split at spaces only: a no-break space holds two words together.
                words = _line_text(following).strip(" ").split(" ")
                if not words[0] or line.width > block.width / 2:
                    continue
                # The width of the next word, from the next line's average character width.
                word = following.width * len(words[0]) / max(len(_line_text(following)), 1)
                if line.width + word < 0.9 * block.width:
                    element = block.element
                    while element is not None and element.get("data-b") is None:
                        element = parents.get(id(element))
                    if element is not None:
                        keys.append(element.get("data-b"))
    return keys


def _mark(html: str, keys: list[str], attribute: str) -> str:
    """Mark each keyed block; a block marked before gets the next degree ("1", "2", ...)."""
    for key in dict.fromkeys(keys):
        pattern = re.compile(rf'data-b="{re.escape(key)}"((?: data-[a-z]+="\d+")*)')

        def degree(match: re.Match) -> str:
            marks = dict(re.findall(r' (data-[a-z]+)="(\d+)"', match.group(1)))
            marks[attribute] = str(int(marks.get(attribute, 0)) + 1)
            return f'data-b="{key}"' + "".join(f' {name}="{value}"' for name, value in marks.items())

        html = pattern.sub(degree, html, count=1)
    return html


def faults(pages) -> list[tuple[str, str]]:
    """The marks that correct the layout's faults: (block key, attribute)."""
    parents = _parents(pages)
    return ([(key, "data-turn") for key in turns_for(pages, parents)]
            + [(key, "data-nudge") for key in early_breaks(pages, parents)])


def anchor_pages(pages) -> dict[str, int]:
    """The page each anchor starts on, from the page boxes of a pagination."""
    found: dict[str, int] = {}
    for number, page in enumerate(pages, 1):
        for box in page.descendants():
            if (anchor := box.style["anchor"]) and anchor not in found:
                found[anchor] = number
    return found


def lay_out(book: Book, files: dict[str, bytes], options: dict, corrected: bytes | None = None,
            first_pages=None):
    """Lay the book out, correcting the engine's faults (see above); returns the document.

    `corrected` is the last build's final HTML for these very sources: its corrections
    are what this loop would find again, so it starts from there. `first_pages` is
    given the page of each anchor as soon as the first pagination is done."""
    html = (corrected or files["handbook.html"]).decode()
    early = (lambda pages: first_pages(anchor_pages(pages))) if first_pages else None
    try:
        with relayout.corrected(faults, MAX_PASSES, early) as corrections:
            document = render.render(html, files, book.root, "handbook.pdf", **options)
        marks = corrections.applied
    except relayout.Unsupported:
        document, marks = _lay_out_afresh(book, files, options, html)
    for key, attribute in marks:
        html = _mark(html, [key], attribute)
    pages = [page._page_box for page in document.pages]
    misplaced = [ident for ident, (call, note) in note_pages(pages).items() if note and note != call]
    if misplaced:
        raise RenderError(f"handbook.pdf: error: footnotes {', '.join(misplaced)} could not be printed on "
                          "the page of their call")
    files["handbook.html"] = html.encode()
    return document


def _lay_out_afresh(book: Book, files: dict[str, bytes], options: dict, html: str):
    """The same corrections, each round laying the whole marked book out again."""
    marks: list[tuple[str, str]] = []
    for attempt in range(MAX_PASSES + 1):
        document = render.render(html, files, book.root, "handbook.pdf", **options)
        found = list(dict.fromkeys(faults([page._page_box for page in document.pages])))
        if not found or attempt == MAX_PASSES:
            return document, marks
        for key, attribute in found:
            html = _mark(html, [key], attribute)
        marks += found
    raise AssertionError("unreachable")


def write(book: Book, ctx) -> dict[str, bytes]:
    """handbook.pdf and its print sources; fills ctx.pages and ctx.page_marks for later writers."""
    files = print_files(book, ctx.layouts_dir, ctx.paper)
    options = {"pdf_variant": "pdf/ua-1"}
    # The last build's corrected HTML stands for these inputs only if the corrections are
    # still found the same way: the code that finds them is part of the key.
    key = render.inputs_key(files, corrections=_CORRECTIONS_CODE, **options)
    document = lay_out(book, files, options, ctx.reusable("print/handbook.html", key), ctx.first_pages)
    for number, page in enumerate(document.pages, 1):
        for anchor in page.anchors:
            ctx.pages.setdefault(anchor, number)  # where it starts, for elements over several pages
    ctx.page_marks.update(page_starts([page._page_box for page in document.pages]))
    pdf = render.write(document, "handbook.pdf", **options)
    outputs = {"handbook.pdf": pdf}
    outputs.update({f"print/{name}": data for name, data in files.items()})
    return outputs

"""A laid-out part given other page numbers without laying it out again.

A part's pages depend on the rest of the book through numbers only: its folios (`counter(page)`,
from its start) and the pages its links print (`target-counter(attr(href url), page)` inside the
part, `attr(data-page)` for another part's anchor). Where each new number has the width of the old
one (the book's figures are tabular: same digits, same width), the layout of the part with the new
numbers is the old layout with other glyphs in those few text boxes. WeasyPrint shapes a text box
again from its text when it draws it, so the text is all that changes. A test compares the result
with a fresh layout of the renumbered HTML, byte for byte.

A number whose width changes is left to `repaginate`: `plan` says which they are. Anything else
that would print a page number (another counter style, `counter(pages)`, a number not found once
where it should be) is `Unsupported`: the part is laid out afresh.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from weasyprint.formatting_structure import boxes
from weasyprint.text.line_break import Layout, line_size

from handbook.typeset.engine.restyle import Unsupported

from handbook.typeset.merge import foreign_anchor


@dataclass
class Plan:
    """What renumbering a laid-out document takes: the text boxes whose number keeps its width
    (each with its new text, plain and shaped), and where a number changes width: the elements
    that print it in the flow, and whether a folio does."""
    edits: list = field(default_factory=list)
    changed: dict = field(default_factory=dict)  # id(element) -> (element, old, new): numbers in the flow
    wider: set = field(default_factory=set)  # the ids of those of them that change width
    folios: bool = False  # a margin box's number changes width


def plan(document, start: tuple[int, int], pages: tuple[Mapping[str, int], Mapping[str, int]]) -> Plan:
    """Change the page numbers `document` prints: its first page's number from `start[0]` to
    `start[1]`, each cited anchor's page from `pages[0][anchor]` to `pages[1][anchor]`. Touches
    nothing; `Unsupported` where a number is printed in a way it does not know."""
    result = Plan()
    edits: dict[tuple, list] = {}  # one number printed by a box (a margin box, a pseudo-element) -> its texts
    wanted: dict[tuple, tuple[str, str]] = {}
    for index, page in enumerate(document.pages):
        for key, box in _numbered(page._page_box, index):
            old, new = _values(box, start[0] + index, start[1] + index, pages)
            if old == new:
                continue
            if not isinstance(box, boxes.MarginBox):
                result.changed[id(box.element)] = (box.element, old, new)
            if len(old) != len(new):  # tabular figures: the same count of digits, the same width
                if isinstance(box, boxes.MarginBox):
                    result.folios = True
                else:
                    result.wider.add(id(box.element))
                continue
            wanted[key] = (old, new)
            edits.setdefault(key, []).extend(t for t in box.descendants(True) if isinstance(t, boxes.TextBox))
    for key, (old, new) in wanted.items():
        found = number(old)
        texts = [t for t in edits[key] if found.search(t.text)]
        if len(texts) != 1 or len(found.findall(texts[0].text)) != 1 or found.search(texts[0].pango_layout.text) is None:
            raise Unsupported(f"page number {old} not found once where it is printed")
        text = texts[0]
        replaced = found.sub(new, text.text), found.sub(new, text.pango_layout.text)
        if _width(text.style, replaced[1]) != _width(text.style, text.pango_layout.text):
            raise Unsupported(f"page {old} and page {new} are set in different widths")
        result.edits.append((text, *replaced))
    return result


def number(printed: str) -> re.Pattern:
    """A printed page number in a text, not part of a longer number."""
    return re.compile(rf"(?<!\d){printed}(?!\d)")


def edit(result: Plan) -> int:
    """The numbers that keep their widths changed in the laid-out text boxes (a count)."""
    for text, plain, shaped in result.edits:
        text.text, text.pango_layout.text = plain, shaped
    return len(result.edits)


def _numbered(page_box, index: int) -> Iterator[tuple[tuple, object]]:
    """The boxes of a page whose generated content prints a page number, each with a key that is
    the same for every fragment of one pseudo-element (over lines and pages)."""
    for box in page_box.descendants(True):  # placeholders too: what is positioned prints numbers as well
        if isinstance(box, boxes.MarginBox):
            if _page_items(box):
                yield (index, box.at_keyword), box
        elif not isinstance(box, boxes.TextBox) and "::" in (box.element_tag or "") and _page_items(box):
            yield (id(box.element), box.element_tag), box


def _page_items(box) -> list:
    content = box.style["content"]
    if not isinstance(content, tuple):
        return []
    found = []
    for kind, value in content:
        if kind in ("counter()", "counters()") and value[0] in ("page", "pages"):
            found.append((kind, value))
        elif kind in ("target-counter()", "target-counters()") or (kind == "attr()" and value[0] == "data-page"):
            found.append((kind, value))
    return found


def _values(box, folio: int, new_folio: int, pages) -> tuple[str, str]:
    """The number the box prints and the one it should print."""
    items = _page_items(box)
    if len(items) != 1:
        raise Unsupported(f"{len(items)} page numbers in one box")
    kind, value = items[0]
    if kind == "counter()" and value == ("page", "decimal"):
        return str(folio), str(new_folio)
    if kind == "attr()" or (kind == "target-counter()" and value[1:] == ("page", "decimal")
                            and value[0] == ("attr()", ("href", "url", ""))):
        href = box.element.get("href") or ""
        anchor = foreign_anchor(href) or (href[1:] if href.startswith("#") else None)
        if anchor in pages[0] and anchor in pages[1]:
            return str(pages[0][anchor]), str(pages[1][anchor])
        raise Unsupported(f"a page number for {href!r}, an anchor the part was not given")
    raise Unsupported(f"page numbers printed by {kind} {value!r}")


def _width(style, text: str) -> float:
    layout = Layout(style)
    layout.set_text(text)
    line, _ = layout.get_first_line()
    return line_size(line, style)[0]


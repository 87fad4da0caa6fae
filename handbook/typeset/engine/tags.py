"""What the PDF's tags say beyond WeasyPrint 70's defaults, as PDF/UA readers expect:

- a footnote (`class="footnote"`, set at its call in print) is a Note, with the ID PDF/UA asks of it;
- a table header cell states its scope (Column, or Row for `scope="row"`), besides the Headers
  WeasyPrint gives its data cells;
- what the page margins hold (running heads, folios, a checklist's "(continued)") is marked as an
  artifact: WeasyPrint tags it as text that no element of the structure reaches.
"""

from __future__ import annotations

from contextlib import contextmanager

import pydyf
import weasyprint.document
import weasyprint.pdf.stream
import weasyprint.pdf.tags
from weasyprint.formatting_structure import boxes


@contextmanager
def richer_tags():
    build_tree = weasyprint.pdf.tags._build_box_tree
    marked = weasyprint.pdf.stream.Stream.marked
    draw_page = weasyprint.document.draw_page
    in_margins: set[int] = set()  # the boxes of the page being drawn that sit in its margin boxes

    def build(box, parent, *args):
        # Called for every box, recursively (the module calls itself through this name).
        if isinstance(box, boxes.MarginBox):
            return  # its content was drawn as an artifact: nothing to tag
        for element in build_tree(box, parent, *args):
            html = getattr(box, "element", None)
            if element.get("S") == "/TH" and isinstance(element.get("A"), pydyf.Dictionary):
                scope = html.get("scope") if html is not None else None
                element["A"]["Scope"] = "/Row" if scope == "row" else "/Column"
            elif html is not None and "footnote" in (html.get("class") or "").split() \
                    and getattr(box, "element_tag", "") == "span" and element.get("S") != "/Note":
                element["S"] = "/Note"
                element["ID"] = pydyf.String(html.get("id") or f"note-{id(box)}")
            yield element

    def draw(page, stream):
        in_margins.clear()
        for margin in (c for c in page.children if isinstance(c, boxes.MarginBox)):
            in_margins.update(id(b) for b in margin.descendants())
        return draw_page(page, stream)

    def mark(stream, box, tag):
        return stream.artifact() if id(box) in in_margins else marked(stream, box, tag)

    weasyprint.pdf.tags._build_box_tree = build
    weasyprint.pdf.stream.Stream.marked = mark
    weasyprint.document.draw_page = draw
    try:
        yield
    finally:
        weasyprint.pdf.tags._build_box_tree = build_tree
        weasyprint.pdf.stream.Stream.marked = marked
        weasyprint.document.draw_page = draw_page

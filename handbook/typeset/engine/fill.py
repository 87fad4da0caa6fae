"""Blocks that take what is left of their page (`data-fill`): the checklists' ruled notes.

CSS makes a block take the rest of its page only inside a flex or grid container, and WeasyPrint
70 lays a flex container's items out several times over: the checklist sheets, flex columns, took
twice as long as the same sheets laid out as blocks. Instead, a block marked `data-fill` is laid
out at its own height; once a page is made, each marked block on it grows down to the foot of
the page's content (or of the marked block it is in). It must end what is on its page: nothing
follows it there, so nothing moves, and its background and its form field take the new height.
"""

from __future__ import annotations

from contextlib import contextmanager

import weasyprint.layout
from weasyprint.formatting_structure import boxes

ATTRIBUTE = "data-fill"


@contextmanager
def filled():
    """While active, WeasyPrint renderings grow each block marked `data-fill` to its page's foot."""
    original = weasyprint.layout.make_all_pages

    def make_all_pages(context, root_box, html, pages):
        for page in original(context, root_box, html, pages):
            try:
                _grow(page, page.content_box_y() + page.height)  # a page kept from the last loop: no change
            except (AttributeError, TypeError):  # another WeasyPrint's boxes: the blocks keep their heights
                pass
            yield page

    weasyprint.layout.make_all_pages = make_all_pages
    try:
        yield
    finally:
        weasyprint.layout.make_all_pages = original


def _grow(box, foot: float) -> None:
    for child in getattr(box, "children", ()):
        element = getattr(child, "element", None)
        if isinstance(child, boxes.BlockLevelBox) and element is not None and element.get(ATTRIBUTE) is not None \
                and child.element_tag == element.tag:
            gap = foot - (child.position_y + child.margin_height())
            if gap > 0:
                child.height += gap
            _grow(child, child.content_box_y() + child.height)
        else:
            _grow(child, foot)

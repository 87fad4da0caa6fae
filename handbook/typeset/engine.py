"""Everything that reaches into WeasyPrint 70's internals (`VERSION`), in one place: corrections
made inside one layout, and what is read back from laid-out pages (`PageView`). Another version, or
any drift met at run time (a missing attribute or key, a changed signature), raises `Drift`: the
typesetter then lays the marked HTML out afresh with public calls only, and says so.

The typesetter marks blocks (`data-turn`, `data-nudge`) to correct faults it finds in a layout.
Laying the whole book out again for one mark costs as much as the first layout. Instead, once
WeasyPrint's pagination has settled, the marks are set on the elements, each marked block gets the
style the layout's CSS gives the mark (as copies: WeasyPrint shares one computed style between like
elements), and WeasyPrint's own repagination remakes the pages the block is on, the one before, and
the following ones as far as their content moves. The result is the layout of the marked HTML (a
test compares it with a fresh layout byte for byte). A mark that would change more than the few
properties known to be safe in place, or a block that holds a table, is `Unsupported`.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from math import inf
from typing import Callable

import weasyprint
import weasyprint.document
import weasyprint.layout

try:  # internals: a later version may move them (then every correction is made afresh)
    from weasyprint.css import ComputedStyle, declaration_precedence
    from weasyprint.css.properties import INHERITED
except ImportError:  # pragma: no cover - only with another WeasyPrint
    ComputedStyle = declaration_precedence = INHERITED = None

VERSION = "70.0"  # the WeasyPrint whose internals this module knows
DRIFT = (AttributeError, KeyError, TypeError, IndexError, ValueError)

# Properties that no other computed value depends on, and that no layout cache keeps.
SAFE = frozenset({"word_spacing", "letter_spacing", "break_before", "break_after", "break_inside",
                  "orphans", "widows"})
EXTRA_LOOPS = 4  # repaginations WeasyPrint may need after each round of marks

Finder = Callable[[list], list[tuple[str, str]]]  # page boxes -> [(block key, mark attribute)], each once


class Unsupported(Exception):
    """A mark that cannot be applied in place; the caller lays the marked HTML out afresh."""


class Drift(Unsupported):
    """WeasyPrint's internals are not what this module knows: the caller lays out afresh, and warns."""


def check_version() -> None:
    if weasyprint.__version__ != VERSION or ComputedStyle is None:
        raise Drift(f"WeasyPrint {weasyprint.__version__} (corrections in place need {VERSION})")


class Corrections:
    """Marks found and applied during one rendering, in order (block key, attribute)."""

    def __init__(self, find: Finder, rounds: int, first: Callable[[list], None] | None):
        self.find, self.rounds, self.first = find, rounds, first
        self.applied: list[tuple[str, str]] = []
        self.passes = 0
        self.loop = 0  # WeasyPrint's pagination loop under way
        self.max_loops = 8 + EXTRA_LOOPS * rounds
        self.anchors: dict[str, int] | None = None  # anchor -> page index, after the last loop

    def make_all_pages(self, original, context, root_box, html, pages):
        self.loop = self.loop + 1 if pages else 0  # the first loop starts without pages
        before, made = len(pages), []
        for page in original(context, root_box, html, pages):
            made.append(page)
            yield page
        try:
            views = [PageView(page) for page in made]
            if self.first is not None:
                self.first, first = None, self.first
                first(views)
            self._follow_moved_anchors(context, views)
            if self.passes >= self.rounds or not _settled(context, before, len(made)):
                return
            if self.loop + EXTRA_LOOPS >= self.max_loops:  # no loops left to remake the pages
                return
            marks = self.find(views)
            if marks:
                self.passes += 1
                _apply(marks, context, root_box, html, made)
                self.applied += marks
        except Unsupported:
            raise
        except DRIFT as exc:
            raise Drift(f"{type(exc).__name__}: {exc}") from exc


    def _follow_moved_anchors(self, context, views) -> None:
        """After a mark, an anchor may move to another page. WeasyPrint updates the page numbers
        that cite it (target-counter) only on pages it remakes for other reasons: a page before
        the mark would keep the old number. Such pages are remade in one more loop."""
        anchors: dict[str, int] = {}
        for index, view in enumerate(views):
            for anchor in view.anchors():
                anchors.setdefault(anchor, index)
        if self.anchors is not None and self.passes:  # only marks move anchors once a layout has settled
            moved = {a for a, index in anchors.items() if self.anchors.get(a) != index}
            for (box, css_token), item in context.target_collector.counter_lookup_items.items():
                element = getattr(box, "element", None)
                href = (element.get("href") or "") if element is not None else ""
                index = item.page_maker_index
                if css_token == "content" and href.startswith("#") and href[1:] in moved \
                        and index is not None and index < len(context.page_maker):
                    item.parse_again(item.cached_page_counter_values)
                    context.page_maker[index][-1]["content_changed"] = True
        self.anchors = anchors


@contextmanager
def corrected(find: Finder, rounds: int, first: Callable[[list], None] | None = None):
    """While active, WeasyPrint renderings apply the marks `find` returns, up to `rounds` times;
    `first` is given the page boxes of the first pagination."""
    check_version()
    state = Corrections(find, rounds, first)
    make_all_pages, layout_document = weasyprint.layout.make_all_pages, weasyprint.document.layout_document
    weasyprint.layout.make_all_pages = functools.partial(state.make_all_pages, make_all_pages)
    weasyprint.document.layout_document = functools.partial(layout_document, max_loops=state.max_loops)
    try:
        yield state
    finally:
        weasyprint.layout.make_all_pages = make_all_pages
        weasyprint.document.layout_document = layout_document


def _settled(context, pages_before: int, pages_now: int) -> bool:
    """Whether WeasyPrint would stop here (the test `layout_document` makes after each loop)."""
    for *_, remake in context.page_maker:
        if remake["content_changed"] or (remake["pages_wanted"] and pages_before != pages_now):
            return False
    return True


def _apply(marks, context, root_box, html, pages) -> None:
    elements = {e.get("data-b"): e for e in html.etree_element.iter() if e.get("data-b") is not None}
    on_pages: dict[int, set[int]] = {}
    for index, page in enumerate(pages):
        for box in page.descendants():
            element = getattr(box, "element", None)
            if element is not None:
                on_pages.setdefault(id(element), set()).add(index)
    for key, attribute in marks:
        element = elements.get(key)
        if element is None or id(element) not in on_pages or element.get("style") is not None \
                or next(element.iter("table"), None) is not None:
            raise Unsupported(key)
        old = element.get(attribute)
        element.set(attribute, str(int(old or 0) + 1))
        _restyle(element, attribute, old, context, root_box, html)
        # Every page it is on, and the one before: whether a page ends in a forced break is
        # decided there.
        on = on_pages[id(element)]
        for index in range(max(min(on) - 1, 0), max(on) + 1):
            context.page_maker[index][-1]["content_changed"] = True


def _matches(element, html, sheets):
    wrapper = next(w for w in html.wrapper_element.iter_subtree() if w.etree_element is element)
    return [(sheet, origin, sheet_specificity, match) for sheet, origin, sheet_specificity in sheets
            for match in sheet.matcher.match(wrapper)]


def _cascade(matches) -> dict:
    """The element's cascaded declarations, weighed as WeasyPrint's StyleFor does."""
    style: dict = {}
    for sheet, origin, sheet_specificity, (specificity, _, pseudo_type, (declarations, layer)) in matches:
        if pseudo_type:
            continue
        layer_order = inf if layer is None else sheet.layers.index(layer)
        specificity = sheet_specificity or specificity
        for name, values, importance in declarations:
            weight = (declaration_precedence(origin, importance), layer_order, specificity)
            old_weight = style.get(name, (None, None))[1]
            if old_weight is None or old_weight <= weight:
                style[name] = values, weight
    return style


def _restyle(element, attribute, old_value, context, root_box, html) -> None:
    """Give the element (and what inherits from it) the style its new mark gets."""
    sheets = context.style_for._sheets
    new = _matches(element, html, sheets)
    element.attrib.pop(attribute) if old_value is None else element.set(attribute, old_value)
    before = _matches(element, html, sheets)
    element.set(attribute, str(int(old_value or 0) + 1))
    pseudo = lambda ms: {(id(m[3][3][0]), m[3][2]) for m in ms if m[3][2]}  # noqa: E731
    if pseudo(new) != pseudo(before):
        raise Unsupported("a mark that styles a pseudo-element")
    cascaded, old_cascaded = _cascade(new), _cascade(before)
    changed = {n for n in cascaded.keys() | old_cascaded.keys() if cascaded.get(n) != old_cascaded.get(n)}
    if not changed <= SAFE:
        raise Unsupported(", ".join(sorted(changed - SAFE)))

    inside = {id(e) for e in element.iter()}
    boxes = [box for box in _all_boxes(root_box) if id(getattr(box, "element", None)) in inside]
    # The element's own style (its boxes may hold copies of it); what inherits from it
    # (its descendants, anonymous boxes and pseudo-elements) is made again too.
    own = {id(context.style_for(element))} | {
        id(box.style) for box in boxes
        if box.element is element and isinstance(box.style, ComputedStyle) and box.style.pseudo_type is None}
    clones: dict[int, object] = {}

    def inherits(style) -> bool:
        while style is not None:
            if id(style) in own:
                return True
            style = getattr(style, "parent_style", None)
        return False

    def clone(style):
        if style is None or not inherits(style):
            return style
        if id(style) not in clones:
            copy = style.copy()
            copy.parent_style = clone(style.parent_style)
            if id(style) in own:
                copy.cascaded = cascaded
                stale = changed
            else:
                explicit = getattr(style, "cascaded", {})
                stale = {n for n in changed if n in INHERITED and explicit.get(n, ("inherit",))[0] == "inherit"}
            for name in stale:
                copy.pop(name, None)
                if copy.specified is not copy:
                    copy.specified.pop(name, None)
            clones[id(style)] = copy
        return clones[id(style)]

    for box in boxes:
        box.style = clone(box.style)
    computed = context.style_for._computed_styles
    for key, style in list(computed.items()):
        if isinstance(key, tuple) and id(key[0]) in inside and id(style) in clones:
            computed[key] = clones[id(style)]


def _all_boxes(root_box):
    """Every box of the document, footnotes (taken out of the flow) included."""
    for box in root_box.descendants():
        yield box
        if (footnote := getattr(box, "footnote", None)) is not None:
            yield from footnote.descendants()


class PageView:
    """What the typesetter reads back from one laid-out page, in plain terms: the keyed elements
    on it, its footnote calls and notes, its lines, its anchors. Works on the pages of a finished
    document and on those of a pagination under way."""

    def __init__(self, page):
        self.box = getattr(page, "_page_box", page)

    def root(self):
        """The document's <html> element."""
        return self.box.children[0].element

    def keyed(self) -> list:
        """The elements with a block key (data-b) on the page, in document order, each once."""
        seen, out = set(), []
        for box in self.box.descendants():
            element = getattr(box, "element", None)
            if element is not None and element.get("data-b") is not None and id(element) not in seen:
                seen.add(id(element))
                out.append(element)
        return out

    def note_calls(self) -> list[str]:
        """The ids of the footnotes called from the page's text."""
        root = self.box.children[0]
        return [box.element.get("id") for box in root.descendants()
                if getattr(box, "element_tag", "").endswith("::footnote-call")]

    def notes(self) -> list[str]:
        """The ids of the footnotes printed at the page's foot."""
        found = []
        for area in self.box.children[1:]:
            for box in area.descendants():
                element = getattr(box, "element", None)
                if element is not None and "footnote" in (element.get("class") or "").split():
                    found.append(element.get("id"))
        return found

    def blocks(self):
        """(element, block width, [(line width, line text), ...]) for each block of lines."""
        for block in self.box.descendants():
            lines = [child for child in getattr(block, "children", ()) if type(child).__name__ == "LineBox"]
            if lines:
                yield block.element, block.width, [
                    (line.width, "".join(getattr(b, "text", "") for b in line.descendants())) for line in lines]

    def anchors(self) -> list[str]:
        return [anchor for box in self.box.descendants() if (anchor := box.style["anchor"])]

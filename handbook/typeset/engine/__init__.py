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
from typing import Callable

import weasyprint
import weasyprint.document
import weasyprint.layout

from handbook.typeset.engine import renumbering, repaginate, restyle
from handbook.typeset.engine.fill import filled
from handbook.typeset.engine.restyle import Unsupported
from handbook.typeset.engine.tags import richer_tags
from handbook.typeset.engine.text import complete_text_map
from handbook.typeset.engine.views import PageView

__all__ = ["PageView", "complete_text_map", "filled", "richer_tags", "corrected", "renumber", "Unsupported", "Drift", "DRIFT", "VERSION"]

VERSION = "70.0"  # the WeasyPrint whose internals this module knows
DRIFT = (AttributeError, KeyError, TypeError, IndexError, ValueError)

# Properties that no other computed value depends on, and that no layout cache keeps.
SAFE = frozenset({"word_spacing", "letter_spacing", "break_before", "break_after", "break_inside",
                  "orphans", "widows"})
EXTRA_LOOPS = 4  # repaginations WeasyPrint may need after each round of marks

Finder = Callable[[list], list[tuple[str, str]]]  # page boxes -> [(block key, mark attribute)], each once


class Drift(Unsupported):
    """WeasyPrint's internals are not what this module knows: the caller lays out afresh, and warns."""


def check_version() -> None:
    if weasyprint.__version__ != VERSION or not restyle.AVAILABLE:
        raise Drift(f"WeasyPrint {weasyprint.__version__} (corrections in place need {VERSION})")


def renumber(document, start: tuple[int, int], pages, held: Corrections | None = None,
             find: Finder | None = None):
    """A laid-out document's page numbers changed (`renumbering.plan`): in place where they keep
    their widths; otherwise, given the state its layout left (`held`), by paginating again
    (`repaginate`), where the result has no fault `find` would mark. Returns the document (a new
    one if paginated again) and the state to keep with it; or `Unsupported`, the document to be
    laid out afresh (untouched if nothing was `held`)."""
    check_version()
    try:
        plan = renumbering.plan(document, start, pages)
        if not (plan.wider or plan.folios):
            if held is not None and held.context is not None:
                try:
                    repaginate.carry(held, start, plan)
                except (Unsupported, *DRIFT):  # the pages are still renumbered; the state is not kept
                    held = None
            renumbering.edit(plan)
            return document, held
        if held is None or held.context is None:
            raise Unsupported("a page number changes its count of digits, and the layout's state is gone")
        renumbering.edit(plan)
        return repaginate.repaginate(document, held.again(), start, plan, find or (lambda views: []))
    except DRIFT as exc:
        raise Drift(f"renumbering: {type(exc).__name__}: {exc}") from None


class Corrections:
    """Marks found and applied during one rendering, in order (block key, attribute)."""

    def __init__(self, find: Finder, rounds: int, first: Callable[[list], None] | None):
        self.find, self.rounds, self.first = find, rounds, first
        self.applied: list[tuple[str, str]] = []
        self.passes = 0
        self.loop = 0  # WeasyPrint's pagination loop under way
        self.max_loops = 8 + EXTRA_LOOPS * rounds
        self.anchors: dict[str, int] | None = None  # anchor -> page index, after the last loop
        # What renumbering needs to paginate again (`repaginate`): the layout's state, and its
        # pages as the last loop made them, before their margin boxes were added.
        self.context = self.root_box = self.html = None
        self.footnotes: list = []
        self.pristine: list[tuple] = []  # (page box, its children, its root's children)

    def again(self) -> Corrections:
        """A state to paginate the same layout again, with no more marks."""
        state = Corrections(lambda views: [], 0, None)
        state.context, state.root_box, state.html = self.context, self.root_box, self.html
        state.footnotes, state.pristine, state.anchors = self.footnotes, self.pristine, self.anchors
        state.applied, state.max_loops = list(self.applied), 8 + EXTRA_LOOPS
        return state

    def make_all_pages(self, original, context, root_box, html, pages):
        self.loop = self.loop + 1 if pages else 0  # the first loop starts without pages
        if self.context is None:
            self.context, self.root_box, self.html = context, root_box, html
            self.footnotes = list(context.footnotes)  # as the layout starts: each loop starts again from them
        before, made = len(pages), []
        for page in original(context, root_box, html, pages):
            made.append(page)
            yield page
        self.pristine = [(page, list(page.children), list(page.children[0].children)) for page in made]
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
        """An anchor may move to another page in a later loop: after a mark, or when numbers
        filled in by the loop before reflow the text. WeasyPrint updates the page numbers that cite
        it (target-counter) only on pages it remakes for other reasons: a page before the anchor
        would keep the old number. Such pages are remade in one more loop."""
        anchors: dict[str, int] = {}
        for index, view in enumerate(views):
            for anchor in view.anchors():
                anchors.setdefault(anchor, index)
        if self.anchors is not None:
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
        restyle.restyle(element, attribute, old, context, root_box, html, SAFE)
        # Every page it is on, and the one before: whether a page ends in a forced break is
        # decided there.
        on = on_pages[id(element)]
        for index in range(max(min(on) - 1, 0), max(on) + 1):
            context.page_maker[index][-1]["content_changed"] = True

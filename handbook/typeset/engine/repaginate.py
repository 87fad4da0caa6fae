"""A held layout given page numbers of another width, by WeasyPrint's own repagination.

Renumbering in place (`renumbering`) changes the text of a number that keeps its width. A number
that gains or loses a digit (page 99 becomes 100) may move the text after it, so the pages that
print one are made again. The layout's state was kept from its pagination (`Corrections`: the
layout context, the box tree, the pages as the last loop made them). The numbers are changed where
WeasyPrint makes them from: the box tree's text for `attr(data-page)`; the page counter in the
pagination's states, and in the anchors' and links' cached counters, for folios and
`target-counter()`. The pages that print a number of another width are marked as changed, with the
page before each (where a paragraph that reaches it starts), and WeasyPrint's layout loop runs
again over the old pages: it remakes the marked pages, and those after them as far as their start
moved, then the margin boxes of every page. A test compares the result with a fresh layout of the
renumbered HTML, byte for byte.

`Unsupported` (the part is laid out afresh) where that could differ from a fresh layout: a number
of another width in a table (whose column widths the layout keeps), a page made again that holds a
block a correction marked, a fault in the result that a fresh layout would have corrected, or a
first page whose number is not reset by exactly one `@page` rule.
"""

from __future__ import annotations

from collections import defaultdict

import weasyprint.layout
from weasyprint.document import Page
from weasyprint.formatting_structure import boxes

from handbook.typeset.engine.renumbering import number
from handbook.typeset.engine.restyle import Unsupported
from handbook.typeset.engine.views import PageView


def repaginate(document, state, start: tuple[int, int], plan, find):
    """`document` (its same-width numbers already changed) with its first page numbered
    `start[1]` instead of `start[0]`, and the numbers of `plan.wider` changed: a new document, and
    `state` to keep with it."""
    context, root_box = state.context, state.root_box
    pristine = [page for page, _, _ in state.pristine]
    if [page._page_box for page in document.pages] != pristine:
        raise Unsupported("the layout's state is not that of its pages")
    remake = _pages_printing(pristine, plan.wider)
    _check_tables(root_box, plan.wider)
    marked = {key for key, _ in state.applied}
    carry(state, start, plan)
    for page, children, root_children in state.pristine:  # as paginated, before the margin boxes
        page.children, page.children[0].children = list(children), list(root_children)
    context.string_set = defaultdict(lambda: defaultdict(list))  # collected again from every page
    context.footnotes = list(state.footnotes)
    for index in sorted(remake | {i - 1 for i in remake if i}):
        context.page_maker[index][-1]["content_changed"] = True
    made = _layout_again(state, pristine)
    remade = [i for i, page in enumerate(made) if i >= len(pristine) or page is not pristine[i]]
    for index in remade:
        if index < len(pristine) and marked & _keys(pristine[index]) or marked & _keys(made[index]):
            raise Unsupported("a page made again holds a block a correction marked")
    if find([PageView(page) for page in made]):
        raise Unsupported("a fault to correct where the numbers moved the text")
    return document.copy([Page(page) for page in made]), state


def carry(state, start: tuple[int, int], plan) -> None:
    """The layout's state given the new numbers (where WeasyPrint makes them from), so that pages
    made again print them; also after numbers changed in place, so that a later repagination
    starts from the numbers the pages print."""
    context = state.context
    _restart(context, start)
    _shift(context, start[1] - start[0])
    _rewrite(state.root_box, plan.changed)
    for lookup in context.target_collector.counter_lookup_items.values():
        if lookup.missing_target_counters:  # a target-counter(): its anchor's page has moved too
            lookup.parse_again(lookup.cached_page_counter_values)


def _layout_again(state, pristine: list) -> list:
    """WeasyPrint's layout loop over the held pages: those marked changed are made again."""
    original_make, original_start = weasyprint.layout.make_all_pages, weasyprint.layout.initialize_page_maker

    def make_all_pages(context, root_box, html, pages):
        return state.make_all_pages(original_make, context, root_box, html, pages or pristine)

    weasyprint.layout.make_all_pages = make_all_pages
    weasyprint.layout.initialize_page_maker = lambda context, root_box: None  # the held states stand
    try:
        return list(weasyprint.layout.layout_document(state.html, state.root_box, state.context,
                                                      max_loops=state.max_loops))
    finally:
        weasyprint.layout.make_all_pages, weasyprint.layout.initialize_page_maker = original_make, original_start


def _pages_printing(pages: list, elements: set[int]) -> set[int]:
    return {index for index, page in enumerate(pages) for box in page.descendants(True)
            if id(getattr(box, "element", None)) in elements}


def _keys(page) -> set[str]:
    return {box.element.get("data-b") for box in page.descendants(True)
            if getattr(box, "element", None) is not None and box.element.get("data-b") is not None}


def _check_tables(box, elements: set[int], in_table: bool = False) -> None:
    in_table = in_table or isinstance(box, boxes.TableBox)
    if in_table and id(getattr(box, "element", None)) in elements:
        raise Unsupported("a page number of another width in a table")
    for child in getattr(box, "children", ()):
        _check_tables(child, elements, in_table)


def _restart(context, start: tuple[int, int]) -> None:
    """The part's first page numbered `start[1]`: the one `counter-reset` of the page counter,
    in an `@page` rule, that numbered it `start[0]`, now resets it to `start[1]`."""
    if start[0] == start[1]:
        return
    lists = {id(sheet.page_rules): sheet.page_rules for sheet, _, _ in context.style_for._sheets}  # some are shared
    found = [(rules, index, place) for rules in lists.values()
             for index, (_, _, declarations) in enumerate(rules)
             for place, (name, values, _) in enumerate(declarations)
             if name == "counter_reset" and ("page", start[0]) in values]
    if len(found) != 1:
        raise Unsupported(f"{len(found)} page rules reset the page counter to {start[0]}")
    rules, index, place = found[0]
    rule, selectors, declarations = rules[index]
    name, values, important = declarations[place]
    values = tuple(("page", start[1]) if value == ("page", start[0]) else value for value in values)
    declarations = [*declarations[:place], (name, values, important), *declarations[place + 1:]]
    rules[index] = rule, selectors, declarations


def _shift(context, delta: int) -> None:
    """The page counter moved by `delta` wherever the pagination keeps it: each page's state
    (but the one before the first page, which the first page's style resets) and the counters
    cached for anchors and the links to them."""
    if not delta:
        return
    collector = context.target_collector
    kept = [entry[3][1] for entry in context.page_maker[1:]]
    kept += [item.cached_page_counter_values for item in collector.target_lookup_items.values()]
    kept += [item.cached_page_counter_values for item in collector.counter_lookup_items.values()]
    seen: set[int] = set()
    for counters in kept:
        if id(counters) not in seen and "page" in counters:
            seen.add(id(counters))
            counters["page"] = [value + delta for value in counters["page"]]


def _rewrite(root_box, changed: dict) -> None:
    """The new numbers in the box tree the pages are made from, for `attr(data-page)`."""
    texts: dict[tuple, dict[int, object]] = {}  # (element, pseudo-element) -> its text boxes
    for box in root_box.descendants(True):
        element, tag = getattr(box, "element", None), box.element_tag or ""
        if isinstance(box, boxes.TextBox) and id(element) in changed and element.get("data-page") is not None \
                and tag.endswith(("::before", "::after")):
            texts.setdefault((id(element), tag), {})[id(box)] = box
    for (ident, _), found_in in texts.items():
        element, old, new = changed[ident]
        found = number(old)
        hits = [t for t in found_in.values() if found.search(t.text)]
        if len(hits) != 1 or len(found.findall(hits[0].text)) != 1:
            raise Unsupported(f"page number {old} not found once in the box tree")
        hits[0].text = found.sub(new, hits[0].text)
        element.set("data-page", new)

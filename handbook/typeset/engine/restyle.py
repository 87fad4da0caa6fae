"""Giving a marked element, in place, the style the layout's CSS gives its mark (WeasyPrint 70's
cascade, read through its internals), and everything that inherits from it."""

from __future__ import annotations

from math import inf

try:  # internals: a later version may move them (then every correction is made afresh)
    from weasyprint.css import ComputedStyle, declaration_precedence
    from weasyprint.css.properties import INHERITED
    AVAILABLE = True
except ImportError:  # pragma: no cover - only with another WeasyPrint
    ComputedStyle = declaration_precedence = INHERITED = None
    AVAILABLE = False


class Unsupported(Exception):
    """A mark that cannot be applied in place; the caller lays the marked HTML out afresh."""


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


def restyle(element, attribute, old_value, context, root_box, html, safe) -> None:
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
    if not changed <= safe:
        raise Unsupported(", ".join(sorted(changed - safe)))

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

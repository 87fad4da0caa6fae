"""What the PDF writer reads back from WeasyPrint's layout: the engine's faults to correct,
and where each anchor and each block of text landed.

Everything here takes page boxes (`page._page_box` of a finished document, or the pages of a
pagination under way), so that it serves both after and during a layout.
"""

from __future__ import annotations

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


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


def faults(pages) -> list[tuple[str, str]]:
    """The marks that correct the layout's faults: (block key, attribute), each once."""
    parents = _parents(pages)
    return list(dict.fromkeys([(key, "data-turn") for key in turns_for(pages, parents)]
                              + [(key, "data-nudge") for key in early_breaks(pages, parents)]))


def anchor_pages(pages) -> dict[str, int]:
    """The page each anchor starts on, from the page boxes of a pagination."""
    found: dict[str, int] = {}
    for number, page in enumerate(pages, 1):
        for box in page.descendants():
            if (anchor := box.style["anchor"]) and anchor not in found:
                found[anchor] = number
    return found

"""What the typesetter reads from a layout (as `engine.PageView`s): the engine's faults to
correct, and where each anchor and each block of text landed.

Two faults of WeasyPrint 70 are corrected by marking the block concerned (the layout says what a
mark does):
- to keep a paragraph from leaving a single line at the foot of a page, it may move a footnote of
  that page to the next one, away from its call: the paragraph is marked `data-turn` and starts a
  new page, as any other orphan;
- when a run of text that ends in a space nearly fills a line, it may break the line after one
  word: the block is marked `data-nudge`, which changes its word spacing by a hair so that the
  lines fall differently.
"""

from __future__ import annotations

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def block_starts(views) -> dict[str, int]:
    """For each page, the first block of text that begins on it (block key -> page)."""
    marks: dict[str, int] = {}
    seen: set[str] = set()
    for number, view in enumerate(views, 1):
        for element in view.keyed():
            key = element.get("data-b")
            if key in seen:
                continue
            seen.add(key)
            if number not in marks.values():
                marks[key] = number
    return marks


def note_pages(views) -> dict[str, tuple[int, int]]:
    """Each footnote (by id): the page of its call and the page its text is printed on."""
    calls: dict[str, int] = {}
    notes: dict[str, int] = {}
    for number, view in enumerate(views, 1):
        for ident in view.note_calls():
            calls.setdefault(ident, number)
        for ident in view.notes():
            notes.setdefault(ident, number)
    return {ident: (page, notes.get(ident, 0)) for ident, page in calls.items()}


def anchor_pages(views) -> dict[str, int]:
    """The page each anchor starts on."""
    found: dict[str, int] = {}
    for number, view in enumerate(views, 1):
        for anchor in view.anchors():
            found.setdefault(anchor, number)
    return found


def _parents(views) -> dict[int, object]:
    root = views[0].root()
    return {id(child): parent for parent in root.iter() for child in parent}


def turns_for(views, parents) -> list[str]:
    """Block keys to start on a new page so that every footnote prints on its call's page."""
    keys = []
    for call, note in note_pages(views).values():
        if note <= call:
            continue
        # The block broken across the foot of the call's page is the one that pushed the note on.
        after = {id(e) for e in views[call].keyed()}
        split = [e for e in views[call - 1].keyed() if id(e) in after]
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


def early_breaks(views, parents) -> list[str]:
    """Block keys where a line was broken although the next line's first word would have fit."""
    keys = []
    for view in views:
        for element, width, lines in view.blocks():
            for (line_width, _), (next_width, next_text) in zip(lines, lines[1:]):
                # Words split at spaces only: a no-break space holds two words together.
                words = next_text.strip(" ").split(" ")
                if not words[0] or line_width > width / 2:
                    continue
                # The width of the next word, from the next line's average character width.
                word = next_width * len(words[0]) / max(len(next_text), 1)
                if line_width + word < 0.9 * width:
                    keyed = element
                    while keyed is not None and keyed.get("data-b") is None:
                        keyed = parents.get(id(keyed))
                    if keyed is not None:
                        keys.append(keyed.get("data-b"))
    return keys


def faults(views) -> list[tuple[str, str]]:
    """The marks that correct the layout's faults: (block key, attribute), each once."""
    parents = _parents(views)
    return list(dict.fromkeys([(key, "data-turn") for key in turns_for(views, parents)]
                              + [(key, "data-nudge") for key in early_breaks(views, parents)]))

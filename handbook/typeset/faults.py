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

Two keeps that CSS cannot say, since they depend on how many lines a block turned out to have, are
made the same way: the block before such a break is marked `data-keep` (no break after it), and
the engine finds an earlier break:
- a heading with fewer than two lines of text after it at the foot of a page (a heading followed by
  a one-line paragraph, its list overleaf);
- a list broken with a single line of it on one side: its first item alone at the foot of a page,
  or its last alone at the head of the next. A list of longer items breaks anywhere, as a
  paragraph does (two lines on each side at least).
"""

from __future__ import annotations

import re

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


_MARKER = re.compile(r"\s*(?:[^\w\s]|\w{1,4}[.)])\s*")  # a list item's bullet or number: "•", "3.", "iv)"


def _flow_lines(view, parents) -> list[tuple[object, int]]:
    """(element, number of lines) of each block of lines in the page's text, in order: neither a
    margin box (a running head: no element), a footnote, nor a list item's marker (a block of one
    line of its own beside the item's text)."""
    return [(element, len(lines)) for element, _, lines in view.blocks()
            if element is not None and not _in_note(element, parents)
            and not (element.tag == "li" and len(lines) == 1 and _MARKER.fullmatch(lines[0][1]))]


def _in_note(element, parents) -> bool:
    while element is not None:
        if "footnote" in (element.get("class") or "").split():
            return True
        element = parents.get(id(element))
    return False


def _within(element, ancestor, parents) -> bool:
    while element is not None:
        if element is ancestor:
            return True
        element = parents.get(id(element))
    return False


def _continues(heading, there: set[int], parents) -> bool:
    """Whether what follows the heading goes on onto the next page (not a forced break)."""
    parent = parents.get(id(heading))
    if parent is None:
        return False
    later = list(parent)[list(parent).index(heading) + 1:]
    return any(id(inner) in there for element in later for inner in element.iter())


def _heading_keeps(here, there, parents) -> list[str]:
    """The last block of a page whose last heading has fewer than two lines after it."""
    flow = _flow_lines(here, parents)
    headings = [i for i, (element, _) in enumerate(flow) if element.tag in _HEADINGS and element.get("data-b")]
    if not headings:
        return []
    heading = flow[headings[-1]][0]
    keyed = here.keyed()
    after = keyed[keyed.index(heading) + 1:] if heading in keyed else []
    if sum(n for _, n in flow[headings[-1] + 1:]) >= 2 or any(e.tag == "figure" for e in after):
        return []
    if not _continues(heading, {id(e) for e in there.keyed()}, parents):
        return []
    return [(after[-1] if after else heading).get("data-b")]


def _list_keeps(here, there, parents) -> list[str]:
    """The item before a break that leaves a single line of its list on one side."""
    keys = []
    on_here = {id(e) for e in here.keyed()}
    for element in there.keyed():
        previous = _previous(element, parents)
        if element.tag != "li" or id(element) in on_here or previous is None or id(previous) not in on_here:
            continue
        items = parents[id(element)]
        before = sum(n for e, n in _flow_lines(here, parents) if _within(e, items, parents))
        after = sum(n for e, n in _flow_lines(there, parents) if _within(e, items, parents))
        if before < 2 or (after < 2 and list(items)[-1] is element):
            keys.append(previous.get("data-b"))
    return keys


def keeps_for(views, parents) -> list[str]:
    """Block keys to keep with what follows them: a break after them leaves a heading or a list
    with a single line on one side."""
    keys = []
    for here, there in zip(views, views[1:]):
        keys += _heading_keeps(here, there, parents) + _list_keeps(here, there, parents)
    return [key for key in keys if key is not None]


def faults(views) -> list[tuple[str, str]]:
    """The marks that correct the layout's faults: (block key, attribute), each once."""
    parents = _parents(views)
    return list(dict.fromkeys([(key, "data-turn") for key in turns_for(views, parents)]
                              + [(key, "data-nudge") for key in early_breaks(views, parents)]
                              + [(key, "data-keep") for key in keeps_for(views, parents)]))

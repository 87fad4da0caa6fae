"""The index as every output shows it: entries under their first letter, each with its places."""

from __future__ import annotations

from collections.abc import Callable

from handbook import pagemap
from handbook.model import Book, IndexPlace

Locate = Callable[[IndexPlace], "tuple[object, str]"]  # place -> (its label: a page, ...; where to link)


def index_groups(book: Book, page_of: Locate) -> list[dict]:
    """The index's entries by first letter, each with its places: `page_of(place)` gives a
    number (print: the page, each page once) or a label, and where to link."""
    groups: dict[str, list[dict]] = {}
    for entry in book.index:
        letter = next((c.upper() for c in entry.text if c.isalnum()), "#")
        letter = letter if letter.isalpha() else "#"
        refs: dict = {}
        for place in entry.places:
            label, target = page_of(place)
            if label is not None:
                refs.setdefault(label, target)  # the first place on a page stands for the page
        groups.setdefault(letter, []).append({"text": entry.text, "refs": list(refs.items())})
    return [{"letter": letter, "key": f"{pagemap.INDEX}/{n}", "entries": entries}
            for n, (letter, entries) in enumerate(groups.items(), 1)]

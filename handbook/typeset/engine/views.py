"""What the typesetter reads back from WeasyPrint's laid-out pages, in plain terms."""

from __future__ import annotations


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

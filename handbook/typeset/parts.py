"""The print HTML cut into parts the typesetter lays out apart: the front matter and each chapter.

Every chapter opens on a right-hand page, so a chapter's pages depend on the rest of the book only
through two numbers of its own and the page numbers it cites: the page it starts on, and where the
anchors it links to in other parts are. A part is dressed with those (`dress`): its first page is
numbered from its start, and a link to another part prints the page the book's map gives it
(`data-page`, which the layout's stylesheet prints where `target-counter()` cannot see) and points
at an address the merge turns back into a link inside the book. Same dressed HTML, same pages.

    parts = split(html)                       # front, then one per chapter
    html  = dress(part, start, anchors)       # what the typesetter is given for that part
    starts = place(counts)                    # where each part begins, blank versos between
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from handbook.typeset.merge import foreign_href

FRONT = "front"
PAGE_TEXT = 1800  # characters of text on a page of the handbook, near enough for a first guess
FRONT_PAGES = 5  # cover, its blank verso, title page, copyright page, and a page for the contents
_PART = re.compile(r"<!--part:([^>]*?)-->")  # where the layout marks a chapter's part to begin
_END = "<!--parts-end-->"
_DATES = re.compile(r'<meta name="dcterms\.[a-z]+" content="[^"]*">\n?')
# Tags as the print HTML is written: our templates and the Markdown renderer escape `"`, `<` and
# `>` inside attribute values, so a tag ends at the first `>`.
_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_ID = re.compile(r'\sid="([^"]*)"')
_LINK = re.compile(r'<a\s[^>]*>')
_HREF = re.compile(r'\shref="#([^"]*)"')


@dataclass(frozen=True)
class Part:
    name: str  # "front" or the chapter's anchor
    head: str  # the HTML up to the end of <body ...>: the same in every part
    body: str  # the part's elements of the body, as written in the whole book's HTML
    ids: frozenset[str]  # the anchors in it
    cites: tuple[str, ...]  # anchors in other parts it links to, in order, each once
    text: int  # characters of text in it
    where: dict[str, int]  # anchor -> characters of text before it

    def guess(self, pace: float = PAGE_TEXT) -> tuple[int, dict[str, int]]:
        """Its page count and its anchors' pages, guessed from its text at `pace` characters a
        page (a first build's start)."""
        count = max(1, round(self.text / pace)) + (FRONT_PAGES if self.name == FRONT else 0)
        return count, {anchor: min(count, int(chars // pace) + 1) for anchor, chars in self.where.items()}


def split(html: str) -> list[Part]:
    """The front matter (everything before the first chapter), then one part per chapter; what
    follows the chapters (the index's placeholder page) is left out: the index is laid out as a
    document of its own."""
    opened = html.index(">", html.index("<body")) + 1
    head, body = html[:opened], html[opened:html.index(_END) if _END in html else html.rindex("</body>")]
    pieces = _PART.split(body)  # text, name, text, name, text...
    # The merged PDF takes its catalog and dates from the front part: the other parts go without
    # the dates, so that a new date (a commit, an edited file) lays out the front matter only.
    undated = _DATES.sub("", head)
    return [_part(FRONT, head, pieces[0])] + [_part(name, undated, markup) for name, markup in zip(pieces[1::2], pieces[2::2])]


def whole(name: str, html: str) -> Part:
    """A document of its own as one part (the index)."""
    opened = html.index(">", html.index("<body")) + 1
    return _part(name, html[:opened], html[opened:html.rindex("</body>")])


def _part(name: str, head: str, markup: str) -> Part:
    where: dict[str, int] = {}
    text, last = 0, 0
    for tag in _TAG.finditer(markup):
        text += len(re.sub(r"<[^>]*>|\s+", " ", markup[last:tag.start()]))
        last = tag.end()
        for ident in _ID.findall(tag.group(0)):
            where.setdefault(ident, text)
    text += len(markup) - last
    tags = _TAG.findall(markup)
    cites = {t: None for tag in tags if tag.startswith("<a") for t in _HREF.findall(tag) if t not in where}
    return Part(name, head, markup, frozenset(where), tuple(cites), text, where)


def dress(part: Part, start: int | None, anchors: Mapping[str, int]) -> str:
    """The part's HTML for the typesetter: its first page numbered `start` (None: as its own HTML
    says); each link to another part carrying the page `anchors` gives it (and an address the
    merge resolves)."""
    def foreign(match: re.Match) -> str:
        tag = match.group(0)
        target = _HREF.search(tag)
        if target is None or target.group(1) not in part.cites:
            return tag
        anchor = target.group(1)
        return (tag[:target.start()] + f' href="{foreign_href(anchor)}" data-page="{anchors.get(anchor, 0)}"'
                + tag[target.end():])

    # The start page is the part's one fact about the book before it: given here, not in the
    # stylesheet, which is the same for every part.
    numbering = "" if start is None else f"<style>@page :first {{ counter-reset: page {start} }}</style>"
    return (part.head.replace("</head>", numbering + "</head>", 1) + _LINK.sub(foreign, part.body)
            + "</body>\n</html>\n")


def place(counts: list[int]) -> list[int]:
    """Each part's first page, from the page counts of the parts before it: every part after the
    first opens on a right-hand (odd) page, a blank verso before it where needed."""
    starts, page = [], 1
    for count in counts:
        starts.append(page)
        page += count
        page += (page + 1) % 2  # the next right-hand page
    return starts


def blank_before(starts: list[int], counts: list[int]) -> list[bool]:
    """Whether a blank verso goes before each part."""
    return [i > 0 and starts[i] != starts[i - 1] + counts[i - 1] for i in range(len(starts))]


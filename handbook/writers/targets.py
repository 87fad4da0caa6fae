"""How chapter tokens become HTML for each kind of output (see markdown.Target)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from markupsafe import Markup

from handbook import layouts, markdown, xrefs
from handbook.model import Book, Chapter, Checklist


@dataclass
class BaseTarget:
    book: Book
    chapter: Chapter
    layouts_dir: Path
    checklist_template: str
    epub: bool = False
    inline_notes: bool = False
    extra: dict = field(default_factory=dict)

    def link_attrs(self, url: str) -> dict[str, str]:
        """A link's attributes; cross-references get a class so layouts can add "see page N"."""
        if urlsplit(url).scheme:
            return {"href": url, "class": "external"}
        target = xrefs.resolve(self.book, self.chapter, url)
        if target is None:  # already reported by the checks
            return {"href": url, "class": "xref"}
        return {"href": self.xref(target.slug, target.ident), "class": "xref"}

    def xref(self, slug: str, ident: str | None) -> str:
        raise NotImplementedError

    def anchor(self, ident: str) -> str:
        return ident

    def image_src(self, src: str) -> str:
        return src

    def block(self, key: str) -> tuple[dict[str, str], str]:
        """Attributes for a numbered block, and a marker to place at it."""
        return {}, ""

    def checklist(self, checklist: Checklist, items: list[str]) -> str:
        return layouts.render(
            self.layouts_dir, self.checklist_template, checklist=checklist,
            items=[Markup(i) for i in items], anchor=self.anchor, **self.extra,
        )

    def body(self) -> Markup:
        return Markup(markdown.render(self.chapter.tokens, self, doc_id=self.chapter.slug))


class PrintTarget(BaseTarget):
    """One HTML document for the whole book: ids carry their chapter's slug."""

    def anchor(self, ident: str) -> str:
        return f"ch-{self.chapter.slug}--{ident}"

    def xref(self, slug: str, ident: str | None) -> str:
        return f"#ch-{slug}" + (f"--{ident}" if ident else "")

    def image_src(self, src: str) -> str:
        return "book/" + urlsplit(src).path.removeprefix("./")

    def block(self, key: str) -> tuple[dict[str, str], str]:
        # The PDF writer reads these back from the layout to learn where each page begins.
        return {"data-b": key}, ""


class PackTarget(PrintTarget):
    """Checklists printed apart from the book: a cross-reference names the book's page."""

    def link_attrs(self, url: str) -> dict[str, str]:
        target = None if urlsplit(url).scheme else xrefs.resolve(self.book, self.chapter, url)
        if target is None:
            return super().link_attrs(url)
        anchor = self.xref(target.slug, target.ident).lstrip("#")
        return {"class": "xref", "data-page": str(self.extra["pages"].get(anchor, ""))}


class FileTarget(BaseTarget):
    """One file per chapter (EPUB, web): ids stay as written; links name the file.

    `extra["page_marks"]` maps a block key to the printed page that begins there
    (or to a list of pages, when pages with no block of their own are marked there too);
    the layout's `pagebreak_template` marks each (EPUB page-list, web "page N" anchors).
    """

    def block(self, key: str) -> tuple[dict[str, str], str]:
        found = self.extra.get("page_marks", {}).get(key)
        if found is None:
            return {}, ""
        pages = found if isinstance(found, (list, tuple)) else [found]
        return {}, "".join(layouts.render(self.layouts_dir, self.extra["pagebreak_template"], page=page).strip()
                           for page in pages)

    def xref(self, slug: str, ident: str | None) -> str:
        name = slug + self.extra["suffix"]
        if slug == self.chapter.slug and ident:
            return f"#{ident}"
        return name + (f"#{ident}" if ident else "")

    def image_src(self, src: str) -> str:
        return IMAGES + urlsplit(src).path.removeprefix("./")


IMAGES = "images/"


def image_files(book: Book) -> dict[str, Path]:
    """The book's pictures under the names FileTarget links them by (the build has checked
    each is a file inside the book)."""
    found: dict[str, Path] = {}
    for chapter in book.chapters:
        for image in chapter.images:
            path = urlsplit(image.src).path.removeprefix("./")
            found.setdefault(IMAGES + path, book.root / path)
    return dict(sorted(found.items()))

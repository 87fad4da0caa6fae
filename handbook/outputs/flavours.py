"""How chapter tokens become HTML in each kind of output (the `Flavour`s of outputs/html.py).

- `PrintFlavour`: one HTML document for the whole book; ids carry their chapter (pagemap.anchor).
- `PackFlavour`: checklists printed apart from the book; a cross-reference names the book's page.
- `FileFlavour`: one file per chapter (EPUB, web); ids stay as written, links name the file, and
  each printed page is marked where it begins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

from handbook import layouts, pagemap, qrcodes
from handbook.checks import xrefs
from handbook.model import Book, Chapter, Checklist, Image
from handbook.outputs import html
from handbook.project import Project


@dataclass
class _Flavour:
    book: Book
    chapter: Chapter
    project: Project
    checklist_template: str
    markup_template: str
    epub: bool = False
    inline_notes: bool = False
    context: dict = field(default_factory=dict)  # more for the checklist template

    @property
    def markup(self) -> Any:
        return layouts.environment(self.project).get_template(self.markup_template).module

    def link_attrs(self, url: str, empty: bool = False) -> dict[str, str]:
        """A link's attributes; cross-references get a class so layouts can add the page
        ("xref-full" when the build writes the whole reference: the link had no text)."""
        if urlsplit(url).scheme:
            return {"href": url, "class": "external"}
        target = xrefs.index(self.book).resolve(self.chapter, url)
        kind = "xref xref-full" if empty else "xref"
        if target is None:  # already reported by the checks
            return {"href": url, "class": kind}
        return {"href": self.xref(target.slug, target.ident), "class": kind}

    def xref_words(self, url: str) -> str:
        """The words of a cross-reference written without any (`[](08-revenue-cycle.md#claims)`):
        the layout's wording of its target (a chapter, a section, a checklist)."""
        target = None if urlsplit(url).scheme else xrefs.index(self.book).resolve(self.chapter, url)
        if target is None:
            return ""
        chapter = self.book.chapter(target.slug)
        checklist = next((c for c in chapter.checklists if c.id == target.ident), None)
        heading = next((h for h in chapter.headings if h.id == target.ident), None)
        figure = next((f for f in chapter.figures if f.id == target.ident), None)
        if figure is not None:
            kind, title = "figure", str(self.markup.figure_label(self.book, chapter, figure.number))
        elif checklist is not None:
            kind, title = "checklist", checklist.title
        elif heading is not None:
            kind, title = "section", heading.text
        else:
            kind, title = "chapter", chapter.title
        return str(self.markup.xref_words(kind, title, self.book, chapter))

    def xref(self, slug: str, ident: str | None) -> str:
        raise NotImplementedError

    def anchor(self, ident: str) -> str:
        return ident

    def after_link(self, url: str, text: str) -> str:
        return ""

    def image_src(self, image: Image | None) -> str:
        return image.picture.name if image is not None and image.picture is not None else ""

    def block(self, key: str) -> tuple[dict[str, str], str]:
        """Attributes for a numbered block, and a marker to place at it."""
        return {}, ""

    def checklist(self, checklist: Checklist, items: list[dict], intro: str) -> str:
        return layouts.render(self.project, self.checklist_template, checklist=checklist, items=items,
                              intro=Markup(intro), anchor=self.anchor, **self.context)

    def figure_label(self, figure) -> str:
        return str(self.markup.figure_label(self.book, self.chapter, figure.number))

    def body(self) -> Markup:
        return Markup(html.render(self.chapter.tokens, self, doc_id=self.chapter.slug))


class PrintFlavour(_Flavour):
    def after_link(self, url: str, text: str) -> str:
        """On paper a web link is followed by its address, unless its words already say it."""
        if not urlsplit(url).scheme:
            return ""
        address = qrcodes.short(url)
        if address.lower() in text.lower().removeprefix("www."):
            return ""
        return str(self.markup.web_address(address))

    def anchor(self, ident: str) -> str:
        return pagemap.anchor(self.chapter.slug, ident)

    def xref(self, slug: str, ident: str | None) -> str:
        return "#" + pagemap.anchor(slug, ident)

    def block(self, key: str) -> tuple[dict[str, str], str]:
        # The typesetter reads these back from the layout to learn where each page begins.
        return {"data-b": key}, ""


class PackFlavour(PrintFlavour):
    """`context["pages"]` is the book's PageMap."""

    def link_attrs(self, url: str, empty: bool = False) -> dict[str, str]:
        target = None if urlsplit(url).scheme else xrefs.index(self.book).resolve(self.chapter, url)
        if target is None:
            return super().link_attrs(url, empty)
        page = self.context["pages"].page(target.slug, target.ident)
        return {"class": "xref xref-full" if empty else "xref", "data-page": str(page or "")}


class FileFlavour(_Flavour):
    """`context`: "suffix" of the chapter files, "breaks" (block key -> printed pages that
    begin there), "pagebreak_template" (the layout that marks a page); the rest goes to the
    checklist template."""

    def block(self, key: str) -> tuple[dict[str, str], str]:
        pages = self.context.get("breaks", {}).get(key)
        if not pages:
            return {}, ""
        return {}, "".join(layouts.render(self.project, self.context["pagebreak_template"], page=page).strip()
                           for page in pages)

    def xref(self, slug: str, ident: str | None) -> str:
        if slug == self.chapter.slug and ident:
            return f"#{ident}"
        return slug + self.context["suffix"] + (f"#{ident}" if ident else "")


class ApartFlavour(FileFlavour):
    """A chapter's checklists on another page of the web edition (my checklists): every
    cross-reference names its chapter's file, one into the same chapter too."""

    def xref(self, slug: str, ident: str | None) -> str:
        return slug + self.context["suffix"] + (f"#{ident}" if ident else "")

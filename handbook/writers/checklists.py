"""The printable checklist pack, and each checklist alone, with fillable boxes."""

from __future__ import annotations

from markupsafe import Markup

from handbook import layouts, markdown
from handbook.model import Book, Checklist
from handbook.writers.render import html_to_pdf, inputs_key
from handbook.writers.targets import PackTarget


def _entries(book: Book, ctx, checklists: list[Checklist]) -> list[dict]:
    entries = []
    for checklist in checklists:
        chapter = book.chapter(checklist.chapter)
        target = PackTarget(book, chapter, ctx.layouts_dir, "print/checklist.html.j2", extra={"pages": ctx.pages})
        items = [Markup(markdown.render_inline(i.tokens, target, chapter.slug)) for i in checklist.items]
        page = ctx.pages.get(target.anchor(checklist.id))
        entries.append({"checklist": checklist, "chapter": chapter, "items": items, "page": page})
    return entries


OPTIONS = {"pdf_forms": True, "pdf_variant": "pdf/ua-1"}


def _render(book: Book, ctx, checklists: list[Checklist], name: str, files: dict[str, bytes]) -> bytes:
    html = layouts.render(ctx.layouts_dir, "print/checklists.html.j2", book=book, config=book.config,
                          entries=_entries(book, ctx, checklists), paper=ctx.paper)
    # Everything the PDF is made from: a checklist whose page text did not change is not
    # rendered again (nor when it was already made ahead with the right page numbers).
    key = inputs_key(files, html, **OPTIONS)
    return ctx.cached(name, key, lambda: html_to_pdf(html, files, book.root, name, **OPTIONS)[0])


def write(book: Book, ctx) -> dict[str, bytes]:
    css = layouts.read(ctx.layouts_dir, "print/checklists.css").decode()
    files = {"checklists.css": css.encode(), **layouts.fonts_for(css)}
    all_lists = list(book.checklists)
    outputs = {"checklists.pdf": _render(book, ctx, all_lists, "checklists.pdf", files)}
    for checklist in all_lists:
        name = f"checklists/{checklist.id}.pdf"
        outputs[name] = _render(book, ctx, [checklist], name, files)
    return outputs

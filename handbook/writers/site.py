"""The web edition and download page: `site/`, a static folder any server (or none) can serve.

One HTML page per chapter through layouts/site, the download page, and the
site's own copies of its stylesheet, script, fonts, cover, images and
downloads, so no page asks for anything from outside the folder.
"""

from __future__ import annotations

import struct

from handbook import layouts
from handbook.errors import HandbookError
from handbook.model import Book
from handbook.writers import site_downloads
from handbook.writers.targets import FileTarget, image_files

ROOT = "site/"
SUFFIX = ".html"
ASSETS = "assets/"


def _entries(book: Book, ctx) -> list[dict]:
    """Each chapter as the pages list it: its file, number, first printed page and sections."""
    entries, number = [], 0
    for chapter in book.chapters:
        number += 0 if chapter.appendix else 1
        # The opener's block starts the chapter's first page; the anchor is the fallback.
        page = ctx.page_marks.get(f"{chapter.slug}/0", ctx.pages.get(f"ch-{chapter.slug}"))
        entries.append({"chapter": chapter, "href": chapter.slug + SUFFIX, "number": number, "page": page,
                        "toc": [h for h in chapter.headings if h.level == 2]})
    return entries


def _cover(png: bytes) -> dict:
    # The PNG header holds the size; the page states it so the layout does not jump while loading.
    width, height = struct.unpack(">II", png[16:24])
    return {"src": ASSETS + "cover.png", "width": width, "height": height}


def _assets(ctx) -> dict[str, bytes]:
    css = layouts.read(ctx.layouts_dir, "site/site.css")
    files = {ASSETS + "site.css": css, ASSETS + "checklists.js": layouts.read(ctx.layouts_dir, "site/checklists.js")}
    files.update({ASSETS + name: data for name, data in layouts.fonts_for(css.decode()).items()})
    return files


def write(book: Book, ctx) -> dict[str, bytes]:
    if "cover.png" not in ctx.outputs:
        raise HandbookError("site: cover.png was not made by an earlier writer")
    downloads, files = site_downloads.downloads(book, ctx.outputs)
    files.update(_assets(ctx))
    files[ASSETS + "cover.png"] = ctx.outputs["cover.png"]
    files.update({name: path.read_bytes() for name, path in image_files(book).items()})

    entries = _entries(book, ctx)
    common = {"book": book, "config": book.config, "downloads": downloads, "chapters": entries,
              "paper": ctx.paper}
    files["index.html"] = layouts.render(
        ctx.layouts_dir, "site/index.html.j2", cover=_cover(ctx.outputs["cover.png"]),
        by_slug={e["chapter"].slug: e for e in entries}, **common).encode()
    for i, entry in enumerate(entries):
        chapter = entry["chapter"]
        target = FileTarget(book, chapter, ctx.layouts_dir, "site/checklist.html.j2", extra={
            "suffix": SUFFIX, "page_marks": ctx.page_marks, "pagebreak_template": "site/pagebreak.html.j2",
            "config": book.config, "downloads": downloads})
        files[entry["href"]] = layouts.render(
            ctx.layouts_dir, "site/chapter.html.j2", entry=entry, body=target.body(),
            prev=entries[i - 1] if i else None, next=entries[i + 1] if i + 1 < len(entries) else None,
            **common).encode()
    return {ROOT + name: data for name, data in sorted(files.items())}

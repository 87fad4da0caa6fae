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
from handbook.outputs import Made, site_downloads
from handbook.outputs.flavours import FileFlavour
from handbook.pagemap import PageMap
from handbook.project import Project

ROOT = "site/"
SUFFIX = ".html"
ASSETS = "assets/"


def _entries(book: Book, page_map: PageMap) -> list[dict]:
    """Each chapter as the pages list it: its file, number, first printed page and sections."""
    entries, number = [], 0
    for chapter in book.chapters:
        number += 0 if chapter.appendix else 1
        page = page_map.chapter_start(chapter.slug)
        entries.append({"chapter": chapter, "href": chapter.slug + SUFFIX, "number": number, "page": page,
                        "toc": [h for h in chapter.headings if h.level == 2 and h.listed]})
    return entries


def _cover(png: bytes) -> dict:
    # The PNG header holds the size; the page states it so the layout does not jump while loading.
    width, height = struct.unpack(">II", png[16:24])
    return {"src": ASSETS + "cover.png", "width": width, "height": height}


def _assets(project: Project) -> dict[str, bytes]:
    css = layouts.read(project, "site/site.css")
    files = {ASSETS + "site.css": css, ASSETS + "checklists.js": layouts.read(project, "site/checklists.js")}
    files.update({ASSETS + name: data for name, data in layouts.fonts_for(project, css.decode()).items()})
    return files


def make(book: Book, page_map: PageMap, project: Project, made: dict[str, bytes]) -> Made:
    """The web edition; `made` holds the files it offers for download and the cover. Without a
    page map (`PageMap()`), pages carry no printed page numbers."""
    if "cover.png" not in made:
        raise HandbookError("site: error: cover.png was not made before the site")
    downloads, files = site_downloads.downloads(book, made)
    files.update(_assets(project))
    files[ASSETS + "cover.png"] = made["cover.png"]
    files.update({name: picture.data for name, picture in book.pictures.items()})

    entries = _entries(book, page_map)
    breaks = {key: [page] for key, page in page_map.starts.items()}
    common = {"book": book, "config": book.config, "downloads": downloads, "chapters": entries,
              "paper": project.paper}
    files["index.html"] = layouts.render(
        project, "site/index.html.j2", cover=_cover(made["cover.png"]),
        by_slug={e["chapter"].slug: e for e in entries}, **common).encode()
    for i, entry in enumerate(entries):
        chapter = entry["chapter"]
        flavour = FileFlavour(book, chapter, project, "site/checklist.html.j2", "site/markup.html.j2", context={
            "suffix": SUFFIX, "breaks": breaks, "pagebreak_template": "site/pagebreak.html.j2",
            "config": book.config, "downloads": downloads})
        files[entry["href"]] = layouts.render(
            project, "site/chapter.html.j2", entry=entry, body=flavour.body(),
            prev=entries[i - 1] if i else None, next=entries[i + 1] if i + 1 < len(entries) else None,
            **common).encode()
    return Made({ROOT + name: data for name, data in sorted(files.items())})

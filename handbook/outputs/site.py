"""The web edition and download page: `site/`, a static folder any server (or none) can serve.

One HTML page per chapter through layouts/site, the download page, the search page, my checklists,
and the site's own copies of its stylesheet, scripts, fonts, cover, icons, images and downloads, so
no page asks for anything from outside the folder. Then, over the finished pages: the search index
(`site_search`), the fonts cut to the characters shown (`site_fonts`), and last the service worker,
which names the cache after a digest of everything else (`site_app`).
"""

from __future__ import annotations

from markupsafe import Markup

from handbook import layouts, pagemap
from handbook.errors import HandbookError
from handbook.model import Book
from handbook.outputs import Made, bookindex, html, site_app, site_downloads, site_fonts, site_search
from handbook.outputs.flavours import ApartFlavour, FileFlavour
from handbook.pagemap import PageMap
from handbook.project import Project
from handbook.worker import Beside

ROOT = "site/"
SUFFIX = ".html"


def page_url(book: Book, slug: str, ident: str | None = None) -> str:
    """Where a chapter (and an anchor in it) is published, from `site_url`; "" without one."""
    if not book.config.site_url:
        return ""
    return book.config.site_url + slug + SUFFIX + (f"#{ident}" if ident else "")
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


SCRIPTS = ("site.js", "checklists.js", "search.js", "my-checklists.js")


def _assets(project: Project) -> dict[str, bytes]:
    files = {ASSETS + "site.css": layouts.read(project, "site/site.css")}
    files.update({ASSETS + name: layouts.read(project, f"site/{name}") for name in SCRIPTS})
    return files


def _my_checklists(book: Book, project: Project, entries: list[dict], context: dict) -> list[dict]:
    """Every checklist of the book as my-checklists.html lists it: its chapter's entry, and its
    HTML (the chapter's own layout of it, its links naming their chapter's file)."""
    listed = []
    for entry in entries:
        chapter = entry["chapter"]
        flavour = ApartFlavour(book, chapter, project, "site/checklist.html.j2", "site/markup.html.j2",
                               context={**context, "heading_level": 2})
        for checklist in chapter.checklists:
            intro, items = html.checklist_parts(checklist, flavour, chapter.slug)
            listed.append({"checklist": checklist, "chapter": entry, "html": Markup(flavour.checklist(
                checklist, items, intro))})
    return listed


def make(book: Book, page_map: PageMap, project: Project, made: dict[str, bytes],
         beside: Beside | None = None) -> Made:
    """The web edition; `made` holds the files it offers for download and the cover. Without a
    page map (`PageMap()`), pages carry no printed page numbers. `beside` (the second core) cuts
    half the fonts."""
    if "cover.png" not in made:
        raise HandbookError("site: error: cover.png was not made before the site")
    downloads, files = site_downloads.downloads(book, made)
    files.update(_assets(project))
    pictures, facts = site_app.pictures(made["cover.png"], ASSETS)
    files.update(pictures)
    files.update({name: picture.data for name, picture in book.pictures.items()})

    entries = _entries(book, page_map)
    breaks = {key: [page] for key, page in page_map.starts.items()}
    common = {"book": book, "config": book.config, "downloads": downloads, "chapters": entries,
              "paper": project.paper}
    files["index.html"] = layouts.render(
        project, "site/index.html.j2", covers=facts["covers"],
        by_slug={e["chapter"].slug: e for e in entries}, **common).encode()
    files["search.html"] = layouts.render(project, "site/search.html.j2", **common).encode()
    if book.index:
        def place(p):  # by the printed page, else by its chapter
            return page_map.page(p.slug, p.ident) or book.chapter(p.slug).title, f"{p.slug}{SUFFIX}#{p.ident}"
        files[pagemap.INDEX + SUFFIX] = layouts.render(
            project, "site/book-index.html.j2", groups=bookindex.index_groups(book, place), **common).encode()
    context = {"suffix": SUFFIX, "config": book.config, "downloads": downloads}
    files["my-checklists.html"] = layouts.render(
        project, "site/my-checklists.html.j2", listed=_my_checklists(book, project, entries, context), **common).encode()
    files["manifest.webmanifest"] = layouts.render(
        project, "site/manifest.webmanifest.j2", config=book.config, icons=facts["icons"]).encode()
    for i, entry in enumerate(entries):
        chapter = entry["chapter"]
        flavour = FileFlavour(book, chapter, project, "site/checklist.html.j2", "site/markup.html.j2", context={
            **context, "breaks": breaks, "pagebreak_template": "site/pagebreak.html.j2"})
        files[entry["href"]] = layouts.render(
            project, "site/chapter.html.j2", entry=entry, body=flavour.body(),
            prev=entries[i - 1] if i else None, next=entries[i + 1] if i + 1 < len(entries) else None,
            **common).encode()
    files.update(site_search.index({name: data for name, data in files.items() if name.endswith(SUFFIX)}))
    css, fonts = site_fonts.webfonts(project, files[ASSETS + "site.css"], site_fonts.characters(files), beside)
    files[ASSETS + "site.css"] = css
    files.update({ASSETS + name: data for name, data in fonts.items()})
    files[site_app.WORKER] = site_app.worker(project, files)
    return Made({ROOT + name: data for name, data in sorted(files.items())})

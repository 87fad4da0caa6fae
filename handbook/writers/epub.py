"""The EPUB 3: one XHTML file per chapter through layouts/epub, packaged with ebooklib.

The package is rewritten with fixed zip times (mimetype first, stored) so the
same sources give the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from ebooklib import epub

from handbook import layouts
from handbook.model import Book
from handbook.writers.targets import FileTarget

SUFFIX = ".xhtml"


def write(book: Book, ctx) -> dict[str, bytes]:
    layouts_dir = ctx.layouts_dir
    cfg = book.config
    out = epub.EpubBook()
    out.set_identifier(cfg.identifier)
    out.set_title(cfg.title)
    out.set_language(cfg.language)
    out.add_author(cfg.author)
    if cfg.publisher:
        out.add_metadata("DC", "publisher", cfg.publisher)
    if cfg.description:
        out.add_metadata("DC", "description", cfg.description)
    for subject in cfg.subjects:
        out.add_metadata("DC", "subject", subject)
    out.add_metadata("DC", "date", book.date.strftime("%Y-%m-%d"))

    css = epub.EpubItem(uid="style", file_name="style/book.css", media_type="text/css",
                        content=layouts.read(layouts_dir, "epub/book.css"))
    out.add_item(css)

    title_page = epub.EpubHtml(uid="titlepage", title=cfg.title, file_name="titlepage" + SUFFIX,
                               lang=cfg.language)
    title_page.content = layouts.render(layouts_dir, "epub/titlepage.xhtml.j2", book=book, config=cfg).encode()
    title_page.add_item(css)
    out.add_item(title_page)

    items = []
    for chapter in book.chapters:
        target = FileTarget(book, chapter, layouts_dir, "epub/checklist.xhtml.j2", epub=True,
                            extra={"suffix": SUFFIX})
        item = epub.EpubHtml(uid=f"c-{chapter.slug}", title=chapter.title, file_name=chapter.slug + SUFFIX,
                             lang=cfg.language)
        item.content = layouts.render(layouts_dir, "epub/chapter.xhtml.j2", book=book, config=cfg,
                                      chapter=chapter, body=target.body()).encode()
        item.add_item(css)
        out.add_item(item)
        items.append(item)

    out.toc = [
        (epub.Section(ch.title, href=item.file_name),
         [epub.Link(f"{item.file_name}#{h.id}", h.text, f"toc-{ch.slug}-{h.id}") for h in ch.headings if h.level == 2])
        for ch, item in zip(book.chapters, items)
    ]
    out.add_item(epub.EpubNcx())
    out.add_item(epub.EpubNav())
    out.spine = [title_page, "nav", *items]

    buffer = io.BytesIO()
    epub.write_epub(buffer, out, {"mtime": book.date, "raise_exceptions": True, "epub3_pages": False})
    return {"handbook.epub": normalise_zip(buffer.getvalue(), book.date.timetuple()[:6])}


def normalise_zip(data: bytes, when: tuple) -> bytes:
    """Same entries, fixed times and order: mimetype first and stored, as EPUB requires."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    order = ["mimetype"] + [n for n in names if n != "mimetype"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=max(when, (1980, 1, 1, 0, 0, 0)))
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            target.writestr(info, source.read(name), compresslevel=9 if name != "mimetype" else None)
    return buffer.getvalue()

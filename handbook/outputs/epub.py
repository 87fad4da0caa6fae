"""The EPUB 3: the documents of epub_docs, packaged with ebooklib.

ebooklib writes the package file (metadata from epub_meta), the NCX for EPUB 2
reading systems and the zip; the documents go in exactly as rendered. The zip
is then rewritten with fixed times (mimetype first, stored), so the same
sources give the same bytes.
"""

from __future__ import annotations

import io
import zipfile

from ebooklib import epub

from handbook import layouts
from handbook.model import Book
from handbook.outputs import Made, bookindex, epub_docs, epub_meta, epub_pages
from handbook.outputs.epub_docs import COVER_IMAGE, FILES
from handbook.project import Project
from handbook.typeset import PrintLayout

XHTML = "application/xhtml+xml"


class _Writer(epub.EpubWriter):
    """ebooklib's writer, giving the package its language too (accessibility checkers ask for it)."""

    def _write_opf_file(self, root):
        root.set("{http://www.w3.org/XML/1998/namespace}lang", self.book.language)
        super()._write_opf_file(root)


def make(book: Book, layout: PrintLayout, project: Project, cover: bytes | None) -> Made:
    """The EPUB; its page-list and page marks are those of `layout`, the PDF this build made."""
    claims = epub_meta.load_claims(project)
    page_count = layout.page_map.count
    edition = epub_meta.print_edition(claims, project.paper, page_count)
    starts = epub_pages.first_blocks(book, layout.page_map)
    images = list(book.pictures.values())
    index = None
    if book.index:
        def place(p):  # each place by the printed page it is on
            return layout.page_map.page(p.slug, p.ident), f"{p.slug}{epub_docs.SUFFIX}#{p.ident}"
        index = bookindex.index_groups(book, place)
    documents, toc = epub_docs.documents(book, project, edition, epub_pages.placement(starts, page_count), bool(cover),
                                         index)

    out = epub.EpubBook()
    epub_meta.describe(out, book, claims, edition, pictures=bool(cover or images))
    out.add_item(epub.EpubItem(uid="style", file_name="style/book.css", media_type="text/css",
                               content=layouts.read(project, "epub/book.css")))
    if cover:
        out.set_cover(COVER_IMAGE, cover, create_page=False)
    for n, picture in enumerate(images, 1):
        out.add_item(epub.EpubImage(uid=f"image-{n}", file_name=picture.name, content=picture.data,
                                    media_type=picture.media_type))
    for doc in documents:
        item = epub.EpubItem(uid=doc.uid, file_name=doc.name, media_type=XHTML, content=doc.content)
        item.properties = ["nav"] if doc.name == FILES["nav"] else []
        out.add_item(item)
        out.spine.append(item)
    out.toc = [(epub.Section(entry["chapter"].title, href=entry["href"]),
                [epub.Link(f"{entry['href']}#{h.id}", h.text, f"toc-{entry['chapter'].slug}-{h.id}")
                 for h in entry["sections"]])
               for entry in toc]
    if index:
        out.toc.append(epub.Link(epub_docs.INDEX, "Index", "toc-index"))
    out.add_item(epub.EpubNcx())
    out.guide = [{"type": "cover", "href": FILES["cover"], "title": "Cover"}] if cover else []
    out.guide += [{"type": "title-page", "href": FILES["titlepage"], "title": "Title page"},
                  {"type": "toc", "href": FILES["nav"], "title": "Contents"},
                  {"type": "text", "href": toc[0]["href"], "title": toc[0]["chapter"].title}]
    if index:
        out.guide.append({"type": "index", "href": epub_docs.INDEX, "title": "Index"})

    buffer = io.BytesIO()
    writer = _Writer(buffer, out, {"mtime": book.date, "raise_exceptions": True, "epub3_pages": False})
    writer.process()
    writer.write()
    return Made({"handbook.epub": normalise_zip(buffer.getvalue(), book.date.timetuple()[:6])})


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

"""Two PDFs compared as a reader meets them, page by page: text, page labels, links, bookmarks, tags,
form fields and the catalog's accessibility entries. `differences(a, b)` is empty when they agree;
otherwise it holds short messages, the first few of each kind."""

from __future__ import annotations

from itertools import zip_longest
from pathlib import Path

import pikepdf
from pdf_support import bookmarks, page_texts, reader
from pdf_tags import structure

SHOWN = 3  # differences reported of each kind


def differences(a: Path, b: Path) -> list[str]:
    found: list[str] = []
    pa, pb = reader(a), reader(b)
    if len(pa.pages) != len(pb.pages):
        found.append(f"pages: {len(pa.pages)} != {len(pb.pages)}")
    # A glyph maps to one character per font subset: where a part's subset and the whole book's
    # map a space glyph to different spaces, the words agree and only the spaces differ.
    ta, tb = page_texts(pa), page_texts(pb)
    wa, wb = [" ".join(t.split()) for t in ta], [" ".join(t.split()) for t in tb]
    found += _per_page("text", wa, wb)
    found += _per_page("spaces", [x if u == v else "" for x, u, v in zip(ta, wa, wb)],
                       [y if u == v else "" for y, u, v in zip(tb, wa, wb)])
    found += _sequence("page labels", list(pa.page_labels), list(pb.page_labels))
    found += _sequence("bookmarks", [(m.title, m.depth, m.page) for m in bookmarks(pa)],
                       [(m.title, m.depth, m.page) for m in bookmarks(pb)])
    with pikepdf.open(a) as qa, pikepdf.open(b) as qb:
        found += _per_page("links", _links(qa), _links(qb))
        found += _sequence("form fields", _fields(qa), _fields(qb))
        found += _sequence("catalog", _catalog(qa), _catalog(qb))
    found += _sequence("tags", _tags(a), _tags(b))
    return found


def _per_page(kind: str, a: list, b: list) -> list[str]:
    out = [f"{kind}: page {n}: {_where(x, y)}" for n, (x, y) in enumerate(zip_longest(a, b), 1) if x != y]
    return out[:SHOWN] + ([f"{kind}: {len(out) - SHOWN} more pages differ"] if len(out) > SHOWN else [])


def _where(x, y) -> str:
    """Two values that differ; two strings from a little before the first character they differ at."""
    if not (isinstance(x, str) and isinstance(y, str)):
        return f"{x!r:.160} != {y!r:.160}"
    at = next((i for i, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
    start = max(0, at - 30)
    return f"at character {at}: {x[start:at + 50]!r} != {y[start:at + 50]!r}"


def _sequence(kind: str, a: list, b: list) -> list[str]:
    """Where two lists first part ways, and their lengths if those differ."""
    out = [f"{kind}: item {n}: {x!r:.160} != {y!r:.160}"
           for n, (x, y) in enumerate(zip_longest(a, b), 1) if x != y][:SHOWN]
    if len(a) != len(b):
        out.append(f"{kind}: {len(a)} items != {len(b)}")
    return out


def _names(pdf: pikepdf.Pdf) -> dict[str, int]:
    """Named destination -> page number (1-based)."""
    pages = {page.objgen: n for n, page in enumerate(pdf.pages, 1)}
    found: dict[str, int] = {}

    def walk(node):
        flat = node.get("/Names", [])
        for i in range(0, len(flat), 2):
            dest = flat[i + 1]
            dest = dest.D if isinstance(dest, pikepdf.Dictionary) else dest
            found.setdefault(str(flat[i]), pages.get(dest[0].objgen))
        for kid in node.get("/Kids", []):
            walk(kid)

    dests = pdf.Root.get("/Names", {}).get("/Dests")
    if dests is not None:
        walk(dests)
    return found


def _links(pdf: pikepdf.Pdf) -> list[list[tuple]]:
    """Each page's links: ("page", the page an internal link lands on) or ("uri", its address)."""
    names = _names(pdf)
    pages = {page.objgen: n for n, page in enumerate(pdf.pages, 1)}
    out = []
    for page in pdf.pages:
        links = []
        for annot in page.get("/Annots", []):
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            dest = annot.get("/Dest", action.get("/D") if action is not None else None)
            if action is not None and action.get("/S") == "/URI":
                links.append(("uri", str(action.URI)))
            elif isinstance(dest, pikepdf.String):
                links.append(("page", names.get(str(dest))))
            elif isinstance(dest, pikepdf.Array):
                links.append(("page", pages.get(dest[0].objgen)))
            else:
                links.append(("other", repr(action)[:60]))
        out.append(links)
    return out


def _fields(pdf: pikepdf.Pdf) -> list[tuple]:
    """Every form field's widget: (qualified name, page, value)."""
    out = []
    for n, page in enumerate(pdf.pages, 1):
        for annot in page.get("/Annots", []):
            if annot.get("/Subtype") != "/Widget":
                continue
            names, node, value = [], annot, None
            while node is not None:
                if "/T" in node:
                    names.insert(0, str(node.T))
                value = node.get("/V") if value is None else value
                node = node.get("/Parent")
            out.append((".".join(names), n, None if value is None else str(value)))
    return out


def _catalog(pdf: pikepdf.Pdf) -> list[tuple]:
    root = pdf.Root
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        title = xmp.get("dc:title")
    return [("Lang", str(root.get("/Lang"))),
            ("Marked", bool(root.get("/MarkInfo", {}).get("/Marked", False))),
            ("DisplayDocTitle", bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False))),
            ("dc:title", title)]


def _tags(path: Path) -> list[tuple]:
    """The structure tree in reading order: (role, page, alternate text, actual text, links)."""
    return [(t.role, t.page, t.alt, t.actual, len(t.annotations)) for t in structure(path).walk()]

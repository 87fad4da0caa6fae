"""Joining the book's parts, each laid out by WeasyPrint as a tagged PDF of its own, into one PDF.

    pdf = merge.merge([front, chapter1, ..., index], blank_before=[False, True, ..., False])

The result is meant to be the file WeasyPrint writes when it lays out the whole book at once: the
pages in order (with a blank verso where a part must start on a right-hand page), one name tree of
destinations, the links between parts made internal links, the bookmarks in one outline, one
structure tree with one parent tree, the form's fields, and the first part's catalog (language,
XMP metadata, viewer preferences) and document information.

WeasyPrint drops a link to `#anchor` when the anchor is not in the document it lays out, and logs
an error. A part links to another part's anchor with `foreign_href(anchor)` instead, an absolute
URL it keeps silently as a URI link; the merge turns each such link into what WeasyPrint writes
for `#anchor`. Fonts are not merged: each part keeps its own subsets.
"""

from __future__ import annotations

import io
from urllib.parse import quote, unquote

import pikepdf
from pikepdf import Array, Dictionary, Name, String

# `.invalid` is reserved (RFC 2606): such an address can never be fetched or mistaken for a page.
FOREIGN = "https://handbook.invalid/anchor/"
# What the merge takes over from the parts itself; the first part's other catalog entries are kept.
_MERGED = {"/Type", "/Pages", "/Names", "/Outlines", "/StructTreeRoot", "/AcroForm"}


def foreign_href(anchor: str) -> str:
    """The href of a link to `anchor` in another part. Quoted whole, so that an anchor with `#`,
    `%` or letters outside ASCII comes back unchanged from WeasyPrint's URL handling."""
    return FOREIGN + quote(anchor, safe="")


def foreign_anchor(href: str) -> str | None:
    """The anchor a `foreign_href` links to (None: not a link to another part)."""
    return unquote(href[len(FOREIGN):]) if href.startswith(FOREIGN) else None


def merge(parts: list[bytes], blank_before: list[bool]) -> bytes:
    """parts: each part's PDF, in book order; blank_before[i]: one blank page before part i (the
    verso a whole-book layout leaves so that the part starts on a right-hand page)."""
    if not parts or len(parts) != len(blank_before):
        raise ValueError("merge needs one or more parts and one blank_before flag for each")
    out = pikepdf.new()
    sources = [pikepdf.open(io.BytesIO(data)) for data in parts]
    catalogs, key = [], 0  # key: the next free parent-tree key of the merged document
    nums: list[tuple[int, object]] = []
    for number, (source, blank) in enumerate(zip(sources, blank_before), 1):
        if "/StructTreeRoot" not in source.Root:
            raise ValueError(f"part {number} has no structure tree: each part must be a tagged PDF")
        if "/PageLabels" in source.Root:  # WeasyPrint 70 writes none
            raise ValueError(f"part {number} has page labels, which the merge does not renumber")
        if set(source.Root.get("/Names", {}).keys()) - {"/Dests"}:  # attached files, for one
            raise ValueError(f"part {number} has name trees other than destinations, which the merge drops")
        if blank:
            out.pages.append(_blank(out, source.pages[0], key))
            nums.append((key, Array()))
            key += 1
        start = len(out.pages)
        for page in source.pages:
            out.pages.append(page)
        # qpdf keeps one copy of each object per source file: the pages the catalog's trees refer
        # to (tags, destinations, bookmarks) are the pages just appended, not second copies.
        catalog = out.copy_foreign(source.Root)
        catalogs.append(catalog)
        tree = catalog.StructTreeRoot
        own = list(_pairs(tree.ParentTree, "/Nums"))
        nums += [(k + key, v) for k, v in own]
        for page in out.pages[start:]:
            page.obj.StructParents = int(page.obj.StructParents) + key
            for annot in page.obj.get("/Annots", []):
                if "/StructParent" in annot:
                    annot.StructParent = int(annot.StructParent) + key
        key += int(tree.get("/ParentTreeNextKey", max((k for k, _ in own), default=-1) + 1))
    _catalog(out, sources[0], catalogs)
    _structure(out, catalogs, nums, key)
    names = _destinations(out, catalogs)
    _links(out, names)
    _outline(out, catalogs)
    _form(out, catalogs)
    buffer = io.BytesIO()
    out.save(buffer, deterministic_id=True, compress_streams=True, linearize=False,
             object_stream_mode=pikepdf.ObjectStreamMode.generate,
             min_version=max(source.pdf_version for source in sources))
    return buffer.getvalue()


def _pairs(node, key: str):
    """The (key, value) pairs of a name or number tree, in order, through its /Kids if any."""
    flat = node.get(key, [])
    for i in range(0, len(flat), 2):
        yield (flat[i] if key == "/Names" else int(flat[i])), flat[i + 1]
    for kid in node.get("/Kids", []):
        yield from _pairs(kid, key)


def _blank(out: pikepdf.Pdf, neighbour: pikepdf.Page, key: int) -> pikepdf.Page:
    """A blank page as WeasyPrint writes one for `break-before: right`: the neighbour's boxes and
    resources, a content stream that only sets up its coordinates, a key in the parent tree."""
    page = neighbour.obj
    trim = page.TrimBox
    height = float(trim[3]) - float(trim[1])
    height_text = str(int(height)) if height.is_integer() else f"{height:f}".rstrip("0")
    content = f"1 0 0 -1 0 {height_text} cm\nq\n0.75 0 0 0.75 0 0 cm\nQ".encode()
    # The part's resources are one object all its pages share: the copy its pages will use.
    resources = out.copy_foreign(page.Resources) if page.Resources.is_indirect else Dictionary()
    blank = Dictionary(Type=Name.Page, Contents=out.make_stream(content), Resources=resources,
                       Tabs=Name.S, StructParents=key)
    for box in ("/MediaBox", "/TrimBox", "/BleedBox", "/CropBox", "/ArtBox"):
        if box in page:
            blank[box] = Array(list(page[box]))
    return pikepdf.Page(out.make_indirect(blank))


def _catalog(out: pikepdf.Pdf, first: pikepdf.Pdf, catalogs: list) -> None:
    """The first part's language, marking, metadata and viewer preferences; its document info."""
    for key, value in catalogs[0].items():
        if key not in _MERGED:
            out.Root[key] = value
    if "/Info" in first.trailer:
        out.trailer.Info = out.copy_foreign(first.trailer.Info)


def _structure(out: pikepdf.Pdf, catalogs: list, nums: list, next_key: int) -> None:
    """One structure tree: the first part's Document element holds every part's elements in
    order; the parent tree holds every part's entries under their shifted keys."""
    root = catalogs[0].StructTreeRoot
    document = root.K[0] if isinstance(root.K, Array) else root.K
    kids = []
    for index, catalog in enumerate(catalogs):
        tree = catalog.StructTreeRoot
        part = tree.K[0] if isinstance(tree.K, Array) else tree.K
        for kid in (part.K if isinstance(part.K, Array) else [part.K]):
            if isinstance(kid, Dictionary):
                kid.P = document
            kids.append(kid)
        if index:
            _rename_ids(part, f"{index}.")
            for mapping in ("/RoleMap", "/ClassMap"):  # WeasyPrint 70 writes neither: kept if it ever does
                if mapping in tree and mapping not in root:
                    root[mapping] = Dictionary()
                for name, value in tree.get(mapping, {}).items():
                    if name not in root[mapping]:
                        root[mapping][name] = value
    document.K = Array(kids)
    out.Root.StructTreeRoot = root
    root.ParentTree = out.make_indirect(Dictionary(Nums=Array([x for pair in nums for x in pair])))
    if "/ParentTreeNextKey" in root:
        root.ParentTreeNextKey = next_key
    if "/IDTree" in root:  # WeasyPrint 70 writes none; one made from the first part would be wrong
        del root["/IDTree"]


def _rename_ids(element, prefix: str) -> None:
    """WeasyPrint names a table's header cells after the table's object number, which another part
    can repeat: a later part's IDs, and the /Headers that cite them, take the part's number."""
    stack = [element]
    while stack:
        element = stack.pop()
        if "/ID" in element:
            element.ID = String(prefix + str(element.ID))
        attributes = element.get("/A")
        for attribute in (attributes if isinstance(attributes, Array) else [attributes] if attributes else []):
            if isinstance(attribute, Dictionary) and "/Headers" in attribute:
                attribute.Headers = Array([String(prefix + str(h)) for h in attribute.Headers])
        kids = element.get("/K")
        stack += [k for k in (kids if isinstance(kids, Array) else [kids])
                  if isinstance(k, Dictionary) and "/S" in k]


def _destinations(out: pikepdf.Pdf, catalogs: list) -> dict[str, String]:
    """One name tree of every part's destinations, sorted by the names' bytes as a name tree must
    be. A name in two parts keeps its first place, as WeasyPrint keeps an anchor's first page."""
    found: dict[bytes, tuple] = {}
    for catalog in catalogs:
        dests = catalog.get("/Names", {}).get("/Dests")
        for name, dest in (_pairs(dests, "/Names") if dests is not None else ()):
            found.setdefault(bytes(name), (name, dest))
    if found:
        out.Root.Names = Dictionary(Dests=Dictionary(Names=Array(
            [x for raw in sorted(found) for x in found[raw]])))
    return {str(name): name for name, _ in found.values()}


def _links(out: pikepdf.Pdf, names: dict[str, String]) -> None:
    """Each link to another part becomes what WeasyPrint writes for `#anchor`: a named
    destination, the name as its description, no action."""
    for page in out.pages:
        for annot in page.obj.get("/Annots", []):
            action = annot.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            anchor = foreign_anchor(uri)
            if annot.get("/Subtype") != Name.Link or anchor is None:
                continue
            if anchor not in names:
                raise ValueError(f"a link goes to #{anchor}, an anchor no part has")
            del annot["/A"]
            annot.Dest = names[anchor]
            annot.Contents = names[anchor]


def _outline(out: pikepdf.Pdf, catalogs: list) -> None:
    """The parts' top-level bookmarks, in order, in one outline (their children come along)."""
    items, count = [], 0
    for catalog in catalogs:
        outline = catalog.get("/Outlines")
        if outline is None:
            continue
        count += int(outline.get("/Count", 0))
        item = outline.get("/First")
        while item is not None:
            items.append(item)
            item = item.get("/Next")
    if not items:
        return
    root = out.make_indirect(Dictionary(Count=count, First=items[0], Last=items[-1]))
    for before, item, after in zip([None] + items[:-1], items, items[1:] + [None]):
        item.Parent = root
        for key, other in (("/Prev", before), ("/Next", after)):
            if other is None:
                if key in item:
                    del item[key]
            else:
                item[key] = other
    out.Root.Outlines = root


def _form(out: pikepdf.Pdf, catalogs: list) -> None:
    """One form: every part's fields (their widgets are already in the pages' annotations) and the
    first form's other entries. A field's /DA names a font of its own part's /DR: the merged /DR
    holds every part's fonts and graphic states, the first part's where two share a name."""
    forms = [c.AcroForm for c in catalogs if "/AcroForm" in c]
    if not forms:
        return
    form = forms[0]
    form.Fields = Array([field for f in forms for field in f.get("/Fields", [])])
    resources = Dictionary()
    for other in forms:
        for kind, named in other.get("/DR", {}).items():
            if isinstance(named, Dictionary):
                if kind not in resources:
                    resources[kind] = Dictionary()
                for name, value in named.items():
                    if name not in resources[kind]:
                        resources[kind][name] = value
    if "/DR" in form:
        form.DR = resources
    out.Root.AcroForm = form

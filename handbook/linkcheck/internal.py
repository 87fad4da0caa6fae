"""Links inside the finished files, checked offline on every build: PDF, EPUB and the web edition.

Each function takes the file's bytes and returns a list of problems as readable strings (empty when
every link lands somewhere); external http(s) and mailto links are left to the external checker.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from typing import Callable, Iterable
from urllib.parse import unquote, urlsplit

from lxml import etree
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, TextStringObject

from handbook.linkcheck import pages

_EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")  # any scheme, or a network-path reference


# --- PDF ---------------------------------------------------------------------------------------

def check_pdf_links(pdf_bytes: bytes, name: str) -> list[str]:
    """Every link annotation (and outline entry) of the PDF must land on an existing page."""
    try:
        reader = PdfReader(io.BytesIO(pdf_bytes))
        page_refs = {page.indirect_reference.idnum for page in reader.pages if page.indirect_reference}
        named = _named_destinations(reader)
    except (PdfReadError, ValueError, KeyError) as exc:
        return [f"{name}: cannot be read: {exc}"]
    problems = []
    for number, page in enumerate(reader.pages, 1):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            action = action.get_object() if action is not None else None
            if "/Dest" in annot:
                dest = annot["/Dest"]
            elif isinstance(action, DictionaryObject) and action.get("/S") == "/GoTo":
                dest = action.get("/D")
            elif isinstance(action, DictionaryObject) and action.get("/S") == "/URI":
                if not str(action.get("/URI", "")).strip():
                    problems.append(f"{name}: page {number}: link with an empty URI")
                continue
            elif isinstance(action, DictionaryObject):
                problems.append(f"{name}: page {number}: link action {action.get('/S')} leaves the document")
                continue
            else:
                problems.append(f"{name}: page {number}: link without a destination")
                continue
            if problem := _dest_problem(dest, named, page_refs):
                problems.append(f"{name}: page {number}: {problem}")
    return problems + _outline_problems(reader, named, page_refs, name)


def _named_destinations(reader: PdfReader) -> dict[str, object]:
    """Name -> destination array, from the /Dests name tree and the old /Dests dictionary."""
    named: dict[str, object] = {}
    root = reader.trailer["/Root"]
    tree = root.get("/Names", {}).get_object().get("/Dests") if "/Names" in root else None
    stack = [tree.get_object()] if tree is not None else []
    while stack:
        node = stack.pop()
        entries = node.get("/Names") or []
        for i in range(0, len(entries) - 1, 2):
            named[str(entries[i])] = entries[i + 1].get_object()
        stack += [kid.get_object() for kid in node.get("/Kids") or []]
    if "/Dests" in root:
        for key, value in root["/Dests"].get_object().items():
            named[str(key).lstrip("/")] = value.get_object()
    return named


def _dest_problem(dest: object, named: dict[str, object], page_refs: set[int]) -> str | None:
    if isinstance(dest, IndirectObject):
        dest = dest.get_object()
    if isinstance(dest, (TextStringObject, NameObject, str, bytes)):
        key = str(dest).lstrip("/") if isinstance(dest, NameObject) else str(dest)
        if key not in named:
            return f"link to unknown destination {key!r}"
        dest = named[key]
    if isinstance(dest, DictionaryObject):  # a named destination may be wrapped as << /D [...] >>
        dest = dest.get("/D", dest).get_object() if "/D" in dest else dest
    if not isinstance(dest, ArrayObject) or not dest:
        return "link with a malformed destination"
    target = dest[0]
    if isinstance(target, IndirectObject) and target.idnum in page_refs:
        return None
    return "link to missing page"


def _outline_problems(reader: PdfReader, named: dict[str, object], page_refs: set[int], name: str) -> list[str]:
    problems = []
    root = reader.trailer["/Root"]
    outlines = root.get("/Outlines")
    stack = [outlines.get_object().get("/First")] if outlines is not None else []
    seen: set[int] = set()
    while stack:
        ref = stack.pop()
        if ref is None or (isinstance(ref, IndirectObject) and ref.idnum in seen):
            continue
        if isinstance(ref, IndirectObject):
            seen.add(ref.idnum)
        item = ref.get_object()
        dest = item.get("/Dest")
        action = item.get("/A")
        if dest is None and action is not None and action.get_object().get("/S") == "/GoTo":
            dest = action.get_object().get("/D")
        if dest is not None and (problem := _dest_problem(dest, named, page_refs)):
            problems.append(f"{name}: outline entry {str(item.get('/Title', '?'))!r}: {problem}")
        stack += [item.get("/Next"), item.get("/First")]
    return problems


# --- EPUB and web site -------------------------------------------------------------------------

def _resolve(base: str, ref: str) -> tuple[str, str] | None:
    """(file path inside the package, fragment) that `ref` in file `base` names; None for external links."""
    if not ref or _EXTERNAL.match(ref):
        return None
    parts = urlsplit(ref)
    path = unquote(parts.path)
    if path.startswith("/"):
        target = posixpath.normpath(path.lstrip("/"))
    elif path:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(base), path))
    else:
        target = base  # "#id" names the same file
    return target, unquote(parts.fragment)


def _check_refs(where: str, refs: Iterable[tuple[str, int]], files: set[str],
                ids_of: Callable[[str], frozenset[str] | None], index: str | None = None) -> list[str]:
    """Problems of the references `refs` ((ref, line) pairs) found in file `where`."""
    problems = []
    for ref, line in refs:
        resolved = _resolve(where, ref)
        if resolved is None:
            continue
        target, frag = resolved
        at = f"{where}:{line}" if line else where
        if index and (urlsplit(ref).path.endswith("/") or target == "." or
                      (target not in files and f"{target}/{index}" in files)):
            target = posixpath.normpath(posixpath.join(target, index))  # a folder is served as its index page
        if target.startswith("../") or target == "..":
            problems.append(f"{at}: link {ref!r} leaves the package")
        elif target not in files:
            problems.append(f"{at}: link to missing file {ref!r}")
        elif frag and (ids := ids_of(target)) is not None and frag not in ids:
            problems.append(f"{at}: link to missing id {frag!r} in {target}")
    return problems


def check_epub_links(epub_bytes: bytes, name: str) -> list[str]:
    """Every href/src of the XHTML, nav and NCX files, and of the OPF manifest, resolves inside the package."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(epub_bytes))
        files = {n for n in archive.namelist() if not n.endswith("/")}
        container = etree.fromstring(archive.read("META-INF/container.xml"))
        opf_path = container.find(".//{*}rootfile").get("full-path")
        opf = etree.fromstring(archive.read(opf_path))
    except (zipfile.BadZipFile, KeyError, AttributeError, etree.XMLSyntaxError) as exc:
        return [f"{name}: not a readable EPUB: {exc}"]
    trees: dict[str, etree._Element | None] = {}

    def tree(path: str) -> etree._Element | None:
        if path not in trees:
            trees[path] = pages.parse(archive.read(path), xml=True)
        return trees[path]

    def ids_of(path: str) -> frozenset[str] | None:
        return pages.ids(tree(path)) if path.endswith((".xhtml", ".html", ".htm", ".svg")) else None

    problems: list[str] = []
    manifest: set[str] = set()
    manifest_refs = []
    for item in opf.iter("{*}item"):
        manifest_refs.append((item.get("href", ""), item.sourceline or 0))
        if (resolved := _resolve(opf_path, item.get("href", ""))) is not None:
            manifest.add(resolved[0])
    problems += _check_refs(opf_path, manifest_refs, files, ids_of)
    ids_in_manifest = {item.get("id") for item in opf.iter("{*}item")}
    for itemref in opf.iter("{*}itemref"):
        if itemref.get("idref") not in ids_in_manifest:
            problems.append(f"{opf_path}:{itemref.sourceline}: spine item {itemref.get('idref')!r} is not in the manifest")
    for path in sorted(manifest & files):
        if path.endswith((".xhtml", ".html", ".htm", ".svg")):
            refs = list(pages.links(tree(path)))
        elif path.endswith(".ncx"):
            ncx = pages.parse(archive.read(path), xml=True)
            refs = [(c.get("src", ""), c.sourceline or 0) for c in ncx.iter("{*}content")] if ncx is not None else []
        elif path.endswith(".css"):
            refs = _css_refs(archive.read(path))
        else:
            continue
        problems += _check_refs(path, refs, files, ids_of)
        for ref, line in refs:  # a file the package holds but does not declare is invisible to readers
            resolved = _resolve(path, ref)
            if resolved and resolved[0] in files and resolved[0] not in manifest and resolved[0] != path:
                problems.append(f"{path}:{line}: {resolved[0]} is not listed in the manifest")
    return [f"{name}: {p}" for p in problems]


def _css_refs(css: bytes) -> list[tuple[str, int]]:
    text = css.decode("utf-8", "replace")
    return [(m.group(2).strip(), text.count("\n", 0, m.start()) + 1)
            for m in re.finditer(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)", text)]


def check_site_links(files: dict[str, bytes]) -> list[str]:
    """Every relative href/src of the site's HTML pages resolves to one of `files` (and to its #id)."""
    names = {posixpath.normpath(n.replace("\\", "/")) for n in files}
    content = {posixpath.normpath(n.replace("\\", "/")): data for n, data in files.items()}
    trees: dict[str, etree._Element | None] = {}

    def tree(path: str) -> etree._Element | None:
        if path not in trees:
            trees[path] = pages.parse(content[path])
        return trees[path]

    def ids_of(path: str) -> frozenset[str] | None:
        return pages.ids(tree(path)) if path.endswith((".html", ".htm")) else None

    problems: list[str] = []
    for path in sorted(names):
        if path.endswith((".html", ".htm")):
            problems += _check_refs(path, pages.links(tree(path)), names, ids_of, index="index.html")
        elif path.endswith(".css"):
            problems += _check_refs(path, _css_refs(content[path]), names, ids_of)
    return problems

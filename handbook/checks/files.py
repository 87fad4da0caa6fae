"""Links inside the finished files, checked offline on every build: PDF, EPUB and the web edition.

Each function takes the file's bytes and returns its problems as `Diagnostic`s (none when every
link lands somewhere), each placed at the output file (and the file and line inside an EPUB or the
site); external http(s) and mailto links are left to the external checker.
"""

from __future__ import annotations

import functools
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

from handbook.errors import Diagnostic
from handbook.linkcheck import pages

CODE = "broken-link"


def _problem(path: str, message: str, line: int = 0) -> Diagnostic:
    return Diagnostic(path, line, "error", CODE, message)

_EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")  # any scheme, or a network-path reference


# --- PDF ---------------------------------------------------------------------------------------

def check_pdf_links(pdf_bytes: bytes, name: str) -> list[Diagnostic]:
    """Every link annotation (and outline entry) of the PDF must land on an existing page."""
    try:
        reader = PdfReader(io.BytesIO(pdf_bytes))
        page_refs = {page.indirect_reference.idnum for page in reader.pages if page.indirect_reference}
        named = _named_destinations(reader)
    except (PdfReadError, ValueError, KeyError) as exc:
        return [_problem(name, f"cannot be read: {exc}")]
    problems: list[Diagnostic] = []
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
                    problems.append(_problem(name, f"page {number}: link with an empty URI"))
                continue
            elif isinstance(action, DictionaryObject):
                problems.append(_problem(name, f"page {number}: link action {action.get('/S')} leaves the document"))
                continue
            else:
                problems.append(_problem(name, f"page {number}: link without a destination"))
                continue
            if problem := _dest_problem(dest, named, page_refs):
                problems.append(_problem(name, f"page {number}: {problem}"))
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


def _outline_problems(reader: PdfReader, named: dict[str, object], page_refs: set[int], name: str) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
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
            problems.append(_problem(name, f"outline entry {str(item.get('/Title', '?'))!r}: {problem}"))
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
                ids_of: Callable[[str], frozenset[str] | None], index: str | None = None,
                prefix: str = "") -> list[Diagnostic]:
    """Problems of the references `refs` ((ref, line) pairs) found in file `where` (named
    `prefix + where` in the diagnostics)."""
    problems: list[Diagnostic] = []
    for ref, line in refs:
        resolved = _resolve(where, ref)
        if resolved is None:
            continue
        target, frag = resolved
        if index and (urlsplit(ref).path.endswith("/") or target == "." or
                      (target not in files and f"{target}/{index}" in files)):
            target = posixpath.normpath(posixpath.join(target, index))  # a folder is served as its index page
        if target.startswith("../") or target == "..":
            problems.append(_problem(prefix + where, f"link {ref!r} leaves the package", line))
        elif target not in files:
            problems.append(_problem(prefix + where, f"link to missing file {ref!r}", line))
        elif frag and (ids := ids_of(target)) is not None and frag not in ids:
            problems.append(_problem(prefix + where, f"link to missing id {frag!r} in {target}", line))
    return problems


def check_epub_links(epub_bytes: bytes, name: str) -> list[Diagnostic]:
    """Every href/src of the XHTML, nav and NCX files, and of the OPF manifest, resolves inside the package."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(epub_bytes))
        files = {n for n in archive.namelist() if not n.endswith("/")}
        container = etree.fromstring(archive.read("META-INF/container.xml"))
        opf_path = container.find(".//{*}rootfile").get("full-path")
        opf = etree.fromstring(archive.read(opf_path))
    except (zipfile.BadZipFile, KeyError, AttributeError, etree.XMLSyntaxError) as exc:
        return [_problem(name, f"not a readable EPUB: {exc}")]
    trees: dict[str, etree._Element | None] = {}

    def tree(path: str) -> etree._Element | None:
        if path not in trees:
            trees[path] = pages.parse(archive.read(path), xml=True)
        return trees[path]

    @functools.cache  # once per file, not once per link: checking stays linear in the links
    def ids_of(path: str) -> frozenset[str] | None:
        return pages.ids(tree(path)) if path.endswith((".xhtml", ".html", ".htm", ".svg")) else None

    inside = name + "/"
    problems: list[Diagnostic] = []
    manifest: set[str] = set()
    manifest_refs = []
    for item in opf.iter("{*}item"):
        manifest_refs.append((item.get("href", ""), item.sourceline or 0))
        if (resolved := _resolve(opf_path, item.get("href", ""))) is not None:
            manifest.add(resolved[0])
    problems += _check_refs(opf_path, manifest_refs, files, ids_of, prefix=inside)
    ids_in_manifest = {item.get("id") for item in opf.iter("{*}item")}
    for itemref in opf.iter("{*}itemref"):
        if itemref.get("idref") not in ids_in_manifest:
            problems.append(_problem(inside + opf_path, f"spine item {itemref.get('idref')!r} is not in the manifest",
                                     itemref.sourceline or 0))
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
        problems += _check_refs(path, refs, files, ids_of, prefix=inside)
        for ref, line in refs:  # a file the package holds but does not declare is invisible to readers
            resolved = _resolve(path, ref)
            if resolved and resolved[0] in files and resolved[0] not in manifest and resolved[0] != path:
                problems.append(_problem(inside + path, f"{resolved[0]} is not listed in the manifest", line))
    return problems


def _css_refs(css: bytes) -> list[tuple[str, int]]:
    text = css.decode("utf-8", "replace")
    return [(m.group(2).strip(), text.count("\n", 0, m.start()) + 1)
            for m in re.finditer(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)", text)]


def check_site_links(files: dict[str, bytes], prefix: str = "site/") -> list[Diagnostic]:
    """Every relative href/src of the site's HTML pages resolves to one of `files` (and to its #id);
    `files` are named inside the site, diagnostics with `prefix` before."""
    names = {posixpath.normpath(n.replace("\\", "/")) for n in files}
    content = {posixpath.normpath(n.replace("\\", "/")): data for n, data in files.items()}
    trees: dict[str, etree._Element | None] = {}

    def tree(path: str) -> etree._Element | None:
        if path not in trees:
            trees[path] = pages.parse(content[path])
        return trees[path]

    @functools.cache  # once per file, not once per link
    def ids_of(path: str) -> frozenset[str] | None:
        return pages.ids(tree(path)) if path.endswith((".html", ".htm")) else None

    problems: list[Diagnostic] = []
    for path in sorted(names):
        if path.endswith((".html", ".htm")):
            problems += _check_refs(path, pages.links(tree(path)), names, ids_of, index="index.html", prefix=prefix)
        elif path.endswith(".css"):
            problems += _check_refs(path, _css_refs(content[path]), names, ids_of, prefix=prefix)
    return problems

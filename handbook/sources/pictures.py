"""The book's pictures: each reference resolved through the gate, read once, and checked for what
it really is, so that every edition can carry it safely.

- Only PNG, JPEG, GIF, WebP and SVG are published (EPUB's core media types); TIFF and BMP are
  converted to PNG. The type is read from the file's first bytes, never from its name.
- A raster picture's size is read from its header and refused above `limits.PICTURE_PIXELS`
  before a single pixel is decoded.
- An SVG is parsed with defusedxml (no DTD, no entities) and must hold only drawing: no script,
  no event attributes, no foreign objects, no reference to anything outside itself.
- In the outputs a picture is named from its content and its file name (`images/3fa2b1c4d5e6-chart.png`),
  so odd file names (spaces, accents) never reach a package or a URL.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import warnings
import xml.etree.ElementTree as ET
from pathlib import PurePosixPath

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from PIL import Image as PILImage

from handbook import limits
from handbook.gate import Refused
from handbook.model import Picture
from handbook.project import Project

RASTER = {b"\x89PNG\r\n\x1a\n": ("png", "image/png"), b"\xff\xd8\xff": ("jpg", "image/jpeg"),
          b"GIF87a": ("gif", "image/gif"), b"GIF89a": ("gif", "image/gif")}
CONVERTED = {b"II*\x00": "TIFF", b"MM\x00*": "TIFF", b"BM": "BMP"}
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
SVG_ELEMENTS = {
    "svg", "g", "defs", "title", "desc", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "text", "tspan", "linearGradient", "radialGradient", "stop", "clipPath", "mask", "pattern", "symbol",
    "use", "marker", "style", "metadata",
}
_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.I)


class Pictures:
    """Resolves and checks each picture of the book once, whatever the number of references."""

    def __init__(self, project: Project):
        self.project = project
        self.done: dict[str, Picture | Refused] = {}

    def get(self, ref: str) -> Picture:
        """The picture `ref` (as written in Markdown) names; Refused with the reason otherwise."""
        if ref not in self.done:
            try:
                self.done[ref] = self._load(ref)
            except Refused as exc:
                self.done[ref] = exc
        found = self.done[ref]
        if isinstance(found, Refused):
            raise found
        return found

    def _load(self, ref: str) -> Picture:
        gate = self.project.gate
        located = gate.locate_reference("book", ref)
        data = gate.read(located, limits.PICTURE_BYTES)
        stem = PurePosixPath(located.rel).stem
        head = data[:16]
        kind = next((v for magic, v in RASTER.items() if head.startswith(magic)), None)
        if kind is None and head[:4] == b"RIFF" and data[8:12] == b"WEBP":
            kind = ("webp", "image/webp")
        if kind is not None:
            width, height = _raster_size(data, located.rel)
            return _picture(stem, kind[0], kind[1], data, width, height)
        convert = next((name for magic, name in CONVERTED.items() if head.startswith(magic)), None)
        if convert is not None:
            width, height = _raster_size(data, located.rel)
            buffer = io.BytesIO()
            with PILImage.open(io.BytesIO(data)) as image:
                image.save(buffer, format="PNG", optimize=True)
            return _picture(stem, "png", "image/png", buffer.getvalue(), width, height)
        if _looks_like_svg(data):
            if len(data) > limits.SVG_BYTES:
                raise Refused(f"{ref!r} is an SVG of {len(data) // 1024} KiB; the limit is "
                              f"{limits.SVG_BYTES // 1024} KiB")
            return _picture(stem, "svg", "image/svg+xml", _safe_svg(data, ref), 0, 0)
        raise Refused(f"{ref!r} is not a picture the book can publish (PNG, JPEG, GIF, WebP or SVG; "
                      "TIFF and BMP are converted)")


def _picture(stem: str, ext: str, media_type: str, data: bytes, width: int, height: int) -> Picture:
    name = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "picture"
    digest = hashlib.sha256(data).hexdigest()[:12]
    return Picture(name=f"images/{digest}-{name}.{ext}", media_type=media_type, data=data,
                   width=width, height=height)


def _raster_size(data: bytes, rel: str) -> tuple[int, int]:
    """Width and height from the header only; refuses a picture too large to decode safely."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data)) as image:
                width, height = image.size
    except (PILImage.DecompressionBombError, OSError, ValueError, SyntaxError) as exc:
        raise Refused(f"{rel!r} cannot be read as a picture: {exc}") from None
    if width * height > limits.PICTURE_PIXELS:
        raise Refused(f"{rel!r} is {width} x {height} pixels ({width * height / 1e6:.0f} megapixels); "
                      f"the limit is {limits.PICTURE_PIXELS / 1e6:.0f} megapixels")
    return width, height


def _looks_like_svg(data: bytes) -> bool:
    start = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) and b"<svg" in data[:65536].lower()


def _safe_svg(data: bytes, ref: str) -> bytes:
    """The SVG as drawing only; Refused, naming the first thing that is not."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise Refused(f"{ref!r}: an SVG may not have a DTD or entities ({type(exc).__name__})") from None
    except ET.ParseError as exc:
        raise Refused(f"{ref!r} is not well-formed SVG: {exc}") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise Refused(f"{ref!r} is not an SVG drawing (its root is {root.tag!r})")
    for parent in list(root.iter()):
        for child in list(parent):
            if not isinstance(child.tag, str) or not child.tag.startswith(f"{{{SVG_NS}}}"):
                parent.remove(child)  # an editor's notes (Inkscape's, RDF metadata): not drawing
    for element in root.iter():
        name = element.tag.split("}", 1)[1]
        if name not in SVG_ELEMENTS:
            raise Refused(f"{ref!r}: <{name}> is not allowed in a picture (only drawing elements are)")
        if name == "style" and ("@import" in (element.text or "") or _external_urls(element.text or "")):
            raise Refused(f"{ref!r}: a <style> in an SVG may not load anything")
        for key, value in list(element.attrib.items()):
            local = key.split("}", 1)[-1]
            if key.startswith("{") and not key.startswith((f"{{{SVG_NS}}}", f"{{{XLINK_NS}}}")):
                del element.attrib[key]  # an editor's attribute in its own namespace
            elif local.lower().startswith("on"):
                raise Refused(f"{ref!r}: event attribute {local!r} is not allowed in a picture")
            elif local == "href" and not value.strip().startswith("#"):
                raise Refused(f"{ref!r}: a picture may refer only to its own parts, not {value[:60]!r}")
            elif _external_urls(value):
                raise Refused(f"{ref!r}: a picture may refer only to its own parts, not {value[:60]!r}")
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _external_urls(text: str) -> list[str]:
    return [u for u in _URL.findall(text) if not u.startswith("#")]

"""What WeasyPrint 70's `pdf/x-4` variant leaves to the caller, done as it writes the file (its
public `finisher` hook, on the pydyf objects before the trailer):

- the output intent's profile: a CMYK printing condition, given to the layout as
  `@color-profile device-cmyk` (see `profile_css`); without one WeasyPrint writes no OutputIntents;
- colours in ink: every RGB colour a layout or a picture drawing gives becomes a CMYK one: its grey
  in black ink alone (`grey`, for a black-and-white interior) or its match in the printing
  condition (`Inks`, for the colour cover). The file then holds no device RGB, which PDF/X forbids
  beside a CMYK output intent;
- the document's XMP `xmpMM:DocumentID`, which WeasyPrint makes from a random number, from the
  book instead, so the same sources give the same bytes;
- `GTS_PDFXVersion` in the document information too (WeasyPrint writes it in the XMP only for
  PDF/X-4; preflight tools look for it in both);
- no link annotations: paper has nothing to click (`without_links`).
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable
from functools import lru_cache

import pydyf
from PIL import Image, ImageCms

OPTIONS = {"pdf_variant": "pdf/x-4"}
VERSION = "PDF/X-4"
PROFILE = "default_cmyk.icc"  # Debian's libgs-common: "Artifex CMYK SWOP Profile" (US web offset)
PROFILE_URL = "colour/" + PROFILE

_RGB = re.compile(rb"^(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (rg|RG)$")
_DID = re.compile(rb"xmp\.did:[0-9a-f-]{36}")

Convert = Callable[[float, float, float], tuple[float, float, float, float]]


def profile_css() -> str:
    """The stylesheet that names the output intent's profile (served as PROFILE_URL)."""
    return (f"@color-profile device-cmyk {{ src: url({PROFILE_URL}); "
            "components: cyan, magenta, yellow, black; }\n")


def grey(r: float, g: float, b: float) -> tuple[float, float, float, float]:
    """An RGB colour as black ink alone: its luma (Rec. 709 weights) as a tint of K."""
    luma = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 0.0, 0.0, 0.0, round(1 - min(1.0, max(0.0, luma)), 4)


class Inks:
    """RGB to the CMYK of a printing condition (sRGB in, relative colorimetric), one colour at a time."""

    def __init__(self, profile: bytes):
        self.transform = ImageCms.buildTransform(ImageCms.createProfile("sRGB"),
                                                 ImageCms.ImageCmsProfile(io.BytesIO(profile)), "RGB", "CMYK",
                                                 renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)
        self.cache: dict[tuple[int, int, int], tuple[float, ...]] = {}

    def __call__(self, r: float, g: float, b: float) -> tuple[float, float, float, float]:
        key = tuple(round(min(1.0, max(0.0, v)) * 255) for v in (r, g, b))
        if key not in self.cache:
            pixel = ImageCms.applyTransform(Image.new("RGB", (1, 1), key), self.transform).getpixel((0, 0))
            self.cache[key] = tuple(round(v / 255, 4) for v in pixel)
        return self.cache[key]  # type: ignore[return-value]


def without_links(document) -> None:
    """Drop the links of every laid-out page (`Page.links`, public): nothing to click on paper.
    Anchors and bookmarks stay, so the PDF keeps its outline for the printer's preview."""
    for page in document.pages:
        page.links = []


def finisher(convert: Convert, seed: str):
    """The finishing step for `write_pdf(finisher=...)`: colours in ink, a stable document id, the
    version in the document information."""

    def finish(document, pdf: pydyf.PDF) -> None:
        for stream in _content_streams(pdf):
            stream.stream = [_inked(item, convert) for item in stream.stream]
        metadata = _object(pdf, pdf.catalog.get("Metadata"))
        if isinstance(metadata, pydyf.Stream):
            stable = f"xmp.did:{uuid.uuid5(uuid.NAMESPACE_URL, 'handbook:' + seed)}".encode()
            metadata.stream = [_DID.sub(stable, item) if isinstance(item, bytes) else item
                               for item in metadata.stream]
        pdf.info["GTS_PDFXVersion"] = pydyf.String(VERSION)

    return finish


def _object(pdf: pydyf.PDF, reference) -> object | None:
    """The object a reference (`b"12 0 R"`) names."""
    if not isinstance(reference, (bytes, str)):
        return reference
    number = int(reference.split()[0])
    return pdf.objects[number] if 0 <= number < len(pdf.objects) else None


def _content_streams(pdf: pydyf.PDF) -> list[pydyf.Stream]:
    """Streams that draw: the pages' contents, form XObjects (groups) and tiling patterns."""
    found = []
    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Stream):
            continue
        extra = obj.extra or {}
        if extra.get("Subtype") == "/Form" or extra.get("Type") == "/Pattern":
            found.append(obj)
    for page in pdf.objects:
        if isinstance(page, pydyf.Dictionary) and page.get("Type") == "/Page":
            contents = _object(pdf, page.get("Contents"))
            if isinstance(contents, pydyf.Stream):
                found.append(contents)
    return found


def _inked(item, convert: Convert):
    if not isinstance(item, bytes) or not item.endswith((b"rg", b"RG")):
        return item
    match = _RGB.match(item)
    if not match:
        return item
    c, m, y, k = convert(*(float(v) for v in match.groups()[:3]))
    operator = b"k" if match.group(4) == b"rg" else b"K"
    return b" ".join(_number(v) for v in (c, m, y, k)) + b" " + operator


@lru_cache(maxsize=4096)
def _number(value: float) -> bytes:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return (text if text not in ("", "-0") else "0").encode()

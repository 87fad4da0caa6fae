"""QR codes for print, so a reader holding the paper can follow a link: vector SVG from segno."""

from __future__ import annotations

import functools
import hashlib
import io
from urllib.parse import urlsplit

import segno


def version(url: str) -> int:
    """The QR version (size) `svg` makes for `url`."""
    return segno.make(url, error="m").version


@functools.lru_cache(maxsize=4096)  # an address cited in several chapters, and in the checklists, is encoded once
def svg(url: str) -> tuple[str, bytes]:
    """The QR code of `url` as an SVG file: (its name among the print files, its bytes)."""
    code = segno.make(url, error="m")  # a quarter of it may be smudged and it still reads
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", xmldecl=False, scale=1, border=2, dark="#000")
    return f"qr/{hashlib.sha256(url.encode()).hexdigest()[:16]}.svg", buffer.getvalue()


def short(url: str) -> str:
    """An address as a reader types it: no scheme, no "www.", no trailing slash."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    rest = parts.path.rstrip("/") + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    return host + rest if parts.scheme in ("http", "https") else url.split(":", 1)[-1]

"""The web edition as an installable, offline app: icons and phone-sized covers made from the cover,
the web app manifest, and the service worker that keeps the whole site for reading offline.

The service worker (layouts/site/sw.js.j2) is given every file of the site except the downloads and
itself, to store when it installs, and a cache named from a digest of all the site's files: a new
build is a new worker with a new cache, and the old cache is deleted when it takes over.
"""

from __future__ import annotations

import hashlib
import io

from PIL import Image

from handbook import layouts
from handbook.outputs.site_downloads import FOLDER as DOWNLOADS
from handbook.project import Project

ICONS = (192, 512)  # the sizes browsers ask a web app manifest for (home screen, splash screen)
# The cover is shown 7.5rem wide on a phone and 16rem on a wider screen; these widths serve
# those at two device pixels to the CSS pixel.
COVERS = (240, 512)
WORKER = "sw.js"


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # No text chunks, no time: same cover, same bytes. A palette is plenty for a flat cover.
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        out, "PNG", optimize=True)
    return out.getvalue()


def pictures(cover_png: bytes, folder: str) -> tuple[dict[str, bytes], dict]:
    """Icons (square: the cover centred on its own page colour) and covers sized for phones,
    as site paths in `folder`; and what the layouts need to know of them."""
    cover = Image.open(io.BytesIO(cover_png)).convert("RGB")
    files, facts = {}, {"icons": [], "covers": []}
    for size in ICONS:
        square = Image.new("RGB", (cover.height, cover.height), cover.getpixel((0, 0)))
        square.paste(cover, ((cover.height - cover.width) // 2, 0))
        name = f"{folder}icon-{size}.png"
        files[name] = _png(square.resize((size, size), Image.Resampling.LANCZOS))
        facts["icons"].append({"src": name, "size": size})
    for width in COVERS:
        height = round(cover.height * width / cover.width)
        name = f"{folder}cover-{width}.png"
        files[name] = _png(cover.resize((width, height), Image.Resampling.LANCZOS))
        facts["covers"].append({"src": name, "width": width, "height": height})
    return files, facts


def digest(files: dict[str, bytes]) -> str:
    """A digest of the site: every file's name and bytes, in name order."""
    total = hashlib.sha256()
    for name in sorted(files):
        total.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return total.hexdigest()


def worker(project: Project, files: dict[str, bytes]) -> bytes:
    """The service worker for a site of `files` (site paths): it stores every one but the downloads."""
    stored = sorted(name for name in files if not name.startswith(DOWNLOADS) and name != WORKER)
    return layouts.render(project, "site/sw.js.j2", version=digest(files)[:16], files=stored,
                          downloads=DOWNLOADS).encode()

"""The web edition's fonts: each font its stylesheet names, cut down to the characters the site
shows and served as WOFF2, so a phone's first visit loads tens of kilobytes of type, not a megabyte.

The characters are those of every page, script and stylesheet the site holds (a search snippet
quotes the pages; a script's messages are in the script), and the printable ASCII range, so a
reader's own words in the search box keep the site's type.
"""

from __future__ import annotations

import html
import io
import re

from fontTools import subset
from fontTools.ttLib import TTFont

from handbook import layouts
from handbook.errors import HandbookError
from handbook.project import Project
from handbook.worker import Beside, result_or_here

_TEXT = (".html", ".js", ".css", ".json", ".webmanifest")
_URL = re.compile(r"""url\(\s*["']?fonts/([^"')]+)\.(?:ttf|otf)["']?\s*\)""")
ASCII = "".join(chr(c) for c in range(0x20, 0x7F))


def characters(files: dict[str, bytes]) -> str:
    """Every character the site's text files hold (entities read as what they stand for)."""
    seen = set(ASCII)
    for name, data in files.items():
        if name.endswith(_TEXT):
            seen |= set(html.unescape(data.decode("utf-8", "replace")))
    return "".join(sorted(c for c in seen if c.isprintable() or c == "\u00a0"))


def woff2(data: bytes, text: str, name: str) -> bytes:
    """One font cut to the characters `text` as WOFF2 (a task for either core)."""
    # The font's own timestamp is kept: same sources, same bytes.
    font = TTFont(io.BytesIO(data), recalcTimestamp=False, lazy=False)
    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False  # screens today smooth outlines themselves; hints are a third of the bytes
    options.desubroutinize = True  # CFF outlines compress better flat
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    try:
        subsetter.subset(font)
    except Exception as exc:  # noqa: BLE001 - a font the subsetter cannot read is a layout problem, not a crash
        raise HandbookError(f"layouts: error: font {name!r} could not be subset: {exc}") from None
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out, reorderTables=False)
    return out.getvalue()


def webfonts(project: Project, css: bytes, shown: str, beside: Beside | None = None) -> tuple[bytes, dict[str, bytes]]:
    """The stylesheet with its `url(fonts/NAME.ttf)` now naming `fonts/NAME.woff2`, and those
    WOFF2 files (names relative to the stylesheet), each holding the characters `shown`. With
    `beside` (the second core), every other font is cut there, the largest first."""
    text = css.decode()
    fonts = layouts.fonts_for(project, text)
    order = sorted(fonts, key=lambda name: (-len(fonts[name]), name))
    away = {name: beside(woff2, fonts[name], shown, name) for name in order[::2]} if beside else {}
    cut = {name: woff2(fonts[name], shown, name) for name in order if name not in away}
    cut.update({name: result_or_here(future, woff2, fonts[name], shown, name) for name, future in away.items()})
    files = {}
    for name in fonts:
        stem = name.rsplit(".", 1)[0]
        files[stem + ".woff2"] = cut[name]
    text = _URL.sub(lambda m: f'url(fonts/{m.group(1)}.woff2) format("woff2")', text)
    return text.encode(), files

"""The fonts the typesetter may use, and only those.

The book's own fonts come from its stylesheets (`url(fonts/...)`); the fallbacks for characters
those lack are listed in `layouts/print/fonts.yaml` (pinned npm packages, split by Unicode range).
Only the fallback subsets a book's text needs are declared to the typesetter, and fontconfig is
given a configuration that knows no font folder but the book's own fonts': what the build machine
has installed never reaches a PDF, so the same sources give the same PDF on any machine.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import yaml
from fontTools.ttLib import TTFont

from handbook import layouts
from handbook.errors import HandbookError
from handbook.gate import Refused
from handbook.project import FONT_DIRS, Project

SPEC = "print/fonts.yaml"
FONT_BYTES = 32 * 1024 * 1024
_FACE = re.compile(r"@font-face\s*{(.*?)}", re.S)
_FIELD = re.compile(r"([a-z-]+)\s*:\s*([^;]+);")
_WOFF = re.compile(r"url\(\./files/([^)]+\.woff)\)")


@dataclass(frozen=True)
class Face:
    family: str
    weight: int
    style: str
    file: str  # its name among the fonts ("noto-sans-sc-4-400-normal.woff")
    ranges: tuple[tuple[int, int], ...]

    def covers(self, code: int) -> bool:
        return any(start <= code <= end for start, end in self.ranges)


def _ranges(text: str) -> tuple[tuple[int, int], ...]:
    found = []
    for part in text.replace("U+", "").replace("u+", "").split(","):
        start, _, end = part.strip().partition("-")
        found.append((int(start, 16), int(end or start, 16)))
    return tuple(found)


@lru_cache(maxsize=4)
def fallbacks(project: Project) -> tuple[Face, ...]:
    """Every fallback face the layouts name, subset by subset, from the packages' own stylesheets."""
    spec = yaml.safe_load(layouts.read(project, SPEC)) or {}
    faces = []
    for entry in spec.get("fallbacks", []):
        package = entry["package"].removeprefix("@fontsource/")
        for weight in entry.get("weights", [400]):
            try:
                css = project.gate.read(project.gate.locate("fontsource", f"{package}/{weight}.css"), 1 << 20)
            except Refused as exc:
                raise HandbookError(f"layouts: error: {SPEC}: {entry['package']} is not installed "
                                    f"(run `make handbook`, which installs it): {exc}") from None
            for block in _FACE.findall(css.decode()):
                fields = dict(_FIELD.findall(block))
                file = _WOFF.search(fields.get("src", ""))
                if file and "unicode-range" in fields:
                    faces.append(Face(entry["family"], int(weight), fields.get("font-style", "normal").strip(),
                                      file.group(1), _ranges(fields["unicode-range"])))
    return tuple(faces)


@lru_cache(maxsize=4)
def own_characters(project: Project) -> frozenset[int]:
    """The characters of the book's own fonts (the regular faces of the families it names)."""
    css = layouts.read(project, "print/handbook.css").decode()
    codes: set[int] = set()
    for name, data in layouts.fonts_for(project, css).items():
        if "Regular" in name:
            codes |= set(TTFont(io.BytesIO(data), lazy=True)["cmap"].getBestCmap())
    return frozenset(codes)


def _slug(family: str) -> str:
    return family.lower().replace(" ", "-")


@lru_cache(maxsize=512)
def _cmap(project: Project, file: str) -> frozenset[int]:
    """The characters a subset file really has (its stylesheet's unicode-range claims more). WOFF
    (not WOFF2): its tables are compressed one by one, so the character map is read alone."""
    data = project.gate.read(project.gate.locate("fonts", file), FONT_BYTES)
    return frozenset(TTFont(io.BytesIO(data), lazy=True)["cmap"].getBestCmap())


def faces_for(project: Project, code: int) -> list[Face]:
    """The fallback faces (every weight) of the first family that has `code`."""
    for face in fallbacks(project):
        if face.covers(code) and code in _cmap(project, face.file):
            return [f for f in fallbacks(project) if f.family == face.family and f.covers(code)
                    and code in _cmap(project, f.file)]
    return []


def covered(project: Project, code: int) -> bool:
    return code in own_characters(project) or bool(faces_for(project, code))


def declarations(project: Project, text_codes: AbstractSet[int]) -> tuple[str, dict[str, bytes]]:
    """The @font-face rules of the fallback subsets the text needs, and their files. No unicode-range:
    the typesetter then picks a face for a character by what the face really holds."""
    needed = sorted(code for code in text_codes if code not in own_characters(project))
    chosen = {face: None for code in needed for face in faces_for(project, code)}
    rules, files = [], {}
    for face in sorted(chosen, key=lambda f: (f.family, f.file)):
        # Each subset file is a family of its own ("Noto Sans SC 109"): the typesetter keys the fonts
        # it embeds by family, weight and style, and would mix up the glyphs of two subsets.
        family = f"{face.family} {face.file.rsplit('-', 2)[0].removeprefix(_slug(face.family) + '-')}"
        rules.append(f'@font-face {{ font-family: "{family}"; src: url(fonts/{face.file}); '
                     f"font-weight: {face.weight}; font-style: {face.style}; }}")
        files[f"fonts/{face.file}"] = project.gate.read(project.gate.locate("fonts", face.file), FONT_BYTES)
    return "\n".join(rules) + ("\n" if rules else ""), files


def ensure_isolated() -> None:
    """Outside a build (a test laying out a page directly): isolate in a folder of this process,
    removed when it ends."""
    current = os.environ.get("FONTCONFIG_FILE")
    if current and Path(current).is_file():
        return
    import atexit
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix=f"handbook-{os.getpid()}-")
    atexit.register(shutil.rmtree, folder, True)
    isolate(Path(folder))


def isolate(folder: Path) -> Path:
    """A fontconfig configuration in `folder` that knows only the book's own font folders, set for
    this process and those it starts; returns its path."""
    dirs = "".join(f"  <dir>{escape(str(d))}</dir>\n" for d in FONT_DIRS[:2])
    conf = folder / "fonts.conf"
    # No cache folder: every configuration scans the same few files afresh, so a font is always
    # matched the same way (a cache written by the first layout of a build could order them
    # differently for the next), and nothing is written outside the build's own folder.
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                    f"<fontconfig>\n{dirs}</fontconfig>\n", encoding="utf-8")
    os.environ["FONTCONFIG_FILE"] = str(conf)
    return conf

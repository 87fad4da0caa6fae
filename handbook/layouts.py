"""The Jinja2 environment over `layouts/`, and the layouts' other files (styles, scripts, fonts),
all read through the project's gate.

Layouts hold every presentation decision; Python only passes the model in.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import combinations
from math import comb

from jinja2 import BaseLoader, Environment, StrictUndefined, TemplateNotFound
from markupsafe import Markup, escape

from handbook import limits
from handbook.errors import HandbookError
from handbook.gate import Gate, Refused
from handbook.project import DEFAULT_LAYOUTS, Project

__all__ = ["DEFAULT_LAYOUTS", "environment", "render", "read", "fonts_for"]

_FONT_URL = re.compile(r"""url\(\s*["']?fonts/([^"')]+)["']?\s*\)""")
LAYOUT_BYTES = 4 * limits.MIB


class _GateLoader(BaseLoader):
    """Templates come through the gate like every other file a build reads."""

    def __init__(self, gate: Gate):
        self.gate = gate

    def get_source(self, environment, template):
        try:
            located = self.gate.locate("layouts", template)
            source = self.gate.read(located, LAYOUT_BYTES).decode("utf-8")
        except (Refused, UnicodeDecodeError) as exc:
            raise TemplateNotFound(f"{template}: {exc}") from None
        return source, str(located.path), lambda: True


_ADDRESS_BREAKS = re.compile(r"(?=[/.\-_?#&=~])")
_ADDRESS_PIECE = 24  # characters: longer than this, a piece is cut anyway, or it would run off the line


def address_pieces(address: str) -> list[str]:
    """A web address cut where a line may break in print: before a slash, dot, hyphen and the
    like, so no line ends in a character that belongs to the address (and no hyphen is added). A
    piece too long for a line is cut into lengths as a last resort."""
    return [piece[i:i + _ADDRESS_PIECE] for piece in _ADDRESS_BREAKS.split(address) if piece
            for i in range(0, len(piece), _ADDRESS_PIECE)]


# Ways of breaking a title tried at most: a title of a dozen words has a few hundred; a 300-character
# one would have billions.
_BALANCE_TRIALS = 20_000


def balanced(text: str, per_line: int) -> Markup:
    """A display line (a title, a subtitle) broken into as few lines as `per_line` characters allow,
    the lines as even as they can be: no word left alone on the last line. A line never breaks
    inside a run of capitalised words (a name: "Medical Practice Manager") unless it must."""
    words = text.split()
    count = max(1, min(len(words), -(-len(text) // max(per_line, 1))))
    if count == 1:
        return Markup(escape(text))
    if comb(len(words) - 1, count - 1) > _BALANCE_TRIALS:  # a very long title: fill lines in turn
        return Markup("<br />").join(escape(line) for line in _filled(words, -(-len(text) // count)))
    name_inside = {k for k in range(1, len(words)) if words[k - 1][:1].isupper() and words[k][:1].isupper()}
    best: tuple | None = None
    for cuts in combinations(range(1, len(words)), count - 1):
        lines = [" ".join(words[a:b]) for a, b in zip((0, *cuts), (*cuts, len(words)))]
        cost = (len(name_inside & set(cuts)), max(map(len, lines)), sum(len(line) ** 2 for line in lines))
        if best is None or cost < best[0]:
            best = (cost, lines)
    return Markup("<br />").join(escape(line) for line in best[1])


def _filled(words: list[str], width: int) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


@lru_cache(maxsize=8)
def environment(project: Project) -> Environment:
    env = Environment(
        loader=_GateLoader(project.gate),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["address_pieces"] = address_pieces
    env.filters["balanced"] = balanced
    return env


def render(project: Project, template: str, **context) -> str:
    return environment(project).get_template(template).render(**context)


def read(project: Project, name: str) -> bytes:
    """A file of the layouts (a stylesheet, a script, the accessibility claims)."""
    try:
        return project.gate.read(project.gate.locate("layouts", name), LAYOUT_BYTES)
    except Refused as exc:
        raise HandbookError(f"layouts: error: {exc}") from None


def fonts_for(project: Project, css: str) -> dict[str, bytes]:
    """The font files a stylesheet names as `url(fonts/NAME)`, from the pinned font packages."""
    files: dict[str, bytes] = {}
    for name in sorted(set(_FONT_URL.findall(css))):
        try:
            files[f"fonts/{name}"] = project.gate.read(project.gate.locate("fonts", name), 32 * limits.MIB)
        except Refused:
            raise HandbookError(f"layouts: error: font {name!r} is not in the pinned font packages") from None
    return files

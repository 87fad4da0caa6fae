"""Figures: a picture alone in its paragraph becomes a numbered figure with a caption (its title,
else its alt text), which `{#fig-id}` lets a cross-reference name. `{width=50%}` sizes a picture."""

from __future__ import annotations

import re

from markdown_it.token import Token
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attrs

from handbook.model import Figure

_WIDTH = re.compile(r"^\d+(\.\d+)?(%|px|em|rem|in|cm|mm|pt)$")
_ATTR_BLOCK = re.compile(r"^\{[^{}]*\}")


def loose_attributes(children: list[Token]) -> None:
    """Attributes after a picture that pandoc reads but the parser leaves as text (an unquoted
    value such as `{width=50%}`): read them with the values quoted, and take them out of the text."""
    for image, following in zip(children, children[1:]):
        if image.type != "image" or following.type != "text" or not (m := _ATTR_BLOCK.match(following.content)):
            continue
        try:
            _, attrs = parse_attrs(re.sub(r"""=([^\s"'{}]+)""", r'="\1"', m.group(0)))
        except ParseError:
            continue
        image.attrs.update(attrs)
        following.content = following.content[m.end():]


def check_width(reader, image: Token, line: int) -> None:
    width = image.attrs.get("width")
    if width is not None and not _WIDTH.match(str(width)):
        reader.error(line, "bad-width", f"width {width!r} is not a size (write 50% or 3in, for example)")
        del image.attrs["width"]


def make(reader, tokens: list[Token], i: int) -> Token | None:
    """The figure token for paragraph tokens[i:i+3] if it holds one picture and nothing else."""
    if i + 2 >= len(tokens) or tokens[i + 1].type != "inline" or tokens[i + 2].type != "paragraph_close":
        return None
    inline = tokens[i + 1]
    loose_attributes(inline.children or [])
    children = [c for c in inline.children or [] if not (c.type == "text" and not c.content.strip())
                and c.type not in ("softbreak",)]
    if len(children) != 1 or children[0].type != "image" or tokens[i].level != 0:
        return None
    line = reader.line(tokens[i])
    reader.inline(inline, line)
    image_token = children[0]
    image = image_token.meta["image"]
    number = len(reader.figures) + 1
    ident = image_token.attrs.get("id")
    if ident:
        reader.claim_id(str(ident), line, "figure")
    else:
        ident = reader.auto_id(f"figure-{number}", line)
    title = str(image_token.attrs.get("title", "")).strip()
    figure = Figure(id=str(ident), number=number, image=image, caption=title or image.alt,
                    width=str(image_token.attrs.get("width", "")), line=line)
    reader.figures.append(figure)
    return Token("figure", "", 0, map=tokens[i].map, meta={"figure": figure})

"""Which `{key=value}` attributes a chapter may write on a span, a link or a fenced div.

The outputs write these elements' attributes as they are, so anything else (`style`, `onclick`,
`target`) would reach the web edition and the EPUB: presentation belongs in the layouts, and a
chapter holds no script. Classes and ids are always allowed; other keys are errors at their line.
"""

from __future__ import annotations

_COMMON = {"id", "class", "lang", "dir", "title"}
ALLOWED = {
    "span": _COMMON | {"term", "entry"},  # `[words]{.term term="..."}`, `[words]{.index entry="..."}`
    "div": _COMMON,
    "link": {"href", "title"},
}


def refused(kind: str, attrs: dict) -> list[str]:
    """A message for each attribute a `kind` of element may not carry."""
    allowed = ALLOWED[kind]
    return [f"attribute {key!r} is not allowed on a {kind} (allowed: {', '.join(sorted(allowed))})"
            for key in attrs if key not in allowed]

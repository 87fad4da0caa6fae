"""Small facts about chapter text shared by the readers: what an id may be, the plain words of a run."""

from __future__ import annotations

import re

from markdown_it.token import Token

ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")  # an id written by an editor (`{#id}`, `#checklist-id`)


def plain(children: list[Token]) -> str:
    """The words of an inline run, without markup."""
    parts = []
    for c in children:
        if c.type in ("text", "code_inline"):
            parts.append(c.content)
        elif c.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()

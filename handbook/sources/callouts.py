"""Callouts as editors write them in Quarto, pandoc and GitHub, marked on their tokens for the
layouts: `::: {.callout-tip title="..."}`, `::: tip`, and `> [!TIP]` alerts.

The kinds are Quarto's and GitHub's: note, tip, important, warning, caution. The layouts decide
what each looks like and what it is called (`layouts/*/markup.*.j2`).
"""

from __future__ import annotations

import re

from markdown_it.token import Token

KINDS = ("note", "tip", "important", "warning", "caution")
_ALERT = re.compile(r"^\[!([A-Za-z]+)\][-+]?[ \t]*")  # Obsidian's `-`/`+` (folded or not): print cannot fold


def mark(reader, open_token: Token, close: Token | None, attrs: dict, line: int) -> None:
    """Mark a fenced div that is a callout (`.callout-KIND`, or the short form `::: KIND`)."""
    classes = str(attrs.get("class", "")).split()
    kinds = [c.removeprefix("callout-") for c in classes if c.startswith("callout-")]
    short = not open_token.info.strip().startswith("{")
    if short:
        kinds = [c for c in classes if c in KINDS] or ([classes[0]] if classes else [])
    if not kinds:
        return
    kind = kinds[0]
    if kind not in KINDS:
        reader.diags.warning(reader.path, line, "unknown-callout",
                             f"unknown callout kind {kind!r} (known: {', '.join(KINDS)}): shown as a note")
        kind = "note"
    callout = {"kind": kind, "title": str(attrs.get("title", "")).strip()}
    open_token.meta["callout"] = callout
    if close is not None:
        close.meta["callout"] = callout


def alert(reader, tokens: list[Token], i: int) -> None:
    """Mark a quote that opens with GitHub's `[!NOTE]` (and take the marker out of its text)."""
    if i + 2 >= len(tokens) or tokens[i + 1].type != "paragraph_open" or tokens[i + 2].type != "inline":
        return
    inline = tokens[i + 2]
    children = inline.children or []
    if not children or children[0].type != "text" or not (match := _ALERT.match(children[0].content)):
        return
    kind = match.group(1).lower()
    if kind not in KINDS:
        reader.diags.warning(reader.path, reader.line(tokens[i]), "unknown-callout",
                             f"unknown alert [!{match.group(1)}] (known: {', '.join(k.upper() for k in KINDS)})")
        return
    children[0].content = children[0].content[match.end():]
    title = ""
    if children[0].content and (len(children) == 1 or children[1].type in ("softbreak", "hardbreak")):
        # Obsidian's `> [!TIP] A title`: words after the marker, alone on its line, are the title.
        title, children[0].content = children[0].content.strip(), ""
    if not children[0].content and len(children) > 1 and children[1].type in ("softbreak", "hardbreak"):
        del children[:2]  # the marker stood alone on its line
    elif not children[0].content:
        del children[0]
    inline.content = _ALERT.sub("", inline.content, count=1).lstrip("\n")
    if title:
        inline.content = inline.content.partition("\n")[2]
    depth = 0
    for token in tokens[i:]:
        depth += token.nesting
        if token.type == "blockquote_close" and depth == 0:
            token.meta["callout"] = {"kind": kind, "title": title}
            break
    tokens[i].meta["callout"] = {"kind": kind, "title": title}
    if not children:  # the marker was the whole first paragraph: drop it
        tokens[i + 1].hidden = tokens[i + 3].hidden = True

"""Words a page must not break, for a layout whose markup has a `word` macro (print): the text of
each paragraph is handed to it word by word where a word needs care, and the macro says how the
word is set:

- "last": a paragraph's last word (hyphenated, it would leave a fragment alone on the last line);
- "name": a word with a capital letter in it, a name (Medicare, Medcurity, HIPAA).

A note's call is glued to the word before it (between the layout's `note_glue_open` and
`note_glue_close`), so that it never starts a line.

A link's words are left alone (the layout sets links unhyphenated): print tags a span inside a
link as a span, not as the link. Layouts without the macro (the EPUB, the web) get the tokens as
they are.
"""

from __future__ import annotations

import re

from markdown_it.token import Token

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")  # letters and digits, with an apostrophe inside
_BLOCKS = ("paragraph_open", "th_open", "td_open")  # a paragraph (a list item's too), a table cell
_CLOSE_OPEN = {"em_close": "em_open", "strong_close": "strong_open", "s_close": "s_open"}


def prepare(tokens: list[Token], markup) -> list[Token]:
    """The tokens, each paragraph's inline run with its words marked for the layout; unchanged when
    the layout has no `word` macro."""
    if getattr(markup, "word", None) is None:
        return tokens
    out = list(tokens)
    for index, token in enumerate(tokens):
        if token.type == "inline" and index and tokens[index - 1].type in _BLOCKS:
            out[index] = token.copy(children=_words(list(token.children or []), markup))
    return out


def inline(children: list[Token], markup) -> list[Token]:
    """One inline run (a checklist's task) with its words marked, like a paragraph's."""
    if getattr(markup, "word", None) is None:
        return children
    return _words(list(children), markup)


def _html(content: str) -> Token:
    token = Token("html_inline", "", 0)
    token.content = content
    return token


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _words(children: list[Token], markup) -> list[Token]:
    word = markup.word
    children = _glue_calls(children, markup)
    last = _last_text(children)
    out: list[Token] = []
    in_link = 0
    for index, child in enumerate(children):
        in_link += child.type == "link_open"
        in_link -= child.type == "link_close"
        if child.type != "text" or in_link:
            out.append(child)
            continue
        text = child.content
        tail = ""
        if index == last:
            cut = len(text.rstrip()) - len(text.rstrip().split()[-1]) if text.strip() else len(text)
            cut = len(text[:cut].rstrip())  # the space before the word goes with it (below)
            text, tail = text[:cut], text[cut:]
        out.extend(_names(text, word))
        if tail:
            out.append(_html(str(word("last", tail))))
    return out


def _names(text: str, word) -> list[Token]:
    """Text with each word holding a capital letter handed to the layout as a name.

    A word handed over takes the space before it: the typesetter (WeasyPrint) may break a line
    after the first word of a run of text that ends in a space and nearly fills the line, so no run
    is made to end in one."""
    out, position = [], 0
    for match in _WORD.finditer(text):
        if any(c.isupper() for c in match.group()):
            start = max(position, len(text[:match.start()].rstrip()))
            if start > position:
                out.append(_text(text[position:start]))
            out.append(_html(str(word("name", text[start:match.end()]))))
            position = match.end()
    if position < len(text):
        out.append(_text(text[position:]))
    return out


def _last_text(children: list[Token]) -> int | None:
    """The index of the text that ends the paragraph, if its last word is plain text: nothing but
    closing emphasis after it, and not inside a link."""
    for index in range(len(children) - 1, -1, -1):
        child = children[index]
        if child.type in ("em_close", "strong_close", "s_close", "softbreak"):
            continue
        if child.type == "text" and child.content.strip():
            depth = sum((c.type == "link_open") - (c.type == "link_close") for c in children[:index])
            return index if depth == 0 else None
        return None
    return None


def _glue_calls(children: list[Token], markup) -> list[Token]:
    """Each note call with the word before it, between the layout's glue: the last word of the
    text before it, or the whole emphasis before it when that is a single word (a link is left as
    it is: in print its address may follow it)."""
    if not hasattr(markup, "note_glue_open"):
        return children
    start, end = _html(str(markup.note_glue_open())), _html(str(markup.note_glue_close()))
    out: list[Token] = []
    for child in children:
        before = out[-1] if out else None
        if child.type != "footnote_ref" or before is None:
            out.append(child)
        elif before.type == "text" and before.content and not before.content[-1].isspace():
            cut = len(before.content) - len(before.content.split()[-1])
            out[-1:] = ([_text(before.content[:cut])] if cut else []) + [start, _text(before.content[cut:])]
            out += [child, end]
        elif before.type in _CLOSE_OPEN and (first := _opening(out, len(out) - 1)) is not None \
                and not any(c.type == "text" and re.search(r"\s", c.content) for c in out[first:]):
            out[first:] = [start, *out[first:], child, end]
        else:
            out.append(child)
    return out


def _opening(tokens: list[Token], close: int) -> int | None:
    """The index of the token that opens the one closed at `close`."""
    wanted, depth = _CLOSE_OPEN[tokens[close].type], 0
    for index in range(close, -1, -1):
        if tokens[index].type == tokens[close].type:
            depth += 1
        elif tokens[index].type == wanted:
            depth -= 1
            if depth == 0:
                return index
    return None

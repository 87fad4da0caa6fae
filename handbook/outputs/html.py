"""Chapter tokens as HTML, for each output.

The sources are parsed once (`sources/markdown.py`); every output renders the same tokens with its
own `Flavour` (`outputs/flavours.py`), which decides where cross-references point, where page
markers stand, and which layout macros write notes, divs and pictures (`layouts/*/markup.*.j2`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Protocol

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from handbook.outputs import html_notes, html_words
from handbook.sources.markdown import OPTIONS


class Flavour(Protocol):
    """What an output decides when chapter tokens become HTML."""

    epub: bool  # mark notes with epub:type for EPUB reading systems
    inline_notes: bool  # footnote text at its call (print), not in an end list
    markup: Any  # the layout's macros (a Jinja2 template module)

    def link_attrs(self, url: str, empty: bool = False) -> dict[str, str]: ...

    def after_link(self, url: str, text: str) -> str: ...

    def xref_words(self, url: str) -> str: ...

    def anchor(self, ident: str) -> str: ...

    def checklist(self, checklist: Any, items: list[dict], intro: str) -> str: ...

    def image_src(self, image: Any) -> str: ...

    def figure_label(self, figure: Any) -> str: ...

    def block(self, key: str) -> tuple[dict[str, str], str]: ...


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    # Only its renderer is used, with the same options the parser was made with.
    md = MarkdownIt("commonmark", OPTIONS)
    for name, rule in _RULES.items():
        md.add_render_rule(name, rule)
    return md


def render(tokens: list[Token], flavour: Flavour, doc_id: str, images: dict | None = None) -> str:
    md = _renderer()
    tokens = html_words.prepare(tokens, flavour.markup)  # words print must not break
    env = {"target": flavour, "docId": doc_id, "notes": _note_bodies(tokens, flavour, doc_id),
           "images": images or {}}
    if flavour.inline_notes:
        # The note texts now sit at their calls; drop the end list.
        tokens = _before_notes(tokens)
    return md.renderer.render(tokens, md.options, env)


def _before_notes(tokens: list[Token]) -> list[Token]:
    for i, token in enumerate(tokens):
        if token.type == "footnote_block_open":
            return tokens[:i]
    return tokens


def render_inline(tokens: list[Token], flavour: Flavour, doc_id: str) -> str:
    md = _renderer()
    env = {"target": flavour, "docId": doc_id, "notes": {}, "images": {}}
    return md.renderer.renderInline(tokens, md.options, env)


def checklist_parts(checklist: Any, flavour: Flavour, doc_id: str) -> tuple[str, list[dict]]:
    """A checklist rendered apart from its chapter (the pack): its intro's HTML and its tasks."""
    md = _renderer()
    env = {"target": flavour, "docId": doc_id, "notes": {}, "images": {}}
    intro = md.renderer.render(list(checklist.intro), md.options, env) if checklist.intro else ""
    return intro, _items(md.renderer, checklist.tree, md.options, env)


# -- render rules: they read the Flavour from env ---------------------------------------------


def _heading_open(self, tokens, idx, options, env):
    return _open_block(self, _anchored(tokens[idx], env), options, env)


def _anchored(token, env):
    """The token with its id as the output names it (print: with its chapter's prefix)."""
    if "id" not in token.attrs:
        return token
    return token.copy(attrs={**token.attrs, "id": env["target"].anchor(str(token.attrs["id"]))})


def _span_open(self, tokens, idx, options, env):
    return self.renderToken([_anchored(tokens[idx], env)], 0, options, env)


# Where a page marker may stand: inside these elements; before the others (a marker
# inside a heading would become part of the heading's name for screen readers).
_MARK_INSIDE = {"paragraph_open", "list_item_open", "blockquote_open"}


def _open_block(self, token, options, env):
    key = token.meta.get("b") if token.meta else None
    if key is None:
        return self.renderToken([token], 0, options, env)
    extra, mark = env["target"].block(key)
    html_open = self.renderToken([token.copy(attrs={**token.attrs, **extra})], 0, options, env)
    if token.type in _MARK_INSIDE:
        return html_open + mark
    return mark + html_open


def _block_open(self, tokens, idx, options, env):
    return _open_block(self, _anchored(tokens[idx], env), options, env)


def _link_open(self, tokens, idx, options, env):
    token = tokens[idx]
    url = str(token.attrs.get("href", ""))
    attrs = {k: v for k, v in token.attrs.items() if k != "href"}
    # A cross-reference written without words gets the layout's wording of its target.
    empty = idx + 1 < len(tokens) and tokens[idx + 1].type == "link_close"
    text = []
    for inner in tokens[idx + 1:]:
        if inner.type == "link_close":
            break
        text.append(inner.content)
    env.setdefault("open_links", []).append((url, "".join(text)))
    attrs.update(env["target"].link_attrs(url, empty))
    if token.meta.get("term"):  # a glossary term's use: a quiet link, no page number
        attrs = {"href": attrs.get("href", url), "class": "term", "id": env["target"].anchor(token.meta["place"])}
    words = env["target"].xref_words(url) if empty else ""
    return self.renderToken([token.copy(attrs=attrs)], 0, options, env) + words


def _link_close(self, tokens, idx, options, env):
    """What the flavour sets after a link: on paper, a web link's address."""
    url, text = env["open_links"].pop()
    return self.renderToken(tokens, idx, options, env) + env["target"].after_link(url, text)


def _image(self, tokens, idx, options, env):
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    image = token.meta.get("image") if token.meta else None
    return str(env["target"].markup.image(env["target"].image_src(image), alt, token.attrs.get("width", "")))


def _figure(self, tokens, idx, options, env):
    figure = tokens[idx].meta["figure"]
    flavour = env["target"]
    attrs, mark = flavour.block(tokens[idx].meta["b"])
    return mark + str(flavour.markup.figure(flavour.image_src(figure.image), figure.image.alt, figure.caption,
                                            flavour.figure_label(figure), flavour.anchor(figure.id), figure.width,
                                            attrs))


def _div_open(self, tokens, idx, options, env):
    token = tokens[idx]
    key = token.meta.get("b")
    extra, mark = env["target"].block(key) if key else ({}, "")
    if callout := token.meta.get("callout"):
        return mark + str(env["target"].markup.callout_open(callout["kind"], callout["title"], extra))
    attrs = dict(token.meta.get("attrs", {}))
    if "id" in attrs:
        attrs["id"] = env["target"].anchor(attrs["id"])
    return mark + str(env["target"].markup.div_open({**attrs, **extra}))


def _div_close(self, tokens, idx, options, env):
    if tokens[idx].meta.get("callout"):
        return str(env["target"].markup.callout_close())
    return str(env["target"].markup.div_close())


def _blockquote_open(self, tokens, idx, options, env):
    token = tokens[idx]
    if callout := token.meta.get("callout"):  # a GitHub alert
        key = token.meta.get("b")
        extra, mark = env["target"].block(key) if key else ({}, "")
        return mark + str(env["target"].markup.callout_open(callout["kind"], callout["title"], extra))
    return _open_block(self, token, options, env)


def _blockquote_close(self, tokens, idx, options, env):
    if tokens[idx].meta.get("callout"):
        return str(env["target"].markup.callout_close())
    return self.renderToken(tokens, idx, options, env)


def _ordered_list_open(self, tokens, idx, options, env):
    start = tokens[idx].attrs.get("start")
    if start is None:
        return self.renderToken(tokens, idx, options, env)
    return str(env["target"].markup.ordered_list_open(int(start)))


def _table_open(self, tokens, idx, options, env):
    """A table; a layout whose markup has `table_open` (the site's sideways-scrolling box) wraps
    it, given the column headings to name the box by. Others get the plain table."""
    wrap = getattr(env["target"].markup, "table_open", None)
    if wrap is None:
        return _open_block(self, tokens[idx], options, env)
    token = tokens[idx]
    extra, mark = env["target"].block(token.meta["b"]) if token.meta and "b" in token.meta else ({}, "")
    table = self.renderToken([token.copy(attrs={**token.attrs, **extra})], 0, options, env)
    columns = []
    for i in range(idx + 1, len(tokens)):
        if tokens[i].type == "thead_close":
            break
        if tokens[i].type == "inline" and tokens[i - 1].type == "th_open":
            columns.append(self.renderInlineAsText(tokens[i].children or [], options, env))
    return mark + str(wrap(Markup(table), columns))


def _table_close(self, tokens, idx, options, env):
    wrap = getattr(env["target"].markup, "table_close", None)
    table = self.renderToken(tokens, idx, options, env)
    return table if wrap is None else str(wrap(Markup(table)))


def _checklist(self, tokens, idx, options, env):
    checklist = tokens[idx].meta["checklist"]
    intro = self.render(list(checklist.intro), options, env) if checklist.intro else ""
    _, mark = env["target"].block(tokens[idx].meta["b"])
    return mark + env["target"].checklist(checklist, _items(self, checklist.tree, options, env), intro)


def _items(self, items, options, env) -> list[dict]:
    """A checklist's tasks for its layout: each with its HTML, later paragraphs and sub-tasks."""
    words = html_words.inline
    return [{"item": item, "html": Markup(self.renderInline(words(item.tokens, env["target"].markup), options, env)),
             "more": [Markup(self.renderInline(p, options, env)) for p in item.more],
             "children": _items(self, item.children, options, env)} for item in items]


def _note_bodies(tokens: list[Token], flavour: Flavour, doc_id: str) -> dict[int, str]:
    """Footnote text by number, as inline HTML, for flavours that print notes at their call."""
    if not flavour.inline_notes:
        return {}
    bodies: dict[int, str] = {}
    current = None
    for token in tokens:
        if token.type == "footnote_open":
            current = token.meta["id"]
            bodies[current] = ""
        elif token.type == "footnote_close":
            current = None
        elif current is not None and token.type == "inline":
            sep = str(flavour.markup.note_paragraph_break()) if bodies[current] else ""  # a note's next paragraph
            bodies[current] += sep + render_inline(token.children or [], flavour, doc_id)
    return bodies


_RULES = {
    "heading_open": _heading_open,
    "paragraph_open": _block_open,
    "list_item_open": _block_open,
    "table_open": _table_open,
    "table_close": _table_close,
    "blockquote_open": _blockquote_open,
    "blockquote_close": _blockquote_close,
    "ordered_list_open": _ordered_list_open,
    "figure": _figure,
    "hr": _block_open,
    "dl_open": _block_open,
    "link_open": _link_open,
    "span_open": _span_open,
    "dt_open": _block_open,
    "link_close": _link_close,
    "image": _image,
    "container_div_open": _div_open,
    "container_div_close": _div_close,
    "checklist": _checklist,
    **html_notes.RULES,
}

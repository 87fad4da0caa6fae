"""The one configured Markdown parser, and rendering of parsed chapters per output.

Sources are parsed once (`parse`); each writer renders the same tokens with its
own `Target`, which decides where cross-references point and how checklists
and notes are marked up (through layouts), so no writer re-reads Markdown.
"""

from __future__ import annotations

import html
from typing import Any, Protocol

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin


class Target(Protocol):
    """What a writer decides when chapter tokens become HTML."""

    epub: bool  # mark notes with epub:type for EPUB reading systems
    inline_notes: bool  # footnote text at its call (print), not in an end list

    def link_attrs(self, url: str) -> dict[str, str]: ...

    def anchor(self, ident: str) -> str: ...

    def checklist(self, checklist: Any, items: list[str]) -> str: ...

    def image_src(self, src: str) -> str: ...

    def block(self, key: str) -> tuple[dict[str, str], str]: ...


def _is_div(params: str, markup: str) -> bool:
    return params.strip().startswith("{")


def make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"typographer": True, "xhtmlOut": True, "html": True})
    md.enable(["table", "replacements", "smartquotes", "strikethrough"])
    md.use(container_plugin, name="div", validate=_is_div)
    md.use(tasklists_plugin)
    md.use(footnote_plugin)
    md.use(attrs_plugin)
    for name, rule in _RULES.items():
        md.add_render_rule(name, rule)
    return md


_PARSER: MarkdownIt | None = None


def parser() -> MarkdownIt:
    global _PARSER
    if _PARSER is None:
        _PARSER = make_parser()
    return _PARSER


def parse(text: str, env: dict) -> list[Token]:
    return parser().parse(text, env)


def render(tokens: list[Token], target: Target, doc_id: str) -> str:
    md = parser()
    env = {"target": target, "docId": doc_id, "notes": _note_bodies(tokens, target, doc_id)}
    if target.inline_notes:
        # The note texts now sit at their calls; drop the end list.
        tokens = _before_notes(tokens)
    return md.renderer.render(tokens, md.options, env)


def _before_notes(tokens: list[Token]) -> list[Token]:
    for i, token in enumerate(tokens):
        if token.type == "footnote_block_open":
            return tokens[:i]
    return tokens


def render_inline(tokens: list[Token], target: Target, doc_id: str) -> str:
    md = parser()
    env = {"target": target, "docId": doc_id, "notes": {}}
    return md.renderer.renderInline(tokens, md.options, env)


# -- render rules: they read the Target from env --------------------------------------


def _attrs(token: Token) -> str:
    return "".join(f' {k}="{html.escape(str(v))}"' for k, v in token.attrs.items())


def _heading_open(self, tokens, idx, options, env):
    token = tokens[idx]
    attrs = dict(token.attrs)
    if "id" in attrs:
        attrs["id"] = env["target"].anchor(attrs["id"])
    return _open_block(self, token.copy(attrs=attrs), options, env)


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
    return _open_block(self, tokens[idx], options, env)


def _link_open(self, tokens, idx, options, env):
    token = tokens[idx]
    url = str(token.attrs.get("href", ""))
    attrs = {k: v for k, v in token.attrs.items() if k != "href"}
    attrs.update(env["target"].link_attrs(url))
    return self.renderToken([token.copy(attrs=attrs)], 0, options, env)


def _image(self, tokens, idx, options, env):
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    src = env["target"].image_src(str(token.attrs.get("src", "")))
    return f'<img src="{html.escape(src)}" alt="{html.escape(alt)}" />'


def _div_open(self, tokens, idx, options, env):
    token = tokens[idx]
    attrs = dict(token.meta.get("attrs", {}))
    if "id" in attrs:
        attrs["id"] = env["target"].anchor(attrs["id"])
    return "<div" + "".join(f' {k}="{html.escape(str(v))}"' for k, v in attrs.items()) + ">\n"


def _div_close(self, tokens, idx, options, env):
    return "</div>\n"


def _checklist(self, tokens, idx, options, env):
    checklist = tokens[idx].meta["checklist"]
    items = [self.renderInline(item.tokens, options, env) for item in checklist.items]
    _, mark = env["target"].block(tokens[idx].meta["b"])
    return mark + env["target"].checklist(checklist, items)


def _note_name(env, token) -> str:
    n = token.meta["id"] + 1
    return f"{env['docId']}-{n}"


def _footnote_ref(self, tokens, idx, options, env):
    token = tokens[idx]
    name = _note_name(env, token)
    sub = token.meta.get("subId", 0)
    ref_id = env["target"].anchor(f"fnref-{name}" + (f"-{sub}" if sub else ""))
    n = token.meta["id"] + 1
    if env["target"].inline_notes:
        body = env["notes"].get(token.meta["id"], "")
        return f'<span class="footnote" id="{ref_id}">{body}</span>'
    note_id = env["target"].anchor(f"fn-{name}")
    epub = ' epub:type="noteref"' if env["target"].epub else ""
    return (f'<sup class="footnote-ref"><a href="#{note_id}" id="{ref_id}" role="doc-noteref"{epub}>'
            f"{n}</a></sup>")


def _footnote_block_open(self, tokens, idx, options, env):
    if env["target"].inline_notes:
        return ""
    epub = ' epub:type="endnotes"' if env["target"].epub else ""
    return f'<section class="footnotes" role="doc-endnotes"{epub}>\n<ol class="footnotes-list">\n'


def _footnote_block_close(self, tokens, idx, options, env):
    return "" if env["target"].inline_notes else "</ol>\n</section>\n"


def _footnote_open(self, tokens, idx, options, env):
    if env["target"].inline_notes:
        return ""
    note_id = env["target"].anchor(f"fn-{_note_name(env, tokens[idx])}")
    if env["target"].epub:
        # The note is the link's target, so reading systems can pop it up; ARIA allows
        # the doc-footnote role on a div, not on a list item.
        return f'<li class="footnote-item"><div id="{note_id}" epub:type="footnote" role="doc-footnote">'
    return f'<li id="{note_id}" class="footnote-item">'


def _footnote_close(self, tokens, idx, options, env):
    if env["target"].inline_notes:
        return ""
    return "</div></li>\n" if env["target"].epub else "</li>\n"


def _footnote_anchor(self, tokens, idx, options, env):
    if env["target"].inline_notes:
        return ""
    token = tokens[idx]
    sub = token.meta.get("subId", 0)
    ref_id = env["target"].anchor(f"fnref-{_note_name(env, token)}" + (f"-{sub}" if sub else ""))
    return f' <a href="#{ref_id}" class="footnote-backref" role="doc-backlink">\u21a9\ufe0e</a>'


def _note_bodies(tokens: list[Token], target: Target, doc_id: str) -> dict[int, str]:
    """Footnote text by number, as inline HTML, for targets that print notes at their call."""
    if not target.inline_notes:
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
            sep = " " if bodies[current] else ""
            bodies[current] += sep + render_inline(token.children or [], target, doc_id)
    return bodies


_RULES = {
    "heading_open": _heading_open,
    "paragraph_open": _block_open,
    "list_item_open": _block_open,
    "table_open": _block_open,
    "blockquote_open": _block_open,
    "hr": _block_open,
    "link_open": _link_open,
    "image": _image,
    "container_div_open": _div_open,
    "container_div_close": _div_close,
    "checklist": _checklist,
    "footnote_ref": _footnote_ref,
    "footnote_block_open": _footnote_block_open,
    "footnote_block_close": _footnote_block_close,
    "footnote_open": _footnote_open,
    "footnote_close": _footnote_close,
    "footnote_anchor": _footnote_anchor,
}

"""The one configured Markdown parser: CommonMark with tables, footnotes, smart typography,
strikethrough, definition lists, fenced divs (`::: {.class #id}` and pandoc's `::: tip`), task
lists and attributes (`{#id}`, `{width=50%}`, and on bracketed words, `[words]{.index}`).

Parsing only: the tokens it makes are the book's model of a chapter's text, which each output
renders in its own way (`outputs/html.py`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

OPTIONS = {"typographer": True, "xhtmlOut": True, "html": True}


def _is_div(params: str, markup: str) -> bool:
    params = params.strip()
    return params.startswith("{") or re.fullmatch(r"[A-Za-z][\w-]*", params) is not None


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", OPTIONS)
    md.enable(["table", "replacements", "smartquotes", "strikethrough"])
    md.use(container_plugin, name="div", validate=_is_div)
    md.use(tasklists_plugin)
    md.use(footnote_plugin)
    md.use(attrs_plugin, spans=True)  # `[words]{.term}`, `[words]{.index}`
    md.use(deflist_plugin)
    # Every link is parsed, whatever its scheme, so that one the book refuses (javascript:, file:,
    # data:) is an error at its line rather than text that silently stops being a link.
    md.validateLink = lambda url: True
    return md


def parse(text: str, env: dict) -> list[Token]:
    return parser().parse(text, env)


def typeset(text: str) -> str:
    """Plain text (a title, a summary) with the typography the chapters' text gets: curly quotes and
    apostrophes, dashes, ellipses. Text holding Markdown of its own is returned as it is."""
    tokens = parser().parseInline(text, {})
    children = tokens[0].children if tokens else []
    if not children or any(child.type != "text" for child in children):
        return text
    return "".join(child.content for child in children)

"""A checklist div read into the model: its intro paragraphs, its tasks with their later paragraphs,
and their sub-tasks, each tickable. Anything a checklist cannot show is an error at its line."""

from __future__ import annotations

from markdown_it.token import Token

from handbook import limits
from handbook.sources import markdown
from handbook.model import Checklist, ChecklistItem
from handbook.sources.words import ID, plain


def read(reader, inner: list[Token], attrs: dict, line: int) -> Token:
    """The checklist's token (type "checklist", the model in its meta)."""
    ident = attrs.get("id", "")
    title = str(attrs.get("title", "")).strip()
    if not ident:
        reader.error(line, "checklist-id", "checklist has no id: add '#some-id'")
    elif not ID.match(ident):
        reader.error(line, "bad-id", f"checklist id {ident!r} is not a valid id")
    else:
        reader.claim_id(ident, line, "checklist")
    if not title:
        reader.error(line, "checklist-title", 'checklist has no title: add title="..."')
    elif len(title) > limits.TITLE_CHARS:
        reader.error(line, "too-long", f"checklist title is {len(title)} characters; the limit is {limits.TITLE_CHARS}")
    start = next((k for k, t in enumerate(inner) if t.type in ("bullet_list_open", "ordered_list_open")), len(inner))
    intro = _intro(reader, inner[:start])
    end = _close_of(inner, start)
    counter = [0]
    tree = _items(reader, inner[start + 1:end], counter, 0) if start < len(inner) else []
    for token in inner[end + 1:]:
        if token.type.endswith("_open") or token.type in ("fence", "code_block", "html_block", "hr"):
            reader.error(reader.line(token), "checklist-content",
                         "a checklist ends with its task list: put this after the ':::' line")
            break
    every = _flatten(tree)
    if not every:
        reader.error(line, "checklist-empty", "checklist has no task items")
    elif len(every) > limits.CHECKLIST_ITEMS:
        reader.error(line, "too-many", f"checklist has {len(every)} items; the limit is {limits.CHECKLIST_ITEMS}")
    reader.items += len(every)
    if reader.items > limits.CHECKLIST_ITEMS_PER_CHAPTER >= reader.items - len(every):
        reader.error(line, "too-many", f"more than {limits.CHECKLIST_ITEMS_PER_CHAPTER} checklist items in one chapter")
    checklist = Checklist(id=ident, title=markdown.typeset(title), chapter=reader.slug, items=tuple(every), path=reader.path,
                          line=line, tree=tuple(tree), intro=tuple(intro), level=min(reader.level + 1, 6))
    reader.checklists.append(checklist)
    return Token("checklist", "", 0, map=[line - 1, line], meta={"checklist": checklist})


def _intro(reader, tokens: list[Token]) -> list[Token]:
    """Paragraphs above the list, kept as they are; anything else there is an error."""
    for token in tokens:
        if token.type == "inline":
            reader.inline(token, reader.line(token))
        elif token.type not in ("paragraph_open", "paragraph_close"):
            reader.error(reader.line(token) if token.map else 0, "checklist-content",
                         "a checklist holds paragraphs, then a task list: no headings, tables, code or quotes")
            break
    return tokens


def _close_of(tokens: list[Token], start: int) -> int:
    depth = 0
    for k in range(start, len(tokens)):
        depth += tokens[k].nesting
        if depth == 0:
            return k
    return len(tokens) - 1


def _items(reader, tokens: list[Token], counter: list[int], level: int) -> list[ChecklistItem]:
    """The list items of one list (the tokens between its open and close)."""
    items: list[ChecklistItem] = []
    k = 0
    while k < len(tokens):
        token = tokens[k]
        if token.type != "list_item_open":
            k += 1
            continue
        end = _close_of(tokens, k)
        item = _item(reader, token, tokens[k + 1:end], counter, level)
        if item is not None:
            items.append(item)
        k = end + 1
    return items


def _item(reader, token: Token, body: list[Token], counter: list[int], level: int):
    line = reader.line(token)
    if "task-list-item" not in str(token.attrs.get("class", "")):
        reader.error(line, "checklist-item", "checklist items must be tasks: '- [ ] do this'")
        return None
    counter[0] += 1
    number = counter[0]
    paragraphs: list[list[Token]] = []
    children: list[ChecklistItem] = []
    k = 0
    while k < len(body):
        part = body[k]
        if part.type == "inline":
            reader.inline(part, reader.line(part))
            paragraphs.append([c for c in part.children or [] if not _is_checkbox(c)])
        elif part.type in ("bullet_list_open", "ordered_list_open"):
            end = _close_of(body, k)
            children += _items(reader, body[k + 1:end], counter, level + 1)
            k = end
        elif part.type not in ("paragraph_open", "paragraph_close"):
            reader.error(reader.line(part) if part.map else line, "checklist-content",
                         "a checklist item holds its text, more paragraphs and sub-tasks: no headings, tables, "
                         "code or quotes")
        k += 1
    first = paragraphs[0] if paragraphs else []
    if first and first[0].type == "text":
        first[0] = first[0].copy(content=first[0].content.lstrip())
    return ChecklistItem(text=plain(first), line=line, tokens=first, number=number, level=level,
                         more=tuple(paragraphs[1:]), children=tuple(children))


def _flatten(items) -> list[ChecklistItem]:
    out = []
    for item in items:
        out.append(item)
        out += _flatten(item.children)
    return out


def _is_checkbox(token: Token) -> bool:
    return token.type == "html_inline" and "task-list-item-checkbox" in token.content

"""The glossary as a hub, and the index: a pass over the whole book once every chapter is read.

The glossary is the chapter whose front matter says `glossary: true`. Each of its entries, a
paragraph that opens with the term in bold (`**RVU (relative value unit)**: ...`) or a definition
list's term, becomes an anchor (`term-rvu`). In every other chapter the first use of each term is
linked to its entry: the term as written, and each part of "X (Y)" (`RVU`, `relative value unit`),
with a plural "s"; words with two capitals or more ("HIPAA", "A/R") match in their case only, others
in any case. Never inside a heading, a link, code, or a checklist. `[words]{.term}` links words that
differ from the entry (`[write-offs]{.term term="Adjustment and write-off"}`); a glossary term that
no chapter uses is a warning.

The index gathers `[words]{.index}` (or `{.index entry="Claims"}`) and the glossary's first uses.
Each place gets an anchor (`ix-3`) so every output can point at it: print by page, the EPUB and the
web edition by link.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict

from markdown_it.token import Token

from handbook.errors import Diagnostics
from handbook.model import Chapter, IndexEntry, IndexPlace, Term
from handbook.sources.reader import slugify

_PAIR = re.compile(r"^(.*?)\s*\(([^()]+)\)$")
_SKIP_INLINE = {"code_inline", "html_inline", "image"}


def link(chapters: list[Chapter], diags: Diagnostics) -> tuple[list[Chapter], str, tuple[Term, ...], tuple[IndexEntry, ...]]:
    """The chapters with their term links and index places; the glossary's slug, its terms and the index."""
    glossaries = [ch for ch in chapters if ch.meta.get("glossary") is True]
    for extra in glossaries[1:]:
        diags.error(extra.path, 1, "glossary", f"a second glossary ({glossaries[0].filename} is the first)")
    glossary = glossaries[0] if glossaries else None
    terms = _terms(glossary, diags) if glossary else []
    uses: dict[str, int] = defaultdict(int)
    places: dict[str, list[IndexPlace]] = defaultdict(list)
    out = []
    for chapter in chapters:
        state = _Chapter(chapter, glossary, terms, diags)
        state.walk()
        for term_id in state.used:
            uses[term_id] += 1
        for text, ident in state.places:
            places[text].append(IndexPlace(chapter.slug, ident))
        made = tuple(t.id for t in terms) if chapter is glossary else ()
        out.append(dataclasses.replace(chapter, anchors=chapter.anchors + made + tuple(state.anchors)))
    text = "\n".join(_plain(ch) for ch in chapters if ch is not glossary)
    for term in terms:
        # A use not linked (in a heading, a link's words, a checklist) is still a use.
        if not uses[term.id] and not _matcher([term], r"\b", r"\b").search(text):
            diags.warning(glossary.path, term.line, "unused-term",
                          f"glossary term {term.label!r} is used in no chapter (link a use with [words]{{.term}})")
    return out, glossary.slug if glossary else "", tuple(terms), _index(places)


def _terms(glossary: Chapter, diags: Diagnostics) -> list[Term]:
    terms, seen = [], {}
    tokens = glossary.tokens
    for i, token in enumerate(tokens[:-1]):
        label = None
        if token.type == "paragraph_open":
            label = _bold_label(tokens[i + 1])
        elif token.type == "dt_open":
            label = "".join(c.content for c in tokens[i + 1].children or [] if c.type == "text").strip() or None
        if not label:
            continue
        line = token.map[0] + 1 if token.map else 0
        ident = "term-" + slugify(_forms(label)[0])  # "term-rvu" for "RVU (relative value unit)"
        if ident in seen:
            diags.error(glossary.path, line, "duplicate-term", f"glossary term {label!r} again (first on line {seen[ident]})")
            continue
        seen[ident] = line
        token.attrs["id"] = ident
        token.attrs["class"] = "glossary-entry"
        terms.append(Term(ident, label, _forms(label), line))
    return terms


def _forms(label: str) -> tuple[str, ...]:
    """"RVU (relative value unit)" -> RVU, relative value unit; "RHIA and RHIT" -> RHIA, RHIT."""
    forms: list[str] = []
    for part in re.split(r"\s+and\s+(?![^()]*\))", label):
        pair = _PAIR.match(part.strip())
        forms += [pair.group(1), pair.group(2)] if pair else [part.strip()]
    return tuple(dict.fromkeys(f for f in forms if f))


def _exact(form: str) -> bool:
    """An acronym-like form ("HIPAA", "A/R", "eCQM") matches in its own case only."""
    return any(sum(c.isupper() for c in word) >= 2 for word in form.split())


def _bold_label(inline: Token) -> str | None:
    """The term of an entry that opens with it in bold and a colon: `**Term**: ...`."""
    kids = [c for c in inline.children or [] if not (c.type == "text" and not c.content)]
    if len(kids) >= 4 and kids[0].type == "strong_open" and kids[1].type == "text" and kids[2].type == "strong_close" \
            and kids[3].type == "text" and kids[3].content.startswith(":"):
        return kids[1].content.strip()
    return None


def _pattern(forms: list[str]) -> str:
    return "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))


PLURAL = r"(?:e?s)?"


def _matcher(terms: list[Term], before: str, after: str) -> re.Pattern | None:
    """Any form of `terms`, acronyms in their case, words in any, with a plural ending."""
    exact = [f for t in terms for f in t.forms if _exact(f)]
    loose = [f for t in terms for f in t.forms if not _exact(f)]
    loose += [f[:-1] + "ies" for f in loose if f.endswith("y")]  # "covered entity", "covered entities"
    parts = ([f"(?:{_pattern(exact)})"] if exact else []) + ([f"(?i:{_pattern(loose)})"] if loose else [])
    return re.compile(rf"{before}(?:{'|'.join(parts)}){PLURAL}{after}") if parts else None


def _key(words: str) -> list[str]:
    """The forms `words` may be a use of: itself, without a plural ending."""
    key = words.lower()
    keys = [key, re.sub(r"es$", "", key), re.sub(r"s$", "", key)]
    return keys + ([key[:-3] + "y"] if key.endswith("ies") else [])


class _Chapter:
    """One chapter's pass: its term links (first use of each term), explicit terms, index places."""

    def __init__(self, chapter: Chapter, glossary: Chapter | None, terms: list[Term], diags: Diagnostics):
        self.chapter, self.diags = chapter, diags
        self.glossary = glossary
        self.terms = {} if chapter is glossary else {t.id: t for t in terms}
        self.by_form: dict[str, Term] = {}
        for term in terms:
            for form in (term.label, *term.forms):
                self.by_form.setdefault(form.lower(), term)
        self.used: list[str] = []
        self.anchors: list[str] = []
        self.places: list[tuple[str, str]] = []  # (index entry, anchor)
        self._matcher = self._compile()

    def _compile(self) -> re.Pattern | None:
        return _matcher(list(self.terms.values()), rf"(?<![\w/&-])", rf"(?![\w/&-])")

    def walk(self) -> None:
        heading = False
        for token in self.chapter.tokens:
            if token.type == "heading_open":
                heading = True
            elif token.type == "heading_close":
                heading = False
            elif token.type == "inline" and token.children is not None:
                line = token.map[0] + 1 if token.map else 0
                token.children = self._inline(token.children, line, heading)

    def _place(self, entry: str) -> str:
        ident = f"ix-{len(self.anchors) + 1}"
        self.anchors.append(ident)
        self.places.append((entry, ident))
        return ident

    def _inline(self, children: list[Token], line: int, heading: bool) -> list[Token]:
        out: list[Token] = []
        depth = 0  # inside a link
        i = 0
        while i < len(children):
            child = children[i]
            classes = str(child.attrs.get("class", "")).split() if child.type == "span_open" else []
            if child.type == "span_open" and ("term" in classes or "term" in child.attrs):
                i = self._explicit_term(children, i, out, line)
                continue
            if child.type == "span_open" and "index" in classes:
                entry = str(child.attrs.pop("entry", "") or _words(children, i)).strip()
                if entry:
                    child.attrs["id"] = self._place(entry)
            if child.type == "link_open":
                depth += 1
            elif child.type == "link_close":
                depth -= 1
            elif child.type == "text" and not depth and not heading and self._matcher is not None:
                out += self._link_terms(child)
                i += 1
                continue
            out.append(child)
            i += 1
        return out

    def _explicit_term(self, children: list[Token], i: int, out: list[Token], line: int) -> int:
        """`[words]{.term}`: the span becomes a link to its entry (an unknown term is an error)."""
        opening = children[i]
        close = next((j for j in range(i + 1, len(children)) if children[j].type == "span_close"), len(children) - 1)
        words = _words(children, i)
        name = str(opening.attrs.get("term", "") or words).strip().lower()
        term = next((self.by_form[k] for k in _key(name) if k in self.by_form), None)
        if term is None or self.glossary is None:
            self.diags.error(self.chapter.path, line, "unknown-term",
                             f"{words!r} is marked as a glossary term, but the glossary has no entry {name!r}")
            out += children[i + 1:close]
            return close + 1
        out += self._term_link(term, children[i + 1:close])
        return close + 1

    def _link_terms(self, text: Token) -> list[Token]:
        """A text run with the first use of each term not yet linked in this chapter as a link."""
        out: list[Token] = []
        rest = text.content
        while rest:
            match = next((m for m in self._matcher.finditer(rest) if self._unused(m.group(0))), None)
            if match is None:
                break
            term = self._unused(match.group(0))
            if match.start():
                out.append(_text(rest[: match.start()]))
            out += self._term_link(term, [_text(match.group(0))])
            rest = rest[match.end():]
        if rest:
            out.append(_text(rest))
        return out

    def _unused(self, words: str) -> Term | None:
        term = next((self.by_form[k] for k in _key(words) if k in self.by_form), None)
        return term if term is not None and term.id in self.terms and term.id not in self.used else None

    def _term_link(self, term: Term, inner: list[Token]) -> list[Token]:
        if term.id not in self.used:
            self.used.append(term.id)
        opening = Token("link_open", "a", 1, attrs={"href": f"{self.glossary.filename}#{term.id}"})
        opening.meta = {"term": term.id, "place": self._place(term.label)}
        return [opening, *inner, Token("link_close", "a", -1)]


def _plain(chapter: Chapter) -> str:
    texts = [c.content for t in chapter.tokens for c in t.children or [] if c.type == "text"]
    texts += [c.title for c in chapter.checklists] + [item.text for c in chapter.checklists for item in c.items]
    return "\n".join(texts)


def _text(content: str) -> Token:
    return Token("text", "", 0, content=content)


def _words(children: list[Token], i: int) -> str:
    words = []
    for child in children[i + 1:]:
        if child.type == "span_close":
            break
        if child.type in ("text", "code_inline"):
            words.append(child.content)
    return "".join(words)


def _index(places: dict[str, list[IndexPlace]]) -> tuple[IndexEntry, ...]:
    """Entries that differ only in case are one; sorted as a reader looks them up."""
    merged: dict[str, tuple[str, list[IndexPlace]]] = {}
    for text, found in places.items():
        key = text.casefold()
        if key in merged:
            merged[key][1].extend(found)
        else:
            merged[key] = (text, list(found))
    def order(text: str) -> tuple:
        return (re.sub(r"^\W+", "", text).casefold(), text)
    return tuple(IndexEntry(text, tuple(found)) for text, found in sorted(merged.values(), key=lambda e: order(e[0])))

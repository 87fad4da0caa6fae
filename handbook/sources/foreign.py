"""Syntax from other writing tools that this book format does not read: it would print as typed,
so each is a warning at its line saying what to write instead.

Only forms that ordinary prose never holds are looked for (a price such as "$400" or a time such as
"10:30" is not TeX or an emoji code).
"""

from __future__ import annotations

import re

_FORMS = [
    (re.compile(r"!\[\[[^\]\n]+\]\]"), "obsidian-embed",
     "Obsidian's ![[...]] embed is printed as typed: write a picture as ![what it shows](images/name.png)"),
    (re.compile(r"(?<!!)\[\[[^\]\n]+\]\]"), "wikilink",
     "a [[wiki link]] is printed as typed: write [words](02-chapter.md#section)"),
    (re.compile(r"(?<![=\w])==[^=\s][^=\n]*?==(?![=\w])"), "highlight",
     "==highlight== is printed as typed: use *emphasis* or **strong**"),
    (re.compile(r"%%.*?%%"), "obsidian-comment",
     "an Obsidian %%comment%% is printed: write an HTML comment <!-- ... -->, which no output shows"),
    (re.compile(r"(?<![\w:/]):[a-z][a-z0-9_+-]*[a-z0-9]:(?![\w/])"), "emoji-code",
     "an emoji :code: is printed as typed: type the character itself"),
    (re.compile(r"(?<![\w@.])@(?:fig|sec|tbl|eq|lst)-[\w-]+"), "quarto-ref",
     "a Quarto cross-reference (@fig-...) is printed as typed: link to the id, [Figure](#fig-...)"),
    (re.compile(r"\[-?@[\w:.#$%&+?<>~/-]+(?:[;,][^\]]*)?\]"), "citation",
     "a pandoc citation [@key] is printed as typed: this format has no bibliography; link the source"),
]


def warn(reader, text: str, line: int) -> None:
    """A warning at `line` for each foreign form in `text` (a run of a paragraph's text)."""
    for pattern, code, message in _FORMS:
        if pattern.search(text):
            reader.diags.warning(reader.path, line, code, message)

"""The page facts of the printed book, and the one key scheme that names what they are about.

The EPUB's page-list, the web edition's page marks, the contents and the checklists all cite the
pages of the PDF the same build made. The typesetter learns them from its layout as a `PageMap`:
the page of every anchor (a chapter, a heading, a checklist) and the page each numbered block of
text begins. The names below are the only place that knows how anchors and block keys are spelled;
the layouts get them as functions (`keys.anchor(...)`, `keys.opener(...)`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

FRONT = ("cover", "title", "edition", "toc")  # the print layout's front pages, in order


INDEX = "book-index"  # the index's name as a chapter would have it: its keys, anchor and files


def anchor(slug: str, ident: str | None = None) -> str:
    """The print anchor of a chapter, or of a heading or checklist in it."""
    return f"ch-{slug}" + (f"--{ident}" if ident else "")


def block(slug: str, number: int) -> str:
    """The key of a chapter's n-th block of text (1, 2, ...); 0 is the chapter's opener."""
    return f"{slug}/{number}"


def opener(slug: str) -> str:
    return block(slug, 0)


def print_only(slug: str, name: str) -> str:
    """The key of a block that only print has ("links": a chapter's links with their QR codes):
    the typesetter may correct around it; other outputs have no place for it."""
    return f"{slug}/{name}"


def front(name: str) -> str:
    """The key of a front page: "cover", "title", "edition" or "toc"."""
    return f"front/{name}"


def chapter_of(key: str) -> str | None:
    """The chapter a block key belongs to; None for a front page."""
    slug, _, _ = key.rpartition("/")
    return None if slug == "front" else slug


def front_of(key: str) -> str | None:
    """The front page a block key names ("cover", ...); None for a chapter's block."""
    slug, _, name = key.rpartition("/")
    return name if slug == "front" else None


def number_of(key: str) -> int | None:
    _, _, n = key.rpartition("/")
    return int(n) if n.isdigit() else None


@dataclass(frozen=True)
class PageMap:
    anchors: Mapping[str, int] = field(default_factory=dict)  # print anchor -> page it starts on
    starts: Mapping[str, int] = field(default_factory=dict)  # block key -> page that begins with it
    count: int = 0  # pages in the PDF

    def __post_init__(self) -> None:
        object.__setattr__(self, "anchors", MappingProxyType(dict(self.anchors)))
        object.__setattr__(self, "starts", MappingProxyType(dict(self.starts)))

    def __reduce__(self):  # a mapping proxy does not pickle; the worker process gets plain dicts
        return (PageMap, (dict(self.anchors), dict(self.starts), self.count))

    def page(self, slug: str, ident: str | None = None) -> int | None:
        """The page a chapter (or a heading or checklist in it) starts on."""
        return self.anchors.get(anchor(slug, ident))

    def chapter_start(self, slug: str) -> int | None:
        """A chapter's first page: where its opener begins (its anchor as a fallback)."""
        return self.starts.get(opener(slug), self.page(slug))

    def first_blocks(self) -> dict[int, str]:
        """Page -> the block that begins it (the inverse of `starts`)."""
        return {page: key for key, page in self.starts.items()}

    @property
    def known(self) -> bool:
        return bool(self.anchors)

    def to_record(self) -> dict:
        return {"anchors": dict(self.anchors), "starts": dict(self.starts), "count": self.count}

    @classmethod
    def from_record(cls, record: object) -> PageMap:
        """The map kept by the last build; an empty map when the record is not one."""
        if not isinstance(record, dict):
            return cls()
        anchors, starts, count = record.get("anchors"), record.get("starts"), record.get("count")
        ok = (isinstance(anchors, dict) and isinstance(starts, dict) and isinstance(count, int)
              and all(isinstance(k, str) and isinstance(v, int) for k, v in {**anchors, **starts}.items()))
        return cls(anchors, starts, count) if ok else cls()

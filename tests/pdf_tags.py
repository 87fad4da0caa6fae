"""Reading a PDF's structure tree (its tags) with pikepdf, as an assistive technology would."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pikepdf


@dataclass
class Tag:
    role: str  # the structure type after the role map: H1, P, L, LI, Link, Figure, Note, ...
    alt: str | None
    actual: str | None
    children: list["Tag"] = field(default_factory=list)
    annotations: list[pikepdf.Dictionary] = field(default_factory=list)  # OBJR kids: links, widgets
    page: int | None = None

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def text(self) -> str:
        return " ".join(filter(None, [self.actual or ""] + [c.text() for c in self.children]))


def structure(path: Path) -> Tag:
    pdf = pikepdf.open(path)
    root = pdf.Root.StructTreeRoot
    role_map = {str(k): str(v) for k, v in root.get("/RoleMap", {}).items()}
    pages = {page.objgen: n for n, page in enumerate(pdf.pages, 1)}

    def role(name: str) -> str:
        name = name.lstrip("/")
        seen = set()
        while f"/{name}" in role_map and name not in seen:
            seen.add(name)
            name = role_map[f"/{name}"].lstrip("/")
        return name

    def node(element) -> Tag:
        tag = Tag(role(str(element.get("/S", "/?"))), _text(element.get("/Alt")), _text(element.get("/ActualText")))
        if "/Pg" in element:
            tag.page = pages.get(element.Pg.objgen)
        kids = element.get("/K")
        if kids is None:
            return tag
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary):
                if kid.get("/Type") == "/OBJR":
                    tag.annotations.append(kid.Obj)
                elif kid.get("/Type") == "/MCR":
                    continue
                else:
                    tag.children.append(node(kid))
        return tag

    return node(root)


def _text(value) -> str | None:
    return None if value is None else str(value)

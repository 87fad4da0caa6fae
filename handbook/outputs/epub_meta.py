"""The EPUB's package metadata: the book's Dublin Core, and the accessibility claims of its layouts.

The claims and their wording live in layouts/epub/accessibility.yaml, beside the
templates that make them true; this module writes into the package those that
hold for this build.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml
from ebooklib import epub

from handbook import layouts
from handbook.model import Book
from handbook.project import Project

CLAIMS = "epub/accessibility.yaml"
SCHEMA = ("accessMode", "accessModeSufficient", "accessibilityFeature", "accessibilityHazard")


@dataclass(frozen=True)
class PrintEdition:
    """The PDF whose pages the EPUB cites: the one made by the same build, on its paper."""

    paper: str  # "letter" or "a4"
    paper_name: str  # as readers know it: "US Letter", "A4"
    pages: int


def load_claims(project: Project) -> dict:
    return yaml.safe_load(layouts.read(project, CLAIMS))


def print_edition(claims: dict, paper: str, pages: int) -> PrintEdition | None:
    return PrintEdition(paper=paper, paper_name=claims["paper_names"][paper], pages=pages) if pages else None


def describe(out: epub.EpubBook, book: Book, claims: dict, edition: PrintEdition | None, pictures: bool) -> None:
    """Write the book's metadata, and the accessibility claims that hold, into the package."""
    cfg = book.config
    out.set_identifier(cfg.identifier)  # derived from the book, never random
    out.title = cfg.title  # the NCX's title
    _refined(out, "title", cfg.title, "title", {"title-type": "main"})
    if cfg.subtitle:
        _refined(out, "title", cfg.subtitle, "subtitle", {"title-type": "subtitle"})
    out.set_language(cfg.language)
    _refined(out, "creator", cfg.author, "creator", {"role": "aut"})
    out.add_metadata("DC", "publisher", cfg.publisher)
    if cfg.description:
        out.add_metadata("DC", "description", cfg.description)
    for subject in cfg.subjects:
        out.add_metadata("DC", "subject", subject)
    out.add_metadata("DC", "date", book.date.strftime("%Y-%m-%d"))

    holds = {"pages": edition is not None, "pictures": pictures}
    words = {"title": cfg.title, "publisher": cfg.publisher,
             "paper": edition.paper_name if edition else "", "pages": edition.pages if edition else 0}
    for name in SCHEMA:
        for value in selected(claims[name], holds):
            _meta(out, f"schema:{name}", value)
    summary = " ".join(text.format(**words) for text in selected(claims["summary"], holds))
    _meta(out, "schema:accessibilitySummary", " ".join(summary.split()))
    for value in selected(claims["conformsTo"], holds):
        _meta(out, "dcterms:conformsTo", value)
        _meta(out, "a11y:certifiedBy", cfg.publisher)  # the publisher's own evaluation
    for value in selected(claims["pageBreakSource"], holds):
        _meta(out, "pageBreakSource", value.format(**words))


def selected(values: list, holds: dict[str, bool]) -> list[str]:
    """The claims that hold: plain ones always, `{condition: claim}` ones when their condition does."""
    out = []
    for value in values:
        if isinstance(value, dict):
            out.extend(text for condition, text in value.items() if holds[condition])
        else:
            out.append(value)
    return out


def _meta(out: epub.EpubBook, prop: str, value: str, refines: str | None = None, scheme: str | None = None) -> None:
    attrs = {"property": prop}
    if refines:
        attrs["refines"] = "#" + refines
    if scheme:
        attrs["scheme"] = scheme
    out.add_metadata(None, "meta", value, attrs)


def _refined(out: epub.EpubBook, name: str, value: str, ident: str, refinements: dict[str, str]) -> None:
    """A Dublin Core element with EPUB 3 refinements (title-type, a creator's role)."""
    out.add_metadata("DC", name, value, {"id": ident})
    for prop, text in refinements.items():
        _meta(out, prop, text, refines=ident, scheme="marc:relators" if prop == "role" else None)

"""Accessibility of the web edition in a real browser: axe-core (pinned in package.json, installed
by `npm ci`) finds no serious or critical violation; landmarks, skip link and heading order hold.
"""

from __future__ import annotations

import re

import pytest
from conftest import ROOT
from test_site import (  # noqa: F401 (fixtures)
    DESKTOP,
    PHONE,
    book,
    browser,
    check_stayed_inside,
    open_site,
    serve,
)

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def axe_source() -> str:
    assert AXE.is_file(), "axe-core is missing: run `npm ci` in the project folder (make test does)"
    return AXE.read_text()


def _pages(book) -> list[str]:
    with_checklist = next(c for c in book.chapters if c.checklists)
    with_table = next(c for c in book.chapters if any(t.type == "table_open" for t in c.tokens))
    return ["index.html", f"{with_checklist.slug}.html", f"{with_table.slug}.html", f"{book.chapters[-1].slug}.html",
            "search.html?q=HIPAA", "my-checklists.html"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_axe_finds_no_serious_violation(browser, serve, handbook_out, book, axe_source, viewport, scheme):
    """In both colour schemes (contrast included), on a phone and a desktop, with search results shown."""
    root = handbook_out / "site"
    site, page = open_site(browser, root, serve(root), viewport, color_scheme=scheme)
    for name in _pages(book):
        page.goto(site.url(name))
        if name.startswith("search.html"):
            page.locator(".search-result mark").first.wait_for()
        # The scheme asked for is the one shown: a dark page has a dark background, and light a light one.
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        level = sum(int(n) for n in re.findall(r"\d+", background)[:3]) / 3
        assert (level < 40) if scheme == "dark" else (level > 240), (name, background)
        page.add_script_tag(content=axe_source)
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        assert results["testEngine"]["version"] == "4.14.1"
        serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                   for v in results["violations"] if v["impact"] in ("serious", "critical")]
        assert not serious, f"{name}: {serious}"
        # After ticking a box, the page is still clean (the status line and the clear button appear).
        if page.locator("input[type=checkbox]").count():
            page.locator("input[type=checkbox]").first.check()
            results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            assert not [v["id"] for v in results["violations"] if v["impact"] in ("serious", "critical")]
    page.context.close()
    check_stayed_inside(site)


def test_landmarks_headings_and_skip_link(browser, serve, handbook_out, book):
    root = handbook_out / "site"
    site, page = open_site(browser, root, serve(root))
    for name in ["index.html", *(f"{c.slug}.html" for c in book.chapters)]:
        page.goto(site.url(name))
        assert page.locator("html").get_attribute("lang") == book.config.language
        for role in ("banner", "main", "contentinfo"):
            assert page.get_by_role(role).count() == 1, (name, role)
        labels = page.get_by_role("navigation").evaluate_all(
            "ns => ns.map(n => n.getAttribute('aria-label') || n.getAttribute('aria-labelledby'))")
        assert all(labels) and len(set(labels)) == len(labels), (name, labels)
        levels = page.locator("h1, h2, h3, h4, h5, h6").evaluate_all("hs => hs.map(h => +h.tagName[1])")
        assert levels[0] == 1 and levels.count(1) == 1, (name, levels)
        jumps = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
        assert not jumps, f"{name}: heading levels skip {jumps}"
        # Every checkbox has a label that names it.
        unnamed = page.locator("input[type=checkbox]").evaluate_all(
            "bs => bs.filter(b => !(b.labels.length && b.labels[0].innerText.trim())).map(b => b.id)")
        assert not unnamed, (name, unnamed)
    # The first Tab reaches the skip link; following it moves focus past the banner to the text.
    page.goto(site.url(f"{book.chapters[0].slug}.html"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('main')")
    page.context.close()
    check_stayed_inside(site)

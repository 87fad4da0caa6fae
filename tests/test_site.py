"""The web edition in a real browser: headless Debian Chromium opens the site from a loopback
server and as a plain folder, follows every link and download, ticks a checklist, and saves
screenshots to tests/artifacts/. The browser fixtures here are shared by the other test_site_* files.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import CHAPTERS, ROOT
from playwright.sync_api import Browser, Page, sync_playwright
from pypdf import PdfReader

from handbook.build import load_checked

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
ARTIFACTS = ROOT / "tests" / "artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


# -- fixtures: one browser per module, the site served from loopback or opened as a folder -----


@pytest.fixture(scope="module")
def browser():
    # Module scope: the sync driver is stopped before other modules' tests run.
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def serve():
    """Start (once per folder) a loopback server on port 0; returns its base URL."""
    servers: dict[Path, ThreadingHTTPServer] = {}

    def start(folder: Path) -> str:
        if folder not in servers:
            server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers[folder] = server
        return f"http://127.0.0.1:{servers[folder].server_address[1]}/"

    yield start
    for server in servers.values():
        server.shutdown()
        server.server_close()


@dataclass
class Site:
    """The site as the browser sees it, and every request the pages made."""

    root: Path
    base: str
    requests: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def url(self, name: str) -> str:
        return self.base + name

    def inside(self, url: str) -> bool:
        return url.startswith(self.base) or url.startswith("data:")

    def name(self, url: str) -> str:
        return unquote(urlsplit(url).path)[len(urlsplit(self.base).path):]


def open_site(browser: Browser, root: Path, base: str, viewport=DESKTOP, **options) -> tuple[Site, Page]:
    """A fresh context (fresh localStorage) that records every request and blocks any leaving the
    site; `options` go to the context (a colour scheme, service workers blocked, ...)."""
    site = Site(root, base)
    context = browser.new_context(viewport=viewport, accept_downloads=True, **options)

    def guard(route):
        if site.inside(route.request.url):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", guard)
    context.on("request", lambda r: site.requests.append(r.url))
    # ERR_ABORTED: a load the next navigation cancelled, not a missing file.
    context.on("requestfailed", lambda r: "ERR_ABORTED" in (r.failure or "") or site.failures.append(
        f"{r.url}: {r.failure}"))
    context.on("response", lambda r: r.status >= 400 and site.failures.append(f"{r.url}: HTTP {r.status}"))
    return site, context.new_page()


def check_stayed_inside(site: Site) -> None:
    outside = [u for u in site.requests if not site.inside(u)]
    assert not outside, f"requests left the site: {outside[:5]}"
    assert not site.failures, f"failed requests: {site.failures[:5]}"


@pytest.fixture(params=["http", "file"])
def site_page(request, browser, serve, handbook_out):
    """The real handbook's site, served on loopback and opened from disk."""
    root = handbook_out / "site"
    base = serve(root) if request.param == "http" else root.as_uri() + "/"
    site, page = open_site(browser, root, base)
    yield site, page
    page.context.close()
    check_stayed_inside(site)


@pytest.fixture(scope="module")
def book():
    return load_checked(CHAPTERS)[0]


# -- helpers --------------------------------------------------------------------------------------

PAGE_DATA = """() => ({
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  links: [...document.querySelectorAll('a[href]')].map(a => ({href: a.href, cls: a.className})),
})"""


def crawl(page: Page, site: Site) -> tuple[dict[str, set[str]], list[tuple[str, str, str]], list[dict]]:
    """Every page reachable from index.html: its ids, and every local and outside link."""
    ids: dict[str, set[str]] = {}
    local: list[tuple[str, str, str]] = []  # (from page, target file, fragment)
    outside: list[dict] = []
    todo = ["index.html"]
    while todo:
        name = todo.pop()
        if name in ids:
            continue
        response = page.goto(site.url(name))
        assert response is not None and response.ok, name
        data = page.evaluate(PAGE_DATA)
        ids[name] = set(data["ids"])
        assert len(ids[name]) == len(data["ids"]), f"{name}: duplicate ids"
        for link in data["links"]:
            if not site.inside(link["href"]):
                outside.append(link)
                continue
            target, _, fragment = link["href"].partition("#")
            local.append((name, site.name(target), unquote(fragment)))
            if target.endswith(".html"):
                todo.append(site.name(target))
    return ids, local, outside


def shown_downloads(page: Page) -> dict[str, dict[str, str]]:
    """href -> what the download page states beside that link: its facts and its checksum."""
    return page.evaluate("""() => Object.fromEntries(
      [...document.querySelectorAll('.download-list > li, .checklist-downloads > li')].map(li =>
        [li.querySelector('a[download]').getAttribute('href'),
         {facts: li.querySelector('.facts').innerText, sha: li.querySelector('.sha code').innerText}]))""")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- the tests ------------------------------------------------------------------------------------


def test_every_link_resolves(site_page, book):
    site, page = site_page
    ids, local, outside = crawl(page, site)
    assert set(ids) == {"index.html", "my-checklists.html", *(f"{c.slug}.html" for c in book.chapters),
                        *(["book-index.html"] if book.index else [])}
    missing = [(src, target, frag) for src, target, frag in local
               if not (site.root / target).is_file() or (frag and target.endswith(".html") and frag not in ids[target])]
    assert not missing, f"broken links: {missing[:5]}"
    for target in sorted({t for _, t, _ in local if not t.endswith(".html")}):
        if site.base.startswith("http"):  # downloads answer over HTTP too
            assert page.request.get(site.url(target)).status == 200, target
    assert outside and all(re.match(r"(https?://(?!127\.0\.0\.1|localhost)|mailto:)", o["href"]) for o in outside)
    assert all("external" in o["cls"] for o in outside if o["href"].startswith("http"))


def test_cross_references_are_links(site_page, book):
    site, page = site_page
    for chapter in book.chapters:
        page.goto(site.url(f"{chapter.slug}.html"))
        internal = [link for link in chapter.links if not link.is_external]
        assert page.locator("a.xref").count() == len(internal), chapter.slug
        external = [link for link in chapter.links if link.is_external]
        assert page.locator(".chapter-body a.external").count() == len(external), chapter.slug
        # Each checklist of the chapter, item for item, with a box of its own.
        for checklist in chapter.checklists:
            assert page.locator(f"#{checklist.id} input[type=checkbox]").count() == len(checklist.items)
        keys = page.locator("input[data-tick-key]").evaluate_all("bs => bs.map(b => b.dataset.tickKey)")
        assert len(keys) == len(set(keys)) == sum(len(c.items) for c in chapter.checklists)


def test_contents_previous_and_next(site_page, book):
    site, page = site_page
    slugs = [c.slug for c in book.chapters]
    for i, slug in enumerate(slugs):
        page.goto(site.url(f"{slug}.html"))
        assert page.locator(".book-toc a").evaluate_all("as => as.map(a => a.getAttribute('href'))") == \
            [f"{s}.html" for s in slugs]
        assert page.locator('.book-toc a[aria-current="page"]').get_attribute("href") == f"{slug}.html"
        prev = page.locator('.pager a[rel="prev"]')
        nxt = page.locator('.pager a[rel="next"]')
        assert (prev.get_attribute("href") if prev.count() else None) == (f"{slugs[i - 1]}.html" if i else None)
        assert (nxt.get_attribute("href") if nxt.count() else None) == \
            (f"{slugs[i + 1]}.html" if i + 1 < len(slugs) else None)
        headings = [h.id for h in book.chapter(slug).headings if h.level == 2]
        if len(headings) > 1:
            assert page.locator(".chapter-toc a").evaluate_all("as => as.map(a => a.hash.slice(1))") == headings


def test_download_page_states_true_facts(browser, serve, handbook_out, book):
    root = handbook_out / "site"
    site, page = open_site(browser, root, serve(root))
    page.goto(site.url("index.html"))
    shown = shown_downloads(page)
    expected = {"downloads/handbook.pdf", "downloads/handbook.epub", "downloads/checklists.pdf",
                *(f"downloads/checklists/{c.id}.pdf" for c in book.checklists)}
    assert set(shown) == expected
    assert {p.relative_to(root).as_posix() for p in (root / "downloads").rglob("*") if p.is_file()} == expected
    for href, stated in shown.items():
        path = root / href
        assert path.read_bytes() == (handbook_out / href.removeprefix("downloads/")).read_bytes(), href
        assert stated["sha"] == sha256(path), href
        size = re.search(r"([\d.]+) (kB|MB)", stated["facts"])
        unit = {"kB": 1e3, "MB": 1e6}[size[2]] if size else 0
        assert size and abs(float(size[1]) * unit - path.stat().st_size) <= 0.05 * unit, (href, stated)
        pages = re.search(r"(\d+) pages?\b", stated["facts"])
        if href.endswith(".pdf"):
            assert pages and int(pages[1]) == len(PdfReader(path).pages), (href, stated)
        else:
            assert pages is None, stated
    # The cover, title, edition and summary, and a line on each chapter.
    assert page.locator("img.cover").evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.locator("h1").inner_text() == book.config.title
    assert book.config.edition in page.locator(".hero").text_content()
    assert book.config.description.split()[0] in page.locator(".summary").inner_text()
    summaries = page.locator(".contents-summary").all_inner_texts()
    assert summaries[:len(book.chapters)] == [c.summary for c in book.chapters]
    assert len(summaries) == len(book.chapters) + bool(book.index)  # the index is listed last
    page.context.close()
    check_stayed_inside(site)


def test_every_download_downloads(browser, serve, handbook_out):
    root = handbook_out / "site"
    site, page = open_site(browser, root, serve(root))
    page.goto(site.url("index.html"))
    shown = shown_downloads(page)
    for href, stated in shown.items():
        # A tab per download: Chromium holds back a tab's repeated downloads, now and then.
        tab = page.context.new_page()
        tab.goto(site.url("index.html"))
        with tab.expect_download() as info:
            tab.locator(f'a[download][href="{href}"]').first.click()
        saved = Path(info.value.path())
        assert info.value.suggested_filename == Path(href).name
        assert sha256(saved) == stated["sha"], href
        tab.close()
    page.context.close()
    check_stayed_inside(site)


def _checklist_chapter(book):
    return next(c for c in book.chapters if c.checklists)


def test_ticks_survive_a_reload(site_page, book):
    site, page = site_page
    chapter = _checklist_chapter(book)
    checklist = chapter.checklists[0]
    page.goto(site.url(f"{chapter.slug}.html"))
    boxes = page.locator(f"#{checklist.id} input[type=checkbox]")
    assert boxes.count() == len(checklist.items)
    page.locator(f"#{checklist.id} label").nth(1).click()  # a reader taps the item's text
    assert boxes.nth(1).is_checked()
    assert page.evaluate("Object.keys(localStorage)") == [f"{book.config.identifier}|{checklist.id}|1"]
    page.reload()
    assert boxes.nth(1).is_checked()
    assert [boxes.nth(i).is_checked() for i in range(boxes.count())].count(True) == 1
    other = page.context.new_page()  # a new tab finds it too
    other.goto(site.url(f"{chapter.slug}.html"))
    assert other.locator(f"#{checklist.id} input[type=checkbox]").nth(1).is_checked()
    assert "1 of" in other.locator(f"#{checklist.id} .checklist-status").inner_text()
    other.locator(f"#{checklist.id} input[type=checkbox]").nth(1).uncheck()
    page.reload()
    assert not boxes.nth(1).is_checked()
    # The site's own fonts load, from the server and from the folder alike.
    loaded = page.evaluate("document.fonts.ready.then(fs => [...fs].filter(f => f.status === 'loaded').length)")
    assert loaded >= 2
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(f"#{checklist.id} label").first.click()
    page.locator(f"#{checklist.id}").screenshot(path=str(ARTIFACTS / f"site-checklist-ticked-{site.base[:4]}.png"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_screenshots_and_phone_fit(browser, serve, handbook_out, book, size, scheme):
    """Screenshots at 390 and 1280 px in both colour schemes, kept in tests/artifacts/ for a person
    to look at; the site's own fonts load on each page."""
    root = handbook_out / "site"
    viewport = PHONE if size == "phone" else DESKTOP
    site, page = open_site(browser, root, serve(root), viewport, color_scheme=scheme)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    chapter = _checklist_chapter(book)
    for name, shot in (("index.html", "index"), (f"{chapter.slug}.html", "chapter"),
                       ("search.html?q=revenue+cycle", "search"), ("my-checklists.html", "my-checklists")):
        page.goto(site.url(name))
        if shot == "search":
            page.locator(".search-result").first.wait_for()
        page.evaluate("document.fonts.ready.then(() => true)")
        path = ARTIFACTS / f"web-{shot}-{viewport['width']}-{scheme}.png"
        page.screenshot(path=str(path))
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        loaded = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
        families = {family.strip('"') for family in loaded}
        # The search page and my checklists are set in the sans alone.
        assert {"Source Serif", "Source Sans"} <= families if shot in ("index", "chapter") else "Source Sans" in families, \
            (name, loaded)
    if size == "phone":  # and the first table wider than a phone, in its sideways-scrolling box
        for other in book.chapters:
            page.goto(site.url(f"{other.slug}.html"))
            page.evaluate("document.fonts.ready.then(() => true)")
            if page.locator(".table-scroll[data-wide]").count():
                page.locator(".table-scroll[data-wide]").first.screenshot(
                    path=str(ARTIFACTS / f"web-table-{viewport['width']}-{scheme}.png"))
                break
        else:
            pytest.fail("no table is wider than a phone")
    page.context.close()
    check_stayed_inside(site)


@pytest.mark.parametrize("width", [320, 390, 768, 1000, 1280])
def test_no_page_is_wider_than_the_screen(browser, serve, handbook_out, book, width):
    root = handbook_out / "site"
    site, page = open_site(browser, root, serve(root), {"width": width, "height": 800})
    for name in ["index.html", *(f"{c.slug}.html" for c in book.chapters)]:
        page.goto(site.url(name))
        scroll, screen = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= screen, (name, scroll, screen)
        assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 16
        assert page.locator('meta[name="viewport"]').get_attribute("content") == "width=device-width, initial-scale=1"
    page.context.close()
    check_stayed_inside(site)

"""The web edition as a phone app, in a real browser: search, offline reading after one visit, the
bytes of a first visit, tables on a phone, and my checklists (progress, export, import, print).
"""

from __future__ import annotations

import json
import re
import threading
from functools import partial
from http.server import ThreadingHTTPServer

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from test_site import (  # noqa: F401 (fixtures)
    ARTIFACTS,
    PHONE,
    _Quiet,
    book,
    browser,
    check_stayed_inside,
    open_site,
    serve,
)

SEARCH_BUDGET = 300_000  # bytes: the search index and all its code (300 KB, not KiB)
FIRST_VISIT_BUDGET = 400 * 1000  # the download page and one chapter, everything they load


def _chapter(book, title_start: str):
    return next(c for c in book.chapters if c.title.lower().startswith(title_start))


def _search(page, site, query: str) -> list[dict]:
    page.goto(site.url("search.html?q=" + query.replace(" ", "+")))
    page.locator(".search-result").first.wait_for()
    return page.locator(".search-result").evaluate_all("""items => items.map(li => ({
      page: li.querySelector('.search-title a').getAttribute('href'),
      label: (li.querySelector('.search-label') || {}).innerText,
      sections: [...li.querySelectorAll('.search-sections a')].map(a => a.getAttribute('href')),
      marks: [...li.querySelectorAll('mark')].map(m => m.innerText)}))""")


@pytest.mark.parametrize(("query", "title"), [("HIPAA", "compliance"), ("revenue cycle", "revenue cycle")])
def test_search_finds_the_chapter_and_jumps_to_the_section(browser, serve, handbook_out, book, query, title):
    root = handbook_out / "site"
    site, page = open_site(browser, root, serve(root), PHONE)
    chapter = _chapter(book, title)
    results = _search(page, site, query)
    found = next((r for r in results if r["page"] == f"{chapter.slug}.html"), None)
    assert found, (query, [r["page"] for r in results])
    assert found["label"] and found["sections"] and found["marks"]
    assert all(re.sub(r"\W", "", m).lower() in query.lower().split() for m in found["marks"]), found["marks"]
    # A section result names a heading of that chapter, and following it lands on the heading.
    heading_ids = {h.id for h in chapter.headings} | {f"{c.id}-title" for c in chapter.checklists}
    href = found["sections"][0]
    assert href.split("#")[1] in heading_ids, href
    page.locator(f'.search-sections a[href="{href}"]').first.click()
    page.wait_for_url(re.compile(re.escape(href) + "$"))
    top = page.evaluate("id => document.getElementById(id).getBoundingClientRect().top", href.split("#")[1])
    assert 0 <= top < PHONE["height"] / 2
    page.context.close()
    check_stayed_inside(site)


def test_search_with_the_keyboard(browser, serve, handbook_out, book):
    """From any page: the banner's box, Enter, then Tab to the first result; a screen reader hears
    the count (a status region)."""
    root = handbook_out / "site"
    site, page = open_site(browser, root, serve(root))
    page.goto(site.url(f"{book.chapters[0].slug}.html"))
    page.get_by_role("searchbox", name="Search the handbook").fill("HIPAA")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"search\.html\?q=HIPAA$"))
    status = page.get_by_role("status").first
    page.locator(".search-result").first.wait_for()
    assert re.match(r"\d+ chapters? match", status.inner_text())
    page.get_by_role("searchbox").focus()
    page.keyboard.press("Tab")  # the search button
    page.keyboard.press("Tab")  # the first result
    assert page.evaluate("document.activeElement.closest('.search-title') !== null")
    page.context.close()
    check_stayed_inside(site)


def test_search_from_a_folder_says_why_and_offers_the_pdf(browser, handbook_out):
    root = handbook_out / "site"
    site, page = open_site(browser, root, root.as_uri() + "/")
    page.goto(site.url("search.html?q=HIPAA"))
    why = page.locator("[data-search-file]")
    assert why.is_visible() and "folder" in why.inner_text()
    assert why.locator("a").get_attribute("href") == "downloads/handbook.pdf"
    assert page.locator("#search-q").get_attribute("aria-describedby") == why.get_attribute("id")
    page.context.close()
    check_stayed_inside(site)


def test_search_index_and_code_are_small(handbook_out, book):
    site = handbook_out / "site"
    bundle = sorted(p for p in (site / "pagefind").rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in bundle) + (site / "assets" / "search.js").stat().st_size
    assert size < SEARCH_BUDGET, f"search index and code: {size:,} bytes"
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    assert sum(lang["page_count"] for lang in entry["languages"].values()) == len(book.chapters)
    # Only what the site's search page uses: no default interface, no worker.
    assert not [p.name for p in bundle if p.name.startswith(("pagefind-ui", "pagefind-component", "pagefind-worker"))]


def _worker_files(site_dir) -> tuple[str, list[str]]:
    worker = (site_dir / "sw.js").read_text()
    version = json.loads(re.search(r'var CACHE = PREFIX \+ (".*?");', worker)[1])
    files = json.loads(re.search(r"var FILES = (\[.*?\]);", worker, re.S)[1])
    return version, files


def test_every_page_opens_offline_after_one_visit(browser, handbook_out, book):
    """One online visit to the download page installs the service worker, which keeps the whole site;
    then the server stops and the browser goes offline, and unvisited pages still open."""
    root = handbook_out / "site"
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site, page = open_site(browser, root, f"http://127.0.0.1:{server.server_address[1]}/", PHONE)
    version, files = _worker_files(root)
    expected = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert set(files) == {n for n in expected if not n.startswith("downloads/") and n != "sw.js"}
    page.goto(site.url("index.html"))
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    caches = page.evaluate("caches.keys()")
    assert len(caches) == 1 and caches[0].endswith(" " + version), caches
    stored = page.evaluate("name => caches.open(name).then(c => c.keys()).then(rs => rs.map(r => r.url))", caches[0])
    assert {site.name(u) for u in stored} == set(files)
    server.shutdown()
    server.server_close()
    page.context.set_offline(True)
    for chapter in (book.chapters[-1], _chapter(book, "compliance")):
        page.goto(site.url(f"{chapter.slug}.html"))
        assert page.locator("h1").inner_text() == chapter.title
        assert page.evaluate("document.fonts.ready.then(fs => [...fs].some(f => f.status === 'loaded'))")
    page.goto(site.url("index.html"))
    assert page.locator("h1").inner_text() == book.config.title
    assert page.locator("img.cover").evaluate("img => img.complete && img.naturalWidth > 0")
    assert "compliance" in " ".join(r["page"] for r in _search(page, site, "HIPAA"))  # search too
    # Downloads come on request only: offline, they do not.
    assert page.evaluate("fetch('downloads/handbook.pdf').then(() => 'got', () => 'failed')") == "failed"
    site.failures.clear()  # the download just refused offline
    page.context.close()
    check_stayed_inside(site)


LOADED = """() => Object.fromEntries([...performance.getEntriesByType('navigation'),
  ...performance.getEntriesByType('resource')].map(e => [e.name, e.encodedBodySize]))"""


def test_first_visit_is_light(browser, serve, handbook_out, book):
    """The download page, then the largest chapter: every file the pages load, fonts included, each
    counted once (a second page finds the stylesheet and fonts in the browser's cache), as the
    browser's own resource timing states its bytes. The service worker's copy for offline use comes
    after a first visit, and is blocked here."""
    root = handbook_out / "site"
    site, page = open_site(browser, root, serve(root), PHONE, service_workers="block")
    received: dict[str, int] = {}
    largest = max(book.chapters, key=lambda c: (root / f"{c.slug}.html").stat().st_size)
    for name in ("index.html", f"{largest.slug}.html"):
        page.goto(site.url(name))
        page.evaluate("document.fonts.ready.then(() => true)")
        received.update({site.name(url): size for url, size in page.evaluate(LOADED).items()})
    total = sum(received.values())
    fonts = sum(size for name, size in received.items() if name.startswith("assets/fonts/"))
    assert fonts and all(name.endswith(".woff2") for name in received if name.startswith("assets/fonts/"))
    assert all(size == (root / name).stat().st_size for name, size in received.items()), received
    assert total < FIRST_VISIT_BUDGET, {"total": total, "fonts": fonts, "files": received}
    page.context.close()
    check_stayed_inside(site)


BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('.chapter-body td, .chapter-body th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      // A word, with the hyphen or slash after which a line may end.
      const words = /[^\\s\\-\\/\\u2010\\u2013\\u2014]+[\\-\\/\\u2010\\u2013\\u2014]?/g;
      for (let m = words.exec(node.data); m; m = words.exec(node.data)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""


def test_no_table_cell_breaks_a_word_on_a_phone(browser, serve, handbook_out, book):
    root = handbook_out / "site"
    site, page = open_site(browser, root, serve(root), PHONE)
    tables = wide = 0
    for chapter in book.chapters:
        page.goto(site.url(f"{chapter.slug}.html"))
        page.evaluate("document.fonts.ready.then(() => true)")
        assert page.evaluate(BROKEN_WORDS) == [], chapter.slug
        assert page.locator(".chapter-body table").count() == page.locator(".table-scroll > table").count()
        tables += page.locator(".table-scroll").count()
        for box in page.locator(".table-scroll[data-wide]").all():
            wide += 1
            widest = chapter.slug
            # It scrolls in its own box, says so, and a keyboard can scroll it.
            assert box.evaluate("b => b.scrollWidth > b.clientWidth && getComputedStyle(b).overflowX === 'auto'")
            assert "sideways" in box.evaluate("b => getComputedStyle(b, '::before').content")
            assert box.get_attribute("tabindex") == "0" and box.get_attribute("aria-label").startswith("Table")
    assert tables and wide  # the handbook has tables, and some are wider than a phone
    # The check itself sees a word broken mid-word.
    page.goto(site.url(f"{widest}.html"))
    page.add_style_tag(content="td { word-break: break-all !important; }")
    assert page.evaluate(BROKEN_WORDS)
    page.context.close()
    check_stayed_inside(site)


def _tick_key(book, checklist, index: int) -> str:
    return f"{book.config.identifier}|{checklist.id}|{index}"


def test_my_checklists_export_import_and_print(browser, serve, handbook_out, book, tmp_path):
    root = handbook_out / "site"
    site, page = open_site(browser, root, serve(root), PHONE)
    chapter = next(c for c in book.chapters if c.checklists)
    checklist = chapter.checklists[0]
    # Two ticks in the chapter show on my checklists, as progress and as ticked boxes.
    page.goto(site.url(f"{chapter.slug}.html"))
    for index in (0, 2):
        page.locator(f'input[data-tick-key="{_tick_key(book, checklist, index)}"]').check()
    page.goto(site.url("my-checklists.html"))
    listed = page.locator("[data-progress]").evaluate_all("ls => ls.map(l => l.dataset.progress)")
    assert listed == [c.id for c in book.checklists]
    progress = page.locator(f'[data-progress="{checklist.id}"] [data-progress-text]')
    assert progress.inner_text() == f"2 of {len(checklist.items)} ticked"
    assert page.locator(f'[data-progress="{book.checklists[-1].id}"] [data-progress-text]').inner_text().startswith("none")
    # Export: a small JSON file of the ticks.
    with page.expect_download() as info:
        page.get_by_role("button", name="Export my ticks").click()
    exported = json.loads(open(info.value.path()).read())
    assert exported == {"format": "handbook-ticks", "version": 1, "book": book.config.identifier,
                        "ticks": {checklist.id: [0, 2]}}
    assert "2 ticks" in page.locator("[data-ticks-status]").inner_text()
    # Import, in a browser that has none of them.
    other, fresh = open_site(browser, root, site.base, PHONE)
    fresh.goto(other.url("my-checklists.html"))
    fresh.locator("[data-ticks-import]").set_input_files(
        files=[{"name": "wrong.json", "mimeType": "application/json", "buffer": b'{"format": "other"}'}])
    # The file is read in the background: wait for the page to say what it did.
    expect(fresh.locator("[data-ticks-status]")).to_contain_text("nothing was changed")
    fresh.locator("[data-ticks-import]").set_input_files(info.value.path())
    expect(fresh.locator("[data-ticks-status]")).to_contain_text("2 ticks added")
    keys = sorted(fresh.evaluate("Object.keys(localStorage)"))
    assert keys == sorted(_tick_key(book, checklist, i) for i in (0, 2))
    fresh.goto(other.url(f"{chapter.slug}.html"))  # the chapter shows them too
    assert fresh.locator(f"#{checklist.id} input:checked").count() == 2
    fresh.context.close()
    check_stayed_inside(other)
    # Print with my ticks: that checklist alone, its boxes as ticked.
    page.evaluate("() => { window.print = () => { window.printed = (window.printed || 0) + 1; }; }")
    page.locator(f'[data-print="{checklist.id}"]').click()
    assert page.evaluate("window.printed") == 1
    page.emulate_media(media="print")
    shown = page.locator("[data-my-checklist]").evaluate_all(
        "ls => ls.filter(l => getComputedStyle(l).display !== 'none').map(l => l.dataset.myChecklist)")
    assert shown == [checklist.id]
    boxes = page.locator(f'[data-my-checklist="{checklist.id}"] input[type=checkbox]')
    assert [i for i in range(boxes.count()) if boxes.nth(i).is_checked()] == [0, 2]
    assert boxes.first.is_visible()
    for hidden in (".site-header", ".site-footer", ".my-progress", ".my-keep", "h1"):
        assert page.locator(hidden).first.evaluate("e => getComputedStyle(e).display") == "none", hidden
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "site-checklist-with-ticks.pdf"
    page.pdf(path=str(pdf), format="Letter")
    text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert checklist.title in text and book.checklists[-1].title not in text
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    assert page.locator("[data-my-checklist]:visible").count() == len(book.checklists)
    page.context.close()
    check_stayed_inside(site)

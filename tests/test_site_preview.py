"""`handbook preview`: serves the web edition on loopback and refreshes it when a chapter or a
layout changes, and keeps serving the last good site when a change breaks the book.
"""

from __future__ import annotations

import queue
import re
import shutil
import threading
import time
import urllib.error
import urllib.request

import pytest

from handbook import layouts, preview
from pdf_support import page_texts, reader

GUARD = 120  # seconds: only stops a hung test; nothing here asserts on speed


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=GUARD) as response:
        return response.read().decode()


def _wait_for(predicate, messages: list[str]) -> None:
    deadline = time.monotonic() + GUARD
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail("the preview did not refresh; it said:\n" + "\n".join(messages))
        time.sleep(0.1)


@pytest.fixture
def running(book_copy, tmp_path):
    """A preview of a copy of the sample book, with its own copy of the layouts, on a free port."""
    layouts_dir = tmp_path / "layouts"
    shutil.copytree(layouts.DEFAULT_LAYOUTS, layouts_dir)
    out = tmp_path / "out"
    said: queue.Queue[str] = queue.Queue()
    messages: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(target=preview.run, daemon=True,
                              args=(book_copy, out, layouts_dir, "letter", 0, said.put, stop))
    thread.start()
    url = None
    while url is None:
        message = said.get(timeout=GUARD)
        messages.append(message)
        if "serving the web edition at " in message:
            url = message.split(" at ", 1)[1].split()[0].removesuffix("index.html")

    def log() -> list[str]:
        while not said.empty():
            messages.append(said.get())
        return messages

    yield url, book_copy, layouts_dir, out, log
    stop.set()
    thread.join(GUARD)
    assert not thread.is_alive()


def test_preview_serves_and_refreshes(running):
    url, book, layouts_dir, out, log = running
    assert "Some details." in _get(url + "02-second.html")
    # The preview has a folder of its own: what `handbook build` makes in OUT is never touched.
    assert (out / ".preview" / "handbook.pdf").is_file() and (out / ".preview" / "site" / "index.html").is_file()
    assert not (out / "handbook.pdf").exists()
    # A chapter changes: the served page follows.
    chapter = book / "02-second.md"
    chapter.write_text(chapter.read_text().replace("Some details.", "Some fresh details."))
    _wait_for(lambda: "Some fresh details." in _get(url + "02-second.html"), log())
    # Then the PDF follows too, from the parts kept in memory: the changed chapter laid out again.
    pdf = out / ".preview" / "handbook.pdf"
    _wait_for(lambda: any("downloads refreshed" in m for m in log()), log())
    assert "Some fresh details." in " ".join(" ".join(page_texts(reader(pdf))).split())
    laid = [m for m in log() if "laid out handbook.pdf" in m]
    assert int(re.search(r"(\d+) kept", laid[-1])[1]) >= 1, laid  # the first chapter's part at least
    # A layout changes: so does the stylesheet served.
    css = layouts_dir / "site" / "site.css"
    css.write_text(css.read_text() + "\n/* preview-marker */\n")
    _wait_for(lambda: "preview-marker" in _get(url + "assets/site.css"), log())
    # No service worker in the preview: a reload shows the latest render, not an offline copy.
    with pytest.raises(urllib.error.HTTPError):
        _get(url + "sw.js")
    # The page links the downloads.
    assert "downloads/handbook.pdf" in _get(url + "index.html")
    assert any("site refreshed" in m for m in log())


def test_preview_keeps_the_last_good_site_when_a_change_breaks_the_book(running):
    url, book, _, _, log = running
    chapter = book / "02-second.md"
    chapter.write_text(chapter.read_text().replace("Some details.", "Some details, see [gone](missing.md)."))
    _wait_for(lambda: any("missing.md" in m for m in log()), log())
    assert "02-second.md" in next(m for m in log() if "missing.md" in m)  # path:line for the editor
    assert "Some details." in _get(url + "02-second.html")
    chapter.write_text(chapter.read_text().replace(", see [gone](missing.md).", ", mended."))
    _wait_for(lambda: "Some details, mended." in _get(url + "02-second.html"), log())


def test_a_build_after_a_preview_is_a_fresh_build(running, tmp_path):
    """The preview works in its own folder: `handbook build` afterwards makes what it would have
    made without any preview (no stale page, no 'up to date' over pages the preview changed)."""
    from clirun import handbook, snapshot

    url, book, layouts_dir, out, log = running
    chapter = book / "02-second.md"
    chapter.write_text(chapter.read_text().replace("Some details.", "Some previewed details."))
    _wait_for(lambda: "Some previewed details." in _get(url + "02-second.html"), log())
    # The preview then brings its downloads up to date; the builds below start once it is idle
    # (in this test they share a process, whose environment a running build sets for its fonts).
    _wait_for(lambda: any("downloads refreshed" in m or "downloads up to date" in m for m in log()), log())
    built = handbook("build", "--chapters", str(book), "--out", str(out), "--layouts", str(layouts_dir))
    fresh = handbook("build", "--chapters", str(book), "--out", str(tmp_path / "fresh"), "--layouts", str(layouts_dir))
    assert built.returncode == 0 and fresh.returncode == 0, built.stderr + fresh.stderr

    def outputs(folder):
        return {k: v for k, v in snapshot(folder).items() if not k.startswith((".preview/", ".manifest"))}

    assert outputs(out) == outputs(tmp_path / "fresh")
    assert b"Begins on page" in (out / "site" / "02-second.html").read_bytes()

"""`handbook preview`: serve the web edition on localhost and refresh it when a chapter or layout changes.

Typesetting the PDF takes tens of seconds, so a change re-renders only the
site, with the downloads of the last full build, and an editor sees it after a
reload within seconds. Printed page numbers are left out of such a refresh
(they would be stale); `handbook build` (`make handbook`) makes everything anew.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import watchfiles

from handbook.build import build, load_checked
from handbook.errors import BuildError, HandbookError
from handbook.writers import Context, site

Say = Callable[[str], None]
HOST = "127.0.0.1"


class _Handler(SimpleHTTPRequestHandler):
    """Static files, never cached, so a reload always shows the latest render."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args) -> None:  # the console is for build messages
        pass


def serve(site_dir: Path, port: int) -> ThreadingHTTPServer:
    """Serve `site_dir` on 127.0.0.1 (port 0: any free port) from a background thread."""
    server = ThreadingHTTPServer((HOST, port), partial(_Handler, directory=str(site_dir)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _last_downloads(book, out: Path) -> dict[str, bytes] | None:
    """The files of the last full build the site links to; None if any is missing."""
    names = ["handbook.pdf", "handbook.epub", "checklists.pdf", "cover.png",
             *(f"checklists/{c.id}.pdf" for c in book.checklists)]
    if not all((out / name).is_file() for name in names):
        return None
    return {name: (out / name).read_bytes() for name in names}


def _replace_site(out: Path, files: dict[str, bytes]) -> None:
    """Write each file by renaming a finished copy into place; drop pages no longer made."""
    for name, data in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(path.name + ".preview-tmp")
        temp.write_bytes(data)
        os.replace(temp, path)
    for path in (out / site.ROOT).rglob("*"):
        if path.is_file() and path.relative_to(out).as_posix() not in files:
            path.unlink()


def refresh(chapters: Path, out: Path, layouts_dir: Path, paper: str, say: Say) -> None:
    """Re-render the site alone; a full build when the last one's downloads do not cover the book."""
    started = time.monotonic()
    book, warnings = load_checked(chapters)
    for warning in warnings:
        say(str(warning))
    outputs = _last_downloads(book, out)
    if outputs is None:
        say("a download is missing: running a full build...")
        build(chapters, out, layouts_dir, paper, force=True, progress=lambda m: say(f"  {m}"))
    else:
        _replace_site(out, site.write(book, Context(layouts_dir=layouts_dir, paper=paper, outputs=outputs)))
    say(f"site refreshed in {time.monotonic() - started:.1f} s; downloads and printed page numbers "
        "follow at the next full build")


def _attempt(step: Callable[[], None], say: Say) -> None:
    """Run a build step; report its problems and keep the preview running."""
    try:
        step()
    except BuildError as exc:
        for diagnostic in exc.diagnostics:
            say(str(diagnostic))
        say("the site was not refreshed; fix the problems above and save again")
    except HandbookError as exc:
        say(f"{exc}\nthe site was not refreshed")


def run(chapters: Path, out: Path, layouts_dir: Path, paper: str, port: int, say: Say,
        stop: threading.Event | None = None) -> None:
    """Build if needed, serve out/site/, and refresh it on every change until stopped (or Ctrl-C)."""
    _attempt(lambda: _full_build(chapters, out, layouts_dir, paper, say), say)
    server = serve(out / site.ROOT, port)
    try:
        say(f"serving the web edition at http://{HOST}:{server.server_address[1]}/index.html (Ctrl-C to stop)")
        for changes in watchfiles.watch(chapters, layouts_dir, stop_event=stop, raise_interrupt=False,
                                        debounce=300):
            names = sorted({Path(path).name for _, path in changes})
            say(f"changed: {', '.join(names)}")
            _attempt(lambda: refresh(chapters, out, layouts_dir, paper, say), say)
    finally:
        server.shutdown()
        server.server_close()
    say("preview stopped")


def _full_build(chapters: Path, out: Path, layouts_dir: Path, paper: str, say: Say) -> None:
    result = build(chapters, out, layouts_dir, paper, progress=lambda m: say(f"  {m}"))
    for warning in result.warnings:
        say(str(warning))
    say(f"{out} is up to date" if result.skipped else f"built {len(result.written)} files into {out}")

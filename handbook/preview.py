"""`handbook preview`: serve the web edition on localhost and refresh it when a chapter or layout changes.

The preview installs into a folder of its own (`OUT/.preview`), so it never changes what
`handbook build` made: a build after a preview is the same as a build without one. It starts with a
full build there; then a change runs the same stages as a build, twice. First without typesetting:
the site is made again from the sources, beside the downloads of that folder's last full build,
without printed page numbers (they would be stale), and an editor sees it after a reload within
seconds. Then a build of the preview's folder brings the PDF, the EPUB, the checklists and the
site's page numbers up to date: the book's parts laid out before are kept in this process's memory
(`typeset/inparts.py`), so only the parts the change touched are laid out again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import watchfiles

from handbook import install, scratch
from handbook.build import run as full_build
from handbook.errors import BuildError, HandbookError
from handbook.load import read_checked
from handbook.pagemap import PageMap
from handbook.project import Project

Say = Callable[[str], None]
HOST = "127.0.0.1"
FOLDER = ".preview"
SITE = "site/"
DOWNLOADS = ("handbook.pdf", "handbook.epub", "checklists.pdf", "cover.png")


class _Handler(SimpleHTTPRequestHandler):
    """Static files, never cached, so a reload always shows the latest render. The site's service
    worker is not served: it would answer a reload from its copy of the last render."""

    def send_head(self):
        if self.path.split("?")[0].split("#")[0] == "/sw.js":
            self.send_error(404, "the preview keeps no offline copy")
            return None
        return super().send_head()

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


def refresh(project: Project, folder: Path, say: Say) -> None:
    """Make the site again beside the last full build's downloads; a full build when any is missing."""
    started = time.monotonic()
    book, warnings = read_checked(project)
    for warning in warnings:
        say(str(warning))
    with scratch.folder(), install.locked(folder, say):
        previous, _ = install.read_previous(folder)
        kept = {name: data for name, entry in previous.files.items() if not name.startswith(SITE)
                and (data := previous.reusable(name, entry.get("key"))) is not None}
        needed = [*DOWNLOADS, *(f"checklists/{c.id}.pdf" for c in book.checklists)]
        if all(name in kept for name in needed):
            from handbook.outputs import site as web

            site = web.make(book, PageMap(), project, kept)
            keys = {name: entry.get("key") for name, entry in previous.files.items() if name in kept}
            # No stamp: the next full build of this folder makes everything anew.
            install.commit(folder, {**kept, **site.files}, keys, previous, "", previous.layout)
            say(f"site refreshed in {time.monotonic() - started:.1f} s; downloads and printed page numbers "
                "follow at the next full build")
            return
    say("a download is missing: running a full build...")
    full_build(project, folder, force=True, progress=lambda m: say(f"  {m}"))


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
    """Build into OUT/.preview if needed, serve its site/, and refresh it on every change until
    stopped (or Ctrl-C)."""
    project = Project(Path(chapters), Path(layouts_dir), paper)
    folder = Path(out) / FOLDER
    _attempt(lambda: _start(project, folder, say), say)
    server = serve(folder / SITE, port)
    try:
        say(f"serving the web edition at http://{HOST}:{server.server_address[1]}/index.html (Ctrl-C to stop)")
        for changes in watchfiles.watch(project.chapters, project.layouts, stop_event=stop, raise_interrupt=False,
                                        debounce=300):
            names = sorted({Path(path).name for _, path in changes})
            say(f"changed: {', '.join(names)}")
            _attempt(lambda: refresh(project, folder, say), say)
            _attempt(lambda: _downloads(project, folder, say), say)
    finally:
        server.shutdown()
        server.server_close()
    say("preview stopped")


def _downloads(project: Project, folder: Path, say: Say) -> None:
    """The downloads and printed page numbers after a change (the site refreshed without them)."""
    started = time.monotonic()
    result = full_build(project, folder, progress=lambda m: say(f"  {m}") if m.startswith("laid out") else None)
    say(f"downloads refreshed in {time.monotonic() - started:.1f} s" if not result.skipped else "downloads up to date")


def _start(project: Project, folder: Path, say: Say) -> None:
    result = full_build(project, folder, progress=lambda m: say(f"  {m}"))
    for warning in result.warnings:
        say(str(warning))
    say(f"{folder} is up to date" if result.skipped else f"built {len(result.written)} files into {folder}")

"""The one orchestration of a build; it reads as the build's table of contents.

    book    = read_checked(project)                       # sources, then checks of the model
    layout  = typeset.lay_out(book, project, ...)         # handbook.pdf and its PageMap
    outputs = cover | epub | checklists | site            # each a function of what it needs
    checks  = links inside every finished file            # on the second core, as each is made
    install.commit(out, ...)                               # atomic renames, the manifest last

The paperback edition (`--edition paperback`) is the same build with other outputs: its interior,
cover wrap and README (`outputs/paperback.py`), installed in `OUT/paperback/`, a folder of its own
with its own manifest, so either edition can be rebuilt without touching the other.

Around it: the output folder is checked and locked (`install`), the build's temporary files live
in a folder of its own (`scratch`), and the second core (`worker`) runs the tasks of `ahead`.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from importlib.metadata import version
from pathlib import Path

from handbook import __version__, ahead, fonts, install, scratch
from handbook.errors import BuildError, Diagnostic, RenderError, where
from handbook.gate import Refused
from handbook.load import read_checked
from handbook.model import Book
from handbook.pagemap import PageMap
from handbook.project import DEFAULT_LAYOUTS, Paperback, Project

from handbook.worker import result_or_here

if TYPE_CHECKING:
    from handbook.worker import Worker

Progress = Callable[[str], None]
PAPERBACK = "paperback"  # the paperback edition's folder inside --out
CHECKLIST_SHARE = 3  # checklists per task of the second core (the pack is a task of its own)
ENGINES = ("weasyprint", "ebooklib", "markdown-it-py", "mdit-py-plugins", "jinja2", "font-source-serif-pro",
           "font-source-sans-pro", "pypdfium2", "pillow", "pagefind-bin", "fonttools", "brotli")


@dataclass
class Result:
    book: Book | None
    warnings: list[Diagnostic]
    written: list[str]
    skipped: bool


def load_checked(chapters: Path, layouts_dir: Path = DEFAULT_LAYOUTS) -> tuple[Book, list[Diagnostic]]:
    """Read the book in `chapters` and check it; raises BuildError listing every problem."""
    return read_checked(Project(Path(chapters), Path(layouts_dir)))


def build(chapters: Path, out: Path, layouts_dir: Path = DEFAULT_LAYOUTS, paper: str = "letter",
          force: bool = False, progress: Progress | None = None, paperback: Paperback | None = None) -> Result:
    """Build the standard edition into `out`, or with `paperback` the paperback into `out/paperback`."""
    return run(Project(Path(chapters), Path(layouts_dir), paper, paperback=paperback), Path(out), force, progress)


def run(project: Project, out: Path, force: bool = False, progress: Progress | None = None) -> Result:
    say = progress or (lambda message: None)
    if project.paperback is not None:
        out = Path(out) / PAPERBACK
    real_out = install.check_out(out, project)
    checked = None if real_out.is_dir() else read_checked(project)  # a broken book makes no folder
    with scratch.folder() as temporary, install.locked(real_out, say):
        fonts.isolate(temporary)  # the typesetter (here and on the second core) sees the pinned fonts only
        previous, notes = install.read_previous(real_out)
        stamp = inputs_stamp(project)
        if not force and previous.files and previous.stamp == stamp and previous.intact():
            os.utime(real_out / install.MANIFEST)  # so make, which compares times, sees the outputs as current
            return Result(None, notes, [], skipped=True)
        if project.paperback is not None:
            book, warnings = checked or read_checked(project)
            files, keys, page_map, more = _paperback(book, project, previous, say)
        else:
            from handbook.worker import Worker

            # Started before the book is read, the second core loads the typesetter meanwhile.
            with Worker() as worker:
                worker.submit(ahead.warm, project)
                book, warnings = checked or read_checked(project)
                worker.submit(ahead.keep_book, project, book)
                files, keys, page_map, more = _make(book, project, previous, say, worker)
        layout = {**previous.layout, project.layout_name: page_map.to_record()}
        install.commit(real_out, files, keys, previous, stamp, layout)
    return Result(book, notes + warnings + more, sorted(files), skipped=False)


def _make(book: Book, project: Project, previous: install.Previous, say: Progress, worker: Worker):
    """Every output of the book: (files, their inputs' keys, the page map, warnings)."""
    # The typesetter and the writers load in half a second: builds only.
    from handbook import typeset
    from handbook.outputs import checklists
    from handbook.outputs import cover as cover_png
    from handbook.outputs import epub as ebook
    from handbook.outputs import site as web

    last = previous.page_map(project.paper)
    early: list = []
    start_early = None
    if book.checklists and last.known:
        # The second core makes the checklists with the page numbers of the last layout, then
        # helps with the layout; a checklist whose page moved is made again.
        early.append((None, worker.submit(ahead.checklists, project, last, previous.reusable)))
    elif book.checklists:  # no earlier layout: start them once this one's page numbers settle
        def start_shares(first):
            # In shares, so that this process can take back those not yet started when it
            # comes to the checklists itself.
            names = checklists.names(book)
            for share in [names[:1]] + [names[i:i + CHECKLIST_SHARE] for i in range(1, len(names), CHECKLIST_SHARE)]:
                share = frozenset(share)
                early.append((share, worker.submit(ahead.checklists, project, first, previous.reusable, share)))
        start_early = start_shares

    started = time.monotonic()
    say("laying out handbook.pdf...")
    layout = typeset.lay_out(book, project, previous.reusable, last,
                             beside=worker.submit, settled=start_early)
    kept = len(layout.parts) // 3 - len(layout.laid_out)
    renumbered = f", {len(layout.renumbered)} of them renumbered in place" if layout.renumbered else ""
    say(f"laid out handbook.pdf ({layout.page_map.count} pages; {len(layout.laid_out)} parts laid out{renumbered}, "
        f"{kept} kept) in {time.monotonic() - started:.1f} s")
    files = {"handbook.pdf": layout.pdf, **{f"print/{name}": data for name, data in layout.files.items()}}
    keys = {"print/handbook.html": layout.key}
    for name, (key, data) in layout.parts.items():
        files[name], keys[name] = data, key
    checking = [_checked(worker, {"handbook.pdf": layout.pdf})]

    cover = cover_png.make(book, project)
    epub = ebook.make(book, layout, project, cover.files["cover.png"])
    checking.append(_checked(worker, epub.files))
    # The shares of the checklists the worker has not started are made here, while it ends
    # the others; a share made here was made with this layout's page map.
    taken = _take_back(early)
    here = checklists.make(book, layout.page_map, project, previous.reusable, only=taken) if taken else None
    made_ahead = _ahead(early)
    made_here = {name: (here.keys[name], here.files[name]) for name in here.rendered} if here else {}
    pack = checklists.make(book, layout.page_map, project, previous.reusable,
                           {**{name: (key, data) for name, (key, data, _) in made_ahead.items()}, **made_here})
    problems = [p for name in pack.ahead if name in made_ahead for p in made_ahead[name][2]]
    fresh = {name: pack.files[name] for name in pack.rendered if name not in made_ahead}
    if fresh:
        checking.append(_checked(worker, fresh))
    if pack.files:
        say(f"checklist PDFs: {len(pack.rendered)} rendered, {len(pack.kept)} unchanged and kept")
    for made in (cover, epub, pack):
        files.update(made.files)
        keys.update(made.keys)
    site = web.make(book, layout.page_map, project, files, worker.submit)
    checking.append(_checked(worker, site.files))
    files.update(site.files)
    problems += [p for files_checked, job in checking for p in result_or_here(job, ahead.check, files_checked)]
    if problems:
        raise RenderError(problems)
    return files, keys, layout.page_map, list(layout.warnings)


def _paperback(book: Book, project: Project, previous: install.Previous, say: Progress):
    """The paperback's outputs: (files, their inputs' keys, its page count as a page map, warnings)."""
    from handbook import checks
    from handbook.outputs import paperback

    last = previous.page_map(project.layout_name).count
    made, pages, warnings = paperback.make(book, project, previous.reusable, last, say)
    problems = checks.outputs({f"{PAPERBACK}/{name}": data for name, data in made.files.items() if name.endswith(".pdf")})
    if problems:
        raise RenderError(problems)
    return made.files, made.keys, PageMap({}, {}, pages), warnings


def _checked(worker: Worker, files: dict[str, bytes]):
    """The links inside `files` checked on the second core: (the files, the future)."""
    return files, worker.submit(ahead.check, files)


def _take_back(early: list) -> frozenset[str]:
    """The checklists of the worker's shares it has not started, now cancelled there."""
    taken: set[str] = set()
    for share, future in early[::-1]:
        if share and future.cancel():
            taken |= share
    return frozenset(taken)


def _ahead(early: list) -> dict:
    """What the worker made ahead (name -> key, PDF, link problems), from the tasks it was not
    taken back from; nothing from a task that failed."""
    made: dict = {}
    for _, future in early:
        if future.cancelled():
            continue
        try:
            made.update(future.result())
        except Exception:  # noqa: BLE001 - a failed guess costs time, never correctness: the writer renders
            pass
    return made


def inputs_stamp(project: Project) -> str:
    """A digest of everything a build reads; equal stamps mean equal outputs."""
    digest = hashlib.sha256()
    engines = "\0".join(f"{name}={version(name)}" for name in ENGINES)
    digest.update(f"{__version__}\0{project.paper}\0{project.paperback}\0{os.environ.get('SOURCE_DATE_EPOCH', '')}"
                  f"\0{engines}\0".encode())
    try:
        for root in ("book", "layouts") + (("colour",) if project.paperback else ()):
            for rel, located in project.gate.files(root):
                digest.update(f"{root}/{rel}\0".encode())
                try:
                    digest.update(project.gate.digest(located) if located else b"(not a file)")
                except Refused:
                    digest.update(b"(unreadable)")
    except Refused as exc:
        raise BuildError([Diagnostic(where(project.chapters), 0, "error", "too-many-files", str(exc))]) from None
    code = Path(__file__).parent
    for folder, dirs, names in sorted(os.walk(code)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            path = Path(folder, name)
            digest.update(str(path.relative_to(code)).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()

"""The one orchestration of a build: read, check, write every output, put them in place.

Outputs are staged and renamed into place only when every writer has
succeeded, so a failed or interrupted build leaves the last good files as
they were.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from handbook import __version__, layouts, parallel, xrefs
from handbook.errors import BuildError, Diagnostic, Diagnostics, RenderError
from handbook.model import Book
from handbook.sources import load_book

MANIFEST = ".manifest.json"

Progress = Callable[[str], None]


@dataclass
class Result:
    book: Book | None
    warnings: list[Diagnostic]
    written: list[str]
    skipped: bool


def load_checked(chapters: Path) -> tuple[Book, list[Diagnostic]]:
    """Read the book and check it; raises BuildError listing every problem."""
    diags = Diagnostics()
    book = load_book(chapters, diags)
    if book is not None:
        xrefs.check_links(book, diags)
        check_images(book, diags)
    diags.raise_if_errors()
    if book is None:  # pragma: no cover - load_book records why
        raise BuildError(diags.items)
    return book, diags.warnings


def check_images(book: Book, diags: Diagnostics) -> None:
    root = book.root.resolve()
    for chapter in book.chapters:
        for image in chapter.images:
            if "://" in image.src or image.src.startswith(("/", "data:")):
                diags.error(image.path, image.line, "image-outside",
                            f"image {image.src!r} must be a file inside the book folder")
                continue
            path = (book.root / image.src).resolve()
            if not path.is_relative_to(root):
                diags.error(image.path, image.line, "image-outside",
                            f"image {image.src!r} is outside the book folder")
            elif not path.is_file():
                diags.error(image.path, image.line, "image-missing", f"image {image.src!r} does not exist")


def build(chapters: Path, out: Path, layouts_dir: Path = layouts.DEFAULT_LAYOUTS, paper: str = "letter",
          force: bool = False, progress: Progress | None = None) -> Result:
    say = progress or (lambda message: None)
    stamp = inputs_stamp(chapters, layouts_dir, paper)
    manifest = _read_manifest(out)
    if not force and manifest.get("stamp") == stamp and all((out / f).is_file() for f in manifest["files"]):
        os.utime(out / MANIFEST)  # so make, which compares times, sees the outputs as current
        return Result(None, [], [], skipped=True)
    book, warnings = load_checked(chapters)
    from handbook.writers import REGISTRY, Context  # the typesetter loads in half a second: builds only

    ctx = Context(layouts_dir=layouts_dir, paper=paper, out=out, previous=manifest["files"])
    last_pages = manifest["layout"].get(paper, {})
    with parallel.Helper() as helper:
        helper.preload(chapters)
        # The second core makes the checklists while this one lays out the book, with
        # the page numbers of the last layout; a checklist whose page moved is made again.
        helper.start_checklists(chapters, layouts_dir, paper, last_pages if book.checklists else {},
                                out, manifest["files"])
        if book.checklists and not last_pages:
            # No earlier layout to go on: start them with this one's first pagination.
            ctx.first_pages = lambda pages: helper.start_checklists(chapters, layouts_dir, paper, pages,
                                                                    out, manifest["files"])
        for name, writer in REGISTRY.items():
            started = time.monotonic()
            if name == "checklists":
                ctx.speculated = helper.checklists()
            say(f"writing {name}...")
            made = writer(book, ctx)
            ctx.outputs.update(made)
            # Every link inside what was made now must land; a file kept from the last
            # build was checked when it was made.
            helper.check_made({k: v for k, v in made.items() if k not in ctx.reused}, ctx.ahead)
            say(f"wrote {name} in {time.monotonic() - started:.1f} s")
        problems = helper.link_problems()
    if problems:
        raise RenderError("\n".join(_as_error(p) for p in problems))
    if ctx.rendered or ctx.reused:
        say(f"checklist PDFs: {len(ctx.rendered)} rendered, {len(ctx.reused)} unchanged and kept")
    layout = {**manifest["layout"], paper: ctx.pages}
    place(out, ctx.outputs, ctx.keys, manifest["files"], stamp, layout)
    return Result(book, warnings, sorted(ctx.outputs), skipped=False)


def _as_error(problem: str) -> str:
    where, _, message = problem.partition(": ")
    return f"{where}: error: {message}"


def inputs_stamp(chapters: Path, layouts_dir: Path, paper: str) -> str:
    """A digest of everything a build reads; equal stamps mean equal outputs."""
    digest = hashlib.sha256()
    digest.update(f"{__version__}\0{paper}\0{os.environ.get('SOURCE_DATE_EPOCH', '')}\0".encode())
    for folder in (chapters, layouts_dir, Path(__file__).parent):
        for path in sorted(p for p in Path(folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _read_manifest(out: Path) -> dict:
    """The last build's record: what it wrote (key and digest of each file) and its layout."""
    try:
        data = json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError):
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        return {"files": {}, "layout": {}}
    data.setdefault("layout", {})
    return data


def staging_dir(out: Path) -> Path:
    out = out.resolve()
    return out.parent / f".{out.name}.partial"


def place(out: Path, outputs: dict[str, bytes], keys: dict[str, str], previous: dict[str, dict], stamp: str,
          layout: dict) -> None:
    """Stage every changed file, then rename each into place; remove outputs no longer made."""
    out.mkdir(parents=True, exist_ok=True)
    # Beside the output folder, not in it: a killed build leaves no partial file among
    # the outputs, and the same file system keeps each rename atomic.
    staging = staging_dir(out)
    shutil.rmtree(staging, ignore_errors=True)  # left by an interrupted build
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in outputs.items()}
    # Files whose bytes did not change are left alone (and keep their times).
    changed = [name for name in outputs
               if previous.get(name, {}).get("sha256") != digests[name] or not (out / name).is_file()]
    try:
        for name in changed:
            data = outputs[name]
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        # The manifest goes last: a build stopped before it is not mistaken for complete.
        (out / MANIFEST).unlink(missing_ok=True)
        for name in changed:
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, target)
        for name in set(previous) - set(outputs):
            (out / name).unlink(missing_ok=True)
        files = {name: {"key": keys.get(name), "sha256": digests[name]} for name in sorted(outputs)}
        manifest = json.dumps({"stamp": stamp, "files": files, "layout": layout}, indent=1, sort_keys=True)
        staging.mkdir(parents=True, exist_ok=True)
        (staging / MANIFEST).write_text(manifest)
        os.replace(staging / MANIFEST, out / MANIFEST)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

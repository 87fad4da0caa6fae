"""The output folder: checked before use, locked while a build uses it, and changed only by
renaming finished files into place, the manifest last.

The folder is trusted for nothing. `--out` may not be, contain or sit inside the book or the
layouts, nor be `/`, a home folder or a file. Every name read back from the last build's manifest
is checked (a plain relative path inside the folder, through no link) before anything is deleted or
overwritten; a manifest that fails is ignored and the build starts afresh. Files are staged in
`.staging/` inside the folder (the same file system, so each rename is atomic) and renamed into
place; the manifest goes last, so a stopped build is never taken for a complete one.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from handbook.errors import BuildError, Diagnostic, where
from handbook.pagemap import PageMap
from handbook.project import Project

MANIFEST = ".manifest.json"
STAGING = ".staging"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def check_out(out: Path, project: Project) -> Path:
    """The output folder, resolved; BuildError when it is not a place a build may write."""
    real = Path(os.path.realpath(out))
    why = None
    guarded = {"the chapters folder": project.chapters, "the layouts folder": project.layouts}
    for what, folder in guarded.items():
        folder = Path(os.path.realpath(folder))
        if real == folder:
            why = f"is {what}"
        elif folder.is_relative_to(real):
            why = f"contains {what}"
        elif real.is_relative_to(folder):
            why = f"is inside {what}"
    if real == Path("/") or real == Path(os.path.realpath(Path.home())) or real.parent in (Path("/home"), Path("/")):
        why = "is the root, a home folder or a top-level system folder"
    elif real.exists() and not real.is_dir():
        why = "is a file, not a folder"
    elif real.is_dir() and any(_foreign(n) for n in real.iterdir()) and not (real / MANIFEST).is_file():
        why = "is not empty and was not made by a build (it has no .manifest.json)"
    if why:
        raise BuildError([Diagnostic(where(out), 0, "error", "bad-out", f"the output folder {why}; choose another")])
    return real


def _foreign(entry: Path) -> bool:
    """Whether an entry of an output folder could be someone else's file. Hidden entries (make's
    markers, caches) are not; nor is a folder that is another build's output folder (the
    paperback's, OUT/paperback: its own manifest, or nothing yet but hidden entries)."""
    if entry.name.startswith("."):
        return False
    if entry.is_symlink() or not entry.is_dir():
        return True
    return not (entry / MANIFEST).is_file() and any(not n.name.startswith(".") for n in entry.iterdir())


@contextmanager
def locked(out: Path, say: Callable[[str], None]) -> Iterator[None]:
    """Hold the folder's lock (on the folder itself: no lock file among the outputs): a second
    build into the same folder waits for this one."""
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"waiting for another build into {out} to finish...")
            fcntl.flock(fd, fcntl.LOCK_EX)
        shutil.rmtree(out / STAGING, ignore_errors=True)  # left by a build that was killed
        yield
    finally:
        shutil.rmtree(out / STAGING, ignore_errors=True)
        os.close(fd)


def valid_name(name: object) -> bool:
    """A file name the build itself could have written: relative, plain, inside the folder."""
    if not isinstance(name, str) or not name or len(name) > 1024 or "\\" in name or "\0" in name:
        return False
    parts = name.split("/")
    return not name.startswith("/") and all(p and p not in (".", "..") and not p.startswith(".") and len(p) < 256
                                             for p in parts)


@dataclass
class Previous:
    """What the last build recorded in the folder: its files (name -> key, sha256), its page maps
    (paper -> record) and its inputs' stamp. Files are read back only if their bytes still match."""

    out: Path
    files: dict[str, dict] = field(default_factory=dict)
    layout: dict[str, dict] = field(default_factory=dict)
    stamp: str = ""

    def reusable(self, name: str, key: str) -> bytes | None:
        """The last build's `name`, if it was made from inputs digested as `key` and is intact."""
        last = self.files.get(name, {})
        if last.get("key") != key or _through_link(self.out, name):
            return None
        try:
            data = (self.out / name).read_bytes()
        except OSError:
            return None
        return data if hashlib.sha256(data).hexdigest() == last.get("sha256") else None

    def intact(self) -> bool:
        """Every file recorded is on disk with the bytes recorded (a preview or a hand edit since?)."""
        for name, entry in self.files.items():
            try:
                if _through_link(self.out, name) or \
                        hashlib.sha256((self.out / name).read_bytes()).hexdigest() != entry["sha256"]:
                    return False
            except OSError:
                return False
        return True

    def page_map(self, paper: str) -> PageMap:
        return PageMap.from_record(self.layout.get(paper))


def read_previous(out: Path) -> tuple[Previous, list[Diagnostic]]:
    """The last build's record, validated; an empty one (and a warning) when it is not valid."""
    path = out / MANIFEST
    try:
        if path.is_symlink() or not path.is_file():
            return Previous(out), []
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    files = data.get("files") if isinstance(data, dict) else None
    ok = isinstance(files, dict) and all(
        valid_name(name) and isinstance(entry, dict) and isinstance(entry.get("sha256"), str)
        and _SHA256.match(entry["sha256"]) for name, entry in files.items())
    if not ok:
        return Previous(out), [Diagnostic(where(path), 0, "warning", "bad-manifest",
                                          "not a manifest this program wrote: ignored, every output is made afresh")]
    layout = data.get("layout") if isinstance(data.get("layout"), dict) else {}
    stamp = data.get("stamp") if isinstance(data.get("stamp"), str) else ""
    return Previous(out, files, layout, stamp), []


def _through_link(out: Path, name: str) -> bool:
    """Whether any step of `name` inside `out` is a symbolic link (or not what a file path needs)."""
    current = out
    for part in name.split("/"):
        current = current / part
        try:
            if stat.S_ISLNK(os.lstat(current).st_mode):
                return True
        except FileNotFoundError:
            return False
    return False


def _real_folder(out: Path, name: str) -> Path:
    """The folder that will hold `name`, made of real folders inside `out` (a link or a file where
    a folder must be is removed: it is inside the output folder, and not an output)."""
    current = out
    for part in name.split("/")[:-1]:
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            current.mkdir()
            continue
        if not stat.S_ISDIR(mode):
            current.unlink()
            current.mkdir()
    return current


def commit(out: Path, files: dict[str, bytes], keys: dict[str, str], previous: Previous, stamp: str,
          layout: dict) -> None:
    """Stage every changed file, then rename each into place; remove outputs no longer made."""
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    # Files whose bytes did not change are left alone (and keep their times).
    changed = [name for name in files
               if previous.files.get(name, {}).get("sha256") != digests[name] or not (out / name).is_file()
               or _through_link(out, name)]
    staging = out / STAGING
    for name in changed:
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(files[name])
            handle.flush()
            os.fsync(handle.fileno())
    # The manifest goes last: a build stopped before it is not mistaken for complete.
    (out / MANIFEST).unlink(missing_ok=True)
    for name in changed:
        os.replace(staging / name, _real_folder(out, name) / name.rsplit("/", 1)[-1])
    for name in sorted(set(previous.files) - set(files)):
        folder = name.rsplit("/", 1)[0] if "/" in name else ""
        if folder and _through_link(out, folder):
            continue  # never delete through a link
        target = out / name
        if target.is_symlink() or target.is_file():
            target.unlink()
    record = {name: {"key": keys.get(name), "sha256": digests[name]} for name in sorted(files)}
    manifest = json.dumps({"stamp": stamp, "files": record, "layout": layout}, indent=1, sort_keys=True)
    staging.mkdir(parents=True, exist_ok=True)
    (staging / MANIFEST).write_text(manifest)
    os.replace(staging / MANIFEST, out / MANIFEST)

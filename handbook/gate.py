"""The one gate for every file a build reads: chapters, pictures, the book's metadata, layouts, fonts.

A path is resolved the way the operating system would resolve it (each symbolic link followed where
it sits, `..` taken from the real folder reached so far), and refused unless every step stays inside
one of the gate's roots (the book folder, the layouts folder, the pinned font packages) and the
end is a regular file. The file is then opened without following a last link and read in pieces up
to a limit. What was checked is what is read: callers keep the `Located` value and read through it.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from handbook import limits


class Refused(Exception):
    """A file the gate will not read; the message says why, for a diagnostic."""


@dataclass(frozen=True)
class Located:
    root: str  # the name of the root it lies in: "book", "layouts", "fonts"
    rel: str  # its path inside that root, after resolution, with "/" separators
    path: Path  # the real path on disk

    def __str__(self) -> str:
        return self.rel


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _lstat(path: str, rel: str) -> int:
    """The mode of `path`; FileNotFoundError when it is missing, Refused when it cannot be read."""
    try:
        return os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        raise FileNotFoundError(rel) from None
    except OSError as exc:
        raise Refused(f"{rel!r} cannot be read: {exc.strerror}") from None


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


class Gate:
    def __init__(self, roots: dict[str, Path | tuple[Path, ...]]):
        self.roots: dict[str, tuple[str, ...]] = {
            name: tuple(os.path.realpath(p) for p in (paths if isinstance(paths, tuple) else (paths,)))
            for name, paths in roots.items()}

    def locate(self, root: str, rel: str) -> Located:
        """The file `rel` (a relative path with "/" separators) inside `root`, or Refused."""
        if not rel or rel.startswith("/") or "\\" in rel or "\0" in rel:
            raise Refused(f"{rel!r} is not a relative path inside the {root} folder")
        refusal: Refused | None = None
        for base in self.roots[root]:
            try:
                return self._walk(root, base, rel)
            except FileNotFoundError:
                continue
            except Refused as exc:
                refusal = refusal or exc
        raise refusal or Refused(f"{rel!r} does not exist")

    def _walk(self, root: str, base: str, rel: str) -> Located:
        current = base
        for part in rel.split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                current = os.path.dirname(current)
                if not _inside(current, base):
                    raise Refused(f"{rel!r} climbs out of the {root} folder")
                continue
            candidate = os.path.join(current, part)
            mode = _lstat(candidate, rel)
            if stat.S_ISLNK(mode):
                real = os.path.realpath(candidate)
                if not _inside(real, base):
                    raise Refused(f"{rel!r} goes through a link to a place outside the {root} folder")
                current = real
            else:
                current = candidate
        mode = _lstat(os.path.realpath(current), rel)
        if not stat.S_ISREG(mode):
            raise Refused(f"{rel!r} is {_kind(mode)}, not a file")
        return Located(root, os.path.relpath(current, base).replace(os.sep, "/"), Path(current))

    def locate_reference(self, root: str, ref: str) -> Located:
        """A file named by a link as written in Markdown: percent-decoded once, no scheme, host,
        query or fragment."""
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc:
            raise Refused(f"{ref!r} must be a file inside the {root} folder, not an address")
        if parts.query or parts.fragment or "?" in ref or "#" in ref:
            raise Refused(f"{ref!r}: a file reference may not have a '?' or '#' part")
        return self.locate(root, unquote(parts.path))

    def read(self, located: Located, limit: int) -> bytes:
        """The file's bytes; Refused if it is larger than `limit` or no longer a regular file."""
        with self._open(located) as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise Refused(f"{located.rel!r} is larger than {limit // 1024} KiB")
        return data

    def digest(self, located: Located) -> bytes:
        """SHA-256 of the file, read in pieces: the input digest never holds a whole file."""
        digest = hashlib.sha256()
        with self._open(located) as handle:
            while chunk := handle.read(limits.READ_CHUNK):
                digest.update(chunk)
        return digest.digest()

    def _open(self, located: Located):
        # No following of a last link, no blocking on a pipe swapped in since it was located.
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(located.path, flags)
        except OSError as exc:
            raise Refused(f"{located.rel!r} cannot be opened: {exc.strerror}") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise Refused(f"{located.rel!r} is not a regular file")
        return os.fdopen(fd, "rb")

    def files(self, root: str) -> list[tuple[str, Located | None]]:
        """Every entry below `root`, sorted, without following links out of it: (rel, the file) for
        regular files and links to files inside, (rel, None) for anything else. At most
        `limits.FOLDER_FILES` entries and `limits.FOLDER_DEPTH` levels (Refused beyond)."""
        found: list[tuple[str, Located | None]] = []
        for base in self.roots[root]:
            stack = [("", 0)]
            while stack:
                folder, depth = stack.pop()
                try:
                    entries = list(os.scandir(os.path.join(base, folder)))
                except OSError:
                    continue
                for entry in entries:
                    if len(found) + len(stack) >= limits.FOLDER_FILES:
                        raise Refused(f"the {root} folder holds more than {limits.FOLDER_FILES} files")
                    rel = f"{folder}/{entry.name}" if folder else entry.name
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name in ("__pycache__", ".git"):
                            continue
                        if depth + 1 > limits.FOLDER_DEPTH:
                            raise Refused(f"the {root} folder is nested more than {limits.FOLDER_DEPTH} deep")
                        stack.append((rel, depth + 1))
                        continue
                    try:
                        found.append((rel, self._walk(root, base, rel)))
                    except (OSError, Refused):
                        found.append((rel, None))
        return sorted(found, key=lambda item: item[0])

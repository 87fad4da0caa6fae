"""The build's own temporary folder: everything a build writes for a moment goes there, and the
folder goes when the build ends, however it ends.

WeasyPrint copies the book's fonts into a temporary folder for each font configuration and removes
it only when the object is finalised, which a short-lived process may never do: a day of builds
left hundreds of such folders. Here `tempfile`'s folder (and TMPDIR, which the second-core worker
inherits) points into one folder per build, named `handbook-<pid>-...`, removed at the end; SIGTERM,
SIGHUP and a CPU limit (SIGXCPU) stop the build like Ctrl-C, so the removal runs. A build killed
outright (SIGKILL) cannot clean up: the next build removes the folders of dead builds of this
user, recognised by name and owner, and nothing else.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from handbook.errors import Interrupted

PREFIX = "handbook-"
_OURS = re.compile(rf"^{PREFIX}(\d+)-[A-Za-z0-9_]+$")
_STOPS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGXCPU") if hasattr(signal, name))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def sweep(base: str) -> list[str]:
    """Remove the folders that dead builds of this user left in `base`; returns their names."""
    removed = []
    try:
        entries = list(os.scandir(base))
    except OSError:
        return removed
    for entry in entries:
        match = _OURS.match(entry.name)
        if not match or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
        except OSError:
            continue
        pid = int(match.group(1))
        if pid != os.getpid() and not _alive(pid):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.name)
    return removed


def _stop(signum, frame) -> None:
    raise Interrupted(f"stopped by signal {signal.Signals(signum).name}")


@contextmanager
def folder() -> Iterator[Path]:
    """A temporary folder for this build, set as the process's (and its children's) temp folder."""
    base = tempfile.gettempdir()
    sweep(base)
    path = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base)
    saved_dir = tempfile.tempdir
    saved_env = {name: os.environ.get(name) for name in ("TMPDIR", "FONTCONFIG_FILE")}
    tempfile.tempdir = path
    os.environ["TMPDIR"] = path
    handlers = {}
    if threading.current_thread() is threading.main_thread():
        handlers = {sig: signal.signal(sig, _stop) for sig in _STOPS}
    try:
        yield Path(path)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        tempfile.tempdir = saved_dir
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(path, ignore_errors=True)

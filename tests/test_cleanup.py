"""A build leaves nothing behind: no temporary files, no staging folder, no process, however it ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clirun import ROOT

GUARD = 120


def _start(book: Path, out: Path, tmp: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "handbook", "build", "--chapters", str(book), "--out", str(out),
                             *extra], cwd=ROOT, env={**os.environ, "TMPDIR": str(tmp)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _ours(book: Path) -> list[str]:
    """Processes still running that belong to a build of `book` (the build or its worker)."""
    lines = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout.splitlines()
    return [line for line in lines if str(book) in line or "multiprocessing.spawn" in line and "handbook" in line]


def _settle(book: Path) -> list[str]:
    deadline = time.monotonic() + 10
    while _ours(book) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _ours(book)


@pytest.fixture
def setup(tmp_path, book_copy):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    return book_copy, tmp_path / "out", tmp


def test_success_failure_and_interruptions_leave_the_temp_folder_empty(setup):
    book, out, tmp = setup
    for _ in range(3):  # successes: a cold build, then two more
        done = _start(book, out, tmp, "--force")
        assert done.wait(GUARD) == 0, done.stderr.read()
        assert list(tmp.iterdir()) == []
    # A failure in the typesetter, after the worker has started.
    layouts = tmp.parent / "layouts"
    subprocess.run(["cp", "-r", str(ROOT / "layouts"), str(layouts)], check=True)
    with open(layouts / "print" / "handbook.css", "a", encoding="utf-8") as css:
        css.write("\np { colour: red; }\n")
    failed = _start(book, out, tmp, "--force", "--layouts", str(layouts))
    assert failed.wait(GUARD) == 1
    assert list(tmp.iterdir()) == [] and _settle(book) == []
    # Stopped by Ctrl-C and by SIGTERM while laying out: each removes its own folder.
    for sig in (signal.SIGINT, signal.SIGTERM):
        running = _start(book, out, tmp, "--force")
        time.sleep(1.0)
        running.send_signal(sig)
        running.wait(GUARD)
        assert "Traceback" not in running.stderr.read()
        assert list(tmp.iterdir()) == [], sig
        assert _settle(book) == []
    assert not (out / ".staging").exists()


def test_a_killed_build_is_cleaned_up_by_the_next(setup):
    book, out, tmp = setup
    victim = tmp / "not-ours"
    victim.mkdir()  # something else's folder in the same temp folder: never touched
    (tmp / "handbook-1-abc").mkdir()  # named like ours, but pid 1 is alive: never touched
    killed = _start(book, out, tmp, "--force")
    time.sleep(1.2)
    killed.send_signal(signal.SIGKILL)
    killed.wait(GUARD)
    assert _settle(book) == []  # its worker died with it
    left = sorted(p.name for p in tmp.iterdir())
    assert any(name.startswith(f"handbook-{killed.pid}-") for name in left), left
    after = _start(book, out, tmp)
    assert after.wait(GUARD) == 0
    assert sorted(p.name for p in tmp.iterdir()) == ["handbook-1-abc", "not-ours"]
    assert not (out / ".staging").exists()

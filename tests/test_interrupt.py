"""A build stopped mid-way (Ctrl-C or kill -9) leaves no half-written file among the outputs."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from clirun import ROOT, handbook, snapshot


@pytest.fixture(scope="module")
def changed_book(tmp_path_factory, sample_out):
    """The sample with one edit, its complete outputs, and the outputs before the edit."""
    from conftest import SAMPLE

    folder = tmp_path_factory.mktemp("interrupt")
    book = folder / "book"
    shutil.copytree(SAMPLE, book)
    chapter = book / "02-second.md"
    chapter.write_text(chapter.read_text() + "\nOne more paragraph, so that every output changes.\n")
    ref = folder / "ref"
    result = handbook("build", "--chapters", str(book), "--out", str(ref))
    assert result.returncode == 0, result.stderr
    return book, snapshot(ref), snapshot(sample_out)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
@pytest.mark.parametrize("delay", [0.4, 0.9, 1.4, 1.9])
def test_interrupted_build_leaves_old_or_new_files_only(sig, delay, changed_book, tmp_path):
    book, new, old = changed_book
    out = tmp_path / "out"
    for name, data in old.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    process = subprocess.Popen([sys.executable, "-m", "handbook", "build", "--chapters", str(book), "--out", str(out)],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy())
    time.sleep(delay)
    process.send_signal(sig)
    _, err = process.communicate(timeout=60)
    assert b"Traceback" not in err
    after = snapshot(out)
    for name, data in after.items():
        if name == ".manifest.json":
            continue
        assert data in (old.get(name), new.get(name)), f"{name} is neither the old nor the new file"
    assert set(after) <= set(old) | set(new)
    # A later build finishes the job.
    result = handbook("build", "--chapters", str(book), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert {k: v for k, v in snapshot(out).items() if k != ".manifest.json"} == \
        {k: v for k, v in new.items() if k != ".manifest.json"}

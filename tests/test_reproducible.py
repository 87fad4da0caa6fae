"""Same sources, same bytes: builds in other folders, at other times and in other time zones."""

from __future__ import annotations

import shutil
import time

from clirun import handbook, snapshot
from conftest import CHAPTERS, SAMPLE


def _build_elsewhere(book, tmp_path, tz: str):
    out = tmp_path / f"out-{tz.replace('/', '-')}"
    result = handbook("build", "--chapters", str(book), "--out", str(out), env={"TZ": tz}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return snapshot(out)


def _differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(name for name in set(a) | set(b) if a.get(name) != b.get(name))


def test_sample_builds_are_byte_identical(tmp_path):
    first = _build_elsewhere(SAMPLE, tmp_path, "UTC")
    time.sleep(1.1)  # a later second, so any clock that leaks in shows up
    second = _build_elsewhere(SAMPLE, tmp_path, "Pacific/Auckland")
    assert first.keys() == second.keys()
    assert _differences(first, second) == []


def test_handbook_rebuilt_elsewhere_is_byte_identical(tmp_path, handbook_out):
    book = tmp_path / "a copy of the chapters"
    shutil.copytree(CHAPTERS, book)
    # The copy is not a git checkout: the date must come from SOURCE_DATE_EPOCH, as in CI.
    epoch = handbook("check", "--chapters", str(CHAPTERS))  # warm-up; also proves the book is clean
    assert epoch.returncode == 0
    from handbook.project import Project
    from handbook.sources import source_date

    env_epoch = str(int(source_date(Project(CHAPTERS)).timestamp()))
    out = tmp_path / "elsewhere"
    result = handbook("build", "--chapters", str(book), "--out", str(out),
                      env={"TZ": "America/Denver", "SOURCE_DATE_EPOCH": env_epoch}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    ours = {k: v for k, v in snapshot(handbook_out).items() if k != ".manifest.json"}
    theirs = {k: v for k, v in snapshot(out).items() if k != ".manifest.json"}
    assert _differences(ours, theirs) == []

"""Shared fixtures: the real handbook and the sample book, each built once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from handbook.build import build

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
SAMPLE = ROOT / "tests" / "fixtures" / "sample"


@pytest.fixture(scope="session")
def handbook_out(tmp_path_factory) -> Path:
    """The real handbook, built once for the whole session."""
    out = tmp_path_factory.mktemp("handbook") / "build"
    build(CHAPTERS, out, force=True)
    return out


@pytest.fixture(scope="session")
def handbook_a4_out(tmp_path_factory) -> Path:
    """The real handbook on A4, built once for the whole session."""
    out = tmp_path_factory.mktemp("handbook-a4") / "build"
    build(CHAPTERS, out, paper="a4", force=True)
    return out


@pytest.fixture(params=["letter", "a4"])
def handbook_paper(request) -> tuple[str, Path]:
    """Checks of the printed handbook run on both papers."""
    return request.param, request.getfixturevalue("handbook_out" if request.param == "letter" else "handbook_a4_out")


@pytest.fixture(scope="session")
def sample_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "build"
    build(SAMPLE, out, force=True)
    return out


@pytest.fixture(params=["sample", "handbook"])
def book_out(request) -> tuple[Path, Path]:
    """Each end-to-end check runs on the sample book and on the real handbook."""
    if request.param == "sample":
        return SAMPLE, request.getfixturevalue("sample_out")
    return CHAPTERS, request.getfixturevalue("handbook_out")


@pytest.fixture
def book_copy(tmp_path) -> Path:
    """A writable copy of the sample book, for tests that break it."""
    dest = tmp_path / "book"
    shutil.copytree(SAMPLE, dest)
    return dest

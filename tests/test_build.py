"""The build as a user runs it: outputs, failures that keep the last good files, no rework."""

from __future__ import annotations

import shutil

from clirun import handbook, snapshot
from conftest import CHAPTERS, SAMPLE
from pypdf import PdfReader


def test_build_writes_every_output(sample_out):
    names = set(snapshot(sample_out))
    assert {"handbook.pdf", "handbook.epub", "checklists.pdf", "checklists/first-steps.pdf",
            "checklists/ready.pdf", "print/handbook.html", "cover.png"} <= names
    assert not any(name.startswith(".") and name != ".manifest.json" for name in names)


def test_cli_builds_any_book_folder(tmp_path):
    result = handbook("build", "--chapters", str(SAMPLE), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert len(PdfReader(tmp_path / "out" / "handbook.pdf").pages) >= 5
    again = handbook("build", "--chapters", str(SAMPLE), "--out", str(tmp_path / "out"))
    assert again.returncode == 0 and "up to date" in again.stderr


def test_broken_cross_reference_fails_and_keeps_previous_outputs(tmp_path, handbook_out):
    book = tmp_path / "chapters"
    shutil.copytree(CHAPTERS, book)
    out = tmp_path / "build"
    shutil.copytree(handbook_out, out)
    before = snapshot(out)
    chapter = book / "02-the-path.md"
    lines = chapter.read_text(encoding="utf-8").splitlines()
    target = next(i for i, line in enumerate(lines) if "](06-certification.md" in line)
    lines[target] = lines[target].replace("](06-certification.md", "](06-no-such-chapter.md", 1)
    chapter.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = handbook("build", "--force", "--chapters", str(book), "--out", str(out))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"02-the-path.md:{target + 1}: error: link to '06-no-such-chapter.md': no chapter file" in result.stderr
    assert snapshot(out) == before


def test_usage_errors_exit_2():
    result = handbook("build", "--paper", "tabloid")
    assert result.returncode == 2 and "Traceback" not in result.stderr

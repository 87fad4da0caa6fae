"""An independent reading system opens the EPUB: calibre reads its metadata and its text.

calibre is a Debian package the tests' set-up installs (`make test-deps`).
"""

from __future__ import annotations

import re
import shutil
import subprocess

from handbook.build import load_checked

CALIBRE = ("ebook-meta", "ebook-convert", "calibre-debug")


def _run(*args: str) -> str:
    missing = [tool for tool in CALIBRE if shutil.which(tool) is None]
    assert not missing, f"calibre is not installed ({missing}): run `make test-deps`"
    result = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_calibre_reads_title_author_language_and_identifier(book_out):
    chapters, out = book_out
    cfg = load_checked(chapters)[0].config
    printed = _run("ebook-meta", str(out / "handbook.epub"))
    fields = dict(re.findall(r"^(\S[^:]*?)\s*: (.*)$", printed, re.M))
    # calibre shows an EPUB 3 title with its subtitle, as "Title: Subtitle".
    assert fields["Title"] == (f"{cfg.title}: {cfg.subtitle}" if cfg.subtitle else cfg.title)
    assert fields["Author(s)"].split(" [")[0] == cfg.author
    assert fields["Languages"] == {"en": "eng"}[cfg.language.split("-")[0]]  # calibre names ISO 639-2 codes
    assert "Traceback" not in printed
    # ebook-meta prints no urn:uuid identifier (calibre keeps it as the book's uuid): ask the same reader.
    uuid = _run("calibre-debug", "-c", "import sys; from calibre.ebooks.metadata.meta import get_metadata; "
                f"print(get_metadata(open({str(out / 'handbook.epub')!r}, 'rb'), 'epub').uuid)").strip()
    assert "urn:uuid:" + uuid.splitlines()[-1] == cfg.identifier


def test_calibre_turns_the_epub_into_text_with_every_chapter(book_out, tmp_path):
    chapters, out = book_out
    book, _ = load_checked(chapters)
    target = tmp_path / "handbook.txt"
    _run("ebook-convert", str(out / "handbook.epub"), str(target))
    text = " ".join(target.read_text(encoding="utf-8").split())
    missing = [ch.title for ch in book.chapters if ch.title not in text]
    assert missing == []
    assert "\u25a1" in text  # the checklists' boxes survive as text

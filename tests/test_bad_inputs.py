"""A catalogue of broken books: each gives `path:line: error: ...` (or a warning when the
book can still be built right), a clean exit code, no traceback, and untouched outputs."""

from __future__ import annotations

import os
import re

import pytest
from clirun import handbook, snapshot

GOOD = "---\ntitle: Third\n---\n\nSome text.\n"
DIAGNOSTIC = re.compile(r"^\S+:\d+: (error|warning): .+$")

CASES = {
    "malformed-yaml": ("03-x.md", "---\ntitle: [oops\n---\n\nText.\n", "03-x.md:2: error: malformed YAML"),
    "missing-title": ("03-x.md", "---\nsummary: none\n---\n\nText.\n", "03-x.md:1: error: front matter needs a 'title'"),
    "not-utf8": ("03-x.md", b"---\ntitle: x\n---\n\nCaf\xe9 au lait.\n", "03-x.md:5: error: file is not UTF-8"),
    "unclosed-div": ("03-x.md", "---\ntitle: x\n---\n\n::: {.checklist #c title=\"C\"}\n- [ ] a\n",
                     "03-x.md:5: error: fenced div is not closed"),
    "checklist-without-id": ("03-x.md", "---\ntitle: x\n---\n\n::: {.checklist title=\"C\"}\n- [ ] a\n:::\n",
                             "03-x.md:5: error: checklist has no id"),
    "duplicate-checklist-id": ("03-x.md", "---\ntitle: x\n---\n\n::: {.checklist #ready title=\"C\"}\n- [ ] a\n:::\n",
                               "03-x.md:5: error: checklist id 'ready' is already used"),
    "broken-xref": ("03-x.md", "---\ntitle: x\n---\n\nSee [there](01-first.md#gone).\n",
                    "03-x.md:5: error: link to 01-first.md#gone"),
    "broken-xref-hint": ("03-x.md", "---\ntitle: x\n---\n\nSee [there](01-first.md#first-step).\n",
                         "03-x.md:5: error: link to 01-first.md#first-step: no heading, checklist or figure with "
                         "that id (did you mean #first-steps?)"),
    "duplicate-heading-id": ("03-x.md", "---\ntitle: x\n---\n\n## A {#a}\n\n## B {#a}\n",
                             "03-x.md:7: error: duplicate heading id 'a'"),
    "missing-image": ("03-x.md", "---\ntitle: x\n---\n\n![A chart](images/none.png)\n",
                      "03-x.md:5: error: image 'images/none.png' does not exist"),
    "image-without-alt": ("03-x.md", "---\ntitle: x\n---\n\n![](images/dot.png)\n",
                          "03-x.md:5: error: image 'images/dot.png' has no alt text"),
    "html-element-not-allowed": ("03-x.md", "---\ntitle: x\n---\n\nText <iframe src=x></iframe>.\n",
                                 "03-x.md:5: error: raw HTML element <iframe> is not allowed"),
    "html-block-style": ("03-x.md", "---\ntitle: x\n---\n\n<div style=\"color: red\"><p>open\n\n",
                         "03-x.md:5: error: <div style=...> is not allowed"),
    "html-link-inside-the-book": ("03-x.md", "---\ntitle: x\n---\n\nSee <a href=\"#nowhere\">there</a>.\n",
                                  "03-x.md:5: error: link '#nowhere' inside the book: write it in Markdown"),
    "undefined-footnote": ("03-x.md", "---\ntitle: x\n---\n\nA call[^missing] with no note.\n",
                           "03-x.md:5: error: footnote [^missing] is not defined"),
    "code-in-checklist": ("03-x.md", "---\ntitle: x\n---\n\n::: {.checklist #c title=\"C\"}\n- [ ] a\n\n"
                          "```\ncode\n```\n:::\n", "03-x.md:8: error: a checklist ends with its task list"),
    "table-in-checklist-item": ("03-x.md", "---\ntitle: x\n---\n\n::: {.checklist #c title=\"C\"}\n- [ ] a\n\n"
                                "  | x | y |\n  | - | - |\n  | 1 | 2 |\n:::\n",
                                "03-x.md:8: error: a checklist item holds its text, more paragraphs and sub-tasks"),
    "empty-heading": ("03-x.md", "---\ntitle: x\n---\n\n## \n\nText.\n", "03-x.md:5: error: heading has no words"),
    "huge-chapter": ("03-x.md", "---\ntitle: x\n---\n\n" + "A sentence of filler text. " * 200_000,
                     "03-x.md:1: error: chapter is"),
}


def _prepare(book, name, content):
    (book / "images").mkdir(exist_ok=True)
    (book / "images" / "dot.png").write_bytes(PNG_1PX)
    path = book / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


@pytest.fixture(scope="module")
def last_good(tmp_path_factory, sample_out):
    return snapshot(sample_out)


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_an_error_with_its_place(case, book_copy, tmp_path, sample_out, last_good):
    name, content, expected = CASES[case]
    _prepare(book_copy, name, content)
    out = tmp_path / "out"
    out.mkdir()
    for rel, data in last_good.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    result = handbook("build", "--force", "--chapters", str(book_copy), "--out", str(out))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if not line.startswith("handbook:")]
    assert lines and all(DIAGNOSTIC.match(line) for line in lines), result.stderr
    assert any(expected in line for line in lines), result.stderr
    assert snapshot(out) == last_good


def test_empty_chapters_folder(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    (book / "book.yaml").write_text("title: T\nauthor: A\n")
    result = handbook("build", "--chapters", str(book), "--out", str(tmp_path / "out"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "error: the chapters folder holds no chapter" in result.stderr
    assert not (tmp_path / "out").exists()


def test_chapter_linked_from_outside_the_book(book_copy, tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text("---\ntitle: Secret\n---\n\nNot part of the book.\n")
    os.symlink(outside, book_copy / "03-link.md")
    result = handbook("build", "--chapters", str(book_copy), "--out", str(tmp_path / "out"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "03-link.md: error: not read: '03-link.md' goes through a link to a place outside the book folder" \
        in result.stderr


@pytest.mark.parametrize("content, code", [
    ("---\ntitle: x\ncolour: blue\n---\n\nText.\n", "03-x.md:3: warning: unknown front-matter key 'colour'"),
    ("---\ntitle: x\n---\n\n- [ ] a stray task\n", "03-x.md:5: warning: task item outside a checklist"),
    ("---\ntitle: x\n---\n\n::: {.callout-hint}\nHm.\n:::\n", "03-x.md:5: warning: unknown callout kind 'hint'"),
    ("---\ntitle: x\n---\n\nText </b> here.\n", "03-x.md:5: warning: </b> closes nothing and is left out"),
])
def test_warnings_still_build(content, code, book_copy, tmp_path):
    _prepare(book_copy, "03-x.md", content)
    result = handbook("build", "--chapters", str(book_copy), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert code in result.stderr
    assert (tmp_path / "out" / "handbook.pdf").is_file()


FOREIGN = ("See ![[Pasted image 2026.png]] and [[02-more]].\n\nA ==bright== idea %%not for print%% :rocket:\n\n"
           "As @fig-flow shows [@smith2020].\n\nCosts $400 to $500, at 10:30, from AT&T (ratio 3:1), me@example.org.\n")


def test_syntax_of_other_tools_is_a_warning_where_it_stands(book_copy):
    """Obsidian, GitHub and Quarto forms this format does not read are printed as typed: each is a
    warning at its line, and ordinary prices, times and addresses are not mistaken for them."""
    _prepare(book_copy, "03-x.md", "---\ntitle: x\n---\n\n" + FOREIGN)
    result = handbook("check", "--chapters", str(book_copy))
    assert result.returncode == 0, result.stderr
    found = sorted(re.findall(r"03-x\.md:(\d+): warning: .*\[([a-z-]+)\]$", result.stderr, re.M))
    assert found == [("5", "obsidian-embed"), ("5", "wikilink"), ("7", "emoji-code"), ("7", "highlight"),
                     ("7", "obsidian-comment"), ("9", "citation"), ("9", "quarto-ref")]


def test_heading_attributes_with_quoted_values_are_read(book_copy):
    """The typographer curls the quotes of `key="value"`; a pandoc heading's attributes still read."""
    _prepare(book_copy, "03-x.md", '---\ntitle: x\n---\n\n## Pay {#pay .unnumbered lang="en"}\n\nSee [pay](#pay).\n')
    result = handbook("check", "--chapters", str(book_copy))
    assert result.returncode == 0, result.stderr


def test_nested_bullet_lists_build(book_copy, tmp_path):
    """A bulleted list inside a list is drawn with CSS's circle and square bullets, which the book's
    own fonts lack: the build declares the fallback that has them instead of failing."""
    _prepare(book_copy, "03-x.md", "---\ntitle: x\n---\n\n1. One\n   - two\n     - three\n")
    result = handbook("build", "--chapters", str(book_copy), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr


PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360f8cf00000301010018dd8db40000000049454e44ae426082")


def test_a_long_book_title_builds_in_balanced_lines(book_copy, tmp_path):
    """The title page balances a title's lines; a title near the length limit must not make it try
    billions of ways (it fills the lines in turn instead)."""
    title = " ".join(["Practice"] * 33)  # 296 characters
    metadata = (book_copy / "book.yaml").read_text(encoding="utf-8")
    (book_copy / "book.yaml").write_text(re.sub(r"(?m)^title: .*$", f"title: {title}", metadata), encoding="utf-8")
    result = handbook("build", "--chapters", str(book_copy), "--out", str(tmp_path / "out"), timeout=120)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out" / "print" / "handbook.html").read_text(encoding="utf-8")
    lines = re.search(r'class="title-page-title">(.*?)</p>', page, re.S)[1].split("<br />")
    assert len(lines) > 5 and " ".join(lines).split() == title.split()

"""Every construct an editor may write (tests/fixtures/constructs, the guide in docs/writing.md),
checked in each output: the PDF's text and tags, the EPUB's markup (and EPUBCheck), the site."""

from __future__ import annotations

import re
import zipfile

import pypdf
import pytest
from lxml import etree, html

from conftest import ROOT
from handbook.build import build
from pdf_tags import structure
from test_epub import NS, Epub, epubcheck

CONSTRUCTS = ROOT / "tests" / "fixtures" / "constructs"


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("constructs") / "build"
    result = build(CONSTRUCTS, folder, force=True)
    assert result.warnings == []
    return folder


@pytest.fixture(scope="module")
def pdf_text(out) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(out / "handbook.pdf").pages)


@pytest.fixture(scope="module")
def epub(out) -> Epub:
    return Epub(out / "handbook.epub")


def site(out, name: str):
    return html.fromstring((out / "site" / name).read_bytes())


def x(tree, path: str) -> list:
    return tree.xpath(path, namespaces=NS)


# -- text and raw HTML ------------------------------------------------------------------------------

def test_raw_html_as_html5(out, pdf_text, epub):
    assert "A line broken by hand and again with both spellings" in pdf_text
    doc = epub.doc("01-text.xhtml")
    assert len(x(doc, "//x:p[contains(., 'broken by hand')]/x:br")) == 2
    assert x(doc, "//x:span/@title") == ["an\u00a0entity"]
    assert x(doc, "//x:abbr/@title") == ["Revenue Value Unit"]
    assert x(doc, "//x:p[contains(., 'never closed')]/x:em")  # closed at the end of its paragraph
    for text in (pdf_text, etree.tostring(doc, encoding="unicode"), (out / "site" / "01-text.html").read_text()):
        assert "editor's note" not in text and "<!--" not in text  # comments reach no output
    # GitHub's folded section: open on paper, a folded section in the EPUB and on the web
    assert "More on the command It installs a package from a second index." in pdf_text
    assert x(doc, "//x:details/x:summary/text()") == ["More on the command"]
    assert site(out, "01-text.html").xpath("//details/p/strong/text()") == ["package"]


def test_a_long_line_of_code_wraps_inside_the_page(out, pdf_text):
    from pdf_support import book_frame, stray_ink

    assert "ending/in/LASTWORD" in pdf_text.replace(" ", "")
    assert stray_ink(out / "handbook.pdf", book_frame) == []


def test_accented_headings_have_githubs_ids(out, epub):
    ids = x(epub.doc("02-structure.xhtml"), "//x:h2/@id")
    assert "résumé-and-café" in ids
    assert x(epub.doc("01-text.xhtml"), "//x:a[contains(., 'automatic one')]/@href") == [
        "02-structure.xhtml#résumé-and-café"]


# -- lists, definitions, headings, tables --------------------------------------------------------------

def test_ordered_list_starts_where_the_source_says(out, epub):
    import subprocess

    printed = subprocess.run(["pdftotext", str(out / "handbook.pdf"), "-"], capture_output=True, text=True).stdout
    assert re.search(r"3\.\s*Third, because the list starts at three\s*4\.\s*Fourth\s*5\.\s*Fifth", printed)
    assert x(epub.doc("02-structure.xhtml"), "//x:ol/@start") == ["3"]
    assert site(out, "02-structure.html").xpath("//ol/@start") == ["3"]


def test_definition_lists(out, epub):
    doc = epub.doc("02-structure.xhtml")
    assert [t.strip() for t in x(doc, "//x:dl/x:dt/text()")] == ["Revenue cycle", "Payer mix"]
    assert len(x(doc, "//x:dl/x:dd")) == 2


def test_unnumbered_headings_stay_out_of_the_contents(out, epub):
    nav = " ".join(epub.doc("nav.xhtml").itertext())
    assert "Résumé and café" in nav and "left out of the contents" not in nav and "Another one" not in nav
    contents = pypdf.PdfReader(out / "handbook.pdf").pages[4].extract_text()
    assert "Résumé and café" in contents and "left out" not in contents


# -- callouts -----------------------------------------------------------------------------------------

def test_callouts_of_every_syntax(out, pdf_text, epub):
    doc = epub.doc("03-callouts.xhtml")
    kinds = [a.get("class").split()[1] for a in x(doc, "//x:aside")]
    assert kinds == ["callout-note", "callout-tip", "callout-important", "callout-warning", "callout-caution",
                     "callout-tip", "callout-note", "callout-warning", "callout-tip"]
    labels = x(doc, "//x:aside/@aria-label")
    assert labels[1] == "A tip with its own title" and labels[6] == "Note" and labels[8] == "Obsidian titles it"
    assert all(a.get("role") == "note" for a in x(doc, "//x:aside"))
    assert "[!NOTE]" not in pdf_text and "NOTE A GitHub alert." in pdf_text
    assert "OBSIDIAN TITLES IT And folds it on screen." in pdf_text  # the label is set in capitals
    assert len(site(out, "03-callouts.html").xpath("//aside[contains(@class, 'callout')]")) == 9


# -- figures ------------------------------------------------------------------------------------------

def test_figures_are_numbered_captioned_and_tagged(out, pdf_text, epub):
    assert "Figure 4.1 Visits by month" in pdf_text and "Figure 4.2 Three boxes joined by arrows" in pdf_text
    assert re.search(r"As Figure 4\.1, page \d+ shows", pdf_text)
    doc = epub.doc("04-figures.xhtml")
    assert x(doc, "//x:figure/@id") == ["fig-visits", "figure-2"]
    assert [" ".join("".join(c.itertext()).split()) for c in x(doc, "//x:figcaption")] == [
        "Figure 4.1 Visits by month", "Figure 4.2 Three boxes joined by arrows"]
    sources = x(doc, "//x:img/@src")
    assert re.fullmatch(r"images/[0-9a-f]{12}-bar-chart\.png", sources[0])  # a name with a space, renamed
    assert sources[2].endswith("-cafe.png") and x(doc, "//x:img/@style")[0] == "width: 50%"
    tagged = [t for t in structure(out / "handbook.pdf").walk() if t.role == "Figure"]
    pictures = [t.alt for t in tagged if not t.alt.startswith("QR code for ")]  # the web links' codes
    assert pictures == ["A bar chart of three values", "Three boxes joined by arrows", "an orange square"]


# -- checklists ---------------------------------------------------------------------------------------

def test_checklists_keep_intro_paragraphs_and_sub_tasks(out, epub):
    doc = epub.doc("05-checklists.xhtml")
    assert "Work down the list" in " ".join(x(doc, "//x:div[@class='checklist-intro']//text()"))
    items = x(doc, "//x:section[@class='checklist']//x:li[@class='checklist-item']")
    assert len(items) == 5 and len(x(doc, "//x:li//x:ul//x:li")) == 2
    assert "Transcripts, job descriptions" in " ".join(items[3].itertext())
    pack = pypdf.PdfReader(out / "checklists" / "before-you-apply.pdf")
    boxes = sorted(name for name, f in pack.get_fields().items() if f.get("/FT") == "/Btn")
    assert boxes == [f"before-you-apply:{n}" for n in range(1, 6)]
    boxes = site(out, "05-checklists.html").xpath("//input[@type='checkbox']/@data-tick-key")
    assert [key.rsplit("|", 1)[1] for key in boxes] == ["0", "1", "2", "3", "4"]


# -- any character --------------------------------------------------------------------------------------

def test_any_script_from_pinned_fonts(out, pdf_text):
    assert "诊所经理" in pdf_text and "每周检查一次索赔被拒的原因" in pdf_text
    fonts = {str(f.get("/BaseFont")).split("+", 1)[-1] for page in pypdf.PdfReader(out / "handbook.pdf").pages
             for f in (page.get("/Resources", {}).get("/Font", {}) or {}).values()
             for f in [f.get_object()]}
    assert any(f.startswith("Noto-Sans-SC") for f in fonts) and any(f.startswith("Noto-Sans-Arabic") for f in fonts)
    assert any(f.startswith("Noto-Emoji") for f in fonts)
    assert not [f for f in fonts if "DejaVu" in f or "Liberation" in f]  # nothing from the machine


def test_a_character_no_font_has_is_an_error_at_its_line(tmp_path):
    from clirun import handbook

    book = tmp_path / "book"
    import shutil

    shutil.copytree(CONSTRUCTS, book)
    (book / "07-x.md").write_text("---\ntitle: X\n---\n\nFine.\n\nAn Egyptian hieroglyph: \U00013000.\n")
    result = handbook("build", "--chapters", str(book), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "07-x.md:7: error: character '\U00013000' (U+13000 EGYPTIAN HIEROGLYPH A001) is in none" in result.stderr


# -- the outside validators ------------------------------------------------------------------------------

def test_epubcheck_finds_nothing(out):
    report = epubcheck(out / "handbook.epub")
    assert (report["checker"]["nFatal"], report["checker"]["nError"], report["checker"]["nWarning"]) == (0, 0, 0), \
        report["messages"]


def test_every_pdf_passes_pdf_ua(out):
    import page

    for path in [out / "handbook.pdf", out / "checklists.pdf", *sorted((out / "checklists").glob("*.pdf"))]:
        report = page.validate_pdf(str(path), profile="ua1")
        assert "failed" not in str(report).splitlines()[2], f"{path.name}:\n{report}"


def test_the_epub_packages_only_core_media_types(out):
    with zipfile.ZipFile(out / "handbook.epub") as package:
        opf = package.read("EPUB/content.opf").decode()
    assert set(re.findall(r'media-type="(image/[^"]+)"', opf)) <= {"image/png", "image/jpeg", "image/gif",
                                                                    "image/svg+xml", "image/webp"}

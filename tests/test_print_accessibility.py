"""The PDFs and the EPUB by the verdict of outside validators (page-validation's PDF/UA-1 rules, Ace
by DAISY), and by a walk through the PDF's tags for what validators miss."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from pdf_support import book_frame, reader

from conftest import ROOT
from pdf_tags import structure


def _pdfs(out: Path) -> list[Path]:
    return [out / "handbook.pdf", out / "checklists.pdf", *sorted((out / "checklists").glob("*.pdf"))]


def test_every_pdf_passes_an_outside_pdf_ua_validator(handbook_paper):
    """page-validation (a Rust implementation of veraPDF's PDF/UA-1 rules), at Letter and A4."""
    import page

    paper, out = handbook_paper
    failed = {}
    for path in _pdfs(out):
        report = str(page.validate_pdf(str(path), profile="ua1"))
        if "failed" in report.splitlines()[2]:
            failed[path.name] = [line for line in report.splitlines() if line.startswith("[")]
    assert failed == {}


def test_headings_in_order_without_skipping_a_level(handbook_out):
    levels = [int(tag.role[1]) for tag in structure(handbook_out / "handbook.pdf").walk()
              if len(tag.role) == 2 and tag.role[0] == "H" and tag.role[1].isdigit()]
    assert levels.count(1) >= 13
    jumps = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert jumps == []


def test_lists_tables_notes_and_figures_are_tagged(handbook_out):
    tags = list(structure(handbook_out / "handbook.pdf").walk())
    lists = [t for t in tags if t.role == "L"]
    assert lists and all(t.children and all(c.role == "LI" for c in t.children) for t in lists)
    items = [t for t in tags if t.role == "LI"]
    assert all(any(c.role == "LBody" for c in t.children) for t in items)
    assert sum(t.role == "Lbl" for t in tags) > 100  # numbers and bullets are labels
    pdf = pikepdf.open(handbook_out / "handbook.pdf")
    ths = [e for e in _elements(pdf.Root.StructTreeRoot) if e.get("/S") == "/TH"]
    assert ths and all(e.A.get("/Scope") in ("/Column", "/Row") for e in ths)
    notes = [e for e in _elements(pdf.Root.StructTreeRoot) if e.get("/S") == "/Note"]
    printed = (handbook_out / "print" / "handbook.html").read_text().count('class="footnote"')
    assert len(notes) == printed and len({str(n.ID) for n in notes}) == printed
    assert all(t.alt for t in tags if t.role == "Figure")


def test_every_link_annotation_sits_in_a_link_element_with_a_description(handbook_out):
    pdf = pikepdf.open(handbook_out / "handbook.pdf")
    in_links = {kid.Obj.objgen for e in _elements(pdf.Root.StructTreeRoot) if e.get("/S") == "/Link"
                for kid in _kids(e) if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"}
    annotations = [a for page in pdf.pages for a in page.get("/Annots", []) if a.get("/Subtype") == "/Link"]
    assert len(annotations) > 100
    assert [a.objgen for a in annotations if a.objgen not in in_links] == []
    assert all(str(a.get("/Contents", "")).strip() for a in annotations)


def test_running_heads_and_folios_are_artifacts(handbook_out):
    """Every text run in the top margin is marked as an artifact, every run in the text block is tagged."""
    pdf = pikepdf.open(handbook_out / "handbook.pdf")
    for number, page in enumerate(pdf.pages, 1):
        height = float(page.MediaBox[3])
        stack: list[str] = []
        for operands, operator in pikepdf.parse_content_stream(page):
            name = str(operator)
            if name in ("BDC", "BMC"):
                stack.append(str(operands[0]))
            elif name == "EMC":
                stack.pop()
            elif name == "Tm":
                top = float(operands[5]) * 0.75  # WeasyPrint draws in CSS pixels, top down
                x = float(operands[4]) * 0.75
                frame = book_frame(number)
                in_column = frame.left * 72 - 3 <= x <= float(page.MediaBox[2]) - frame.right * 72 + 3
                inside = "/Artifact" not in stack
                if top < 72 or not in_column:  # the margins: running head, folio, "(continued)"
                    assert not inside, f"page {number}: text at {top:.0f} pt from the top is not an artifact"
                elif top < height - 0.9 * 72:
                    assert inside and stack, f"page {number}: text at {top:.0f} pt is not tagged"


def test_the_pack_can_be_filled_in_on_screen(handbook_out):
    """Name, Date and Notes are labelled text fields (Notes on many lines), in reading order."""
    for path in [handbook_out / "checklists.pdf", *sorted((handbook_out / "checklists").glob("*.pdf"))][:6]:
        fields = reader(path).get_fields()
        for ident in {name.rsplit(":", 1)[0] for name in fields if name.endswith(":name")}:
            name, date, notes = fields[f"{ident}:name"], fields[f"{ident}:date"], fields[f"{ident}:notes"]
            assert (name["/FT"], date["/FT"], notes["/FT"]) == ("/Tx", "/Tx", "/Tx")
            assert (name["/TU"], date["/TU"], notes["/TU"]) == ("Name", "Date", "Notes")
            assert int(notes.get("/Ff", 0)) & (1 << 12)  # multi-line
        order = [str(a.get("/T")) for page in pikepdf.open(path).pages for a in page.get("/Annots", [])
                 if a.get("/Subtype") == "/Widget"]
        for ident in {name.rsplit(":", 1)[0] for name in order if name.endswith(":name")}:
            own = [n for n in order if n.startswith(ident + ":")]
            assert own[0] == f"{ident}:name" and own[1] == f"{ident}:date" and own[-1] == f"{ident}:notes"


def test_ace_by_daisy_finds_no_violation_in_the_epub(handbook_out, tmp_path):
    ace = ROOT / "node_modules" / ".bin" / "ace-puppeteer"
    chromium = shutil.which("chromium")
    if not ace.exists() or chromium is None:
        pytest.fail("Ace or chromium is missing: `make test` installs both")
    # Ace keeps logs in the home folder: give it one of its own, so a test run leaves nothing behind.
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium, "HOME": str(tmp_path / "home")}
    done = subprocess.run([str(ace), "-f", "-s", "-o", str(tmp_path / "report"), "-t", str(tmp_path / "tmp"),
                           str(handbook_out / "handbook.epub")], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    violations = [(a["earl:testSubject"]["url"], x["earl:test"]["dct:title"], x["earl:test"]["earl:impact"])
                  for a in report["assertions"] for x in a["assertions"]
                  if x["earl:result"]["earl:outcome"] != "pass"]
    assert report["earl:result"]["earl:outcome"] == "pass" and violations == []


def _elements(node):
    stack = [node]
    while stack:
        element = stack.pop()
        yield element
        stack += [k for k in _kids(element) if isinstance(k, pikepdf.Dictionary) and "/S" in k]


def _kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]

"""checklists.pdf and checklists/<id>.pdf: printable sheets with real, fillable checkboxes."""

from __future__ import annotations

import pypdf
from pdf_support import (
    SHEET,
    book_frame,
    bookmarks,
    checkboxes,
    fonts,
    is_embedded,
    link_targets,
    named_pages,
    page_texts,
    reader,
    squash,
    stray_ink,
)

from handbook import typeset
from handbook.build import load_checked
from handbook.outputs import checklists
from handbook.project import Project


def _book(book_out):
    chapters, out = book_out
    book, _ = load_checked(chapters)
    return book, out


def test_one_fillable_checkbox_per_item_in_the_pack(book_out):
    book, out = _book(book_out)
    pack = reader(out / "checklists.pdf")
    boxes = checkboxes(pack)
    expected = [f"{c.id}:{n}" for c in book.checklists for n in range(1, len(c.items) + 1)]
    assert [b["name"] for b in boxes] == expected  # unique names, in reading order
    assert len(set(expected)) == len(expected)
    assert all(b["print"] for b in boxes)  # a ticked box prints
    tooltips = [b["tooltip"] for b in boxes]
    assert tooltips == [i.text for c in book.checklists for i in c.items]  # what a screen reader says
    fields = pack.get_fields()
    boxes_by_name = {name: f for name, f in fields.items() if f.get("/FT") == "/Btn"}
    assert set(boxes_by_name) == set(expected)
    # Besides the boxes, each sheet has its Name, Date and Notes: text fields.
    texts = {name for name, f in fields.items() if f.get("/FT") == "/Tx"}
    assert texts == {f"{c.id}:{part}" for c in book.checklists for part in ("name", "date", "notes")}


def test_each_checklist_starts_a_page_with_title_chapter_and_handbook_page(book_out):
    book, out = _book(book_out)
    pack = reader(out / "checklists.pdf")
    handbook = named_pages(reader(out / "handbook.pdf"))
    sheets = {m.title: m.page for m in bookmarks(pack) if m.title != "Checklists"}
    texts = page_texts(pack)
    boxes = checkboxes(pack)
    assert len(sheets) == len(book.checklists)
    for checklist in book.checklists:
        page = sheets[checklist.title]
        text = " ".join(texts[page - 1].split())
        chapter = book.chapter(checklist.chapter)
        in_book = handbook[f"ch-{checklist.chapter}--{checklist.id}"]
        assert text.split(" · ")[0].startswith("CHECKLIST") or "Checklist" in text
        assert checklist.title in text
        assert chapter.title in " ".join(text.replace("\u201c", "").replace("\u201d", "").split())
        assert f"page {in_book} of the handbook" in text
        assert "Name" in text and "Date" in text and "Notes" in text
        assert {b["page"] for b in boxes if b["name"].startswith(checklist.id + ":")} == {page}
    # One checklist a page: no two sheets share one.
    assert len(set(sheets.values())) == len(sheets)


def test_the_pack_lists_its_checklists(book_out):
    book, out = _book(book_out)
    pack = reader(out / "checklists.pdf")
    first = squash(page_texts(pack)[0])
    for checklist in book.checklists:
        assert squash(checklist.title) in first
    sheets = {m.page for m in bookmarks(pack) if m.title != "Checklists"}
    links = link_targets(pack)
    assert {target for page, target in links if page == 1} == sheets
    assert all(target is not None for _, target in links)


def test_single_checklists_are_rendered_on_their_own(book_out):
    book, out = _book(book_out)
    files = sorted(p.stem for p in (out / "checklists").glob("*.pdf"))
    assert files == sorted(c.id for c in book.checklists)
    for checklist in book.checklists:
        doc = reader(out / "checklists" / f"{checklist.id}.pdf")
        boxes = checkboxes(doc)
        assert [b["name"] for b in boxes] == [f"{checklist.id}:{n}" for n in range(1, len(checklist.items) + 1)]
        text = " ".join(page_texts(doc)[0].split())
        assert checklist.title in text
        # Its own document, not pages cut from the pack: its own title, no list of the pack.
        assert doc.metadata["/Title"].startswith(checklist.title)
        assert "Checklists" not in [m.title for m in bookmarks(doc)]
        assert len(doc.pages) == 1


def test_checklist_pdfs_are_tagged_and_embed_their_fonts(book_out):
    book, out = _book(book_out)
    for path in [out / "checklists.pdf", *sorted((out / "checklists").glob("*.pdf"))]:
        doc = reader(path)
        root = doc.trailer["/Root"]
        assert "/StructTreeRoot" in root and root["/Lang"] == book.config.language, path.name
        assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
        used = fonts(doc)
        assert used and [n for n, f in used.items() if not is_embedded(f)] == [], path.name
        # Source Serif and Sans only ("Field Serif" is Source Serif, the form fields' own face).
        assert [n for n in used if ("Source-" not in n and "Field-Serif" not in n) or "Oblique" in n] == [], path.name
        assert doc.metadata["/Author"] == book.config.author


def test_ticked_box_is_kept(book_out, tmp_path):
    """Fill a box as a viewer would, save, read back: the field holds its value."""
    _, out = book_out
    source = reader(out / "checklists.pdf")
    writer = pypdf.PdfWriter(clone_from=source)
    name = checkboxes(source)[0]["name"]
    page = writer.pages[checkboxes(source)[0]["page"] - 1]
    writer.update_page_form_field_values(page, {name: "/on"}, auto_regenerate=False)
    filled = tmp_path / "filled.pdf"
    writer.write(filled)
    assert pypdf.PdfReader(filled).get_fields()[name].get("/V") == "/on"


def test_the_notes_take_what_is_left_of_each_sheet(book_out):
    """The notes field runs from under the list to the foot of the text block (the bottom margin,
    SHEET.bottom), on the sheet's page; no sheet runs on to a page for its notes alone."""
    book, out = _book(book_out)
    for name in checklists.names(book):
        pdf = reader(out / name)
        notes = [(number, annotation) for number, page in enumerate(pdf.pages, 1)
                 for annotation in (a.get_object() for a in page.get("/Annots", []))
                 if str(annotation.get("/T", "")).endswith(":notes")]
        last_box = {}  # checklist id -> the page of its last box
        for box in checkboxes(pdf):
            last_box[box["name"].split(":")[0]] = box["page"]
        assert len(notes) == len(last_box) == (1 if name != "checklists.pdf" else len(book.checklists)), name
        for number, annotation in notes:
            low, high = sorted(float(v) for v in (annotation["/Rect"][1], annotation["/Rect"][3]))
            assert abs(low - SHEET.bottom * 72) < 0.5, (name, number)  # down to the foot, not past it
            assert high - low >= 0.5 * 72 - 0.5, (name, number)  # room to write in, at least half an inch
            assert number == last_box[str(annotation["/T"]).split(":")[0]], (name, number)  # under the list


def test_a_checklist_longer_than_a_page(book_copy, tmp_path):
    """Sixty items: the sheet runs on over pages, every box is there, nothing leaves the margins."""
    items = "\n".join(f"- [ ] Step {n}: do the thing that needs doing, and note when it was done" for n in range(1, 61))
    (book_copy / "03-long.md").write_text(
        "---\ntitle: Long\n---\n\nText.\n\n::: {.checklist #long-list title=\"A very long list\"}\n"
        + items + "\n:::\n", encoding="utf-8")
    book, _ = load_checked(book_copy)
    project = Project(book_copy)
    layout = typeset.lay_out(book, project)
    outputs = {"handbook.pdf": layout.pdf, **checklists.make(book, layout.page_map, project).files}
    for name, frame in (("handbook.pdf", book_frame), ("checklists/long-list.pdf", lambda n: SHEET)):
        path = tmp_path / name.replace("/", "-")
        path.write_bytes(outputs[name])
        assert stray_ink(path, frame) == []
    single = reader(tmp_path / "checklists-long-list.pdf")
    assert len(single.pages) > 1
    assert [b["name"] for b in checkboxes(single)] == [f"long-list:{n}" for n in range(1, 61)]

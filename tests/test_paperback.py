"""The print-on-demand paperback (`--edition paperback`): the interior's pages and boxes, PDF/X-4,
the cover wrap's size, spine and barcode zone, and the README's numbers, on the real handbook
(built once per session) and on the small sample book."""

from __future__ import annotations

import re
import shutil

import pdf_oxide
import pikepdf
import pypdfium2
import pytest
from clirun import handbook, snapshot
from conftest import CHAPTERS, SAMPLE
from pdf_support import bookmarks, reader
from test_glossary_index import _page_texts, _place_words

from handbook.build import build
from handbook.paperback import geometry
from handbook.project import Paperback

PT = 72.0
B = geometry.BLEED * PT


@pytest.fixture(scope="session")
def paperback(tmp_path_factory):
    """The real handbook's paperback (6 x 9 in, white paper): its folder and the build's result."""
    out = tmp_path_factory.mktemp("paperback") / "build"
    result = build(CHAPTERS, out, force=True, paperback=Paperback())
    return out / "paperback", result


@pytest.fixture(scope="session")
def sample_paperback(tmp_path_factory):
    """The sample book's paperback at the small trim: a few pages, too thin for spine text."""
    out = tmp_path_factory.mktemp("paperback-sample") / "build"
    result = build(SAMPLE, out, force=True, paperback=Paperback("5.5x8.5", "cream"))
    return out / "paperback", result


def _pages(folder) -> int:
    return len(reader(folder / "interior.pdf").pages)


def _boxes(page) -> tuple[list, list, list]:
    return ([round(float(v), 3) for v in page.MediaBox], [round(float(v), 3) for v in page.BleedBox],
            [round(float(v), 3) for v in page.TrimBox])


@pytest.mark.parametrize("which", ["paperback", "sample_paperback"])
def test_every_page_has_its_trim_and_bleed_on_the_outer_edges(which, request):
    folder, _ = request.getfixturevalue(which)
    trim = (6.0, 9.0) if which == "paperback" else (5.5, 8.5)
    w, h = trim[0] * PT, trim[1] * PT
    with pikepdf.open(folder / "interior.pdf") as pdf:
        for number, page in enumerate(pdf.pages, 1):
            media, bleed, trimbox = _boxes(page)
            assert trimbox == [0, 0, w, h], number
            assert media == bleed, number  # the bleed box is the whole page: all of it may be printed
            # Right-hand (odd) pages bleed on the right, left-hand ones on the left; never the bound edge.
            expected = [0, -B, w + B, h + B] if number % 2 else [-B, -B, w, h + B]
            assert media == expected, number


def test_interior_is_pdf_x4_with_a_cmyk_output_intent(paperback):
    folder, _ = paperback
    with pikepdf.open(folder / "interior.pdf") as pdf:
        assert pdf.pdf_version == "1.6"
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1 and intents[0].S == "/GTS_PDFX"
        profile = intents[0].DestOutputProfile.read_bytes()
        assert profile[36:40] == b"acsp" and profile[12:16] == b"prtr" and profile[16:20] == b"CMYK"
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
        assert str(pdf.docinfo["/GTS_PDFXVersion"]) == "PDF/X-4"
        assert pdf.docinfo["/Trapped"] == "/False" and "<pdf:Trapped>False</pdf:Trapped>" in xmp
        assert "/ID" in pdf.trailer and "/Encrypt" not in pdf.trailer


@pytest.mark.parametrize("name", ["interior.pdf", "cover.pdf"])
def test_an_outside_checker_finds_pdf_x4(paperback, name):
    """pdf_oxide's PDF/X checks (veraPDF, the usual outside validator, checks PDF/A and PDF/UA only,
    and its jar is not to be had here)."""
    folder, _ = paperback
    report = pdf_oxide.PdfDocument(str(folder / name)).validate_pdf_x("4")
    assert report["errors"] == [] and report["valid"], report


@pytest.mark.parametrize("name", ["interior.pdf", "cover.pdf"])
def test_every_font_is_embedded_and_nothing_is_clickable(paperback, name):
    folder, _ = paperback
    with pikepdf.open(folder / name) as pdf:
        for page in pdf.pages:
            assert "/Annots" not in page
            for font in (page.Resources.get("/Font") or {}).values():
                descendants = font.get("/DescendantFonts")
                descriptor = (descendants[0] if descendants else font).FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font.BaseFont


def test_the_interior_is_black_ink_only(paperback):
    """No RGB anywhere: every colour a K tint (text solid black), as a black-and-white press prints."""
    folder, _ = paperback
    with pikepdf.open(folder / "interior.pdf") as pdf:
        operators, text_colours = set(), set()
        for page in pdf.pages:
            colour = None
            for operands, operator in pikepdf.parse_content_stream(page):
                operators.add(str(operator))
                if str(operator) == "k":
                    colour = tuple(float(v) for v in operands)
                elif str(operator) == "Tj" or str(operator) == "TJ":
                    text_colours.add(colour)
        assert not operators & {"rg", "RG", "sc", "SC", "scn", "SCN", "cs", "CS"}
        assert all(c[:3] == (0, 0, 0) for c in text_colours if c)
        assert (0, 0, 0, 1) in text_colours
        assert not any(o.get("/ColorSpace") == "/DeviceRGB" for o in pdf.objects if isinstance(o, pikepdf.Dictionary))


def test_chapters_open_on_right_hand_pages(paperback):
    folder, result = paperback
    openers = [m for m in bookmarks(reader(folder / "interior.pdf")) if m.depth == 0 and m.title != "Contents"]
    assert [m.title for m in openers][-1] == "Index" and len(openers) == len(result.book.chapters) + 1
    assert [m.title for m in openers if m.page % 2 == 0] == []


def test_the_index_cites_the_paperbacks_own_pages(paperback):
    """The index is laid out again for the paperback: each page number it prints is a page of the
    paperback that holds the words written at one of the entry's places."""
    folder, result = paperback
    texts = _page_texts(folder / "interior.pdf")
    start = next(m.page for m in bookmarks(reader(folder / "interior.pdf")) if m.title == "Index")
    written, checked = _place_words(result.book), 0
    for text in texts[start - 1:]:
        for entry in result.book.index:
            match = re.search(re.escape(entry.text) + r"((?:,? \d+)+)", text)
            for number in re.findall(r"\d+", match.group(1)) if match else ():
                assert any(" ".join(w.split()) in texts[int(number) - 1] for w in written[entry.text]), (entry.text, number)
                checked += 1
    assert checked > 150


def test_the_page_count_is_even_and_the_last_page_blank(paperback, sample_paperback):
    for folder, _ in (paperback, sample_paperback):
        pages = reader(folder / "interior.pdf").pages
        assert len(pages) % 2 == 0
        assert pages[-1].extract_text().strip() == ""


def test_text_keeps_clear_of_the_trim_and_the_fold(paperback):
    """Top, bottom and outside: 0.375 in from the trim at least (KDP, with bleed); inside: the
    gutter KDP asks for the page count."""
    folder, _ = paperback
    pages = _pages(folder)
    inside, edge = geometry.gutter(pages) * PT, geometry.MIN_OUTSIDE * PT
    document = pypdfium2.PdfDocument(folder / "interior.pdf")
    try:
        for number, page in enumerate(document, 1):
            text = page.get_textpage()
            rects = [text.get_rect(i) for i in range(text.count_rects())]
            if not rects:
                continue
            left, right = min(r[0] for r in rects), max(r[2] for r in rects)
            bottom, top = min(r[1] for r in rects), max(r[3] for r in rects)
            near, far = (inside, edge) if number % 2 else (edge, inside)  # right-hand: fold on the left
            assert left >= near - 0.5 and right <= 6 * PT - far + 0.5, number
            assert bottom >= edge and top <= 9 * PT - edge, number
    finally:
        document.close()


def _cover_size(folder) -> tuple[list, list]:
    with pikepdf.open(folder / "cover.pdf") as pdf:
        assert len(pdf.pages) == 1
        media, bleed, trim = _boxes(pdf.pages[0])
        assert media == bleed
        return media, trim


def test_the_cover_is_the_wrap_for_the_real_page_count_on_white_and_cream(paperback, tmp_path):
    folder, _ = paperback
    pages = _pages(folder)
    for stock, out in (("white", folder), ("cream", tmp_path / "build" / "paperback")):
        if stock == "cream":  # the same book on cream: the interior is kept, the cover made again
            shutil.copytree(folder, out)
            result = build(CHAPTERS, out.parent, paperback=Paperback("6x9", "cream"))
            assert not result.skipped
            assert (out / "interior.pdf").read_bytes() == (folder / "interior.pdf").read_bytes()
        spine = pages * {"white": 0.002252, "cream": 0.0025}[stock]
        width, height = 2 * 6 + spine, 9.0
        media, trim = _cover_size(out)
        assert media[2] - media[0] == pytest.approx((width + 0.25) * PT, abs=0.01)
        assert media[3] - media[1] == pytest.approx((height + 0.25) * PT, abs=0.01)
        assert trim == pytest.approx([0, 0, width * PT, height * PT], abs=0.01)


def _spine_text(folder, trim_width: float, stock: str) -> str:
    spine = geometry.spine_width(_pages(folder), stock)
    document = pypdfium2.PdfDocument(folder / "cover.pdf")
    try:
        text = document[0].get_textpage()
        x0 = trim_width * PT
        return text.get_text_bounded(left=x0, right=x0 + spine * PT, bottom=0, top=9 * PT)
    finally:
        document.close()


def test_the_spine_carries_text_only_when_wide_enough(paperback, sample_paperback):
    folder, _ = paperback
    assert geometry.spine_text(_pages(folder), "white")
    words = re.sub(r"\s+", " ", _spine_text(folder, 6.0, "white"))
    assert "How to Become a Medical Practice Manager" in words and "The Handbook Team" in words
    small, _ = sample_paperback
    assert _pages(small) < geometry.SPINE_TEXT_MIN_PAGES
    assert _spine_text(small, 5.5, "cream").strip() == ""


@pytest.mark.parametrize("which", ["paperback", "sample_paperback"])
def test_the_barcode_zone_is_plain_white(which, request):
    folder, _ = request.getfixturevalue(which)
    trim = (6.0, 9.0) if which == "paperback" else (5.5, 8.5)
    dpi = 100
    document = pypdfium2.PdfDocument(folder / "cover.pdf")
    try:
        image = document[0].render(scale=dpi / PT).to_pil().convert("RGB")
    finally:
        document.close()
    left = (geometry.BLEED + trim[0] - geometry.BARCODE_MARGIN - geometry.BARCODE[0]) * dpi
    top = (geometry.BLEED + trim[1] - geometry.BARCODE_MARGIN - geometry.BARCODE[1]) * dpi
    zone = image.crop((round(left) + 1, round(top) + 1, round(left + geometry.BARCODE[0] * dpi) - 1,
                       round(top + geometry.BARCODE[1] * dpi) - 1))
    assert zone.getextrema() == ((255, 255), (255, 255), (255, 255))


def test_the_readme_gives_the_files_real_numbers(paperback):
    folder, _ = paperback
    text = (folder / "README.txt").read_text()
    pages = _pages(folder)
    spine = pages * 0.002252
    media, _ = _cover_size(folder)
    assert f"Page count    {pages} " in text
    assert f"Spine width   {spine:.4f} in ({spine * 25.4:.2f} mm)" in text
    assert "Trim size     6 x 9 in" in text and "white paper" in text
    assert f"{(media[2] - media[0]) / PT:.4f} x {(media[3] - media[1]) / PT:.4f} in with bleed" in text
    assert all(name in text for name in ("interior.pdf", "cover.pdf", "README.txt"))
    assert len(text.splitlines()) <= 60 and max(len(line) for line in text.splitlines()) <= 78


def test_print_rules():
    assert [geometry.gutter(n) for n in (24, 150, 151, 300, 301, 500, 501, 700, 701, 828)] == \
        [0.375, 0.375, 0.5, 0.5, 0.625, 0.625, 0.75, 0.75, 0.875, 0.875]
    assert geometry.spine_width(200, "white") == pytest.approx(0.4504)
    assert geometry.spine_width(200, "cream") == pytest.approx(0.5)
    assert not geometry.spine_text(79, "cream") and not geometry.spine_text(110, "white")
    assert geometry.spine_text(100, "cream") and geometry.spine_text(112, "white")
    wrap = geometry.Wrap((6.0, 9.0), 200, "white")
    assert wrap.media == pytest.approx((12.7004, 9.25))
    assert wrap.barcode == (3.75, 0.25, 2.0, 1.2)


def test_a_picture_printed_below_300_dpi_is_reported_where_the_chapter_shows_it(book_copy, tmp_path):
    from PIL import Image

    Image.new("RGB", (300, 200), (200, 40, 40)).save(book_copy / "small.png")
    chapter = book_copy / "01-first.md"
    lines = chapter.read_text().splitlines()
    lines.append("")
    lines.append("![A small chart](small.png)")
    chapter.write_text("\n".join(lines) + "\n")
    result = build(book_copy, tmp_path / "out", paperback=Paperback())
    found = [str(w) for w in result.warnings if w.code == "low-resolution"]
    assert len(found) == 1 and re.match(rf".*01-first\.md:{len(lines)}: warning: picture 'small.png' prints at \d+ dpi",
                                        found[0]), found
    with pikepdf.open(tmp_path / "out" / "paperback" / "interior.pdf") as pdf:  # printed in grey
        images = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        assert images and all(o.ColorSpace == "/DeviceGray" for o in images)


def test_a_back_cover_too_long_is_an_error_at_its_line(book_copy, tmp_path):
    meta = book_copy / "book.yaml"
    meta.write_text(meta.read_text() + "back_cover: " + "Too many words. " * 100 + "\n")
    line = len(meta.read_text().splitlines())
    result = handbook("build", "--edition", "paperback", "--chapters", str(book_copy), "--out", str(tmp_path / "o"))
    assert result.returncode == 1
    assert re.search(rf"book\.yaml:{line}: error: 'back_cover' is \d+ characters", result.stderr), result.stderr
    assert "Traceback" not in result.stderr


def test_the_command_line_offers_the_paperback(tmp_path):
    helped = handbook("build", "--help")
    assert "--edition {standard,paperback}" in helped.stdout and "--paper-stock {white,cream}" in helped.stdout
    wrong = handbook("build", "--trim", "6x9", "--chapters", str(SAMPLE), "--out", str(tmp_path / "o"))
    assert wrong.returncode == 2 and "--edition paperback" in wrong.stderr


def test_the_paperback_is_byte_identical_when_built_again_elsewhere(tmp_path, sample_paperback):
    folder, _ = sample_paperback
    out = tmp_path / "again"
    result = handbook("build", "--edition", "paperback", "--trim", "5.5x8.5", "--paper-stock", "cream",
                      "--chapters", str(SAMPLE), "--out", str(out), env={"TZ": "Pacific/Auckland"}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert snapshot(out / "paperback") == snapshot(folder)


def test_both_editions_share_an_output_folder(tmp_path, sample_out):
    """The paperback goes into OUT/paperback with a manifest of its own; a standard build there
    leaves it alone, and the other way round."""
    out = tmp_path / "build"
    shutil.copytree(sample_out, out)
    before = snapshot(out)
    assert build(SAMPLE, out, paperback=Paperback()).written
    assert {n: d for n, d in snapshot(out).items() if not n.startswith("paperback/")} == before
    made = snapshot(out / "paperback")
    assert build(SAMPLE, out, force=True).written
    assert snapshot(out / "paperback") == made
    fresh = tmp_path / "fresh"
    assert build(SAMPLE, fresh, paperback=Paperback()).written  # a paperback first, then the rest
    assert build(SAMPLE, fresh).written

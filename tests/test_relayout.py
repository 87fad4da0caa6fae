"""Marks applied inside one layout give exactly the layout of the marked HTML laid out afresh."""

from __future__ import annotations

import pytest

from handbook import typeset
from handbook.typeset import corrected, engine, faults, sandbox

CSS = """
@page { size: 12cm 9cm; margin: 1cm; @bottom-center { content: counter(page); } }
body { font: 10pt/1.3 "Source Serif", serif; }
.fn { float: footnote; }
a.xref::after { content: " (see page " target-counter(attr(href url), page) ")"; }
[data-turn] { break-before: page; }
[data-nudge="1"] { word-spacing: -0.02em; }
[data-nudge="2"] { word-spacing: 0.02em; }
"""
WORDS = "the practice manager keeps the schedule, the staff and the books in order every week".split()


def _html(marks: dict[str, dict[str, str]] | None = None) -> str:
    marks = marks or {}
    blocks = []
    for n in range(24):
        key = f"b/{n}"
        attrs = "".join(f' {name}="{value}"' for name, value in marks.get(key, {}).items())
        text = " ".join(WORDS[(n + i) % len(WORDS)] for i in range(40 + 7 * (n % 5)))
        note = f'<span class="fn">A note on paragraph {n}, long enough to wrap.</span>' if n % 6 == 2 else ""
        xref = '<a class="xref" href="#p20">the end</a> ' if n % 8 == 1 else ""
        blocks.append(f'<p id="p{n}" data-b="{key}"{attrs}>{xref}{text}{note} <em>{text[:40]}</em>.</p>')
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
            f'<style>{CSS}</style></head><body>{"".join(blocks)}</body></html>')


def _pdf(document) -> bytes:
    return sandbox.write(document, "t.pdf")


def _render(html: str):
    return sandbox.paginate(html, {}, "t.pdf")


@pytest.mark.parametrize("rounds", [
    [[("b/5", "data-turn")]],
    [[("b/9", "data-nudge")], [("b/9", "data-nudge"), ("b/14", "data-nudge")]],
    [[("b/3", "data-nudge"), ("b/11", "data-turn")], [("b/17", "data-turn")]],
])
def test_marks_made_in_place_equal_a_fresh_layout(rounds):
    pending = list(rounds)
    with engine.corrected(lambda pages: pending.pop(0) if pending else [], len(rounds)) as state:
        document = _render(_html())
    assert state.applied == [mark for round_ in rounds for mark in round_]
    marks: dict[str, dict[str, str]] = {}
    for key, attribute in state.applied:
        marks.setdefault(key, {})[attribute] = str(int(marks.get(key, {}).get(attribute, 0)) + 1)
    assert _pdf(document) == _pdf(_render(_html(marks)))
    assert _pdf(document) != _pdf(_render(_html()))  # the marks did change the layout


def test_a_mark_that_changes_other_properties_is_not_made_in_place():
    html = _html().replace("[data-turn] { break-before: page; }", "[data-turn] { font-size: 14pt; }")
    with pytest.raises(engine.Unsupported):
        with engine.corrected(lambda pages: [("b/5", "data-turn")], 1):
            _render(html)


def test_first_pages_are_reported_once(tmp_path):
    seen = []
    with engine.corrected(lambda pages: [], 1, seen.append):
        document = _render(_html())
    assert len(seen) == 1
    assert faults.anchor_pages(seen[0])["p20"] == next(n for n, page in enumerate(document.pages, 1)
                                                    if "p20" in page.anchors)


def test_each_part_of_the_handbook_is_what_weasyprint_makes_of_its_kept_html(handbook_out):
    """The corrections made in place are the layout of the marked print HTML, byte for byte: each
    part (print/parts/NAME.html, as the typesetter was given it, with its marks) laid out afresh
    here, then written as the build writes (with its richer tags and text map), is the part's PDF."""
    import weasyprint

    from handbook import fonts

    fonts.ensure_isolated()
    kept = sorted((handbook_out / "print" / "parts").glob("*.html"))
    assert len(kept) >= 14
    for html in kept:
        document = weasyprint.HTML(filename=html, base_url=str(handbook_out / "print") + "/").render(pdf_variant="pdf/ua-1")
        made = sandbox.write(document, "handbook.pdf", pdf_variant="pdf/ua-1")
        assert made == html.with_suffix(".pdf").read_bytes(), html.name


def _turn_b5(views) -> list[tuple[str, str]]:
    """A fault finder that wants block b/5 to start a page, until it does."""
    root = views[0].root()
    block = next(e for e in root.iter() if e.get("data-b") == "b/5")
    return [] if block.get("data-turn") else [("b/5", "data-turn")]


def test_the_writer_lays_out_afresh_when_a_mark_cannot_be_made_in_place(monkeypatch):
    monkeypatch.setattr(faults, "faults", _turn_b5)
    document, in_place, warnings = typeset.typeset_html(_html(), {})
    assert warnings == []
    monkeypatch.setattr(engine, "SAFE", frozenset())  # nothing may change in place
    calls = []
    lay_out_afresh = corrected._lay_out_afresh
    monkeypatch.setattr(corrected, "_lay_out_afresh", lambda *a: calls.append(a) or lay_out_afresh(*a))
    fallback, afresh, warnings = typeset.typeset_html(_html(), {})
    assert len(calls) == 1 and warnings == []  # a mark the engine cannot make in place: no drift
    assert in_place == afresh == _html({"b/5": {"data-turn": "1"}})
    assert _pdf(document) == _pdf(fallback) == _pdf(_render(_html({"b/5": {"data-turn": "1"}})))


def test_drift_in_the_engine_internals_falls_back_to_a_fresh_layout_with_a_warning(monkeypatch):
    """A WeasyPrint whose internals moved (simulated: a private name is gone) still gives the same
    book, laid out afresh, and says so."""
    monkeypatch.setattr(faults, "faults", _turn_b5)
    document, in_place, _ = typeset.typeset_html(_html(), {})

    def moved(*args):
        raise AttributeError("'LayoutContext' object has no attribute 'page_maker'")

    monkeypatch.setattr(engine, "_settled", moved)
    fallback, afresh, warnings = typeset.typeset_html(_html(), {})
    assert [w.code for w in warnings] == ["engine-drift"] and "page_maker" in warnings[0].message
    assert afresh == in_place and _pdf(fallback) == _pdf(document)


def test_another_weasyprint_version_is_drift(monkeypatch):
    monkeypatch.setattr(engine.weasyprint, "__version__", "71.0")
    _, _, warnings = typeset.typeset_html(_html(), {})
    assert [w.code for w in warnings] == ["engine-drift"] and "71.0" in warnings[0].message

"""Generated Markdown never crashes a build: it gives well-formed XHTML and a PDF, or clear errors."""

from __future__ import annotations

import io
import re
import shutil
import zipfile

from conftest import SAMPLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from handbook import typeset
from handbook.build import load_checked
from handbook.errors import BuildError, RenderError
from handbook.outputs import cover, epub
from handbook.project import Project

ODD = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
ENTITIES = st.sampled_from(["&amp;", "&nbsp;", "&#x1F600;", "&bogus;", "&#0;", "&lt;b&gt;", "&copy;", "&"])
RAW = st.sampled_from([
    "<em>ok</em>", "<b>unclosed", "</i>", "<span class=\"x\">a</span>", "<br>", "<br/>", "<img src=\"x.png\">",
    "<script>alert(1)</script>", "<div>\n\nblock\n\n</div>", "<!-- comment -->", "<?pi x?>", "<![CDATA[x]]>",
    "<a href=\"javascript:alert(1)\">x</a>", "<q>quote</q>", "<p>para</p>", "<wbr>",
])
INLINE = st.one_of(ODD, ENTITIES, RAW, st.sampled_from([
    "*em*", "**strong**", "`code`", "[link](01-first.md#start)", "[bad](nowhere.md)", "[x](https://example.org)",
    "[^n]", "\\*", "~~del~~", "\"quotes\" -- dashes...", "{#id}", ":::", "- [ ] task",
]))


@st.composite
def blocks(draw, depth=0):
    kind = draw(st.sampled_from(["para", "heading", "list", "quote", "table", "checklist", "div", "fence", "note"]))
    line = " ".join(draw(st.lists(INLINE, min_size=1, max_size=6)))
    if kind == "heading":
        return "#" * draw(st.integers(1, 6)) + " " + line
    if kind == "list" and depth < 12:
        inner = draw(blocks(depth + 1))
        return "- " + line + "\n\n" + "\n".join("  " + l for l in inner.splitlines())
    if kind == "quote" and depth < 12:
        return "\n".join("> " + l for l in draw(blocks(depth + 1)).splitlines())
    if kind == "table":
        return f"| a | b |\n|---|---|\n| {line} | x |"
    if kind == "checklist":
        ident = draw(st.sampled_from(["c1", "c2", "", "first-steps", "bad id"]))
        return f"::: {{.checklist #{ident} title=\"T\"}}\n- [ ] {line}\n- [x] item\n:::"
    if kind == "div":
        return f"::: {{.note}}\n{line}\n" + draw(st.sampled_from([":::", ""]))
    if kind == "fence":
        return f"```\n{line}\n```"
    if kind == "note":
        return f"Text[^n].\n\n[^n]: {line}"
    return line


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(body=st.lists(blocks(), min_size=1, max_size=8).map("\n\n".join))
def test_any_markdown_builds_or_fails_clearly(body, tmp_path_factory):
    book = tmp_path_factory.mktemp("fuzz") / "book"
    shutil.copytree(SAMPLE, book)
    (book / "03-fuzz.md").write_text(f"---\ntitle: Fuzz\n---\n\n{body}\n", encoding="utf-8")
    try:
        model, _ = load_checked(book)
    except BuildError as exc:
        assert exc.diagnostics
        for d in exc.diagnostics:
            assert re.match(r"^\S.*:\d+: (error|warning): .+", str(d)), str(d)
        return
    project = Project(book)
    try:  # the EPUB cites the PDF's pages and shows its cover
        layout = typeset.lay_out(model, project)
    except RenderError as exc:
        # The typesetter refused something (a character no font of the book has): an error
        # that names the file and the problem, not a crash.
        assert re.match(r"^handbook\.pdf: error: .+", str(exc)), str(exc)
        return
    assert layout.pdf.startswith(b"%PDF-")
    made = epub.make(model, layout, project, cover.make(model, project).files["cover.png"]).files
    with zipfile.ZipFile(io.BytesIO(made["handbook.epub"])) as package:
        for name in package.namelist():
            if name.endswith(".xhtml"):
                etree.fromstring(package.read(name))  # raises on anything not well-formed

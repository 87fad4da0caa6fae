"""The paperback's cover wrap (`layouts/paperback/cover.html.j2`): back, spine and front on one
page the size `geometry.Wrap` gives for the interior's page count and the paper stock, as PDF/X-4
in the printing condition's inks.

The back cover carries `back_cover` from book.yaml (or its `description`), one paragraph per
blank-line-separated block.
"""

from __future__ import annotations

from handbook import layouts, limits
from handbook.errors import BuildError, Diagnostic, RenderError, where
from handbook.model import Book
from handbook.paperback import geometry, pdfx
from handbook.paperback.interior import colour_profile
from handbook.project import Project
from handbook.typeset import sandbox

NAME = "cover.pdf"


def paragraphs(book: Book) -> list[str]:
    """The back cover's paragraphs; BuildError when the description it falls back on is too long."""
    config = book.config
    text = config.back_cover or config.description
    if len(text) > limits.BACK_COVER_CHARS:  # back_cover itself is checked with the metadata
        raise BuildError([Diagnostic(where(config.path), config.line("description"), "error", "too-long",
                                     f"'description' is {len(text)} characters, more than the paperback's back "
                                     f"cover holds ({limits.BACK_COVER_CHARS}): give a shorter 'back_cover'")])
    return [" ".join(block.split()) for block in text.split("\n\n") if block.strip()]


def make(book: Book, project: Project, pages: int) -> tuple[bytes, geometry.Wrap]:
    """The cover wrap for an interior of `pages` pages."""
    wrap = geometry.Wrap(geometry.TRIMS[project.paperback.trim], pages, project.paperback.stock)
    css = layouts.read(project, "cover/cover.css")
    wrap_css = layouts.read(project, "paperback/wrap.css")
    profile = colour_profile(project)
    files = {"cover.css": css, "wrap.css": wrap_css, "colour.css": pdfx.profile_css().encode(),
             pdfx.PROFILE_URL: profile, **layouts.fonts_for(project, css.decode() + wrap_css.decode())}
    html = layouts.render(project, "paperback/cover.html.j2", config=book.config, wrap=wrap, back=paragraphs(book),
                          date=book.date)
    document = sandbox.paginate(html, files, f"paperback/{NAME}", **pdfx.OPTIONS)
    if len(document.pages) != 1:
        raise RenderError.of(f"paperback/{NAME}", "cover-overflow",
                             f"the cover wrap needs {len(document.pages)} pages, not one: shorten the back "
                             f"cover's text in {book.config.path.name}")
    seed = f"{book.config.identifier}:{project.paperback.trim}:{project.paperback.stock}:{pages}:{NAME}"
    pdf = sandbox.write(document, f"paperback/{NAME}", finisher=pdfx.finisher(pdfx.Inks(profile), seed),
                        **pdfx.OPTIONS)
    return pdf, wrap

"""Rendering HTML to PDF with WeasyPrint, sandboxed and strict.

The typesetter is given every file it may load (the print HTML's stylesheet and fonts, the book's
pictures, all read through the gate beforehand) and serves only those, from memory: a chapter cannot
make it read a file or reach the network. Anything WeasyPrint logs as a warning or error fails the
build, and so does a crash inside the engine.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from contextlib import contextmanager

import weasyprint
from weasyprint.urls import URLFetcher, URLFetcherResponse

from handbook import fonts
from handbook.errors import Diagnostic, RenderError

BASE = "file:///handbook-print/"


class SandboxFetcher(URLFetcher):
    """Serves the files it was given; refuses all else."""

    def __init__(self, files: dict[str, bytes]):
        super().__init__(allowed_protocols={"file"})
        self.files = files

    def fetch(self, url, headers=None):
        name = url[len(BASE):].split("#")[0].split("?")[0] if url.startswith(BASE) else None
        if name not in self.files:
            raise ValueError(f"blocked: {url}")
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=self.files[name], headers={"Content-Type": mime})


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@contextmanager
def strict_logs(what: str):
    """Fail on any warning WeasyPrint logs, the way a test suite would."""
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    old = logger.propagate
    logger.propagate = False
    try:
        yield
    except (TypeError, ValueError, AttributeError, IndexError, KeyError, AssertionError) as exc:
        # An engine bug met by some layout: say which output, not a bare traceback.
        raise RenderError.of(what, "typesetter", f"the typesetter failed: {type(exc).__name__}: {exc}") from exc
    except RecursionError:
        raise RenderError.of(what, "typesetter", "the document is nested too deeply to lay out") from None
    finally:
        logger.removeHandler(handler)
        logger.propagate = old
    if handler.messages:
        raise RenderError([Diagnostic(what, 0, "error", "typesetter", m) for m in dict.fromkeys(handler.messages)])


def inputs_key(files: dict[str, bytes], html: str = "", **options) -> str:
    """A digest of everything a rendering is made from, to tell when a PDF can be kept."""
    digest = hashlib.sha256(f"{weasyprint.__version__}\0{sorted(options.items())}\0".encode())
    for name, data in sorted(files.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    digest.update(html.encode())
    return digest.hexdigest()


def paginate(html: str, files: dict[str, bytes], what: str, **options):
    """Lay out `html` into pages; returns WeasyPrint's document."""
    fonts.ensure_isolated()
    with strict_logs(what):
        return weasyprint.HTML(string=html, base_url=BASE + "index.html",
                               url_fetcher=SandboxFetcher(files)).render(**options)


def write(document, what: str, **options) -> bytes:
    """The PDF bytes of a laid-out document, every glyph mapped to its text, footnotes tagged as
    notes and header cells with their scope."""
    from handbook.typeset.engine import complete_text_map, richer_tags

    with strict_logs(what), complete_text_map(), richer_tags():
        return document.write_pdf(**options)


def html_to_pdf(html: str, files: dict[str, bytes], what: str, **options) -> tuple[bytes, object]:
    """Lay out and write `html`; returns the PDF bytes and the laid-out document."""
    document = paginate(html, files, what, **options)
    return write(document, what, **options), document

"""A hostile book, or a hostile output folder, as a stranger's pull request could make them.

Every case builds in a temporary folder beside a secret file outside the book, and checks what an
outside security review would: no byte of the secret reaches any output (EPUB members included),
nothing outside --out changes, the message names the file, no traceback, no hang, and the last good
outputs stay byte for byte as they were.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import stat
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clirun import ROOT, handbook, snapshot
from conftest import SAMPLE

SECRET = b"SECRET-7f3a9c-not-for-any-output"
GUARD = 120  # seconds: a hang fails the test instead of the suite


def _png(width: int = 1, height: int = 1, extra: bytes = b"") -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + extra + chunk(b"IEND", b""))


@pytest.fixture
def world(tmp_path, sample_out):
    """A copy of the sample book, a last good build of it, and a folder of secrets outside the book."""
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    for path in (outside / "secret.png", outside / "deep" / "secret.png", outside / "environ"):
        path.write_bytes(_png(extra=b"\x00\x00\x00\x00tEXt" + SECRET) if path.suffix else SECRET)
    book = tmp_path / "book"
    shutil.copytree(SAMPLE, book)
    (book / "images").mkdir()
    (book / "images" / "decoy.png").write_bytes(_png())
    out = tmp_path / "out"
    shutil.copytree(sample_out, out)
    return tmp_path, book, out, outside


def _chapter(book: Path, body: str, name: str = "03-x.md") -> None:
    """A chapter whose body starts on line 5."""
    (book / name).write_text(f"---\ntitle: X\n---\n\n{body}\n", encoding="utf-8")


def _outside_state(world_root: Path, out: Path) -> dict[str, bytes]:
    return {k: v for k, v in snapshot(world_root).items() if not k.startswith(out.name + "/")}


def _leaks(out: Path) -> list[str]:
    found = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if SECRET in data:
            found.append(str(path))
        if path.suffix == ".epub":
            with zipfile.ZipFile(path) as package:
                found += [f"{path}!{n}" for n in package.namelist() if SECRET in package.read(n)]
    return found


def _build(book: Path, out: Path, *extra: str):
    return handbook("build", "--chapters", str(book), "--out", str(out), *extra, timeout=GUARD)


def _refused(world, body_or_setup, expected: str) -> None:
    """The hostile book is refused with `expected` in a diagnostic; nothing leaks or changes."""
    root, book, out, outside = world
    if callable(body_or_setup):
        body_or_setup(book, outside)
    else:
        _chapter(book, body_or_setup)
    before_out, before_outside = snapshot(out), _outside_state(root, out)
    result = _build(book, out, "--force")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert expected in result.stderr, result.stderr
    assert snapshot(out) == before_out
    assert _outside_state(root, out) == before_outside
    assert _leaks(out) == []


# -- pictures: every way out of the book is closed -------------------------------------------------

PICTURE_ATTACKS = {
    "link-to-outside-folder": ("![x](p/secret.png)", "goes through a link to a place outside the book folder"),
    "climb-after-link": ("![x](p/../secret.png)", "goes through a link to a place outside the book folder"),
    "fragment-climbs-back": ("![x](images/decoy.png#/../../p/../environ)", "may not have a '?' or '#' part"),
    "query": ("![x](images/decoy.png?../../outside/secret.png)", "may not have a '?' or '#' part"),
    "percent-dots": ("![x](%2e%2e/outside/secret.png)", "climbs out of the book folder"),
    "percent-slash": ("![x](images%2F..%2F..%2Foutside%2Fsecret.png)", "climbs out of the book folder"),
    "link-to-outside-file": ("![x](link.png)", "goes through a link to a place outside the book folder"),
    "link-deep-in-path": ("![x](images/inner/secret.png)", "goes through a link to a place outside the book folder"),
    "absolute": ("![x](/etc/hostname)", "is not a relative path"),
    "file-url": ("![x](file:///etc/hostname)", "must be a file inside the book folder"),
}


@pytest.mark.parametrize("case", sorted(PICTURE_ATTACKS))
def test_a_picture_cannot_leave_the_book(case, world):
    root, book, out, outside = world
    os.symlink(outside / "deep", book / "p")
    os.symlink(outside / "secret.png", book / "link.png")
    os.symlink(outside, book / "images" / "inner")
    body, expected = PICTURE_ATTACKS[case]
    _refused(world, body, expected)
    result = _build(book, out, "--force")
    assert "03-x.md:5: error:" in result.stderr


def test_a_link_inside_the_book_that_stays_inside_is_fine(world):
    root, book, out, _ = world
    os.symlink("images", book / "pictures")
    _chapter(book, "![A dot](pictures/decoy.png)\n\n![The same dot](images/../images/decoy.png)")
    result = _build(book, out)
    assert result.returncode == 0, result.stderr
    assert _leaks(out) == []


# -- files that are not files -----------------------------------------------------------------------

def _fifo(book, outside):
    os.mkfifo(book / "03-fifo.md")


def _folder(book, outside):
    (book / "03-folder.md").mkdir()


def _socket(book, outside):
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(book / "03-sock.md"))
    sock.close()


def _metadata_link(book, outside):
    (book / "book.yaml").unlink()
    os.symlink(outside / "environ", book / "book.yaml")


def _metadata_fifo(book, outside):
    (book / "book.yaml").unlink()
    os.mkfifo(book / "book.yaml")


@pytest.mark.parametrize("setup, expected", [
    (_fifo, "03-fifo.md: error: not read: '03-fifo.md' is a named pipe (FIFO), not a file"),
    (_folder, "03-folder.md: error: not read: '03-folder.md' is a folder, not a file"),
    (_socket, "03-sock.md: error: not read: '03-sock.md' is a socket, not a file"),
    (_metadata_link, "book.yaml: error: 'book.yaml' goes through a link to a place outside the book folder"),
    (_metadata_fifo, "book.yaml: error: 'book.yaml' is a named pipe (FIFO), not a file"),
], ids=["fifo", "folder", "socket", "metadata-link", "metadata-fifo"])
def test_special_files_are_refused_unopened(setup, expected, world):
    _refused(world, setup, expected)


# -- the output folder is the build's own -------------------------------------------------------------

@pytest.mark.parametrize("where", ["the-book", "inside-the-book", "around-the-book", "a-file", "root", "home"])
def test_an_output_folder_that_is_not_ours_is_refused(where, world):
    root, book, _, _ = world
    (root / "a-file").write_text("keep me")
    out = {"the-book": book, "inside-the-book": book / "build", "around-the-book": root, "a-file": root / "a-file",
           "root": Path("/"), "home": Path.home()}[where]
    before = snapshot(root)
    result = _build(book, out)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "error: the output folder" in result.stderr, result.stderr
    assert snapshot(root) == before


def test_a_hostile_manifest_deletes_nothing_outside(world):
    """Names read back from .manifest.json are checked before anything is deleted or replaced."""
    import json

    root, book, out, outside = world
    victims = [root / "victim.txt", outside / "victim.txt"]
    for victim in victims:
        victim.write_text("still here")
    manifest = json.loads((out / ".manifest.json").read_text())
    for name in ["../victim.txt", str(victims[1]), "site/../../victim.txt", "./x", ""]:
        manifest["files"][name] = {"key": None, "sha256": "0" * 64}
    (out / ".manifest.json").write_text(json.dumps(manifest))
    result = _build(book, out)
    assert result.returncode == 0, result.stderr
    assert "not a manifest this program wrote" in result.stderr
    assert all(v.read_text() == "still here" for v in victims)


def test_links_inside_the_output_folder_are_not_followed(world):
    """A link where the build writes a folder is replaced by a real folder, never written through."""
    root, book, out, outside = world
    (outside / "index.html").write_text("outside page")
    shutil.rmtree(out / "site")
    os.symlink(outside, out / "site")
    before = _outside_state(root, out)
    result = _build(book, out, "--force")
    assert result.returncode == 0, result.stderr
    assert (out / "site").is_dir() and not (out / "site").is_symlink()
    assert (outside / "index.html").read_text() == "outside page"
    assert _outside_state(root, out) == before


def test_two_builds_into_one_folder_take_turns(world, tmp_path):
    root, book, out, _ = world
    first = subprocess.Popen([sys.executable, "-m", "handbook", "build", "--force", "--chapters", str(book),
                              "--out", str(out)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    second = _build(book, out, "--force")
    _, first_err = first.communicate(timeout=GUARD)
    assert first.returncode == 0 and second.returncode == 0, (first_err, second.stderr)
    assert "waiting for another build" in first_err + second.stderr
    check = _build(book, out)
    assert "up to date" in check.stderr  # the folder is whole: the manifest matches the disk


# -- bounded work ---------------------------------------------------------------------------------

@pytest.mark.parametrize("body, expected", [
    ("![Huge](images/huge.png)", "is 10000 x 10000 pixels (100 megapixels); the limit is 40 megapixels"),
    ("*" * 1200 + "deep" + "*" * 1200, "03-x.md:5: error: Markdown nested more than 32 levels deep"),
    ("## Long id {#" + "a" * 150 + "}", "heading id is 150 characters; the limit is 100"),
    ("".join(f"Text.[^{n}]\n\n" for n in range(501)) + "".join(f"[^{n}]: Note.\n" for n in range(501)),
     "501 footnotes; the limit is 500 a chapter"),
    ("::: {.checklist #many title=\"Many\"}\n" + "".join(f"- [ ] Item {n}\n" for n in range(101)) + ":::",
     "checklist has 101 items; the limit is 100"),
    ("A [long link](https://example.org/" + "a" * 2980 + ").", "03-x.md:5: error: link address is 3000 bytes"),
], ids=["picture-pixels", "nesting", "id-length", "footnotes", "checklist-items", "link-address"])
def test_limits_give_errors_not_hangs(body, expected, world):
    root, book, out, _ = world
    (book / "images" / "huge.png").write_bytes(_png(10_000, 10_000))  # a tiny file that claims a huge picture
    _refused(world, body, expected)


def test_a_title_too_long_is_an_error(world):
    _refused(world, lambda book, _: (book / "03-x.md").write_text(f"---\ntitle: {'T' * 400}\n---\n\nText.\n"),
             "03-x.md:2: error: the title is 400 characters; the limit is 300")


def test_a_site_address_too_long_for_a_qr_code_is_an_error(world):
    def setup(book, _):
        with open(book / "book.yaml", "a", encoding="utf-8") as metadata:
            metadata.write(f"site_url: https://example.org/{'a' * 3000}/\n")
    _refused(world, setup, "book.yaml:11: error: 'site_url' is 3021 bytes; the limit is 1000")


# -- pictures that are safe in every edition --------------------------------------------------------

SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">{}</svg>'


@pytest.mark.parametrize("svg, expected", [
    (SVG.format("<script>alert(1)</script>"), "<script> is not allowed in a picture"),
    (SVG.format('<rect width="5" height="5" onclick="alert(1)"/>'), "event attribute 'onclick'"),
    ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + SVG.format("<text>&x;</text>"),
     "an SVG may not have a DTD or entities"),
    (SVG.format('<image href="https://example.org/x.png" width="5" height="5"/>'), "<image> is not allowed"),
    (SVG.format('<use href="file:///etc/passwd#x"/>'), "a picture may refer only to its own parts"),
    (SVG.format('<rect style="fill: url(https://example.org/p)" width="5" height="5"/>'),
     "a picture may refer only to its own parts"),
    (SVG.format("<foreignObject><p>x</p></foreignObject>"), "<foreignObject> is not allowed"),
], ids=["script", "event", "entity", "image", "use-file", "style-url", "foreign"])
def test_unsafe_svg_is_refused(svg, expected, world):
    root, book, _, _ = world
    (book / "images" / "drawing.svg").write_text(svg)
    _refused(world, "![A drawing](images/drawing.svg)", expected)


def test_safe_pictures_of_every_kind_reach_every_edition(world):
    from PIL import Image

    root, book, out, _ = world
    Image.new("RGB", (4, 3), "red").save(book / "images" / "photo.tiff")
    (book / "images" / "chart.svg").write_text(SVG.format('<rect width="5" height="5" fill="url(#g)"/>'
                                                          '<linearGradient id="g"><stop offset="0"/></linearGradient>'))
    (book / "images" / "named like a jpeg.jpg").write_bytes(_png())  # the type is read from the bytes
    _chapter(book, "![Photo](images/photo.tiff)\n\n![Chart](images/chart.svg)\n\n![Dot](<images/named like a jpeg.jpg>)")
    result = _build(book, out)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out / "handbook.epub") as package:
        names = [n for n in package.namelist() if "/images/" in n]
        opf = package.read("EPUB/content.opf").decode()
    assert sorted(re.sub(r"^EPUB/images/[0-9a-f]{12}-", "", n) for n in names) == [
        "chart.svg", "named-like-a-jpeg.png", "photo.png"]
    assert 'media-type="image/tiff"' not in opf and "image/svg+xml" in opf
    assert not any(" " in n for n in names)


# -- links --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "ftp://example.org/x",
                                 "vbscript:x"])
def test_links_take_only_web_mail_phone_and_chapter_addresses(url, world):
    _refused(world, f"A [link]({url}).", "03-x.md:5: error: link scheme not allowed")


@pytest.mark.parametrize("body, expected", [
    ('::: {#box onclick="alert(1)"}\nText.\n:::', "attribute 'onclick' is not allowed on a div"),
    ('[red]{style="color:red"} words.', "attribute 'style' is not allowed on a span"),
    ("[link](https://example.org/){target=_blank}", "attribute 'target' is not allowed on a link"),
])
def test_attributes_that_would_reach_the_web_edition_are_refused(body, expected, world):
    _refused(world, body, f"03-x.md:5: error: {expected}")


def test_external_check_never_requests_private_addresses(tmp_path):
    """Loopback, private and link-local addresses are skipped unless --allow-private is given."""
    from loopback import FaultServer

    with FaultServer(("h",)) as srv:
        book = tmp_path / "book"
        book.mkdir()
        (book / "book.yaml").write_text("title: T\nauthor: A\n")
        local = srv.url("h", "/ok")
        port = local.split(":")[2].split("/")[0]
        urls = [local, "http://169.254.169.254/latest/meta-data/", f"http://localhost:{port}/ok",
                "http://10.0.0.1/", f"http://[::ffff:127.0.0.1]:{port}/ok"]
        _chapter(book, " ".join(f"[link {n}]({u})" for n, u in enumerate(urls)))
        report = tmp_path / "links.json"
        skipped = handbook("links", "--chapters", str(book), "--external", "--no-cache", "--json", str(report),
                           timeout=GUARD)
        assert srv.recorder.count() == 0, skipped.stdout
        results = json.loads(report.read_text())["links"]
        assert [(r["outcome"], "--allow-private" in r["detail"]) for r in results] == [("skipped", True)] * len(urls)
        allowed = handbook("links", "--chapters", str(book), "--external", "--no-cache", "--allow-private",
                           timeout=GUARD)
        assert srv.recorder.count(path="/ok") >= 1, allowed.stdout


# -- the gate itself, over generated paths --------------------------------------------------------------

@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """A book with links at several depths, inside and out, beside an outside folder with a secret."""
    root = tmp_path_factory.mktemp("gate")
    book, outside = root / "book", root / "outside"
    (book / "a" / "b").mkdir(parents=True)
    (outside / "o").mkdir(parents=True)
    for path in (book / "x.png", book / "a" / "y.png", book / "a" / "b" / "z.png"):
        path.write_bytes(b"inside " + path.name.encode())
    for path in (outside / "x.png", outside / "o" / "y.png", root / "x.png"):
        path.write_bytes(SECRET)
    os.symlink(outside, book / "out")
    os.symlink(outside / "o", book / "a" / "deep")
    os.symlink(outside / "x.png", book / "a" / "b" / "leak.png")
    os.symlink("b", book / "a" / "in")
    os.symlink("../..", book / "a" / "b" / "up")
    os.mkfifo(book / "pipe.png")
    return book


PARTS = ["x.png", "y.png", "z.png", "leak.png", "a", "b", "o", "in", "up", "out", "deep", "pipe.png", "..", ".",
         "%2e%2e", "%2E.", "%2f", "", "#", "?", "%23", "book", "outside"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.sampled_from(PARTS), min_size=1, max_size=7), suffix=st.sampled_from(["", "#x", "?y"]))
def test_the_gate_never_hands_out_a_byte_from_outside(tree, parts, suffix):
    from handbook.gate import Gate, Refused

    gate = Gate({"book": tree})
    ref = "/".join(parts) + suffix
    try:
        located = gate.locate_reference("book", ref)
    except Refused:
        return
    real = Path(os.path.realpath(located.path))
    assert real.is_relative_to(Path(os.path.realpath(tree))), ref
    assert stat.S_ISREG(os.stat(real).st_mode)
    data = gate.read(located, 1024)
    assert SECRET not in data and data == real.read_bytes()


def test_the_renderer_serves_only_what_it_is_given(tmp_path):
    """The typesetter's fetcher reads nothing from disk, whatever the HTML asks for."""
    from handbook.errors import RenderError
    from handbook.typeset.sandbox import html_to_pdf

    secret = tmp_path / "secret.png"
    secret.write_bytes(_png())
    html = (f'<html lang="en"><head><title>t</title></head><body><p>x</p>'
            f'<img src="file://{secret}" alt="s"><img src="../{secret.name}" alt="s"></body></html>')
    with pytest.raises(RenderError) as info:
        html_to_pdf(html, {}, "probe.pdf")
    assert "blocked" in str(info.value)


def test_a_failed_build_exits_cleanly_every_time(world):
    """No 'Exception ignored' noise at exit, and no worker left running, after failures."""
    root, book, out, _ = world
    layouts = root / "layouts"
    shutil.copytree(ROOT / "layouts", layouts)
    with open(layouts / "print" / "handbook.css", "a", encoding="utf-8") as css:
        css.write("\np { colour: red; }\n")  # the typesetter warns of it: the build fails after the worker started
    for _ in range(3):
        result = _build(book, out, "--force", "--layouts", str(layouts))
        assert result.returncode == 1
        assert "Exception ignored" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    stray = subprocess.run(["pgrep", "-f", f"handbook build --force --chapters {book}"], capture_output=True, text=True)
    assert stray.stdout.strip() == ""


def test_a_redirect_to_a_private_address_is_not_followed():
    """A public page that redirects to the cloud metadata address: the second request is never sent."""
    import httpx

    from handbook.linkcheck import check_external
    from loopback import make_book

    sent = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})

    report = check_external(make_book(["https://public.example/start"]), transport=httpx.MockTransport(answer),
                            probe=lambda urls: _none())
    assert sent == ["https://public.example/start"]
    assert report.results[0].outcome == "skipped" and "169.254.169.254" in report.results[0].detail


async def _none():
    return None


def test_a_host_that_resolves_to_a_private_address_is_refused(monkeypatch):
    """Checked before the request and again when the connection opens (the name may resolve anew)."""
    import asyncio

    import httpcore

    from handbook.linkcheck import private

    async def resolves(host, port):
        return ["93.184.216.34", "10.1.2.3"]  # one public answer does not make a private one safe

    monkeypatch.setattr(private, "addresses", resolves)
    assert "10.1.2.3" in asyncio.run(private.refusal("https://intranet.example/"))
    with pytest.raises(httpcore.ConnectError, match="non-public"):
        asyncio.run(private.PublicOnly().connect_tcp("intranet.example", 443))

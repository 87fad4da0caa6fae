"""Nothing in a chapter makes a build read a file outside the book or reach the network."""

from __future__ import annotations

import http.server
import threading

import pytest
from clirun import handbook

from handbook.errors import RenderError
from handbook.typeset.sandbox import html_to_pdf


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self):  # noqa: N802 - the http.server API
        self.seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def loopback():
    _Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.seen
    server.shutdown()


def attacks(base: str) -> dict[str, str]:
    return {
        "file-image": '<img src="file:///etc/passwd" alt="x">',
        "attachment": f'<link rel="attachment" href="{base}/attach">',
        "remote-image-html": f'<img src="{base}/pixel.png" alt="pixel">',
        "remote-image-md": f"![pixel]({base}/md.png)",
        "style-url": f'<span style="background: url({base}/style.png)">text</span>',
        "parent-image": "![up](../../../etc/hostname)",
        "script": f'<script src="{base}/x.js"></script>',
    }


@pytest.mark.parametrize("name", sorted(attacks("http://x")))
def test_chapter_cannot_reach_out(name, loopback, book_copy, tmp_path):
    base, seen = loopback
    snippet = attacks(base)[name]
    (book_copy / "03-x.md").write_text(f"---\ntitle: x\n---\n\nBefore.\n\n{snippet}\n\nAfter.\n")
    out = tmp_path / "out"
    result = handbook("build", "--chapters", str(book_copy), "--out", str(out))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "03-x.md:7: error:" in result.stderr
    assert seen == []
    assert not out.exists()


def test_renderer_refuses_what_the_checks_might_miss(loopback, tmp_path):
    """The PDF engine's own fetcher serves only the files it is given."""
    base, seen = loopback
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET CONTENT")
    html = (f'<html lang="en"><head><title>t</title><link rel="stylesheet" href="{base}/a.css"></head><body>'
            f'<p>x</p><img src="file://{secret}" alt="s"><img src="{base}/b.png" alt="b">'
            f'<link rel="attachment" href="file://{secret}">'
            f'<p style="background: url({base}/c.png)">y</p></body></html>')
    with pytest.raises(RenderError) as info:
        html_to_pdf(html, {}, "probe.pdf")
    assert "blocked" in str(info.value)
    assert seen == []

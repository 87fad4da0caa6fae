"""The web edition's search index: Pagefind (the pinned `pagefind-bin` package) run over the site's
pages in a temporary folder, its bundle read back into the site's files under `pagefind/`.

Pagefind indexes what the layouts mark with `data-pagefind-body` (the chapters' text) and records
each heading with an id, so a result can name its section and jump to it. Only what the site's own
search page uses is kept: the search library, the WebAssembly of the book's language, the index
and the fragments (the default interface, the web worker and other languages are left out, which
keeps the index and its code small). Its output is a function of the pages alone: the file names
are digests of their contents, and a test builds the site twice and compares the bytes.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import pagefind_bin

from handbook.errors import HandbookError

FOLDER = "pagefind/"
TIMEOUT = 300  # seconds: only stops a hung indexer; a book indexes in well under one
_KEPT = ("pagefind.js", "pagefind-entry.json")
_KEPT_FOLDERS = ("index/", "fragment/", "filter/")


def _kept(name: str, wasm: set[str]) -> bool:
    return (name in _KEPT or name.startswith(_KEPT_FOLDERS) or name.endswith(".pf_meta")
            or name in {f"wasm.{language}.pagefind" for language in wasm})


def index(pages: dict[str, bytes]) -> dict[str, bytes]:
    """The search bundle for `pages` (site path -> HTML), as site paths under `pagefind/`."""
    with tempfile.TemporaryDirectory(prefix="pagefind-", dir=tempfile.gettempdir()) as folder:
        site, bundle = Path(folder, "site"), Path(folder, "bundle")
        for name, data in pages.items():
            (site / name).parent.mkdir(parents=True, exist_ok=True)
            (site / name).write_bytes(data)
        # An empty working folder and no PAGEFIND_* variables: no stray configuration file or
        # setting of the machine changes the index.
        env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", "HOME": folder, "TMPDIR": folder}
        try:
            run = subprocess.run([str(pagefind_bin.get_executable()), "--site", str(site), "--output-path",
                                  str(bundle), "--silent"], cwd=folder, env=env, capture_output=True,
                                 timeout=TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise HandbookError(f"site: error: the search index could not be made: {exc}") from None
        if run.returncode != 0:
            said = (run.stderr or run.stdout).decode("utf-8", "replace").strip()[-2000:]
            raise HandbookError(f"site: error: the search index could not be made: {said}")
        entry = json.loads((bundle / "pagefind-entry.json").read_text())
        wasm = {language.get("wasm") or "unknown" for language in entry["languages"].values()}
        files = {}
        for path in sorted(bundle.rglob("*")):
            name = path.relative_to(bundle).as_posix()
            if path.is_file() and _kept(name, wasm):
                files[FOLDER + name] = path.read_bytes()
    return files

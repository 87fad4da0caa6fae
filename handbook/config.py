"""The book's metadata file (`book.yaml` beside the chapters), loaded and validated.

Every problem is recorded at once; unknown keys are warnings, so a typo is
seen without stopping the build.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from handbook.errors import Diagnostics
from handbook.model import BookConfig
from handbook.yamlmeta import load_mapping

METADATA_FILE = "book.yaml"

_TEXT_KEYS = {
    "title": True,  # required
    "subtitle": False,
    "author": True,
    "publisher": False,
    "language": False,
    "edition": False,
    "version": False,
    "description": False,
    "identifier": False,
}
_LIST_KEYS = ("subjects", "keywords")
_KNOWN = set(_TEXT_KEYS) | set(_LIST_KEYS) | {"linkcheck"}


def load_config(root: Path, diags: Diagnostics) -> BookConfig | None:
    path = root / METADATA_FILE
    if not path.is_file():
        diags.error(path, 0, "metadata-missing", f"the book has no {METADATA_FILE} (title, author, ...)")
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        diags.error(path, 1 + path.read_bytes()[: exc.start].count(b"\n"), "encoding", "file is not UTF-8")
        return None
    loaded = load_mapping(text, path, 1, diags)
    if loaded is None:
        return None
    data, lines = loaded
    ok = True
    for key in sorted(set(data) - _KNOWN):
        diags.warning(path, lines.get(key, 1), "unknown-key", f"unknown metadata key {key!r} (ignored)")
    values: dict[str, str] = {}
    for key, required in _TEXT_KEYS.items():
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                diags.error(path, lines.get(key, 1), "metadata", f"missing required key {key!r}")
                ok = False
            values[key] = ""
        elif not isinstance(value, (str, int, float)):
            diags.error(path, lines.get(key, 1), "metadata", f"{key!r} must be text")
            ok = False
        else:
            values[key] = str(value).strip()
    lists: dict[str, tuple[str, ...]] = {}
    for key in _LIST_KEYS:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            diags.error(path, lines.get(key, 1), "metadata", f"{key!r} must be a list of text")
            ok = False
            value = []
        lists[key] = tuple(value)
    linkcheck = data.get("linkcheck", {})
    if not isinstance(linkcheck, dict):
        diags.error(path, lines.get("linkcheck", 1), "metadata", "'linkcheck' must be a mapping")
        ok = False
        linkcheck = {}
    if not ok:
        return None
    language = values["language"] or "en-US"
    # Stable across builds and machines: derived from what names this book.
    identifier = values["identifier"] or "urn:uuid:" + str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"handbook:{values['title']}:{values['edition']}")
    )
    return BookConfig(
        title=values["title"],
        subtitle=values["subtitle"],
        author=values["author"],
        publisher=values["publisher"] or values["author"],
        language=language,
        edition=values["edition"],
        version=values["version"],
        description=values["description"],
        subjects=lists["subjects"],
        keywords=lists["keywords"],
        identifier=identifier,
        linkcheck=linkcheck,
        path=path,
    )

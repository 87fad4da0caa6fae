"""The book's metadata file (`book.yaml` beside the chapters), loaded and validated, with the
link checker's settings (its `linkcheck:` section).

Every problem is recorded at once; unknown keys are warnings, so a typo is
seen without stopping the build.
"""

from __future__ import annotations

import re
import uuid

from handbook import limits
from handbook.errors import Diagnostics
from handbook.gate import Refused
from handbook.linkcheck.settings import parse_settings
from handbook.model import BookConfig
from handbook.project import Project
from handbook.sources.yamlmeta import load_mapping

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
    "license": False,  # how readers may use the book, as the edition page states it
    "license_url": False,
    "site_url": False,  # where the web edition is published (https), for the edition page and QR codes
    "back_cover": False,  # the paperback's back cover text; the description when absent
}
_LIST_KEYS = ("subjects", "keywords")
_KNOWN = set(_TEXT_KEYS) | set(_LIST_KEYS) | {"linkcheck"}


def load_config(project: Project, diags: Diagnostics) -> BookConfig | None:
    path = project.chapters / METADATA_FILE
    if not path.exists() and not path.is_symlink():
        diags.error(path, 0, "metadata-missing", f"the book has no {METADATA_FILE} (title, author, ...)")
        return None
    try:
        data = project.gate.read(project.gate.locate("book", METADATA_FILE), limits.METADATA_BYTES)
    except Refused as exc:
        diags.error(path, 0, "unreadable", str(exc))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        diags.error(path, 1 + data[: exc.start].count(b"\n"), "encoding", "file is not UTF-8")
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
    for key in ("title", "subtitle"):
        if len(values[key]) > limits.TITLE_CHARS:
            diags.error(path, lines.get(key, 1), "too-long",
                        f"{key!r} is {len(values[key])} characters; the limit is {limits.TITLE_CHARS}")
            ok = False
    if len(values["back_cover"]) > limits.BACK_COVER_CHARS:
        diags.error(path, lines.get("back_cover", 1), "too-long", f"'back_cover' is {len(values['back_cover'])} "
                    f"characters; the paperback's back cover holds {limits.BACK_COVER_CHARS}")
        ok = False
    for key in ("license_url", "site_url"):
        if values[key] and not re.fullmatch(r"https://[^\s/]+(/\S*)?", values[key]):
            diags.error(path, lines.get(key, 1), "metadata", f"{key!r} must be an https:// address")
            ok = False
        elif len(values[key].encode()) > limits.URL_BYTES // 2:  # a checklist's page and id are added for its QR code
            diags.error(path, lines.get(key, 1), "too-long", f"{key!r} is {len(values[key].encode())} bytes; "
                        f"the limit is {limits.URL_BYTES // 2}")
            ok = False
    if values["site_url"] and not values["site_url"].endswith("/"):
        values["site_url"] += "/"
    linkcheck, problems = parse_settings(data.get("linkcheck"), path, lines)
    diags.extend(problems)
    ok = ok and not problems
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
        license=values["license"],
        license_url=values["license_url"],
        site_url=values["site_url"],
        linkcheck=linkcheck,
        path=path,
        back_cover=values["back_cover"],
        lines=tuple(sorted((str(k), n) for k, n in lines.items() if isinstance(n, int))),
    )

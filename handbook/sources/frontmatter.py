"""A chapter's YAML front matter: read, validated, and cut from the body (which keeps its line numbers)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from handbook import limits
from handbook.errors import Diagnostics
from handbook.sources.yamlmeta import load_mapping

FRONT_MATTER_KEYS = {"title", "summary", "last_reviewed", "appendix", "glossary"}


def split_front_matter(text: str, path: Path, diags: Diagnostics) -> tuple[dict | None, str]:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        diags.error(path, 1, "front-matter", "chapter must start with YAML front matter (a '---' line)")
        return None, ""
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        diags.error(path, 1, "front-matter", "front matter is not closed by a '---' line")
        return None, ""
    block = "\n".join(lines[1:end])
    if len(block) > limits.METADATA_BYTES:
        diags.error(path, 1, "too-large", f"front matter is larger than {limits.METADATA_BYTES // 1024} KiB")
        return None, ""
    loaded = load_mapping(block, path, 2, diags)
    if loaded is None:
        return None, ""
    meta, key_lines = loaded
    ok = True
    for key in sorted(set(meta) - FRONT_MATTER_KEYS):
        diags.warning(path, key_lines.get(key, 1), "unknown-key", f"unknown front-matter key {key!r} (ignored)")
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        diags.error(path, key_lines.get("title", 1), "front-matter", "front matter needs a 'title'")
        ok = False
    elif len(title) > limits.TITLE_CHARS:
        diags.error(path, key_lines["title"], "too-long",
                    f"the title is {len(title)} characters; the limit is {limits.TITLE_CHARS}")
        ok = False
    reviewed = meta.get("last_reviewed")
    if reviewed is not None and not isinstance(reviewed, dt.date):
        diags.error(path, key_lines["last_reviewed"], "front-matter",
                    "'last_reviewed' must be a date (YYYY-MM-DD)")
        ok = False
    for key in ("appendix", "glossary"):
        if key in meta and not isinstance(meta[key], bool):
            diags.error(path, key_lines[key], "front-matter", f"'{key}' must be true or false")
            ok = False
    if "summary" in meta and not isinstance(meta["summary"], str):
        diags.error(path, key_lines["summary"], "front-matter", "'summary' must be text")
        ok = False
    # Blank lines keep the body's line numbers equal to the file's.
    return (meta if ok else None), "\n" * (end + 1) + "\n".join(lines[end + 1:])

"""YAML mappings with the line of each key, for front matter and the book's metadata file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from handbook.errors import Diagnostics


class _Loader(yaml.SafeLoader):
    """Safe loading; dates stay dates, no custom tags."""


def load_mapping(
    text: str, path: Path, first_line: int, diags: Diagnostics
) -> tuple[dict[str, Any], dict[str, int]] | None:
    """Parse `text` (which starts at `first_line` of `path`) as a mapping.

    Returns the values and the line of each key, or None after recording why not.
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader) if node is not None else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = first_line + (mark.line if mark else 0)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        diags.error(path, line, "yaml", f"malformed YAML: {problem}")
        return None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        diags.error(path, first_line, "yaml", "expected a mapping of keys to values")
        return None
    lines: dict[str, int] = {}
    _key_lines(node, "", first_line, lines)
    return {str(k): v for k, v in data.items()}, lines


def _key_lines(node, prefix: str, first_line: int, lines: dict[str, int], depth: int = 0) -> None:
    """The line of every key, nested keys as "outer.inner" (a few levels deep)."""
    if not isinstance(node, yaml.MappingNode) or depth > 3:
        return
    for key_node, value_node in node.value:
        name = prefix + str(key_node.value)
        lines.setdefault(name, first_line + key_node.start_mark.line)
        _key_lines(value_node, name + ".", first_line, lines, depth + 1)

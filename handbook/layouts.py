"""The Jinja2 environment over `layouts/`, and the pinned font packages the layouts name.

Layouts hold every presentation decision; Python only passes the model in.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import font_source_sans_pro
import font_source_serif_pro
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from handbook.errors import HandbookError

DEFAULT_LAYOUTS = Path(__file__).resolve().parent.parent / "layouts"
FONT_DIRS = (Path(font_source_serif_pro.font_directory), Path(font_source_sans_pro.font_directory))
_FONT_URL = re.compile(r"""url\(\s*["']?fonts/([^"')]+)["']?\s*\)""")


@lru_cache(maxsize=4)
def environment(layouts: Path = DEFAULT_LAYOUTS) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(layouts)),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def render(layouts: Path, template: str, **context) -> str:
    return environment(layouts).get_template(template).render(**context)


def read(layouts: Path, name: str) -> bytes:
    return (layouts / name).read_bytes()


def fonts_for(css: str) -> dict[str, bytes]:
    """The font files a stylesheet names as `url(fonts/NAME)`, from the pinned font packages."""
    files: dict[str, bytes] = {}
    for name in sorted(set(_FONT_URL.findall(css))):
        found = next((d / name for d in FONT_DIRS if (d / name).is_file()), None)
        if found is None:
            raise HandbookError(f"layouts: font {name!r} is not in the pinned font packages")
        files[f"fonts/{name}"] = found.read_bytes()
    return files

"""The shape of the code, as a newcomer relies on it: small modules, no import cycle, every
WeasyPrint internal in one module."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "handbook"
MAX_LINES = 300


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        found[name] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules `path` imports, at any level (lazy imports inside functions included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("handbook"):
            # `from package import module` imports the module; `from module import name`, the module.
            names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                     for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        found |= {n for n in names if n in modules}
    return found


def test_no_module_is_over_300_lines():
    long = {name: n for name, path in _modules().items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_the_import_graph_has_no_cycle():
    modules = _modules()
    graph = {name: _imports(path, modules) - {name} for name, path in modules.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(name: str, stack: list[str]) -> None:
        state[name] = 1
        stack.append(name)
        for other in sorted(graph[name]):
            if state.get(other) == 1:
                cycles.append(stack[stack.index(other):] + [other])
            elif other not in state:
                visit(other, stack)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    assert cycles == []


def test_weasyprint_internals_live_in_one_module():
    """Private names of the engine (layout, css, pdf internals) appear only in typeset/engine/."""
    internal = ("weasyprint.layout", "weasyprint.css", "weasyprint.document", "weasyprint.pdf", "_page_box",
                "page_maker", "style_for", "make_all_pages", "to_unicode")
    users = {name for name, path in _modules().items()
             if any(word in path.read_text(encoding="utf-8") for word in internal)}
    assert users and all(name.startswith("handbook.typeset.engine") for name in users), users


def test_the_worker_knows_nothing_of_the_pipeline():
    modules = _modules()
    assert {m for m in _imports(modules["handbook.worker"], modules)} == set()

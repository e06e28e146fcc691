"""The package's import graph has no cycles, and only the engine facade wires the engine.

Every import counts, including those inside functions and under ``TYPE_CHECKING``: a cycle
hidden in a function still ties the two modules together.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "articleqa"
# Constructed only in engine.py: everything else asks the facade.
WIRED_BY_THE_ENGINE = {"Indexer", "Searcher", "ArticleStore"}


def _modules() -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _imported(module: str, path: Path, modules: dict[str, Path]) -> Iterator[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parent, base] if base else parent)
            for alias in node.names:
                # ``from a import b`` imports module ``a.b`` when there is one, else from ``a``.
                submodule = f"{base}.{alias.name}"
                if submodule in modules:
                    yield submodule
                elif base in modules:
                    yield base


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {
        module: set(_imported(module, path, modules)) - {module} for module, path in modules.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_package_has_no_import_cycles() -> None:
    graph = import_graph()
    # The graph is real: the arrows this test exists for are seen.
    assert "articleqa.cli.serve" in graph["articleqa.cli.main"]
    assert "articleqa.onnx_embedding" in graph["articleqa.embedding"]
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = import_graph()
    # What this session removed, put back: the command module importing the group.
    graph["articleqa.cli.serve"].add("articleqa.cli.main")
    graph["articleqa.onnx_embedding"].add("articleqa.embedding")
    assert sorted(cycles(graph)) == [
        ["articleqa.cli.main", "articleqa.cli.serve"],
        ["articleqa.embedding", "articleqa.onnx_embedding"],
    ]


def test_command_modules_do_not_import_the_group() -> None:
    graph = import_graph()
    for command in ("serve", "watch", "onnx", "common"):
        assert "articleqa.cli.main" not in graph[f"articleqa.cli.{command}"]


def test_only_the_engine_constructs_the_store_indexer_and_searcher() -> None:
    constructed: list[str] = []
    for module, path in _modules().items():
        if module == "articleqa.engine":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name in WIRED_BY_THE_ENGINE:
                    constructed.append(f"{module}:{node.lineno} {name}")
    assert constructed == []

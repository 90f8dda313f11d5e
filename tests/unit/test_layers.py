"""The layers' import rules, read from the source: the trust boundary stays a folder."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "coursekit"
LAYERS = ("authoring", "grading", "isolation")


def imports_of(path: Path) -> set[str]:
    """Every module a file imports (top level or inside functions), as dotted names."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def modules_in(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "coursekit" and parts[1] in LAYERS else None


def test_every_layer_is_a_folder_with_modules():
    for layer in LAYERS:
        assert len(modules_in(layer)) > 2, f"coursekit/{layer}/ should hold that layer's modules"
    flat = {p.stem for p in PACKAGE.glob("*.py")}
    assert flat <= {"__init__", "__main__", "cli", "results", "files", "notebook"}, \
        f"modules outside the layers: {sorted(flat - {'__init__', '__main__', 'cli', 'results', 'files', 'notebook'})}"


@pytest.mark.parametrize("path", modules_in("isolation"), ids=lambda p: p.name)
def test_isolation_imports_nothing_from_grading_or_authoring(path):
    above = sorted(m for m in imports_of(path) if layer_of(m) in ("grading", "authoring"))
    assert not above, f"coursekit/isolation/{path.name} imports {above}: the trust boundary must not depend on them"


@pytest.mark.parametrize("path", modules_in("grading"), ids=lambda p: p.name)
def test_grading_uses_only_the_public_surface_of_authoring(path):
    internals = sorted(m for m in imports_of(path) if m.startswith("coursekit.authoring.")
                       and m.split(".")[2] not in _public_names())
    assert not internals, (f"coursekit/grading/{path.name} imports authoring internals {internals}; "
                           "export what grading needs from coursekit/authoring/__init__.py")


@pytest.mark.parametrize("path", [PACKAGE / "results.py", PACKAGE / "files.py", PACKAGE / "notebook.py"],
                         ids=lambda p: p.name)
def test_shared_modules_import_no_layer(path):
    layered = sorted(m for m in imports_of(path) if layer_of(m))
    assert not layered, f"coursekit/{path.name} is shared by every layer and must not import {layered}"


def _public_names() -> set[str]:
    tree = ast.parse((PACKAGE / "authoring" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()


def test_the_import_rule_catches_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from coursekit.grading.pipeline import grade\n")
    assert any(layer_of(m) == "grading" for m in imports_of(bad))


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def test_no_module_imports_itself_through_others():
    """No import cycle, counting imports inside functions too (they only hide a cycle, they do not break it)."""
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    # a module's own parent packages are loaded before it by Python itself: that is no cycle
    graph = {name: {m for m in imports_of(path) if m in files and m != name and not name.startswith(m + ".")}
             for name, path in files.items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path + [node, nxt]
            if nxt not in state and (cycle := visit(nxt, path + [node])):
                return cycle
        state[node] = 2
        return None

    for name in sorted(graph):
        if name not in state and (cycle := visit(name, [])):
            start = cycle.index(cycle[-1])
            pytest.fail("import cycle: " + " -> ".join(cycle[start:]))

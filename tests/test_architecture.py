"""The shape of the house: data flows one way (no import loop, lazy imports included), no module over 600 lines
except message catalogs, every note code registered, and only the magics touch IPython."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "tensormagic"
MODULES = sorted(PACKAGE.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """Nodes under ``if TYPE_CHECKING:``: imports for annotations only, never run."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for statement in node.body for child in ast.walk(statement))
    return skipped


def imports(path: Path) -> set[str]:
    """The package modules ``path`` imports, at the top or inside functions (lazy imports count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            if node.level == 0 and not target.startswith("tensormagic"):
                continue
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if _exists(candidate) else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("tensormagic"))
    return {name for name in found if _exists(name)}


def _exists(name: str) -> bool:
    relative = Path(*name.split(".")[1:]) if "." in name else Path()
    return (PACKAGE / relative).with_suffix(".py").is_file() or (PACKAGE / relative / "__init__.py").is_file()


def test_no_import_loop_in_the_package() -> None:
    graph = {module_name(path): imports(path) - {module_name(path)} for path in MODULES}
    # A package's __init__ re-exporting its own modules is not a loop of data: drop parent -> child edges.
    for name, targets in graph.items():
        graph[name] = {t for t in targets if not t.startswith(name + ".")}
    visiting: list[str] = []
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            cycle = visiting[visiting.index(name) :] + [name]
            pytest.fail("import loop: " + " -> ".join(cycle))
        visiting.append(name)
        for target in sorted(graph.get(name, ())):
            visit(target)
        visiting.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)


@pytest.mark.parametrize("path", MODULES, ids=[module_name(p) for p in MODULES])
def test_modules_stay_small(path: Path) -> None:
    if path.parent.name == "i18n":
        return  # message catalogs are prose
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 600, f"{module_name(path)} has {lines} lines"


def test_only_the_magics_import_ipython_at_module_level() -> None:
    for path in MODULES:
        if "magics" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
        names = {alias.name for n in top_level for alias in n.names} | {
            n.module or "" for n in top_level if isinstance(n, ast.ImportFrom)
        }
        assert not any(name.startswith("IPython") for name in names), module_name(path)


def test_every_code_a_rule_emits_is_registered_with_both_meanings() -> None:
    from tensormagic.notes import CODES, RULES

    assert RULES and CODES
    for rule in RULES:
        assert set(rule.codes) <= set(CODES), rule.name
    for code in CODES.values():
        assert code.en and code.zh, code.code
    used = {code for rule in RULES for code in rule.codes}
    assert used == set(CODES), "codes declared but never emitted: " + ", ".join(sorted(set(CODES) - used))

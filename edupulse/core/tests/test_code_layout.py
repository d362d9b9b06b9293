"""Rules of the code's shape that a reviewer would otherwise have to remember.

* Imports belong at the top of a module. An import inside a function is allowed only where it breaks a real
  import cycle, defers a heavy or optional dependency, or must wait for Django's app registry — and then a
  comment on its line or the line above says which (one of the words in ``REASONS``).
* Every domain app keeps its state changes in an ``actions/`` package.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
REASONS = ("cycle", "heavy", "deferred", "optional", "app registry", "apps are loaded", "worker process")
DOMAIN_APPS = ("accounts", "orgs", "collection", "monitoring")


def _sources() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py")
            if "migrations" not in p.parts and "tests" not in p.parts and p.name != "conftest.py"]


def _type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _local_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST, inside_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if _type_checking_block(child):
                continue
            if isinstance(child, ast.Import | ast.ImportFrom) and inside_function:
                found.append(child)
            visit(child, inside_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    visit(tree, False)
    return found


def unexplained_local_imports() -> list[str]:
    problems = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in _local_imports(ast.parse(text)):
            nearby = " ".join(lines[max(0, node.lineno - 3):node.end_lineno or node.lineno]).lower()
            if not any(reason in nearby for reason in REASONS):
                problems.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {ast.unparse(node)}")
    return problems


def test_imports_inside_functions_say_why() -> None:
    problems = unexplained_local_imports()
    assert not problems, ("imports inside functions without a reason (move them to the top, or say which cycle or "
                          "heavy import they avoid):\n" + "\n".join(problems))


def test_every_domain_app_keeps_its_actions_in_a_package() -> None:
    missing = [app for app in DOMAIN_APPS if not (PACKAGE / app / "actions" / "__init__.py").exists()]
    flat = [app for app in DOMAIN_APPS if (PACKAGE / app / "actions.py").exists()]
    assert not missing and not flat, f"apps without an actions/ package: {missing}; with a flat actions.py: {flat}"

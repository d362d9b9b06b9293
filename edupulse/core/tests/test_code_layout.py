"""Rules of the code's shape that a reviewer would otherwise have to remember.

* Every domain app keeps its state changes in an ``actions/`` package (no flat ``actions.py`` beside it).
* An import inside a function says why it is not at the top of its module (see
  :func:`test_function_local_imports_say_why`).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
DOMAIN_APPS = ("accounts", "orgs", "collection", "monitoring", "indicators", "reports", "plans", "supervision",
               "basedata")
# The reasons an import may stay inside a function; the vocabulary is explained in the test's docstring.
LOCAL_IMPORT_REASON = re.compile(r"\b(cycle|heavy|app registry|optional)\b", re.IGNORECASE)
Statement = ast.Import | ast.ImportFrom


def test_every_domain_app_keeps_its_actions_in_a_package() -> None:
    missing = [app for app in DOMAIN_APPS if not (PACKAGE / app / "actions" / "__init__.py").exists()]
    flat = [app for app in DOMAIN_APPS if (PACKAGE / app / "actions.py").exists()]
    assert not missing and not flat, f"apps without an actions/ package: {missing}; with a flat actions.py: {flat}"


def test_function_local_imports_say_why() -> None:
    """An import inside a function or method has a ``#`` comment naming one of these reasons, on the
    import itself or on the line just above a run of imports (one comment covers the imports right below it):

    * ``cycle``: importing at module level would make an import cycle; the comment names the modules.
    * ``heavy``: the module is expensive to import (duckdb, polars, weasyprint, python-docx, the probe
      engine, playwright...) and this code path is not always taken.
    * ``app registry``: models cannot be imported before Django's app registry is ready (``AppConfig.ready()``,
      settings, conftest, code imported by them).
    * ``optional``: a dependency that may not be installed.

    Everything else belongs at the top of the module. Tests and migrations are not scanned.
    """
    offenders = [f"{path.relative_to(PACKAGE.parent)}:{line}"
                 for path in _scanned_modules()
                 for line in _unexplained_local_imports(path.read_text("utf-8"))]
    assert not offenders, ("imports inside functions without a reason comment (cycle / heavy / app registry / "
                           "optional), move them to the top of the module or say why:\n" + "\n".join(offenders))


def test_a_reason_covers_its_import_or_the_run_of_imports_below_it() -> None:
    source = """
import json  # top-level imports are never counted


def covered() -> None:
    # heavy: the probe engine, only when probing.
    import a
    import b
    import c  # optional: may be missing


def uncovered() -> None:
    # heavy: covers only the run right below it.
    import d

    import e
    x = "# cycle (a string, not a comment)"
    import f  # the reason must be a word of the vocabulary
"""
    assert _unexplained_local_imports(source) == [16, 18]


def _scanned_modules() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" not in parts and "migrations" not in parts:
            yield path


def _unexplained_local_imports(source: str) -> list[int]:
    """Line numbers (ascending) of the imports inside functions that no reason comment covers."""
    comments = _comments_by_line(source)
    lines = source.splitlines()
    unexplained = []
    for block in _local_import_blocks(ast.parse(source)):
        above = _comment_lines_above(lines, block[0].lineno)
        block_reason = any(LOCAL_IMPORT_REASON.search(comments.get(n, "")) for n in above)
        for node in block:
            own = range(node.lineno, (node.end_lineno or node.lineno) + 1)
            if not block_reason and not any(LOCAL_IMPORT_REASON.search(comments.get(n, "")) for n in own):
                unexplained.append(node.lineno)
    return sorted(unexplained)


def _local_import_blocks(tree: ast.Module) -> Iterator[list[Statement]]:
    """Runs of imports inside functions, each run on consecutive lines of one statement list."""
    local = {id(node) for function in ast.walk(tree) if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
             for node in ast.walk(function) if isinstance(node, ast.Import | ast.ImportFrom)}
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            body = getattr(node, name, None)
            if isinstance(body, list):
                yield from (run for run in _runs_of_imports(body) if id(run[0]) in local)


def _runs_of_imports(body: list[ast.stmt]) -> Iterator[list[Statement]]:
    run: list[Statement] = []
    for statement in body:
        if isinstance(statement, ast.Import | ast.ImportFrom):
            if run and statement.lineno != (run[-1].end_lineno or run[-1].lineno) + 1:
                yield run
                run = []
            run.append(statement)
        elif run:
            yield run
            run = []
    if run:
        yield run


def _comment_lines_above(lines: list[str], lineno: int) -> list[int]:
    """The line numbers of the comment-only lines directly above line ``lineno`` (a wrapped comment counts whole)."""
    found = []
    n = lineno - 1
    while n >= 1 and lines[n - 1].lstrip().startswith("#"):
        found.append(n)
        n -= 1
    return found


def _comments_by_line(source: str) -> dict[int, str]:
    return {token.start[0]: token.string for token in tokenize.generate_tokens(io.StringIO(source).readline)
            if token.type == tokenize.COMMENT}

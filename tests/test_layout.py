"""The shape a newcomer relies on: small modules, short functions, imports that keep the layers.

A module over 400 lines or a function over 60 lines is where the next change gets lost; the
domain importing a framework, or a third folder importing botbuilder, is a move to the Agents
SDK that is no longer contained. These tests name the offending place.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PRODUCT = (
    "bot",
    "cards",
    "cli",
    "config",
    "dialogs",
    "hr_api",
    "jobs",
    "journey",
    "outbox",
    "people",
    "storage",
    "testkit",
    "bench",
)
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# Declarative tables, allowed to be long: a migration's DDL, the OpenAPI description.
TABLES = {
    ("storage/migrations/versions/0001_initial.py", "upgrade"),
    ("hr_api/openapi.py", "_operations"),
}
FRAMEWORKS = ("botbuilder", "aiohttp", "sqlalchemy", "alembic", "pydantic_settings", "azure")


def _modules(*roots: str) -> list[Path]:
    return sorted(
        path
        for root in roots
        for path in (REPO / root).rglob("*.py")
        if "node_modules" not in path.parts
    )


def _relative(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def _imports(path: Path) -> set[str]:
    """The top-level package of every import in a module."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_no_product_module_is_over_400_lines() -> None:
    long = {
        _relative(path): lines
        for path in _modules(*PRODUCT)
        if (lines := path.read_text(encoding="utf-8").count("\n")) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_product_function_is_over_60_lines() -> None:
    long: dict[str, int] = {}
    for path in _modules(*PRODUCT):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            if lines > MAX_FUNCTION_LINES and (_relative(path), node.name) not in TABLES:
                long[f"{_relative(path)}:{node.lineno} {node.name}"] = lines
    assert long == {}


def test_the_domain_imports_no_framework() -> None:
    offending = {
        _relative(path): sorted(_imports(path) & set(FRAMEWORKS))
        for path in _modules("journey")
        if _imports(path) & set(FRAMEWORKS)
    }
    assert offending == {}


@pytest.mark.parametrize(
    "root", [root for root in PRODUCT if root not in ("bot", "dialogs", "bench", "testkit")]
)
def test_only_bot_and_dialogs_import_botbuilder(root: str) -> None:
    offending = [_relative(path) for path in _modules(root) if "botbuilder" in _imports(path)]
    assert offending == []


def test_bench_imports_no_tests() -> None:
    offending = [_relative(path) for path in _modules("bench") if "tests" in _imports(path)]
    assert offending == []

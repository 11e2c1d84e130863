"""Migrations freeze the code they run: none imports the application, so refactoring it never
breaks migrating a new database (the test database itself is built by running them)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "lagesbild"
FROZEN_APPS = ("org", "catalogue", "ingest", "surveys", "improvement")


def _imported_modules(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("app", FROZEN_APPS)
def test_migrations_import_no_application_code(app):
    migrations = sorted((ROOT / app / "migrations").glob("[0-9]*.py"))
    assert migrations
    live = {m.name: [n for n in _imported_modules(m) if n == "lagesbild" or n.startswith("lagesbild.")]
            for m in migrations}
    assert {name: mods for name, mods in live.items() if mods} == {}

"""The import rules of the house (docs/architecture.md), checked on every module's imports.

Each top-level package or module of ours has a place: the packages it may import. The
crawler and the alerts meet only in the database (both may import ``storage``, never each
other); ``storage`` knows neither; ``language`` is a leaf that imports nothing of ours (``config`` imports only it); the
product never imports the fake outlets of ``sandbox``, the tests or the benchmarks. Only the
composition root (``run.py``, ``cli``, ``app``, ``daemon``, ``cluster``) wires packages together.

Imports inside functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCT = {"config", "language", "storage", "crawler", "alerts", "web"}
COMPOSITION = {"run", "cli", "app", "daemon", "cluster"}

# What each part may import (of ours). A part not listed here fails the test: decide its place.
ALLOWED: dict[str, set[str]] = {
    "language": set(),
    "config": {"language"},
    "storage": {"config", "language"},
    "crawler": {"config", "language", "storage"},
    "alerts": {"config", "language", "storage"},
    "web": {"config", "language", "storage", "alerts"},
    "sandbox": set(),
    **{name: PRODUCT | COMPOSITION | {"sandbox"} for name in COMPOSITION},
    "scripts": PRODUCT | COMPOSITION,
    "bench": PRODUCT | COMPOSITION | {"sandbox"},
    "tests": PRODUCT | COMPOSITION | {"sandbox", "scripts", "tests"},
}
OURS = set(ALLOWED)
SKIPPED = {".venv", "alembic", "docs", "deploy", "data"}


def parts() -> Iterator[tuple[str, Path]]:
    """(part name, file) for every Python file of the project outside migrations and the venv."""
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in SKIPPED or rel.parts[0].startswith(".") or "__pycache__" in rel.parts:
            continue
        yield rel.parts[0].removesuffix(".py"), path


def imported(path: Path) -> Iterator[tuple[int, str]]:
    """(line, top-level name) of every absolute import in one file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


def test_every_part_of_the_project_has_a_declared_place() -> None:
    unknown = {part for part, _ in parts()} - OURS
    assert not unknown, f"new top-level parts {sorted(unknown)}: add them to ALLOWED with what they may import"


def test_imports_follow_the_house_rules() -> None:
    broken = [
        f"{path.relative_to(ROOT)}:{line}: {part} imports {name}"
        for part, path in parts()
        if part in ALLOWED
        for line, name in imported(path)
        if name in OURS and name != part and name not in ALLOWED[part]
    ]
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize(
    ("importer", "imported_name"),
    [
        ("crawler", "alerts"),
        ("alerts", "crawler"),
        ("storage", "crawler"),
        ("storage", "alerts"),
        ("language", "storage"),
        ("language", "config"),
        ("config", "storage"),
    ],
)
def test_the_rule_itself_refuses_the_forbidden_pairs(importer: str, imported_name: str) -> None:
    # The table above must keep saying no to the pairs the architecture is built on.
    assert imported_name not in ALLOWED[importer]


def test_the_check_sees_lazy_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from alerts.channels import KINDS\n    import crawler.spider\n", encoding="utf-8")
    assert [name for _, name in imported(module)] == ["alerts", "crawler"]


def test_the_architecture_page_gives_every_part_its_row() -> None:
    # docs/architecture.md's rules table is where a reader learns what a part may import.
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = [line for line in page.splitlines() if line.startswith("| `")]
    named = {name.removesuffix(".py") for row in rows for name in re.findall(r"`([\w.]+)`", row.split(" | ")[0])}
    assert named == OURS, f"missing from the page: {sorted(OURS - named)}; not a part: {sorted(named - OURS)}"

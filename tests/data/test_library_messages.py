"""The library says what is missing; only the front ends (cli/, report/) name commands, and
no message names a folder of the developer's machine."""

from __future__ import annotations

import ast
from pathlib import Path

import narrowgate

LIBRARY = [Path(narrowgate.__file__).parent / part for part in ("data", "evaluate", "models")]


def _message_strings(path: Path) -> list[tuple[int, str]]:
    """String constants of a module that are not docstrings, with their line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value,
                                                                     ast.Constant):
                docstrings.add(id(body[0].value))
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and id(n) not in docstrings]


def test_no_cli_command_or_developer_path_in_library_messages() -> None:
    found = []
    for folder in LIBRARY:
        for path in sorted(folder.rglob("*.py")):
            for line, value in _message_strings(path):
                if "narrowgate data" in value or "shared/data" in value:
                    found.append(f"{path.relative_to(folder.parent)}:{line}: {value[:60]!r}")
    assert not found, "\n".join(found)

"""Modules and functions stay small enough to read in one sitting.

About 400 lines a module and 60 a function (docstring included): past that, a part is
doing more than one thing and should be split where its seams are.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "adapters", "matching", "prompts")
MODULE_LINES = 400
FUNCTION_LINES = 60


def our_files() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def long_functions(path: Path) -> list[str]:
    """Functions (and methods) of more than FUNCTION_LINES lines, as "file:line name (n)"."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            if length > FUNCTION_LINES:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length})")
    return found


def test_no_module_is_too_long():
    long = [
        f"{path.relative_to(ROOT)} ({lines})"
        for path in our_files()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_LINES
    ]
    assert long == []


def test_no_function_is_too_long():
    assert [line for path in our_files() for line in long_functions(path)] == []


def test_the_function_check_counts_lines(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(FUNCTION_LINES))
    sample = tmp_path / "sample.py"
    sample.write_text(f"def short():\n    return 1\n\n\ndef long():\n{body}\n")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert long_functions(sample) == [f"sample.py:5 long ({FUNCTION_LINES + 1})"]
    finally:
        ROOT = saved

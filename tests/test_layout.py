"""The layout holds: no import cycles anywhere and no feature reaching into another.

Every import statement counts, at module level, inside functions and under TYPE_CHECKING:
a cycle hidden in a function is still a cycle for the reader. The rules, by package:

- `matching` is pure: it imports nothing of the bot's.
- `bot.kernel` imports only itself and `matching`.
- a feature (`bot.<feature>`) imports only itself, `bot.kernel`, `matching` and `prompts`.
- an adapter (`adapters.<platform>`) imports only itself and `bot.kernel`.
- `bot.app`, the composition root, may import anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = ("bot", "adapters", "matching", "prompts")
FEATURES = ("profiles", "rounds", "checkins", "relay", "community", "assist")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def our_modules() -> dict[str, Path]:
    found = {}
    for top in OURS:
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


def imports_of(path: Path, known: set[str]) -> set[str]:
    """Every module of ours this file imports, wherever the import statement sits."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] not in OURS:
                continue
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = our_modules()
    known = set(modules)
    return {name: imports_of(path, known) - {name} for name, path in modules.items()}


def area(module: str) -> str:
    """The unit the rules speak of: "bot.kernel", "bot.relay", "adapters.slack", "matching" …"""
    parts = module.split(".")
    if parts[0] in ("bot", "adapters") and len(parts) > 1:
        return ".".join(parts[:2])
    return parts[0]


def allowed(source: str, target: str) -> bool:
    here, there = area(source), area(target)
    if here == there or there in ("bot", "adapters"):
        return True
    if here == "matching":
        return False
    if here == "bot.kernel":
        return there == "matching"
    if here in {f"bot.{feature}" for feature in FEATURES}:
        return there in ("bot.kernel", "matching", "prompts")
    if here.startswith("adapters."):
        return there == "bot.kernel"
    return here in ("bot.app", "bot.__main__")


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the list of modules around it, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_no_import_cycles():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle or ())


def test_no_import_crosses_the_layout_rules():
    broken = sorted(
        f"{source} imports {target}"
        for source, targets in import_graph().items()
        for target in targets
        if not allowed(source, target)
    )
    assert broken == []


def test_every_feature_has_its_folder():
    for feature in FEATURES:
        assert (ROOT / "bot" / feature / "__init__.py").is_file(), feature


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
        ({"a": {"b"}, "b": set(), "c": {"a"}}, None),
    ],
)
def test_the_cycle_finder_finds_cycles(graph, expected):
    assert find_cycle(graph) == expected


def test_the_rules_refuse_a_feature_reaching_into_another():
    assert not allowed("bot.checkins.jobs", "bot.rounds.models")
    assert not allowed("bot.kernel.outbox", "bot.relay.service")
    assert not allowed("adapters.slack.adapter", "bot.profiles.home")
    assert allowed("bot.relay.commands", "bot.kernel.outbox")
    assert allowed("bot.app.bootstrap", "bot.relay.service")

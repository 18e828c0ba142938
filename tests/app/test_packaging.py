"""What a plain (non-editable) `pip install .` ships: every package-data pattern names real
files, and the prompts travel as package data, found through importlib.resources."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_data_pattern_matches_a_file():
    for package, patterns in SETUPTOOLS["package-data"].items():
        for pattern in patterns:
            assert list((ROOT / package).glob(pattern)), f"{package}: {pattern} matches nothing"


def test_prompts_are_package_data_read_through_importlib_resources():
    assert "prompts" in SETUPTOOLS["packages"]["find"]["include"]
    assert "*.txt" in SETUPTOOLS["package-data"]["prompts"]
    from bot.assist.prompts import PROMPTS_DIR

    shipped = {item.name for item in resources.files("prompts").iterdir() if item.name.endswith(".txt")}
    assert shipped == {path.name for path in (ROOT / "prompts").glob("*.txt")}
    assert (PROMPTS_DIR / "introduction_template.txt").read_text(encoding="utf-8").startswith("#")

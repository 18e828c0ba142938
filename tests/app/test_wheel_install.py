"""A plain (non-editable) install works: the wheel carries prompts, migrations and the demo
community as package data, and `peerbot console` runs from it.

The wheel is built offline from a copy of the sources and installed, without its
dependencies, into a new virtual environment whose dependencies are borrowed from this
test run's environment through a .pth file (so nothing is downloaded). A .pth line only adds
a folder to sys.path: the editable install of the checkout in that folder is not activated,
so every `bot` module must come from the wheel.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("bot", "adapters", "matching", "prompts", "pyproject.toml", "README.md")


def run(command: list, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=180, **kwargs)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A venv with only the built wheel installed in it; returns the venv's folder."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    for name in SHIPPED:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    built = run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
        + ["-w", str(base / "dist"), str(source)]
    )
    assert built.returncode == 0, built.stderr
    [wheel] = (base / "dist").glob("peerbot-*.whl")
    env_dir = base / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    added = run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)])
    assert added.returncode == 0, added.stderr
    purelib = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    Path(purelib.stdout.strip(), "borrowed_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n"
    )
    return env_dir


def test_every_module_comes_from_the_wheel(installed, tmp_path):
    where = run(
        [str(installed / "bin" / "python"), "-c", "import bot.app.cli, prompts; print(bot.app.cli.__file__)"],
        cwd=tmp_path,
    )
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(installed)


def test_the_installed_console_shows_help_and_previews_the_demo_round(installed, tmp_path):
    console = run(
        [str(installed / "bin" / "peerbot"), "console"],
        input="/demo\n/peer help\n/peer admin preview\n",
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert console.returncode == 0, console.stderr
    out = console.stdout
    assert "Loaded 30 demo practitioners." in out
    assert "`/peer admin preview [seed N]`" in out, "the help lists the commands"
    assert out.count("score") >= 10, "the preview pairs the demo community, with reasons"
    assert "both are working on" in out
    assert (tmp_path / "peerbot-data").is_dir(), "the migrations ran from the wheel"

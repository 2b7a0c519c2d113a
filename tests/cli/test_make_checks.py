"""`make` stops with one line when Python is too old or Node.js is missing, and removes
nothing the user made. Each runs the repository's Makefile in a scratch copy of the checkout's
top level (empty lock files: nothing gets that far)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.helpers import REPO

MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="no make on this machine")
OLD_PYTHON = '#!/bin/sh\ncase "$1" in --version) echo "Python 3.10.12";; *) exit 1;; esac\n'


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    top = tmp_path / "checkout"
    (top / "requirements").mkdir(parents=True)
    shutil.copy(REPO / "Makefile", top / "Makefile")
    for name in ("pyproject.toml", "package.json", "package-lock.json"):
        (top / name).write_text("")
    for name in ("dev.txt", "service.txt", "uv.txt"):
        (top / "requirements" / name).write_text("")
    return top


def executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


def make(checkout: Path, *args: str, path: str | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": path} if path is not None else None
    return subprocess.run(
        [str(MAKE), "--no-print-directory", *args],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def only_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_a_python_below_3_11_is_refused_before_a_venv_exists(checkout: Path) -> None:
    python = executable(checkout.parent / "bin" / "python3.10", OLD_PYTHON)
    done = make(checkout, "install", f"PYTHON={python}")
    assert done.returncode != 0
    line = only_line(done.stderr)
    assert f"exitbot needs Python 3.11 or newer and {python} is Python 3.10.12" in line
    assert "make PYTHON=python3.11" in line
    assert not (checkout / ".venv").exists()


def test_a_missing_python_is_named(checkout: Path) -> None:
    done = make(checkout, "install", "PYTHON=/nowhere/python3")
    assert "and /nowhere/python3 is missing: install Python 3.11+" in only_line(done.stderr)
    assert not (checkout / ".venv").exists()


def test_a_venv_made_by_an_old_python_is_named_and_left_alone(checkout: Path) -> None:
    executable(checkout / ".venv" / "bin" / "python", OLD_PYTHON)
    mine = checkout / ".venv" / "notes.txt"
    mine.write_text("the user's own file")
    done = make(checkout, "install", f"PYTHON={sys.executable}")
    assert done.returncode != 0
    line = only_line(done.stderr)
    assert ".venv was made by Python 3.10.12, older than 3.11: remove it (rm -r .venv)" in line
    assert mine.read_text() == "the user's own file"


@pytest.mark.parametrize(
    ("tools", "message"),
    [
        ((), "Node.js is not on PATH"),
        (("node",), "npm is not on PATH (Node.js is): install npm"),
    ],
)
def test_make_run_without_node_or_npm_says_what_to_install(
    checkout: Path, tools: tuple[str, ...], message: str
) -> None:
    bin_dir = checkout.parent / "tools"
    bin_dir.mkdir()
    for tool in tools:
        executable(bin_dir / tool, "#!/bin/sh\nexit 0\n")
    done = make(checkout, "run", path=str(bin_dir))
    assert done.returncode != 0
    line = only_line(done.stderr)
    assert message in line
    assert "apt-get install" in line

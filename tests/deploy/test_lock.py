"""The lock files in requirements/ are what CI, `make` and the image install, and they agree with
pyproject.toml: a build is the same tomorrow as today."""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.deploy.paths import REPO_ROOT

REQUIREMENTS = REPO_ROOT / "requirements"
PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def pins(lock: Path) -> dict[str, Requirement]:
    """Every `name==version ; marker` of a lock file (uv's format: continuation lines, hashes)."""
    found: dict[str, Requirement] = {}
    for entry in lock.read_text(encoding="utf-8").replace("\\\n", " ").splitlines():
        text = entry.split(" --hash=")[0].strip()
        if text and not text.startswith(("#", "-")):
            requirement = Requirement(text)
            found[canonicalize_name(requirement.name)] = requirement
    return found


def pinned_version(requirement: Requirement) -> str:
    [spec] = requirement.specifier
    assert spec.operator == "==", requirement
    return spec.version


@pytest.mark.parametrize(
    ("lock", "declared"),
    [
        ("service.txt", PROJECT["dependencies"]),
        ("dev.txt", PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"]),
    ],
)
def test_every_declared_dependency_is_pinned_within_its_range(lock: str, declared: list) -> None:
    locked = pins(REQUIREMENTS / lock)
    for text in declared:
        wanted = Requirement(text)
        name = canonicalize_name(wanted.name)
        assert name in locked, f"{name} is not in requirements/{lock}: run `make lock`"
        assert wanted.specifier.contains(pinned_version(locked[name]), prereleases=True), (
            f"requirements/{lock} pins {locked[name]}, pyproject.toml wants {wanted}: "
            "run `make lock`"
        )


def test_every_pin_carries_hashes_and_the_service_and_ci_pin_the_same_versions() -> None:
    service, dev = pins(REQUIREMENTS / "service.txt"), pins(REQUIREMENTS / "dev.txt")
    for lock in ("service.txt", "dev.txt", "uv.txt"):
        text = (REQUIREMENTS / lock).read_text(encoding="utf-8")
        assert text.count("==") <= text.count("--hash=sha256:"), lock
    assert {name: pinned_version(r) for name, r in service.items()} == {
        name: pinned_version(dev[name]) for name in service
    }


def test_this_environment_is_the_lock() -> None:
    """What the tests run on (make's .venv in CI) is exactly requirements/dev.txt."""
    different = []
    for name, requirement in pins(REQUIREMENTS / "dev.txt").items():
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = "missing"
        if installed != pinned_version(requirement):
            different.append(f"{name} {installed} (lock: {pinned_version(requirement)})")
    assert different == [], "run `make install` to install the lock"


def test_make_and_the_image_install_the_lock_with_hashes() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements/dev.txt" in makefile
    assert "--no-deps --no-build-isolation -e ." in makefile
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "--require-hashes --no-deps \\\n       -r requirements/service.txt" in dockerfile
    assert "--no-deps --no-build-isolation ." in dockerfile
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert "make test" in ci  # so CI's tests run on requirements/dev.txt

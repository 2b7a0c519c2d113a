"""The in-memory world each domain test starts from (tests.domain.world)."""

from __future__ import annotations

import pytest

from tests.domain.world import World, build_world


@pytest.fixture
def world() -> World:
    return build_world()

"""Insights on the real app: the journey tests' running service and fixed clock."""

from __future__ import annotations

from typing import Any

from tests.journey import conftest as _journey


def _is_fixture(value: Any) -> bool:
    # pytest 8.4 wraps fixtures in FixtureFunctionDefinition; older ones mark the function.
    return type(value).__name__ == "FixtureFunctionDefinition" or hasattr(
        value, "_pytestfixturefunction"
    )


globals().update({name: value for name, value in vars(_journey).items() if _is_fixture(value)})

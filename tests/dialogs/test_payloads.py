"""A card's data is parsed by one model per shape; HR's older cards keep working."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dialogs.card_action import DepartureAction


def test_one_departure_action_reads_both_card_keys() -> None:
    """The journey's cards say `departure`, HR's registration cards `departure_id`."""
    assert DepartureAction.model_validate({"departure": "d1"}).departure == "d1"
    assert DepartureAction.model_validate({"departure_id": "d1"}).departure == "d1"


@pytest.mark.parametrize(
    "data", [{}, {"departure": "d1", "extra": 1}, {"departure": "not an id"}, {"departure": ""}]
)
def test_anything_else_is_bad_input(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        DepartureAction.model_validate(data)

"""What the survey service asks of its storage (storage/survey.py answers), and which of a
leaver's answers a step needs to write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from journey.survey import Answer, Attribution, SurveyProgress


class SurveyStore(Protocol):
    """A leaver's progress and answers; a save checks the revision (ConcurrentUpdate)."""

    async def progress(self, departure_id: str) -> SurveyProgress | None:
        """The leaver's progress, None before they started. A store may read with it what a
        step reads next (the departure, the leaver's own answers) and answer those reads
        from it: the service reads the progress first, then checks who asks."""
        ...

    async def begin(self, progress: SurveyProgress) -> SurveyProgress: ...

    async def save(
        self,
        progress: SurveyProgress,
        *,
        expected_revision: int,
        put: tuple[Answer, ...] | list[Answer] = (),
        remove: list[str] | tuple[str, ...] = (),
        remove_all: bool = False,
    ) -> SurveyProgress: ...

    async def answers(
        self, departure_id: str, attributions: frozenset[Attribution], *, sent_only: bool
    ) -> list[Answer]: ...


def keeping_attribution(answer: Answer, earlier: Answer | None) -> Answer:
    """`answer` with the attribution its question had (the leaver may have changed it)."""
    if earlier is None or earlier.attribution is answer.attribution:
        return answer
    return answer.model_copy(update={"attribution": earlier.attribution})


def unsaved(stored: Mapping[str, Answer], answers: list[Answer]) -> list[Answer]:
    """The answers that differ from what is stored for their question."""
    return [answer for answer in answers if stored.get(answer.question_id) != answer]

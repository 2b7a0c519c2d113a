"""The survey as one service: each step checked (who asks, which card), saved, and audited.

Every read of answers goes through `readable_answers`, which asks journey.survey_access and
lets the store filter in its query. Refusals change nothing and are written to the audit log;
the audit log names the person, the departure and why, never an answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from journey.access import Asker, Role, roles_of
from journey.clock import Clock
from journey.departure import Departure
from journey.kernel import Kernel, Refusal
from journey.ports import AlreadyExists, AuditLog, ConcurrentUpdate, DepartureRepository
from journey.refusals import Reason, StaleAction
from journey.survey import (
    Answer,
    Attribution,
    BadAnswer,
    RefusalReason,
    SurveyClosed,
    SurveyDisabled,
    SurveyPlan,
    SurveyProgress,
    SurveyStatus,
    attributions_for,
    may_take_survey,
    may_withdraw,
    parse_section,
    with_attributions,
)
from journey.survey_access import readable, reads_drafts, visible_answers
from journey.survey_store import SurveyStore, keeping_attribution, unsaved


@dataclass(frozen=True)
class SurveyStep:
    """What the leaver sees next: where they are, and their answers so far."""

    departure: Departure
    plan: SurveyPlan
    progress: SurveyProgress
    answers: list[Answer]

    @property
    def on_summary(self) -> bool:
        return self.progress.position >= len(self.plan.sections)

    @property
    def can_withdraw(self) -> bool:
        return self.progress.status is SurveyStatus.SENT


Told = Callable[[Departure], Awaitable[None]]


class Surveys:
    """The leaver's survey steps, and the reads of answers by anyone."""

    def __init__(
        self,
        *,
        departures: DepartureRepository,
        store: SurveyStore,
        audit: AuditLog,
        clock: Clock,
        plans: Callable[[str], SurveyPlan],
        sent: Told | None = None,
    ) -> None:
        self._kernel = Kernel(departures, audit, clock)
        self._store = store
        self._clock = clock
        self._plans = plans
        # Tells the interviewer's task card to update (it then refreshes per person).
        self._sent = sent

    # --- the leaver's steps --------------------------------------------------------------

    async def current(
        self, asker: Asker, departure_id: str
    ) -> tuple[Departure, SurveyPlan, SurveyStep | None]:
        """The leaver's departure, its plan and their progress (None before they started)."""
        departure, plan, progress = await self._open(asker, departure_id, "open")
        fresh = progress is None or progress.status is SurveyStatus.WITHDRAWN
        if fresh and may_take_survey(departure, plan, self._today(departure)):
            return departure, plan, None  # not started, or withdrawn: may start (again)
        if progress is None:
            raise SurveyDisabled(departure_id)
        return departure, plan, await self._step(asker, departure, plan, progress)

    async def start(self, asker: Asker, departure_id: str, attribution: Attribution) -> SurveyStep:
        """Begin with the leaver's choice for all answers; a second start resumes."""
        departure, plan, progress = await self._open(asker, departure_id, "start")
        if attribution not in attributions_for(departure):
            await self._refused(asker, departure_id, RefusalReason.UNKNOWN_CHOICE.value)
            raise BadAnswer(RefusalReason.UNKNOWN_CHOICE, "attribution")
        if progress is None:
            if not may_take_survey(departure, plan, self._today(departure)):
                raise SurveyDisabled(departure_id)
            now = self._clock.now()
            progress = SurveyProgress(
                departure_id=departure_id,
                question_set=plan.question_set,
                attribution=attribution,
                started_at=now,
                updated_at=now,
            )
            try:
                await self._store.begin(progress)
                await self._kernel.record(
                    asker, "survey.started", departure_id, attribution=attribution
                )
            except AlreadyExists:
                progress = await self._store.progress(departure_id)
                assert progress is not None
        elif progress.status is SurveyStatus.WITHDRAWN and may_take_survey(
            departure, plan, self._today(departure)
        ):
            progress = await self._start_again(asker, progress, plan, attribution)
        if progress.status is not SurveyStatus.IN_PROGRESS:
            await self._refused(asker, departure_id, "closed")
            raise SurveyClosed(departure_id)
        return await self._step(asker, departure, plan, progress)

    async def answer(
        self,
        asker: Asker,
        departure_id: str,
        *,
        revision: int,
        section_id: str,
        raw: Mapping[str, str],
        forward: bool = True,
    ) -> SurveyStep:
        """Keep a section's answers (blank ones skipped) and go to the next or previous card."""
        departure, plan, progress = await self._in_progress(asker, departure_id, revision)
        position = progress.position
        if position >= len(plan.sections) or plan.section(position).id != section_id:
            await self._refused(asker, departure_id, "stale")
            raise StaleAction("not the section the leaver is on")
        section = plan.section(position)
        try:
            put, skipped = parse_section(section, raw, progress.attribution)
        except BadAnswer as bad:
            await self._refused(asker, departure_id, bad.reason.value)
            raise
        # An answer keeps the attribution the leaver gave it on the summary.
        earlier = {a.question_id: a for a in await self._own(departure_id)}
        put = [keeping_attribution(a, earlier.get(a.question_id)) for a in put]
        moved = max(0, position + (1 if forward else -1))
        saved = await self._save(
            asker,
            progress,
            expected=revision,
            put=unsaved(earlier, put),
            remove=[question for question in skipped if question in earlier],
            position=moved,
        )
        return await self._step(asker, departure, plan, saved)

    async def back(
        self,
        asker: Asker,
        departure_id: str,
        *,
        revision: int,
        changes: Mapping[str, Attribution] | None = None,
    ) -> SurveyStep:
        """From the summary back to the last section, keeping every answer and the choices
        the leaver changed on the summary."""
        departure, plan, progress = await self._in_progress(asker, departure_id, revision)
        changed = await self._attributed(asker, departure, changes) if changes else []
        moved = max(0, min(progress.position, len(plan.sections)) - 1)
        put = await self._changed_only(departure.id, changed)
        saved = await self._save(asker, progress, expected=revision, position=moved, put=put)
        return await self._step(asker, departure, plan, saved)

    async def attribute(
        self,
        asker: Asker,
        departure_id: str,
        *,
        revision: int,
        changes: Mapping[str, Attribution],
        send: bool = False,
    ) -> SurveyStep:
        """Change who may use single answers on the summary, and send the survey if asked."""
        departure, plan, progress = await self._in_progress(asker, departure_id, revision)
        if progress.position < len(plan.sections):
            await self._refused(asker, departure_id, "stale")
            raise StaleAction("the summary is not shown")
        changed = await self._attributed(asker, departure, changes)
        now = self._clock.now()
        status = SurveyStatus.SENT if send else progress.status
        saved = await self._save(
            asker,
            progress,
            expected=revision,
            put=await self._changed_only(departure_id, changed),
            status=status,
            sent_at=now if send else None,
        )
        if send:
            counts = {a.value: sum(1 for x in changed if x.attribution is a) for a in Attribution}
            await self._kernel.record(
                asker, "survey.sent", departure_id, **{k: str(v) for k, v in counts.items()}
            )
            if self._sent is not None:
                await self._sent(departure)
        else:
            await self._kernel.record(asker, "survey.attribution_changed", departure_id)
        return await self._step(asker, departure, plan, saved)

    async def withdraw(self, asker: Asker, departure_id: str, *, revision: int) -> SurveyStep:
        """The leaver takes every answer back (until the last working day): they are deleted."""
        departure, plan, progress = await self._open(asker, departure_id, "withdraw")
        if progress is None or progress.status is SurveyStatus.WITHDRAWN:
            await self._refused(asker, departure_id, "closed")
            raise SurveyClosed(departure_id)
        if progress.revision != revision:
            await self._refused(asker, departure_id, "stale")
            raise StaleAction("an older card")
        if not may_withdraw(departure, self._today(departure)):
            await self._refused(asker, departure_id, "too_late")
            raise SurveyClosed(departure_id)
        was_sent = progress.status is SurveyStatus.SENT
        saved = await self._save(
            asker, progress, expected=revision, remove_all=True, status=SurveyStatus.WITHDRAWN
        )
        await self._kernel.record(asker, "survey.withdrawn", departure_id)
        if was_sent and self._sent is not None:
            await self._sent(departure)
        return SurveyStep(departure, plan, saved, [])

    async def _start_again(
        self, asker: Asker, progress: SurveyProgress, plan: SurveyPlan, attribution: Attribution
    ) -> SurveyProgress:
        """After withdrawing, the leaver may start afresh (until the last working day)."""
        now = self._clock.now()
        again = SurveyProgress(
            departure_id=progress.departure_id,
            question_set=plan.question_set,
            attribution=attribution,
            revision=progress.revision + 1,
            started_at=now,
            updated_at=now,
        )
        try:
            saved = await self._store.save(
                again, expected_revision=progress.revision, remove_all=True
            )
        except ConcurrentUpdate:
            await self._refused(asker, progress.departure_id, "stale")
            raise StaleAction("the survey changed meanwhile") from None
        await self._kernel.record(
            asker, "survey.started_again", progress.departure_id, attribution=attribution
        )
        return saved

    # --- reading answers -----------------------------------------------------------------

    async def readable_answers(self, asker: Asker, departure: Departure) -> list[Answer]:
        """The answers `asker` may read (journey.survey_access); every read is audited."""
        roles = roles_of(departure, asker.upn, is_hr=asker.is_hr)
        allowed = readable(roles)
        if not allowed:
            return []
        found = await self._store.answers(departure.id, allowed, sent_only=not reads_drafts(roles))
        answers = visible_answers(roles, found)
        await self._kernel.record(
            asker,
            "survey.read",
            departure.id,
            roles=",".join(sorted(role.value for role in roles)),
            answers=str(len(answers)),
        )
        return answers

    # --- helpers -------------------------------------------------------------------------

    async def _leaver(self, asker: Asker, departure_id: str, action: str) -> Departure:
        refusal = Refusal("survey.refused", {"step": action}, Reason.NOT_LEAVER)
        return await self._kernel.open(
            departure_id,
            lambda d: Role.LEAVER in roles_of(d, asker.upn, is_hr=asker.is_hr),
            refusal,
        )

    async def _open(
        self, asker: Asker, departure_id: str, action: str
    ) -> tuple[Departure, SurveyPlan, SurveyProgress | None]:
        """The leaver's departure, its plan and their progress. The progress is read first
        (the store reads the departure in the same statement, and the departure repository
        answers from it); who asks is checked before anything is shown or changed."""
        progress = await self._store.progress(departure_id)
        departure = await self._leaver(asker, departure_id, action)
        return departure, self._plans(departure.unit), progress

    async def _in_progress(
        self, asker: Asker, departure_id: str, revision: int
    ) -> tuple[Departure, SurveyPlan, SurveyProgress]:
        departure, plan, progress = await self._open(asker, departure_id, "answer")
        if progress is None or progress.status is not SurveyStatus.IN_PROGRESS:
            await self._refused(asker, departure_id, "closed")
            raise SurveyClosed(departure_id)
        if progress.revision != revision:
            await self._refused(asker, departure_id, "stale")
            raise StaleAction("an older card")
        if not may_take_survey(departure, plan, self._today(departure)):
            await self._refused(asker, departure_id, "closed")
            raise SurveyClosed(departure_id)
        return departure, plan, progress

    async def _attributed(
        self, asker: Asker, departure: Departure, changes: Mapping[str, Attribution]
    ) -> list[Answer]:
        """The leaver's answers with the attributions they changed on the summary."""
        own = await self._own(departure.id)
        try:
            allowed = attributions_for(departure)
            if any(a not in allowed for a in changes.values()):
                raise BadAnswer(RefusalReason.UNKNOWN_CHOICE, "attribution")
            return with_attributions(own, changes)
        except BadAnswer as bad:
            await self._refused(asker, departure.id, bad.reason.value)
            raise

    async def _changed_only(self, departure_id: str, answers: list[Answer]) -> list[Answer]:
        """Of `answers`, those not stored as they are (the others need no write)."""
        return unsaved({a.question_id: a for a in await self._own(departure_id)}, answers)

    async def _own(self, departure_id: str) -> list[Answer]:
        # The leaver's own answers, for the service's bookkeeping (not shown to anyone).
        return await self._store.answers(departure_id, frozenset(Attribution), sent_only=False)

    async def _save(
        self,
        asker: Asker,
        progress: SurveyProgress,
        *,
        expected: int,
        put: list[Answer] | None = None,
        remove: list[str] | None = None,
        remove_all: bool = False,
        position: int | None = None,
        status: SurveyStatus | None = None,
        sent_at: datetime | None = None,
    ) -> SurveyProgress:
        values: dict[str, object] = {
            "revision": expected + 1,
            "updated_at": self._clock.now(),
        }
        if position is not None:
            values["position"] = position
        if status is not None:
            values["status"] = status
        if sent_at is not None:
            values["sent_at"] = sent_at
        # Typed values on a validated progress: copied, not validated again.
        changed = progress.model_copy(update=values)
        try:
            return await self._store.save(
                changed,
                expected_revision=expected,
                put=put or [],
                remove=remove or [],
                remove_all=remove_all,
            )
        except ConcurrentUpdate:
            await self._refused(asker, progress.departure_id, "stale")
            raise StaleAction("the survey changed meanwhile") from None

    async def _step(
        self, asker: Asker, departure: Departure, plan: SurveyPlan, progress: SurveyProgress
    ) -> SurveyStep:
        return SurveyStep(departure, plan, progress, await self.readable_answers(asker, departure))

    def _today(self, departure: Departure) -> date:
        return self._clock.now().astimezone(departure.zone).date()

    async def _refused(self, asker: Asker, departure_id: str, reason: str, **detail: str) -> None:
        await self._kernel.record(asker, "survey.refused", departure_id, reason=reason, **detail)

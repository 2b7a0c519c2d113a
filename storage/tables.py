"""The schema as SQLAlchemy Core tables; migrations/versions must build exactly this."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Double,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    text,
)

from storage.types import JsonDocument, UtcDateTime

# Named constraints keep migrations identical on SQLite and PostgreSQL.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

UPN = String(320)  # RFC 5321's longest address

departures = Table(
    "departures",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("external_id", String(200), nullable=True, unique=True),
    Column("leaver_upn", UPN, nullable=False, index=True),
    Column("leaver_name", String(400), nullable=False),
    Column("manager_upn", UPN, nullable=False, index=True),
    Column("unit", String(200), nullable=False),
    Column("last_working_day", Date, nullable=False),
    Column("locale", String(35), nullable=False),
    Column("time_zone", String(64), nullable=False),
    # A plain string, not a database enum: a new status then needs no schema change.
    Column("status", String(32), nullable=False, index=True),
    Column("interviewer_upn", UPN, nullable=True, index=True),
    Column("interviewer_pool", JsonDocument, nullable=False),
    # The exit journey (revision 0003): reach of the offer, the answer, the booking, the cards.
    Column("reach", String(32), nullable=True),
    Column("decline_reason", Text, nullable=True),
    Column("remind_offer_at", UtcDateTime, nullable=True),
    Column("interviewer_kind", String(32), nullable=True),
    Column("interviewer_name", String(400), nullable=False, server_default=""),
    Column("proposed_slots", JsonDocument, nullable=False, server_default=text("'[]'")),
    Column("times_requested_at", UtcDateTime, nullable=True),
    Column("meeting_start", UtcDateTime, nullable=True, index=True),
    Column("meeting_end", UtcDateTime, nullable=True),
    Column("meeting_event_id", String(512), nullable=True),
    Column("meeting_join_url", Text, nullable=True),
    # Issue 4: when the leaver said yes, and the handover checklist (0004).
    Column("accepted_at", UtcDateTime, nullable=True),
    Column("handover_done", JsonDocument, nullable=False, server_default=text("'[]'")),
    Column("handover_successor", String(200), nullable=True),
    Column("cards", JsonDocument, nullable=False, server_default=text("'{}'")),
    # Issue 11 (0008): type, regret, how and where the conversation is held, when it closed.
    Column("departure_type", String(32), nullable=False, server_default="resignation"),
    Column("regrettable", Boolean, nullable=True),
    Column("meeting_mode", String(16), nullable=True),
    Column("meeting_place", String(200), nullable=True),
    Column("closed_at", UtcDateTime, nullable=True),
    # Issue 16 (0012): the door it came through (journey.departure.Door: teams, api, csv, entra).
    Column("registered_via", String(16), nullable=False, server_default="teams"),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Issue 12 (0009): one active departure per leaver, however many doors register at once.
# Neither closed nor cancelled, and not anonymised (an anonymised row has no leaver).
ACTIVE_DEPARTURE = "status NOT IN ('closed', 'cancelled') AND leaver_upn <> ''"
Index(
    "uq_departures_one_active_per_leaver",
    departures.c.leaver_upn,
    unique=True,
    sqlite_where=text(ACTIVE_DEPARTURE),
    postgresql_where=text(ACTIVE_DEPARTURE),
)
# Issue 13 (0010): HR's list reads through this in its order (storage/hr_list.py).
Index(
    "ix_departures_hr_list",
    departures.c.last_working_day,
    departures.c.created_at,
    departures.c.id,
    sqlite_where=text(ACTIVE_DEPARTURE),
    postgresql_where=text(ACTIVE_DEPARTURE),
)

conversation_refs = Table(
    "conversation_refs",
    metadata,
    Column("user_key", String(200), primary_key=True),
    Column("user_id", String(200), nullable=False),
    Column("upn", UPN, nullable=True),
    Column("name", String(400), nullable=True),
    Column("conversation_id", Text, nullable=False),
    Column("service_url", Text, nullable=False),
    Column("tenant_id", String(64), nullable=True),
    Column("channel_id", String(64), nullable=False),
    Column("bot_id", String(200), nullable=False),
    Column("locale", String(35), nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    # Set once, atomically, by the turn that greets the person; never by save().
    Column("welcomed_at", UtcDateTime, nullable=True),
)
Index("ix_conversation_refs_lower_upn", func.lower(conversation_refs.c.upn))
# The start of every turn looks a sender up by Teams user id too (storage/turns.py).
Index("ix_conversation_refs_user_id", conversation_refs.c.user_id)

audit_log = Table(
    "audit_log",
    metadata,
    Column(
        "id",
        BigInteger().with_variant(Integer(), "sqlite"),  # SQLite autoincrements INTEGER only
        primary_key=True,
        autoincrement=True,
    ),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(320), nullable=False),
    Column("action", String(100), nullable=False),
    Column("departure_id", String(64), nullable=True),  # no foreign key: the trail outlives it
    Column("detail", JsonDocument, nullable=False),
    Column("activity_id", String(512), index=True),  # its handled turn's mark (storage/turns.py)
)
Index("ix_audit_log_departure_id_at", audit_log.c.departure_id, audit_log.c.at)

seen_activities = Table(
    "seen_activities",
    metadata,
    Column("activity_id", String(512), primary_key=True),
    Column("seen_at", UtcDateTime, nullable=False, index=True),
    # Until when another try may take it over; once handled NULL or an audit row has the id.
    Column("pending_until", UtcDateTime, nullable=True),
)

bot_state = Table(
    "bot_state",
    metadata,
    Column("key", String(512), primary_key=True),
    Column("etag", String(64), nullable=False),
    Column("document", JsonDocument, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# One row per message the engine must deliver once; see storage/due_actions.py.
due_actions = Table(
    "due_actions",
    metadata,
    Column(
        "id",
        BigInteger().with_variant(Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("idempotency_key", String(400), nullable=False, unique=True),
    # No foreign key: reminders about a departure are kept (and shown) after it is purged.
    Column("departure_id", String(64), nullable=True, index=True),
    Column("kind", String(64), nullable=False),
    Column("recipient_key", String(320), nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("payload", JsonDocument, nullable=False),
    Column("resend_if_unknown", Boolean, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("lease_owner", String(200), nullable=True),
    Column("lease_until", UtcDateTime, nullable=True),
    Column("not_before", UtcDateTime, nullable=True),
    Column("sent_activity_id", String(512), nullable=True),
    Column("last_error", String(64), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # After this the message is pointless and is skipped, not sent late (issue 11).
    Column("expires_at", UtcDateTime, nullable=True),
)
# claim() looks for pending rows that are due, oldest first.
Index("ix_due_actions_state_due_at", due_actions.c.state, due_actions.c.due_at)

# Every delivery attempt and decision, for a departure's timeline.
delivery_log = Table(
    "delivery_log",
    metadata,
    Column(
        "id",
        BigInteger().with_variant(Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("due_action_id", BigInteger().with_variant(Integer(), "sqlite"), nullable=False),
    Column("departure_id", String(64), nullable=True),
    Column("at", UtcDateTime, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("code", String(64), nullable=True),
    Column("status", Integer, nullable=True),
    Column("activity_id", String(512), nullable=True),
    Column("attempt", Integer, nullable=False),
    Column("retry_at", UtcDateTime, nullable=True),
    Column("worker", String(200), nullable=True),
)
Index("ix_delivery_log_departure_id_at", delivery_log.c.departure_id, delivery_log.c.at)
Index("ix_delivery_log_due_action_id", delivery_log.c.due_action_id)

# Send pacing shared by every instance: one GCRA cell per scope (a tenant, a conversation).
# Times are Unix seconds (UTC by definition) as doubles, so one UPDATE can do the arithmetic
# the same way on SQLite and PostgreSQL; see storage/send_budget.py.
send_budget = Table(
    "send_budget",
    metadata,
    Column("scope", String(100), primary_key=True),
    Column("free_at", Double, nullable=False),
    Column("paused_until", Double, nullable=True),
)

# Journey events recorded outside the service (the CSV import), for its worker to hand over.
journey_events = Table(
    "journey_events",
    metadata,
    Column(
        "id",
        BigInteger().with_variant(Integer(), "sqlite"),  # SQLite autoincrements INTEGER only
        primary_key=True,
        autoincrement=True,
    ),
    Column("departure_id", String(64), nullable=False),
    Column("event", String(32), nullable=False),  # registered | changed | cancelled
    Column("before", JsonDocument, nullable=True),  # the departure before a change
    Column("created_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("lease_until", UtcDateTime, nullable=True),
    Column("done_at", UtcDateTime, nullable=True),
)
Index("ix_journey_events_done_at_id", journey_events.c.done_at, journey_events.c.id)

# The optional survey (0006): progress per leaver (to stop and come back), one row an answer.
survey_progress = Table(
    "survey_progress",
    metadata,
    Column("departure_id", String(64), primary_key=True),
    Column("question_set", String(64), nullable=False),
    Column("attribution", String(32), nullable=False),
    Column("position", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
)

survey_answers = Table(
    "survey_answers",
    metadata,
    Column("departure_id", String(64), primary_key=True),
    Column("question_id", String(64), primary_key=True),
    Column("section_id", String(64), nullable=False),
    Column("value", JsonDocument, nullable=False),  # free text as written, or choice ids
    # The reads filter on it in SQL (journey.survey_access): a statistics-only answer never
    # leaves the database for a person.
    Column("attribution", String(32), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# After the conversation (revision 0007): the interviewer's notes, and the leaver's wishes on
# the thank-you card. Notes are the leaver's words at one remove: only here, never logged.
conversation_notes = Table(
    "conversation_notes",
    metadata,
    Column("departure_id", String(64), primary_key=True),
    Column("main_points", Text, nullable=False),
    Column("agreed_actions", Text, nullable=False),
    Column("data_use", Text, nullable=False),
    # Issue 11 (0008): who wrote them; another interviewer later does not see them.
    Column("author_upn", UPN, nullable=False, server_default=""),
    Column("revision", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=True),
)

thank_you_wishes = Table(
    "thank_you_wishes",
    metadata,
    Column("departure_id", String(64), primary_key=True),
    Column("chosen", JsonDocument, nullable=False),  # journey.after_conversation.Gesture values
    Column("answered_at", UtcDateTime, nullable=False),
)

# Issue 11 (0008): the language a person chose with the `language` command, above HR's and
# Teams'. Keyed by the person's UPN (lower case).
language_choices = Table(
    "language_choices",
    metadata,
    Column("upn", UPN, primary_key=True),
    Column("locale", String(35), nullable=False),
    Column("chosen_at", UtcDateTime, nullable=False),
)

# Issue 11 (0008): a leaver's consent to be contacted as alumni or for re-hire, with a
# private e-mail. Only these rows outlive the departure's retention; withdrawing deletes it.
alumni_contacts = Table(
    "alumni_contacts",
    metadata,
    Column("departure_id", String(64), primary_key=True),
    Column("name", String(400), nullable=False),
    Column("unit", String(200), nullable=False),
    Column("private_email", String(320), nullable=False),
    Column("consented_at", UtcDateTime, nullable=False),
)

# Issue 14 (0011): one agreed action, one owner; the unit is copied so lists and per-area
# insights outlive the anonymised departure. A promise, never the leaver's own words.
follow_ups = Table(
    "follow_ups",
    metadata,
    Column("id", String(64), primary_key=True),
    # No foreign key: like the audit trail, a follow-up outlives its departure's row.
    Column("departure_id", String(64), nullable=False, index=True),
    Column("unit", String(200), nullable=False),
    Column("area", String(100), nullable=False),  # a section id of the unit's question set
    Column("what", Text, nullable=False),
    Column("owner_upn", UPN, nullable=False),
    Column("owner_kind", String(16), nullable=False),  # interviewer, manager, hr or person
    Column("due_on", Date, nullable=False),
    Column("state", String(16), nullable=False),  # open or done
    Column("outcome", Text, nullable=True),
    Column("created_by", UPN, nullable=False),
    Column("done_by", UPN, nullable=True),
    Column("done_at", UtcDateTime, nullable=True),
    Column("revision", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
# The lists by scope read open ones by unit and due date; an owner's own by owner.
Index("ix_follow_ups_unit_state_due_on", follow_ups.c.unit, follow_ups.c.state, follow_ups.c.due_on)
Index("ix_follow_ups_owner_upn_state", follow_ups.c.owner_upn, follow_ups.c.state)

# Issue 14 (0011): what the leaver shares, with whom, and the hiring manager HR named; shared
# only with `chosen_at` set and `withdrawn_at` empty; kept with the unit for onboarding.
shared_summaries = Table(
    "shared_summaries",
    metadata,
    Column("departure_id", String(64), primary_key=True),
    Column("unit", String(200), nullable=False, index=True),
    Column("with_manager", Boolean, nullable=False, server_default=text("false")),
    Column("with_hiring_manager", Boolean, nullable=False, server_default=text("false")),
    Column("hiring_manager_upn", UPN, nullable=True),  # named by HR
    Column("summary", Text, nullable=False, server_default=""),  # what they want known
    Column("advice", Text, nullable=False, server_default=""),  # for the next in the job
    Column("answers_included", Boolean, nullable=False, server_default=text("false")),
    Column("chosen_at", UtcDateTime, nullable=True),
    Column("withdrawn_at", UtcDateTime, nullable=True),
    Column("revision", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Issue 16 (0013): the Entra check's Finding per Entra object id (storage/leave_dates.py);
# personal data, deleted once done and as old as retention allows.
leave_date_findings = Table(
    "leave_date_findings",
    metadata,
    Column("user_id", String(64), primary_key=True),  # the Entra object id
    Column("upn", UPN, nullable=False),
    Column("name", String(400), nullable=False),
    Column("leave_date", Date, nullable=True),
    Column("unit", String(200), nullable=True),
    Column("unit_value", String(400), nullable=False),  # the attribute's value, as Entra has it
    Column("preferred_language", String(35), nullable=True),
    Column("attributes", JsonDocument, nullable=False),  # as last read (to merge deltas)
    Column("state", String(16), nullable=False, index=True),  # journey.leave_dates.FindingState
    Column("problem", String(100), nullable=True),  # a register.* text key
    Column("departure_id", String(64), nullable=True),
    Column("revision", Integer, nullable=False),
    Column("seen_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# The check's one state row (id 1): delta link, settings read with, lease, last outcome.
leave_date_check = Table(
    "leave_date_check",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("delta_link", Text, nullable=True),
    Column("fingerprint", String(64), nullable=True),  # the settings the link was made for
    Column("lease_holder", String(200), nullable=True),
    Column("lease_until", UtcDateTime, nullable=True),
    Column("checked_at", UtcDateTime, nullable=True),
    Column("report", JsonDocument, nullable=True),  # journey.leave_dates.CheckReport
    Column("failure", String(16), nullable=True),  # not_allowed | unavailable
    Column("failed_at", UtcDateTime, nullable=True),
)

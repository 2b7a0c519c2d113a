"""The delivery worker's retry, lease and timing settings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeliveryPolicy:
    """Retry, lease and timing settings of a worker."""

    max_attempts: int = 5  # 412/502/503/504 and failed connections, then failed for good
    max_throttled_attempts: int = 30  # 429s are expected under load; still not forever
    backoff_base: float = 2.0  # seconds before the 2nd attempt, doubled each time, jittered
    backoff_max: float = 300.0
    lease_seconds: float = 60.0  # how long a claim is ours before another worker may take it
    # How long a request that went out is ours: longer than the connector's timeout (15 s), so
    # no other worker reconciles an action whose request is still running.
    sending_lease_seconds: float = 60.0
    settle_seconds: float = 60.0  # with a probe: wait this long before looking for a copy
    # A send's database work (marking it sending, reading pauses) starts this long before its
    # slot, so that the request itself goes on time on a busy machine.
    prepare_ahead: float = 0.3
    # How stale this instance's view of another instance's 429 pause may be, in seconds.
    pause_check_seconds: float = 0.05
    # A view of the pauses at most this old is used at once, while it is read again in the
    # background: no database read stands between a send's slot and its request.
    pause_stale_seconds: float = 0.15
    # Database calls at once: more than the engine's pool (5) only churns connections.
    db_concurrency: int = 4
    poll_seconds: float = 1.0  # how often an idle worker looks for due actions
    # Fair claims: at most this many of one recipient's due actions per claim (Teams' burst in
    # one chat), and none while one of theirs is under way, so a busy chat waits, not the queue.
    # None: claims in due order alone (one chat's backlog can then fill every claim).
    claims_per_chat: int | None = 3
    # No bearer token (Entra ID unreachable): nothing is sent; try again after this long,
    # doubled (jittered) while the outage lasts, up to token_retry_max.
    token_retry_base: float = 1.0
    token_retry_max: float = 30.0

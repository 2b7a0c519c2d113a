"""EXITBOT_LOG_FORMAT=json (bot/log_format.py): one JSON object per line, with the fields a log
store parses and whatever a call passed with `extra=`."""

from __future__ import annotations

import json
import logging
import sys

from bot.log_format import JsonFormatter


def _record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("outbox.worker", logging.WARNING, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return record


def test_a_record_is_one_json_object_on_one_line() -> None:
    line = JsonFormatter().format(_record("due action %s: send ended\nwith %s", 7, "Timeout"))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "outbox.worker"
    assert entry["message"] == "due action 7: send ended\nwith Timeout"
    assert entry["time"].endswith("+00:00")  # UTC, ISO 8601
    assert set(entry) == {"time", "level", "logger", "message"}


def test_extra_fields_and_the_exception_are_kept() -> None:
    try:
        raise ValueError("bad")
    except ValueError:
        record = _record("failed", action_id=42, outcome=object())
        record.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(record))
    assert entry["action_id"] == 42
    assert entry["outcome"].startswith("<object object")  # not JSON: written as its str()
    assert entry["exception"].splitlines()[-1] == "ValueError: bad"

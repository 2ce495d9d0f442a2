"""When to try again to deliver an event: exponential backoff, given up after 72 hours.

PACT v3: "If the data recipient cannot be reached ... the data owner SHOULD retry to send the
event at a later time, using an exponential backoff strategy. It SHOULD abandon sending the
event after 72 hours."

Attempt ``n`` (1-based) that fails is followed by attempt ``n + 1`` after
``min(BASE * 2**(n - 1), CAP)`` seconds, stretched by up to 10 % of jitter; no attempt is
made later than :data:`GIVE_UP_SECONDS` after the request was received. ``BASE`` is
``PCF_PACT_RETRY_BASE_SECONDS`` (default 10 s, tests use less).
"""

from __future__ import annotations

import os
import random
from datetime import datetime, timedelta

BASE_SECONDS = 10.0
CAP_SECONDS = 3600.0
GIVE_UP_SECONDS = 72 * 3600.0


def base_seconds() -> float:
    """``PCF_PACT_RETRY_BASE_SECONDS`` (0.05..3600) or :data:`BASE_SECONDS`."""
    try:
        value = float(os.environ.get("PCF_PACT_RETRY_BASE_SECONDS", BASE_SECONDS))
    except ValueError:
        return BASE_SECONDS
    return min(max(value, 0.05), 3600.0)


def delay(attempt: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
    raw = min(base_seconds() * 2 ** max(attempt - 1, 0), CAP_SECONDS)
    return raw * (1 + 0.1 * (rng or random).random())


def next_attempt(attempt: int, received_at: datetime, now: datetime) -> datetime | None:
    """When to try again after failed attempt ``attempt``; None to give up (72 h passed)."""
    when = now + timedelta(seconds=delay(attempt))
    if when > received_at + timedelta(seconds=GIVE_UP_SECONDS):
        return None
    return when

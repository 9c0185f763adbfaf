"""The only place the app reads the time from.

Rules take `today`/`now` as parameters; callers get them here. Setting
COFFEECHAT_TODAY=YYYY-MM-DD freezes the date for tests, demos and benchmarks; the
frozen "now" is noon of that day, so a figure computed at a frozen date never depends
on the hour the command happened to run.
"""
from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta

import numpy as np

FROZEN_ENV = "COFFEECHAT_TODAY"


def parse_date(text: str, what: str = "date") -> date:
    """Parse YYYY-MM-DD, raising ValueError that names `what`."""
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise ValueError(f"{what} must be a date as YYYY-MM-DD, got {text!r}") from None


def today() -> date:
    frozen = os.environ.get(FROZEN_ENV)
    if frozen:
        return parse_date(frozen, FROZEN_ENV)
    return date.today()


def now() -> datetime:
    if os.environ.get(FROZEN_ENV):
        return moment_of(today())
    return datetime.now().replace(microsecond=0)


def moment_of(day: date) -> datetime:
    """The instant a figure "as of `day`" is computed at (noon, see module doc)."""
    return datetime.combine(day, time(12, 0))


def business_days_between(start: date, end: date) -> int:
    """Weekdays d with start < d <= end (negative when end is before start).

    Matches the SQL function business_days() in lib/migrations.py: the 3B7 routine counts
    the business days that have passed since a request was sent.
    """
    if end < start:
        return -business_days_between(end, start)
    return int(np.busday_count(start + timedelta(days=1), end + timedelta(days=1)))


def add_business_days(start: date, n: int) -> date:
    """The date n business days after `start` (n >= 0), skipping weekends.

    Matches the SQL function add_business_days(); a weekend start counts from the Friday before.
    """
    if n == 0:
        return start
    return np.busday_offset(np.datetime64(start), n, roll="backward").astype(date)

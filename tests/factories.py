"""Test data built through the app's own write paths (never raw INSERTs), so every test
starts from states a real student could reach."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from lib import clock, network, outreach, prep
from lib.network import ContactInput
from tests.conftest import TODAY


def agreed_conversation(db, student_id: str, name: str, when: datetime, *, fmt: str = "video", length: int = 30,
                        held: bool = False, takeaways: str | None = None, **contact_fields) -> tuple[str, str]:
    """A contact who was asked a week before `when`, agreed, and was scheduled for `when`
    (then logged as held if `held`). Returns (interview id, contact id)."""
    now = clock.moment_of(TODAY)
    contact_fields.setdefault("source", "alumni")
    contact = network.add_contact(db, student_id, ContactInput(name=name, **contact_fields), now)
    asked = min(when.date() - timedelta(days=7), TODAY)
    request = outreach.log_request(db, student_id, contact, "email", asked, None, TODAY, now)
    outreach.record_reply(db, student_id, request, min(asked + timedelta(days=2), TODAY), "agreed", TODAY, now)
    planned_on = min(asked + timedelta(days=2), TODAY, when.date())
    interview = outreach.schedule(db, student_id, request, when, fmt, length, planned_on, now)
    if held:
        prep.log_conversation(db, student_id, interview, prep.ConversationLog(status="held", takeaways=takeaways),
                              TODAY, now)
    return interview, contact


def on(day: int, hour: int = 10) -> datetime:
    """A moment in November 2026, the month the tests are frozen in."""
    return datetime.combine(date(2026, 11, day), datetime.min.time()).replace(hour=hour)

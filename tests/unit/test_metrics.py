"""Figures on a small hand-built dataset; every expected number is worked out in the comments.

Today is Friday 2026-11-20; "now" is noon that day.
"""
from datetime import date, datetime

import pytest

from lib import metrics
from lib.followup import due_items
from tests.conftest import TODAY

A = "00000000-0000-4000-8000-00000000000a"
B = "00000000-0000-4000-8000-00000000000b"


def cid(n: int) -> str:
    return f"00000000-0000-4000-8000-0000000001{n:02d}"


@pytest.fixture
def data(db):
    with db.write() as cur:
        cur.execute("""INSERT INTO students (id, name, created_at) VALUES
            (?, 'Student A', '2026-09-01'), (?, 'Student B', '2026-09-01')""", [A, B])
        contacts = [  # (n, student, warmth, source, referred_by, archived)
            (1, A, "warm", "alumni", None, None),
            (2, A, "warm", "family", None, None),
            (3, A, "warm", "referral", cid(1), None),
            (4, A, "cold", "linkedin", None, None),
            (5, A, "cold", "event", None, None),
            (6, A, "warm", "family", None, "2026-10-01"),  # archived: never counted
            (7, B, "warm", "alumni", None, None),
        ]
        for n, sid, warmth, source, ref, archived in contacts:
            cur.execute("""INSERT INTO contacts (id, student_id, name, warmth, source, referred_by, created_at,
                           archived_at) VALUES (?, ?, ?, ?, ?, ?, '2026-10-01', ?)""",
                        [cid(n), sid, f"Contact {n}", warmth, source, ref, archived])
        requests = [  # (n, student, contact, channel, sent, replied, outcome)
            (1, A, 1, "email", "2026-11-02", "2026-11-04", "agreed"),   # replied
            (2, A, 2, "text", "2026-11-16", None, None),                # 4 business days: pending
            (3, A, 4, "linkedin", "2026-11-02", None, None),            # 14 business days: unanswered
            (4, A, 5, "email", "2026-11-10", "2026-11-19", "agreed"),   # replied
            (5, A, 3, "email", "2026-11-11", None, None),               # exactly 7: still pending
            (6, B, 7, "email", "2026-11-02", "2026-11-03", "declined"),
        ]
        for n, sid, contact, channel, sent, replied, outcome in requests:
            cur.execute("""INSERT INTO outreach_requests (id, student_id, contact_id, channel, sent_on, replied_on,
                           outcome, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, now())""",
                        [cid(50 + n), sid, cid(contact), channel, sent, replied, outcome])
        interviews = [  # (n, contact, scheduled, minutes, status, thank-you)
            (1, 1, "2026-11-09 10:00", 30, "held", "2026-11-09 20:00"),   # deadline 11-10 10:30: on time
            (2, 5, "2026-11-19 09:00", 30, "held", None),                 # deadline 11-20 09:30 < noon: missing
            (3, 2, "2026-11-12 14:00", 60, "held", "2026-11-14 08:00"),   # deadline 11-13 15:00: late
            (4, 3, "2026-11-25 10:00", 30, "scheduled", None),            # ahead
            (5, 4, "2026-11-05 10:00", 30, "cancelled", None),
        ]
        for n, contact, at, minutes, status, thanks in interviews:
            cur.execute("""INSERT INTO interviews (id, student_id, contact_id, scheduled_at, format, length_minutes,
                           status, thank_you_sent_at, created_at) VALUES (?, ?, ?, ?, 'video', ?, ?, ?, now())""",
                        [cid(80 + n), A, cid(contact), at, minutes, status, thanks])
        cur.execute("""INSERT INTO prep_items (id, student_id, interview_id, item_key, label, position, due_on,
                       done_at, created_at) VALUES
                       (uuid(), ?, ?, 'confirm', 'Confirm', 1, '2026-11-19', NULL, now()),
                       (uuid(), ?, ?, 'research_org', 'Research', 2, '2026-11-18', '2026-11-18', now())""",
                    [A, cid(84), A, cid(84)])
        cur.execute("""INSERT INTO action_items (id, student_id, text, due_on, done_at, created_at) VALUES
                       (uuid(), ?, 'Open item', '2026-11-20', NULL, now()),
                       (uuid(), ?, 'Done item', '2026-11-01', '2026-11-01', now())""", [A, A])
        cur.execute("""INSERT INTO tasks (id, student_id, kind, title, due_on, created_at) VALUES
                       (uuid(), ?, 'other', 'Overdue to-do', '2026-11-18', now()),
                       (?, ?, 'other', 'Snoozed to-do', '2026-11-17', now())""", [A, cid(99), A])
        cur.execute("INSERT INTO snoozes VALUES (?, ?, '2026-11-21')", [A, f"task:{cid(99)}"])
    return db


def test_contacts(data):
    assert metrics.contacts(data, A, TODAY) == {"warm": 3, "cold": 2}
    assert metrics.contacts(data, None, TODAY) == {"warm": 4, "cold": 2}


def test_requests_leave_pending_out_of_the_rate(data):
    # sent 5; replied r1, r4; pending r2 (4 bd) and r5 (7 bd); settled = r1, r3, r4 -> 2/3
    assert metrics.requests(data, A, TODAY) == {
        "sent": 5, "replied": 2, "pending": 2, "settled": 3, "reply_rate": 0.6667}
    # B alone: one replied of one settled; the cohort adds up
    assert metrics.requests(data, B, TODAY)["reply_rate"] == 1.0
    assert metrics.requests(data, None, TODAY)["reply_rate"] == 0.75


def test_reply_rate_is_null_when_nothing_is_settled(data):
    early = date(2026, 11, 3)  # only r1 and r3 sent, both inside their window, nothing replied yet
    assert metrics.requests(data, A, early) == {
        "sent": 2, "replied": 0, "pending": 2, "settled": 0, "reply_rate": None}


def test_conversations(data, now):
    assert metrics.conversations(data, A, TODAY, now) == {"held": 3, "scheduled": 1}


def test_thank_yous(data, now):
    assert metrics.thank_yous(data, A, now) == {"on_time": 1, "late": 1, "missing": 1, "on_time_rate": 0.3333}
    # Before the 24-hour window of interview 2 closed, it is neither late nor missing.
    assert metrics.thank_yous(data, A, datetime(2026, 11, 19, 18, 0))["missing"] == 0


def test_due_queue(data, now):
    due = due_items(data, A, TODAY, now, horizon_days=0)
    today = sorted(due.loc[due["status"] == "today", "kind"])
    overdue = sorted(due.loc[due["status"] == "overdue", "kind"])
    # today: thank-you for interview 2 (due 11-20), 3B7 follow-up for r5 (11-11 + 7 bd), action item
    assert today == ["action_item", "follow_up", "thank_you"]
    # overdue: follow-up for r3 (due 11-11), unfinished prep item (11-19), to-do (11-18);
    # the snoozed to-do is hidden until 11-21
    assert overdue == ["follow_up", "prep", "task"]
    assert metrics.follow_ups_due(data, A, TODAY, now) == {"today": 3, "overdue": 3}


def test_pipeline(data, now):
    frame = metrics.pipeline(data, A, TODAY, now).set_index(["warmth", "stage"])["contacts"]
    assert [frame["warm", s] for s in metrics.PIPELINE_STAGES] == [3, 3, 1, 2, 2]
    assert [frame["cold", s] for s in metrics.PIPELINE_STAGES] == [2, 2, 1, 1, 0]


def test_reply_rates_by_warmth_and_channel(data):
    frame = metrics.reply_rates(data, A, TODAY).set_index(["dimension", "group"])
    assert (frame.loc[("Warmth", "warm"), "replied"], frame.loc[("Warmth", "warm"), "n"]) == (1, 1)
    assert (frame.loc[("Warmth", "cold"), "replied"], frame.loc[("Warmth", "cold"), "n"]) == (1, 2)
    assert frame.loc[("Channel", "email"), "n"] == 2       # r1, r4 (r5 pending)
    assert frame.loc[("Channel", "linkedin"), "rate"] == 0.0
    low, high = frame.loc[("Warmth", "cold"), ["low", "high"]]
    assert 0 < low < 0.5 < high < 1  # a wide interval on n = 2


def test_wilson_interval():
    assert metrics.wilson_interval(0, 0) == (None, None)
    low, high = metrics.wilson_interval(5, 10)
    assert round(low, 3) == 0.237 and round(high, 3) == 0.763


def test_summary_has_the_contract_keys(data, now):
    summary = metrics.summary(data, A, TODAY, now)
    assert summary["as_of"] == "2026-11-20"
    for key, fields in {"contacts": {"warm", "cold"}, "requests": {"sent", "replied", "pending", "reply_rate"},
                        "conversations": {"held", "scheduled"}, "thank_yous": {"on_time", "late", "missing"},
                        "follow_ups_due": {"today", "overdue"}}.items():
        assert fields <= set(summary[key])


def test_definitions_are_readable():
    for figure in (metrics.contacts, metrics.requests, metrics.thank_yous, metrics.pipeline):
        text = metrics.definition(figure)
        assert len(text) > 60 and "\n" not in text

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
                       (gen_random_uuid(), ?, ?, 'confirm', 'Confirm', 1, '2026-11-19', NULL, now()),
                       (gen_random_uuid(), ?, ?, 'research_org', 'Research', 2, '2026-11-18', '2026-11-18', now())""",
                    [A, cid(84), A, cid(84)])
        cur.execute("""INSERT INTO action_items (id, student_id, text, due_on, done_at, created_at) VALUES
                       (gen_random_uuid(), ?, 'Open item', '2026-11-20', NULL, now()),
                       (gen_random_uuid(), ?, 'Done item', '2026-11-01', '2026-11-01', now())""", [A, A])
        cur.execute("""INSERT INTO tasks (id, student_id, kind, title, due_on, created_at) VALUES
                       (gen_random_uuid(), ?, 'other', 'Overdue to-do', '2026-11-18', now()),
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
    assert metrics.thank_yous(data, A, now) == {"on_time": 1, "late": 1, "missing": 1, "settled": 3,
                                                "on_time_rate": 0.3333}
    # Before the 24-hour window of interview 2 closed, it is neither late nor missing.
    assert metrics.thank_yous(data, A, datetime(2026, 11, 19, 18, 0))["missing"] == 0


def test_due_queue(data, now):
    due = due_items(data, A, TODAY, now, horizon_days=0)
    today = sorted(due.loc[due["status"] == "today", "kind"])
    overdue = sorted(due.loc[due["status"] == "overdue", "kind"])
    # today: 3B7 follow-up for r5 (11-11 + 7 bd), action item
    assert today == ["action_item", "follow_up"]
    # overdue: unfinished prep item (11-19), to-do (11-18), and the thank-you for interview 2, whose
    # deadline (11-20 09:30) passed this morning; the snoozed to-do is hidden until 11-21. The
    # follow-up for r3 (14 business days, past its Curmudgeon point at 10) has left the list.
    assert overdue == ["prep", "task", "thank_you"]
    assert metrics.follow_ups_due(data, A, TODAY, now) == {"today": 2, "overdue": 3}


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


# --- issue 15: the audit's findings and the definitions at the edges --------------------------

from lib import followup, network, outreach, prep                       # noqa: E402
from lib.students import create_student                                   # noqa: E402
from tests.factories import agreed_conversation, on                       # noqa: E402


@pytest.fixture
def ada(db, now):
    prep.sync_question_bank(db, now)
    return create_student(db, "Ada")


def test_archived_contacts_leave_every_future_facing_list_and_count(db, ada, now):
    """Archiving a person takes their thank-you, log-the-conversation, prep, 3B7 and to-do
    items out of the due queue and their conversation out of 'coming up'; the requests
    sent to them still count in the reply rate."""
    asked = network.add_contact(db, ada, network.ContactInput(name="Asked", organisation="Acme", source="alumni"), now)
    network.add_contact(db, ada, network.ContactInput(name="Colleague", organisation="Acme", source="alumni"), now)
    outreach.log_request(db, ada, asked, "email", date(2026, 11, 11), None, TODAY, now)     # 7 bd: follow up today
    _, thanked = agreed_conversation(db, ada, "Met", on(19), held=True)                     # thank-you due
    _, unlogged = agreed_conversation(db, ada, "Unlogged", on(18))                          # log it
    _, upcoming = agreed_conversation(db, ada, "Upcoming", on(24))                          # prep items
    with db.write() as cur:
        cur.execute("""INSERT INTO tasks (id, student_id, kind, title, contact_id, due_on, created_at)
                       VALUES (gen_random_uuid(), ?, 'other', 'Send Asked the article', ?, '2026-11-19', now())""", [ada, asked])
    people = [asked, thanked, unlogged, upcoming]
    before = followup.due_items(db, ada, TODAY, now, horizon_days=30)
    assert set(before["kind"]) >= {"follow_up", "second_contact", "thank_you", "log_conversation", "prep", "task"}
    assert metrics.conversations(db, ada, TODAY, now)["scheduled"] == 1
    rates_before = metrics.requests(db, ada, TODAY)
    for person in people:
        network.set_archived(db, ada, person, now, True)
    after = followup.due_items(db, ada, TODAY, now, horizon_days=30)
    assert after[after["contact_id"].isin(people)].empty, after[["kind", "title"]]
    assert metrics.follow_ups_due(db, ada, TODAY, now) == {"today": 0, "overdue": 0}
    assert metrics.overdue_by_kind(db, ada, TODAY, now).empty
    assert metrics.conversations(db, ada, TODAY, now) == {"held": 1, "scheduled": 0}
    assert metrics.requests(db, ada, TODAY) == rates_before and rates_before["sent"] == 4
    assert metrics.touch_gaps(db, ada, now).empty and followup.cadence(db, ada, TODAY).empty


def test_a_thank_you_is_due_today_until_its_deadline_then_overdue(db, ada, now):
    iid, _ = agreed_conversation(db, ada, "Carla", on(19, 11), held=True)   # ends 11:30; deadline today 11:30
    due = followup.due_items(db, ada, TODAY, now, horizon_days=0).set_index("item_key")
    clock = followup.thank_you_clock(db, ada, TODAY, now)
    assert clock["state"].tolist() == ["missing"]
    assert due.loc[f"thank_you:{iid}", "status"] == "overdue"
    before = datetime(2026, 11, 20, 11, 29)
    due = followup.due_items(db, ada, TODAY, before, horizon_days=0).set_index("item_key")
    assert due.loc[f"thank_you:{iid}", "status"] == "today"
    assert followup.thank_you_clock(db, ada, TODAY, before)["state"].tolist() == ["open"]


def test_a_passed_unlogged_conversation_keeps_one_item(db, ada, now):
    iid, carla = agreed_conversation(db, ada, "Carla", on(19, 10))            # asked 12 Nov; prep due 14-19 Nov
    assert db.scalar("SELECT count(*) FROM prep_items WHERE interview_id = ? AND due_on < ?", [iid, TODAY]) > 0
    due = followup.due_items(db, ada, TODAY, now, horizon_days=7)
    assert due[due["contact_id"] == carla]["kind"].tolist() == ["log_conversation"]
    during = datetime(2026, 11, 19, 10, 10)                                    # still under way: prep, no log item
    due = followup.due_items(db, ada, date(2026, 11, 19), during, horizon_days=7)
    assert "log_conversation" not in set(due["kind"]) and "prep" in set(due["kind"])


def test_later_this_week_means_up_to_sunday(db, ada, now):
    with db.write() as cur:
        for text, due_on in (("Saturday", "2026-11-21"), ("Sunday", "2026-11-22"), ("Monday", "2026-11-23")):
            cur.execute("INSERT INTO action_items (id, student_id, text, due_on, created_at) VALUES (gen_random_uuid(), ?, ?, ?, now())",
                        [ada, text, due_on])
    week = followup.week_ahead(db, ada, TODAY, now)                            # TODAY is a Friday
    assert week["title"].tolist() == ["Saturday", "Sunday"]
    assert followup.week_ahead(db, ada, date(2026, 11, 22), datetime(2026, 11, 22, 12))["title"].tolist() == [
        "Saturday", "Sunday"]                                                  # on Sunday: overdue and today only


def test_same_named_people_have_their_own_rows(db, ada, now):
    agreed_conversation(db, ada, "Sam Lee", on(2), held=True, organisation="Acme")
    agreed_conversation(db, ada, "Sam Lee", on(3), held=True, organisation="Birch")
    agreed_conversation(db, ada, "Sam Lee", on(4), held=True, organisation="Birch")
    gaps = metrics.touch_gaps(db, ada, now)
    assert len(gaps) == 3 and gaps["contact_id"].nunique() == 3
    assert sorted(gaps["label"]) == ["Sam Lee (Acme)", "Sam Lee (Birch, #1)", "Sam Lee (Birch, #2)"]

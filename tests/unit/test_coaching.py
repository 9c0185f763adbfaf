"""The coach's view: cohort figures equal each student's own, stuck flags at a frozen
date, advising sessions and their action items, and the session report."""
import json
import subprocess
import sys
from datetime import date, timedelta

import pandas as pd
import pytest

from lib import coaching, demo, followup, metrics, network, outreach
from lib.db import Database
from lib.models import InvalidRows
from lib.network import ContactInput
from lib.students import create_student
from tests.conftest import ROOT, TODAY
from tests.factories import agreed_conversation, on


def test_cohort_figures_equal_each_students_stats(tmp_path, now):
    path = tmp_path / "demo.duckdb"
    with Database(path) as db:
        demo.load(db, as_of=TODAY)
        overview = coaching.cohort_overview(db, TODAY, now).set_index("id")
    printed = {}
    for sid in overview.index[:4]:
        result = subprocess.run([sys.executable, "-m", "lib", "stats", "--db", str(path), "--student", sid,
                                 "--today", TODAY.isoformat(), "--json"], capture_output=True, text=True, cwd=ROOT)
        printed[sid] = json.loads(result.stdout)
    for sid, stats in printed.items():
        row = overview.loc[sid]
        assert (row.warm, row.cold) == (stats["contacts"]["warm"], stats["contacts"]["cold"])
        assert (row.sent, row.replied, row.pending, row.settled) == tuple(
            stats["requests"][k] for k in ("sent", "replied", "pending", "settled"))
        assert row.held == stats["conversations"]["held"]
        assert (row.on_time, row.late, row.missing) == tuple(stats["thank_yous"][k] for k in ("on_time", "late", "missing"))
        assert row.overdue == stats["follow_ups_due"]["overdue"]
        assert row.reply_rate == stats["requests"]["reply_rate"]
        assert (row.thanks_settled, row.on_time_rate) == (stats["thank_yous"]["settled"], stats["thank_yous"]["on_time_rate"])


def test_stuck_flags_at_a_frozen_date(db, now):
    create_student(db, "Quiet", now=now - timedelta(days=40))
    ghosted = create_student(db, "Ghosted")
    for i in range(3):                          # three requests, 10 business days old, no reply
        cid = network.add_contact(db, ghosted, ContactInput(name=f"Cold {i}", source="linkedin"), now)
        outreach.log_request(db, ghosted, cid, "email", date(2026, 11, 6), None, TODAY, now)
    network.add_contact(db, ghosted, ContactInput(name="Aunt", source="family"), now)
    forgetful = create_student(db, "Forgetful")
    agreed_conversation(db, forgetful, "Carla", on(17), held=True)        # thank-you never sent
    referred = create_student(db, "Referred")
    carla = network.add_contact(db, referred, ContactInput(name="Carla", source="alumni"), now - timedelta(days=10))
    with db.write() as cur:   # a referral received ten days ago, never contacted
        network.insert_contact(cur, referred, ContactInput(name="Ben", source="referral", referred_by=carla),
                               now - timedelta(days=10))
    fine = create_student(db, "Fine")
    agreed_conversation(db, fine, "Dee", on(20, 9), held=True)
    followup.complete(db, fine, db.scalar("SELECT 'thank_you:' || CAST(id AS VARCHAR) FROM interviews "
                                          "WHERE student_id = ?", [fine]), TODAY, now)
    flags = coaching.cohort_overview(db, TODAY, now).set_index("name")["flags"].to_dict()
    assert flags["Quiet"] == ["no_warm", "quiet"]
    assert flags["Ghosted"] == ["no_replies"]
    assert flags["Forgetful"] == ["thank_yous"]
    assert flags["Referred"] == ["referrals"]
    assert flags["Fine"] == []
    stages = coaching.cohort_overview(db, TODAY, now).set_index("name")["stage"].to_dict()
    assert (stages["Quiet"], stages["Ghosted"], stages["Fine"]) == ("Mapping the network", "Asking", "Meeting")


def test_sessions_action_items_and_visibility(db, now):
    sid = create_student(db, "Ada")
    coaching.record_session(db, sid, TODAY, "Jo", "Private thoughts", "private", [], TODAY, now)
    coaching.record_session(db, sid, TODAY, "Jo", "Shared plan", "shared",
                            [{"text": "Add five alumni", "due_on": "2026-11-27"}, {"text": "", "due_on": None}],
                            TODAY, now)
    assert coaching.shared_sessions(db, sid, TODAY)["Notes"].tolist() == ["Shared plan"]
    assert len(coaching.sessions_table(db, sid, TODAY)) == 2
    due = followup.due_items(db, sid, TODAY, now, horizon_days=7)
    assert due[due["kind"] == "action_item"]["title"].tolist() == ["Add five alumni"]
    with pytest.raises(InvalidRows) as caught:
        coaching.record_session(db, sid, TODAY, None, None, "shared",
                                [{"text": "ok", "due_on": "2026-11-27"}, {"text": "", "due_on": "2026-11-28"},
                                 {"text": "late", "due_on": "2026-11-01"}], TODAY, now)
    assert [p.field for p in caught.value.problems] == ["Action item 2, Action", "Action item 3, Due"]
    assert db.scalar("SELECT count(*) FROM advising_sessions") == 2


def test_since_last_session_and_report(db, now):
    sid = create_student(db, "Eve <script>alert(1)</script>")
    coaching.record_session(db, sid, date(2026, 11, 10), "Jo", None, "private",
                            [{"text": "Write to <b>Bob</b>", "due_on": "2026-11-27"}], date(2026, 11, 10), now)
    agreed_conversation(db, sid, "Carla", on(19), held=True)     # asked 12 Nov, agreed 14 Nov, met 19 Nov
    brief = coaching.since_last_session(db, sid, TODAY, now)
    assert (brief["since"], brief["contacts"], brief["requests"], brief["replies"], brief["conversations"]) == (
        date(2026, 11, 10), 1, 1, 1, 1)
    html = coaching.session_report(db, sid, TODAY, now, coach="Jo")
    assert "<script>" not in html and "Eve &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Write to &lt;b&gt;Bob&lt;/b&gt;" in html and "since the session on 10 November" in html


def test_last_activity_is_what_happened_not_what_was_scheduled(db, now):
    """Held on 10 Oct, nothing since; a conversation scheduled for 17 Nov (never logged) and
    one cancelled on 18 Nov are not activity: the student is quiet."""
    sid, contact = "00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-000000000101"
    with db.write() as cur:
        cur.execute("INSERT INTO students (id, name, created_at) VALUES (?, 'Quiet', '2026-09-01')", [sid])
        cur.execute("""INSERT INTO contacts (id, student_id, name, warmth, source, created_at)
                       VALUES (?, ?, 'Carla', 'warm', 'alumni', '2026-09-01')""", [contact, sid])
        cur.execute("""INSERT INTO outreach_requests (id, student_id, contact_id, channel, sent_on, replied_on, outcome,
                       created_at) VALUES (gen_random_uuid(), ?, ?, 'email', '2026-10-01', '2026-10-03', 'agreed', '2026-10-01')""",
                    [sid, contact])
        for at, status, thanks in (("2026-10-10 10:00", "held", "2026-10-10 18:00"), ("2026-11-17 10:00", "scheduled", None),
                                   ("2026-11-18 10:00", "cancelled", None), ("2026-11-27 10:00", "scheduled", None)):
            cur.execute("""INSERT INTO interviews (id, student_id, contact_id, scheduled_at, format, status,
                           thank_you_sent_at, created_at) VALUES (gen_random_uuid(), ?, ?, ?, 'video', ?, ?, '2026-10-03')""",
                        [sid, contact, at, status, thanks])
    row = coaching.cohort_overview(db, TODAY, now).set_index("name").loc["Quiet"]
    assert pd.Timestamp(row["last_activity"]).date() == date(2026, 10, 10)
    assert "quiet" in row["flags"]
    followup.log_touch(db, sid, contact, "update", date(2026, 11, 19), None, "An update", TODAY, now)
    row = coaching.cohort_overview(db, TODAY, now).set_index("name").loc["Quiet"]
    assert pd.Timestamp(row["last_activity"]).date() == date(2026, 11, 19) and "quiet" not in row["flags"]


def test_the_overview_reuses_the_figures_by_student(db, now):
    """Each count in the overview is the figure's own, by student, with its n."""
    a, b = create_student(db, "A"), create_student(db, "B")
    agreed_conversation(db, a, "Carla", on(9), held=True)
    agreed_conversation(db, b, "Dee", on(19, 9), held=True)
    overview = coaching.cohort_overview(db, TODAY, now).set_index("id")
    for figure, columns in ((metrics.requests(db, None, TODAY, by_student=True), ["sent", "replied", "pending", "settled"]),
                            (metrics.thank_yous(db, None, now, by_student=True), ["on_time", "late", "missing"])):
        frame = figure.set_index("student_id")
        for sid in (a, b):
            assert overview.loc[sid, columns].tolist() == frame.loc[sid, columns].tolist()
    assert overview.loc[b, "thanks_settled"] == metrics.thank_yous(db, b, now)["settled"] == 1


def test_what_changed_reads_each_count_with_its_own_word():
    from lib.coaching import changes_line
    brief = {"contacts": 1, "requests": 2, "replies": 1, "conversations": 0, "overdue": 1}
    assert changes_line(brief) == "1 contact added · 2 requests sent · 1 reply · 0 conversations held · 1 item overdue"

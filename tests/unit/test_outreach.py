"""Requests: logging, replies, scheduling, the 3B7 states and reply behaviour at a frozen
date, and the outreach figures agreeing with `stats` on the demo cohort."""
from datetime import date, datetime

import pytest

from lib import demo, metrics, network, outreach
from lib.db import Database
from lib.models import InvalidInput
from lib.network import ContactInput
from lib.students import create_student
from tests.conftest import TODAY   # Friday 20 November 2026

D = date


@pytest.fixture
def student(db):
    return create_student(db, "Ada Lovelace", school="Lakeside University", major="History")


def person(db, sid, now, name, org="Contoso", source="alumni"):
    return network.add_contact(db, sid, ContactInput(name=name, organisation=org, source=source), now)


def test_log_reply_and_schedule(db, student, now):
    carla = person(db, student, now, "Carla Diaz")
    rid = outreach.log_request(db, student, carla, "email", D(2026, 11, 16), "Hi Carla...", TODAY, now)
    assert outreach.open_requests(db, student, TODAY)["contact"].tolist() == ["Carla Diaz"]
    outreach.record_reply(db, student, rid, D(2026, 11, 18), "agreed", TODAY, now)
    assert outreach.agreed_unscheduled(db, student, TODAY)["contact"].tolist() == ["Carla Diaz"]
    iid = outreach.schedule(db, student, rid, datetime(2026, 11, 27, 10), "video", 30, TODAY, now)
    assert db.rows("SELECT CAST(contact_id AS VARCHAR), status, length_minutes FROM interviews WHERE id = ?",
                   [iid]) == [(carla, "scheduled", 30)]
    assert outreach.agreed_unscheduled(db, student, TODAY).empty
    assert db.rows("SELECT kind FROM touches") == [("reply",)]
    with pytest.raises(InvalidInput, match="already scheduled"):
        outreach.schedule(db, student, rid, datetime(2026, 11, 28, 10), "video", 30, TODAY, now)


@pytest.mark.parametrize("call, message", [
    (lambda db, s, c, r, n: outreach.log_request(db, s, c, "pigeon", TODAY, None, TODAY, n), "Channel"),
    (lambda db, s, c, r, n: outreach.log_request(db, s, c, "email", D(2026, 11, 21), None, TODAY, n),
     "Date sent: 21 Nov 2026 is after 20 Nov 2026"),
    (lambda db, s, c, r, n: outreach.log_request(db, s, c, "email", D(2020, 1, 1), None, TODAY, n), "Date sent"),
    (lambda db, s, c, r, n: outreach.log_request(db, s, c, "email", TODAY, "x" * 5001, TODAY, n), "Message"),
    (lambda db, s, c, r, n: outreach.record_reply(db, s, r, D(2026, 11, 13), "agreed", TODAY, n),
     "Reply date: 13 Nov 2026 is before 16 Nov 2026"),
    (lambda db, s, c, r, n: outreach.record_reply(db, s, r, TODAY, "maybe", TODAY, n), "Outcome"),
    (lambda db, s, c, r, n: outreach.schedule(db, s, r, datetime(2026, 11, 27, 10), "video", 30, TODAY, n),
     "hasn't agreed"),
    (lambda db, s, c, r, n: outreach.mark_follow_up_sent(db, s, r, D(2026, 11, 30), TODAY), "Follow-up date"),
])
def test_bad_input_names_the_field_and_writes_nothing(db, student, now, call, message):
    carla = person(db, student, now, "Carla Diaz")
    rid = outreach.log_request(db, student, carla, "email", D(2026, 11, 16), None, TODAY, now)
    before = db.rows("SELECT * FROM outreach_requests")
    with pytest.raises(InvalidInput, match=message):
        call(db, student, carla, rid, now)
    assert db.rows("SELECT * FROM outreach_requests") == before
    assert db.scalar("SELECT count(*) FROM interviews") == 0


def test_a_referral_becomes_a_warm_contact_with_a_to_do(db, student, now):
    carla = person(db, student, now, "Carla Diaz")
    rid = outreach.log_request(db, student, carla, "email", D(2026, 11, 16), None, TODAY, now)
    new_id = outreach.record_reply(db, student, rid, TODAY, "referred", TODAY, now, referral_name="Ben Ode")
    ben = network.get_contact(db, student, new_id)
    assert (ben["warmth"], ben["source"], ben["referred_by"]) == ("warm", "referral", carla)
    assert db.rows("SELECT kind, title, due_on FROM tasks") == [
        ("referral_outreach", "Reach out to Ben Ode (suggested by Carla Diaz)", D(2026, 11, 27))]


def test_3b7_states_reply_behaviour_and_do_today(db, student, now):
    sent = {  # name: (sent_on, replied_on, follow_up_sent_on)
        "Dee": (D(2026, 11, 19), None, None),                   # 1 business day
        "Abe": (D(2026, 11, 16), None, None),                   # 4
        "Bea": (D(2026, 11, 11), None, None),                   # exactly 7
        "Cal": (D(2026, 11, 10), None, None),                   # 8
        "Eve": (D(2026, 11, 2), None, D(2026, 11, 11)),         # followed up 7 business days ago
        "Hal": (D(2026, 11, 2), None, D(2026, 11, 19)),         # followed up yesterday
        "Fay": (D(2026, 11, 2), D(2026, 11, 5), None),          # replied after 3
        "Gus": (D(2026, 11, 2), D(2026, 11, 6), None),          # replied after 4
    }
    ids = {}
    for name, (sent_on, replied_on, follow_up) in sent.items():
        ids[name] = person(db, student, now, name, org=f"Org {name}")
        rid = outreach.log_request(db, student, ids[name], "email", sent_on, None, TODAY, now)
        if follow_up:
            outreach.mark_follow_up_sent(db, student, rid, follow_up, TODAY)
        if replied_on:
            outreach.record_reply(db, student, rid, replied_on, "declined", TODAY, now)
    table = outreach.requests_table(db, student, TODAY).set_index("Contact")
    assert table["3B7"].to_dict() == {
        "Dee": "Waiting", "Abe": "Try a second contact", "Bea": "Follow up today", "Cal": "Follow-up overdue",
        "Eve": "Unanswered: move on", "Hal": "Followed up", "Fay": "Replied", "Gus": "Replied"}
    assert table["Counts as"].to_dict() == {
        "Dee": "pending", "Abe": "pending", "Bea": "pending", "Cal": "unanswered", "Eve": "unanswered",
        "Hal": "unanswered", "Fay": "replied", "Gus": "replied"}
    behaviour = metrics.reply_behaviour(db, student, TODAY)
    by_name = {name: behaviour.set_index("contact_id")["behaviour"][cid] for name, cid in ids.items()}
    assert by_name == {"Dee": "waiting", "Abe": "waiting", "Bea": "waiting", "Cal": "not_followed_up",
                       "Eve": "curmudgeon", "Hal": "waiting", "Fay": "booster", "Gus": "obligate"}
    assert network.contacts_table(db, student, TODAY).set_index("Name")["Replies"]["Fay"].startswith("Booster")

    # Abe's organisation has someone else to try: the do-today list names them
    other = person(db, student, now, "Zed", org="Org Abe", source="linkedin")
    warm_other = person(db, student, now, "Yan", org="Org Abe", source="alumni")
    due = outreach.do_today(db, student, TODAY, now)
    kinds = sorted(zip(due["kind"], due["title"].str.split().str[-1]))
    assert ("follow_up", "Bea") in kinds and ("follow_up", "Cal") in kinds
    abe = due[(due["kind"] == "second_contact") & due["title"].str.contains("Abe")]
    assert abe["next_id"].tolist() == [warm_other] and other != warm_other   # warm first


def test_outreach_figures_agree_with_stats_on_the_demo(tmp_path):
    with Database(tmp_path / "demo.duckdb") as db:
        demo.load(db, as_of=TODAY)
        ids = [sid for (sid,) in db.rows("SELECT CAST(id AS VARCHAR) FROM students")]
        for sid in ids + [None]:
            stats = metrics.summary(db, sid, TODAY)["requests"]
            rates = metrics.reply_rates(db, sid, TODAY)
            for dimension in ("Warmth", "Channel"):
                part = rates[rates["dimension"] == dimension]
                assert (int(part["replied"].sum()), int(part["n"].sum())) == (stats["replied"], stats["settled"])
            weekly = metrics.reply_rates_by_week(db, sid, TODAY, weeks=1000)
            assert (int(weekly["replied"].sum()), int(weekly["n"].sum()), int(weekly["pending"].sum())) == \
                (stats["replied"], stats["settled"], stats["pending"])
            assert int(metrics.reply_latency(db, sid, TODAY)["replies"].sum()) == stats["replied"]
            funnel = metrics.outreach_funnel(db, sid, TODAY, datetime(2026, 11, 20, 12)).set_index(["warmth", "stage"])
            assert funnel.loc[("warm", "Replied"), "people"] + funnel.loc[("cold", "Replied"), "people"] <= stats["replied"]

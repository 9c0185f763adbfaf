"""Requests: logging, replies, scheduling, the 3B7 states and reply behaviour at a frozen
date, and the outreach figures agreeing with `stats` on the demo cohort."""
from datetime import date, datetime

import pytest

from lib import demo, followup, metrics, network, outreach
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
    new_id, = outreach.record_reply(db, student, rid, TODAY, "referred", TODAY, now, {"name": "Ben Ode"}).added
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
    assert table["Counts as"].to_dict() == {   # Hal was followed up yesterday: pending until the Curmudgeon point
        "Dee": "pending", "Abe": "pending", "Bea": "pending", "Cal": "unanswered", "Eve": "unanswered",
        "Hal": "pending", "Fay": "replied", "Gus": "replied"}
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


# --- issue 15: definitions at the edges -------------------------------------------------------

def test_a_followed_up_request_replied_on_day_11_was_pending_until_then(db, student, now):
    """3B7: replies after the follow-up are normal; the request is pending until the
    Curmudgeon point (3 business days after the follow-up), not unanswered on day 8."""
    carla = person(db, student, now, "Carla")
    rid = outreach.log_request(db, student, carla, "email", D(2026, 11, 2), None, TODAY, now)   # a Monday
    outreach.mark_follow_up_sent(db, student, rid, D(2026, 11, 11), TODAY)                     # day 7
    outreach.record_reply(db, student, rid, D(2026, 11, 17), "agreed", TODAY, now)             # day 11
    for day in (D(2026, 11, 12), D(2026, 11, 13), D(2026, 11, 16)):                            # days 8 to 10
        assert metrics.requests(db, student, day) == {
            "sent": 1, "replied": 0, "pending": 1, "settled": 0, "reply_rate": None}, day
    assert outreach.requests_table(db, student, D(2026, 11, 16))["Counts as"].tolist() == ["pending"]
    assert metrics.requests(db, student, D(2026, 11, 17))["reply_rate"] == 1.0
    assert metrics.reply_behaviour(db, student, TODAY)["behaviour"].tolist() == ["obligate"]


def test_3b7_items_end_after_the_curmudgeon_point(db, student, now):
    """A request past its Curmudgeon point leaves the due list and shows as unanswered;
    one still inside it keeps its follow-up item (exactly 10 business days: still there)."""
    old = person(db, student, now, "Old", org="Acme")
    person(db, student, now, "Colleague", org="Acme")
    stale = outreach.log_request(db, student, old, "email", D(2026, 6, 1), None, TODAY, now)
    edge = outreach.log_request(db, student, person(db, student, now, "Edge", org="Edge Co"), "email",
                                D(2026, 11, 6), None, TODAY, now)              # 10 business days ago
    gone = outreach.log_request(db, student, person(db, student, now, "Gone", org="Gone Co"), "email",
                                D(2026, 11, 5), None, TODAY, now)              # 11
    followed = outreach.log_request(db, student, person(db, student, now, "Followed", org="F Co"), "email",
                                    D(2026, 11, 2), None, TODAY, now)
    outreach.mark_follow_up_sent(db, student, followed, D(2026, 11, 16), TODAY)   # 4 business days ago
    due = followup.due_items(db, student, TODAY, now, horizon_days=7)
    keys = set(due["item_key"])
    assert f"follow_up:{edge}" in keys and f"second_contact:{edge}" in keys
    assert not {k for k in keys if k.split(":")[1] in (stale, gone, followed)}
    states = outreach.requests_table(db, student, TODAY).set_index("Contact")
    assert states.loc[["Old", "Gone", "Followed"], "3B7"].tolist() == ["Unanswered: move on"] * 3
    assert states.loc["Edge", "3B7"] == "Follow-up overdue"


def test_a_second_contact_only_from_people_at_that_organisation_not_yet_asked(db, student, now):
    ann = person(db, student, now, "Ann", org="Straße GmbH")
    bob = person(db, student, now, "Bob", org="STRASSE  GmbH")       # the same organisation, typed differently
    asked = person(db, student, now, "Asked Already", org="Strasse GmbH")
    outreach.log_request(db, student, asked, "email", D(2026, 11, 13), None, TODAY, now)
    archived = person(db, student, now, "Archived", org="Strasse GmbH", source="family")
    network.set_archived(db, student, archived, now, True)
    person(db, student, now, "Elsewhere", org="Strasse Holdings")
    outreach.log_request(db, student, ann, "email", D(2026, 11, 16), None, TODAY, now)   # 4 business days
    due = outreach.do_today(db, student, TODAY, now)
    ann_item = due[(due["kind"] == "second_contact") & (due["contact_id"] == ann)]
    assert ann_item["next_id"].tolist() == [bob]
    assert db.scalar("SELECT count(DISTINCT organisation_id) FROM contacts WHERE name <> 'Elsewhere'") == 1
    network.set_archived(db, student, bob, now, True)                 # now nobody else there
    due = outreach.do_today(db, student, TODAY, now)
    ann_item = due[(due["kind"] == "second_contact") & (due["contact_id"] == ann)]
    assert ann_item["next_id"].isna().all() and len(ann_item) == 1
    assert ann_item["title"].iloc[0].startswith("No one at Straße GmbH you have not asked yet")


def test_organisations_are_one_by_their_stored_key(db, student, now):
    first = person(db, student, now, "Ann", org="Straße GmbH")
    second = person(db, student, now, "Bob", org="  STRASSE   GmbH ")
    orgs = db.rows("SELECT name, name_key FROM organisations")
    assert orgs == [("Straße GmbH", "strasse gmbh")]
    assert network.get_contact(db, student, second)["organisation"] == network.get_contact(db, student, first)["organisation"]
    with pytest.raises(Exception, match="already"):
        network.save_organisations(db, student, [network.OrganisationInput(1, None, "Straße GmbH", None, 2, 2),
                                                 network.OrganisationInput(2, None, "strasse gmbh", None, 1, 1)], now)
    network.save_organisations(db, student, [network.OrganisationInput(1, None, "STRASSE GMBH", None, 2, 2)], now)
    assert db.rows("SELECT name, name_key, target FROM organisations") == [("STRASSE GMBH", "strasse gmbh", True)]


def test_an_archived_contacts_request_leaves_the_queue_but_counts_in_the_rate(db, student, now):
    gone = person(db, student, now, "Gone", org="Acme")
    person(db, student, now, "Other", org="Acme")
    rid = outreach.log_request(db, student, gone, "email", D(2026, 11, 9), None, TODAY, now)   # 9 business days
    assert {f"follow_up:{rid}", f"second_contact:{rid}"} <= set(followup.due_items(db, student, TODAY, now)["item_key"])
    network.set_archived(db, student, gone, now, True)
    assert not [k for k in followup.due_items(db, student, TODAY, now, horizon_days=30)["item_key"] if rid in k]
    assert outreach.do_today(db, student, TODAY, now).empty
    assert outreach.open_requests(db, student, TODAY).empty
    assert metrics.requests(db, student, TODAY) == {"sent": 1, "replied": 0, "pending": 0, "settled": 1,
                                                    "reply_rate": 0.0}
    agreed = person(db, student, now, "Agreed")
    outreach.record_reply(db, student, outreach.log_request(db, student, agreed, "email", D(2026, 11, 16), None, TODAY, now),
                          D(2026, 11, 17), "agreed", TODAY, now)
    assert outreach.agreed_unscheduled(db, student, TODAY)["contact"].tolist() == ["Agreed"]
    network.set_archived(db, student, agreed, now, True)
    assert outreach.agreed_unscheduled(db, student, TODAY).empty


def test_draft_context_knows_a_linkedin_import_is_a_connection(db, student, now):
    """Imported from LinkedIn: already a connection (a message, not a connection note); a person
    found on LinkedIn and typed in by hand is not."""
    from lib import drafts, linkedin
    csv = (b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
           b"Mei,Chen,https://www.linkedin.com/in/mei-chen-88,,Contoso,Data Scientist,12 Mar 2025\n")
    linkedin.commit(db, student, linkedin.parse(csv, TODAY), filename="Connections.csv", now=now)
    mei = db.rows("SELECT CAST(id AS VARCHAR) FROM contacts WHERE name = 'Mei Chen'")[0][0]
    context = outreach.draft_context(db, student, mei)
    assert context.linkedin_connected and drafts.suggested_channel(context)[0] == "linkedin"
    assert drafts.channel_label("linkedin", context) == "LinkedIn message"
    typed = network.add_contact(db, student, ContactInput(name="Tom Becker", source="linkedin",
                                                          linkedin_url="https://www.linkedin.com/in/tom-b"), now)
    assert not outreach.draft_context(db, student, typed).linkedin_connected

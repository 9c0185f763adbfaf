"""The referral matcher: a suggested person who is already in the network is never added
twice; an unsure match is asked, not guessed (issue 14, item 4)."""
from datetime import date, datetime

import pytest

from lib import network, outreach, prep, referrals
from lib.models import InvalidRows
from lib.network import ContactInput
from lib.students import create_student
from tests.conftest import TODAY
from tests.factories import agreed_conversation


@pytest.fixture
def student(db):
    return create_student(db, "Ada Lovelace")


def add(db, student, now, name, **fields):
    fields.setdefault("source", "linkedin")
    return network.add_contact(db, student, ContactInput(name=name, **fields), now)


def counts(db):
    return (db.scalar("SELECT count(*) FROM contacts"),
            db.scalar("SELECT count(*) FROM tasks WHERE kind = 'referral_outreach' AND done_at IS NULL"))


def people(db, student):
    with db.reading() as cur:
        return referrals._people(cur, student)


@pytest.mark.parametrize("suggested, expected", [
    (referrals.Referral("Ben Ode", linkedin_url="https://www.linkedin.com/in/ben-ode"), "ben"),  # URL alone
    (referrals.Referral("B. Ode", email="BEN@contoso.com"), "ben"),                          # email, any case
    (referrals.Referral("ben  ode", organisation="CONTOSO"), "ben"),                         # name + organisation
    (referrals.Referral("Ben Ode", organisation="Fabrikam"), None),                          # same name elsewhere
    (referrals.Referral("Zoe Quist", organisation="Contoso"), None),                          # nobody like that
])
def test_certain_matches_by_url_email_then_name_and_organisation(db, student, now, suggested, expected):
    ids = {"ben": add(db, student, now, "Ben Ode", organisation="Contoso", email="ben@contoso.com",
                      linkedin_url="https://www.linkedin.com/in/ben-ode")}
    found, maybe = referrals.match(people(db, student), suggested)
    assert found == (ids[expected] if expected else None)
    assert maybe == []


def test_near_names_and_bare_names_are_unsure(db, student, now):
    ben = add(db, student, now, "Benjamin Ode", organisation="Contoso", role="Analyst")
    sam = add(db, student, now, "Sam Lee")
    found, maybe = referrals.match(people(db, student), referrals.Referral("Benjamin Odé", organisation="Contoso"))
    assert (found, [p["id"] for p in maybe]) == (None, [ben])
    found, maybe = referrals.match(people(db, student), referrals.Referral("Sam Lee"))   # no organisation to tell
    assert (found, [p["id"] for p in maybe]) == (None, [sam])


def test_two_same_named_people_are_told_apart_in_the_question(db, student, now):
    add(db, student, now, "Sam Lee", organisation="Contoso", role="Designer")
    add(db, student, now, "Sam Lee", organisation="Fabrikam", how_met="Career fair")
    with db.write(student_id=student) as cur, pytest.raises(referrals.UnsureMatch) as caught:
        referrals.record(cur, student, [(1, referrals.Referral("Sam Lee"))], referred_by=None, referrer_name="Carla",
                         how_met="x", today=TODAY, now=now)
    labels = sorted(c.label for c in caught.value.questions[0].candidates)
    assert labels == ["Sam Lee · Designer, Contoso", "Sam Lee · Fabrikam · Career fair"]


def test_a_reply_naming_someone_already_known_warms_them_and_adds_no_twin(db, student, now):
    carla = add(db, student, now, "Carla Diaz", source="alumni")
    dana = add(db, student, now, "Dana Wu", organisation="City Museum")          # cold, from LinkedIn
    rid = outreach.log_request(db, student, carla, "email", date(2026, 11, 16), None, TODAY, now)
    assert counts(db) == (2, 0)
    outcome = outreach.record_reply(db, student, rid, TODAY, "referred", TODAY, now,
                                    {"name": "dana wu", "organisation": "City  museum"})
    assert (outcome.added, outcome.matched) == ([], [dana])
    assert counts(db) == (2, 1)
    record = network.get_contact(db, student, dana)
    assert (record["warmth"], record["source"], record["referred_by"]) == ("warm", "referral", carla)


def test_an_unsure_referral_writes_nothing_until_the_student_answers(db, student, now):
    iid, carla = agreed_conversation(db, student, "Carla Diaz", datetime(2026, 11, 19, 10))
    sam = add(db, student, now, "Sam Lee", source="family")
    before = counts(db)
    log = prep.ConversationLog(status="held", takeaways="x", referrals=[{"name": "Sam Lee"}, {"name": "Ben Ode"}])
    with pytest.raises(referrals.UnsureMatch) as caught:
        prep.log_conversation(db, student, iid, log, TODAY, now)
    assert [(q.row, q.name) for q in caught.value.questions] == [(1, "Sam Lee")]
    assert counts(db) == before                                                 # nothing half-written
    assert db.scalar("SELECT status FROM interviews WHERE id = ?", [iid]) == "scheduled"

    log.referral_answers = {1: sam}                                             # "the same person"
    outcome = prep.log_conversation(db, student, iid, log, TODAY, now)
    assert outcome.matched == [sam] and len(outcome.added) == 1
    assert counts(db) == (before[0] + 1, 2)
    assert network.get_contact(db, student, sam)["source"] == "family"          # warm already: kept as it was
    prep.log_conversation(db, student, iid, log, TODAY, now)                    # saved again: nothing doubles
    assert counts(db) == (before[0] + 1, 2)


def test_answering_new_person_adds_them(db, student, now):
    iid, _ = agreed_conversation(db, student, "Carla Diaz", datetime(2026, 11, 19, 10))
    add(db, student, now, "Sam Lee", source="family")
    log = prep.ConversationLog(status="held", referrals=[{"name": "Sam Lee"}], referral_answers={1: referrals.NEW_PERSON})
    outcome = prep.log_conversation(db, student, iid, log, TODAY, now)
    assert len(outcome.added) == 1
    assert db.scalar("SELECT count(*) FROM contacts WHERE name = 'Sam Lee'") == 2


def test_bad_referral_rows_are_named(db, student, now):
    iid, _ = agreed_conversation(db, student, "Carla Diaz", datetime(2026, 11, 19, 10))
    with pytest.raises(InvalidRows, match="Referral 2, Email"):
        prep.log_conversation(db, student, iid, prep.ConversationLog(
            status="held", referrals=[{"name": "A"}, {"name": "B", "email": "not an email"}]), TODAY, now)


def test_a_reply_is_recorded_once(db, student, now):
    carla = add(db, student, now, "Carla Diaz", source="alumni")
    rid = outreach.log_request(db, student, carla, "email", date(2026, 11, 16), None, TODAY, now)
    outreach.record_reply(db, student, rid, TODAY, "referred", TODAY, now, {"name": "Ben Ode"})
    with pytest.raises(Exception, match="already recorded"):
        outreach.record_reply(db, student, rid, TODAY, "referred", TODAY, now, {"name": "Ben Ode"})
    assert counts(db) == (2, 1)
    assert db.scalar("SELECT count(*) FROM touches WHERE kind = 'reply'") == 1


def test_a_log_without_referrals_says_none_were_asked_for_and_keeps_the_window(db, student, now):
    iid, _ = agreed_conversation(db, student, "Carla Diaz", datetime(2026, 11, 19, 10))
    prep.log_conversation(db, student, iid, prep.ConversationLog(status="held"), TODAY, now)
    assert db.rows("SELECT asked_referrals, thank_you_hours FROM interviews WHERE id = ?", [iid]) == [(False, 24)]


def test_a_referral_already_being_asked_needs_no_reach_out_and_dates_are_the_referrals(db, student, now):
    """The tester's case: Jordan was asked on 5 Nov; Sam suggests Jordan on 12 Nov."""
    from datetime import timedelta
    from lib import followup
    sam = add(db, student, now, "Sam Rivera", source="alumni", organisation="Contoso")
    jordan = add(db, student, now, "Jordan Lee", organisation="Contoso", role="Epidemiologist")
    outreach.log_request(db, student, jordan, "email", date(2026, 11, 16), None, TODAY, now)
    rid = outreach.log_request(db, student, sam, "email", date(2026, 11, 10), None, TODAY, now)
    outreach.record_reply(db, student, rid, TODAY, "referred", TODAY, now, {"name": "Jordan Lee", "organisation": "Contoso"})
    table = followup.referrals_table(db, student, TODAY)
    assert table[["Referral", "Suggested by"]].values.tolist() == [["Jordan Lee · Epidemiologist, Contoso", "Sam Rivera"]]
    assert table["Since"].iloc[0].date() == TODAY and table["Contacted on"].iloc[0].date() == TODAY
    due = followup.due_items(db, student, TODAY, now, horizon_days=14)
    assert not due["title"].str.startswith("Reach out to Jordan").any()
    # suggested again later by someone else, once the first request has run its course: a new to-do
    later = TODAY + timedelta(days=30)
    carla = add(db, student, now, "Carla Diaz", source="alumni")
    rid2 = outreach.log_request(db, student, carla, "email", later - timedelta(days=2), None, later, now)
    outreach.record_reply(db, student, rid2, later, "referred", later, now + timedelta(days=30),
                          {"name": "Jordan Lee", "organisation": "Contoso"})
    table = followup.referrals_table(db, student, later)
    assert table["Suggested by"].tolist() == ["Carla Diaz", "Sam Rivera"] and table["Days waiting"].iloc[0] == 0

"""Bad input everywhere, at the engine: hostile text is stored exactly as typed (it is data),
oversized text and impossible dates are refused naming the field, and a refusal writes
nothing."""
import functools
from datetime import date, timedelta

import pytest

from lib import coaching, exports, followup, network, outreach, prep
from lib.models import InvalidInput, InvalidRows
from lib.network import ContactInput, OrganisationInput
from lib.students import create_student
from tests.conftest import TODAY
from tests.factories import agreed_conversation, on
from tests.reliability.payloads import PAYLOADS

FREE_TEXT = ("name", "role", "organisation", "how_met", "notes")
# What this module saw happen, counted as the tests run (test_zz_... records it): a crash is
# any exception from the engine other than a refusal naming the field (InvalidInput,
# InvalidRows); a half-written refusal changed a row count before refusing.
SEEN = {"crashes": 0, "half_written": 0}


def counted(test):
    """Count an unexpected exception (not a failed assertion) as a crash, then let it fail the test."""
    @functools.wraps(test)
    def run(*args, **kwargs):
        try:
            return test(*args, **kwargs)
        except AssertionError:
            raise
        except Exception:
            SEEN["crashes"] += 1
            raise
    return run


@pytest.fixture
def student(db, now):
    prep.sync_question_bank(db, now)
    return create_student(db, "Ada Lovelace")


@pytest.mark.parametrize("payload", PAYLOADS)
@counted
def test_hostile_text_is_stored_as_typed(db, student, now, payload):
    fields = {f: f"{payload} {f}" for f in FREE_TEXT}
    cid = network.add_contact(db, student, ContactInput(source="other", **fields), now)
    record = network.get_contact(db, student, cid)
    assert {f: record[f] for f in FREE_TEXT} == {f: " ".join(fields[f].split()) if f == "organisation" else fields[f]
                                                   for f in FREE_TEXT}
    network.save_organisations(db, student, [OrganisationInput(1, None, f"{payload} org", payload, 2, 2)], now)
    rid = outreach.log_request(db, student, cid, "email", TODAY, payload, TODAY, now)
    assert db.scalar("SELECT message FROM outreach_requests WHERE id = ?", [rid]) == payload
    followup.log_touch(db, student, cid, "update", TODAY, None, payload, TODAY, now)
    coaching.record_session(db, student, TODAY, payload, payload, "shared", [{"text": payload, "due_on": TODAY}],
                            TODAY, now)
    csv_text = exports.contacts_csv(db, student, TODAY)
    for line in csv_text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.startswith(("=", "+", "-", "@")), cell        # formulas neutralised


@pytest.mark.parametrize("call, field", [
    (lambda db, s, c, n: network.add_contact(db, s, ContactInput(name="x" * 121), n), "Name"),
    (lambda db, s, c, n: network.add_contact(db, s, ContactInput(name="A", notes="n" * 5001), n), "Notes"),
    (lambda db, s, c, n: network.add_contact(db, s, ContactInput(name="A", email="a@b@c"), n), "Email"),
    (lambda db, s, c, n: network.add_contact(db, s, ContactInput(name="A", linkedin_url="data:text/html,x"), n),
     "LinkedIn URL"),
    (lambda db, s, c, n: outreach.log_request(db, s, c, "email", TODAY + timedelta(days=3650), None, TODAY, n),
     "Date sent"),
    (lambda db, s, c, n: outreach.log_request(db, s, c, "email", date(1900, 1, 1), None, TODAY, n), "Date sent"),
    (lambda db, s, c, n: outreach.log_request(db, s, c, "email", TODAY, "m" * 5001, TODAY, n), "Message"),
    (lambda db, s, c, n: followup.log_touch(db, s, c, "update", TODAY + timedelta(days=1), None, None, TODAY, n),
     "Date"),
    (lambda db, s, c, n: followup.log_touch(db, s, c, "update", TODAY, None, "t" * 2001, TODAY, n), "Note"),
    (lambda db, s, c, n: followup.record_landed(db, s, TODAY, " ", TODAY, n), "What you landed"),
    (lambda db, s, c, n: followup.snooze(db, s, "task:x", date(9999, 1, 1), TODAY), "Snooze until"),
    (lambda db, s, c, n: coaching.record_session(db, s, TODAY + timedelta(days=1), None, None, "shared", [],
                                                 TODAY, n), "Date"),
    (lambda db, s, c, n: prep.add_question(db, s, "q" * 301, "advice", "advice", 2, n), "Question"),
    (lambda db, s, c, n: create_student(db, "A", class_year="20x7"), "class year"),
])
@counted
def test_refusals_name_the_field_and_write_nothing(db, student, now, call, field):
    cid = network.add_contact(db, student, ContactInput(name="Carla", source="alumni"), now)
    tables = ("students", "contacts", "outreach_requests", "touches", "advising_sessions", "questions", "snoozes",
              "tasks")
    before = {t: db.scalar(f"SELECT count(*) FROM {t}") for t in tables}
    with pytest.raises((InvalidInput, InvalidRows)) as caught:
        call(db, student, cid, now)
    assert field in str(caught.value)
    after = {t: db.scalar(f"SELECT count(*) FROM {t}") for t in tables}
    SEEN["half_written"] += after != before
    assert after == before


@counted
def test_a_logged_conversation_with_hostile_text_round_trips(db, student, now):
    iid, _ = agreed_conversation(db, student, "Carla", on(19))
    log = prep.ConversationLog(status="held", notes=PAYLOADS[0], takeaways=PAYLOADS[1], closing_answers=PAYLOADS[2],
                               referrals=[{"name": PAYLOADS[11], "organisation": PAYLOADS[12]}])
    added = prep.log_conversation(db, student, iid, log, TODAY, now)
    assert network.get_contact(db, student, added.added[0])["name"] == PAYLOADS[11]
    assert db.rows("SELECT notes, takeaways FROM interviews WHERE id = ?", [iid]) == [(PAYLOADS[0], PAYLOADS[1])]
    html = prep.sheet_html(prep.sheet(db, student, iid))
    assert "<script>alert" not in html and "<img src" not in html


@counted
def test_hostile_text_through_the_linkedin_import_and_the_map_editor(db, student, now):
    import csv
    import io
    from lib import linkedin
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"])
    for i, payload in enumerate(PAYLOADS):
        writer.writerow([payload, f"#{i}", f"https://www.linkedin.com/in/p{i}", "", payload, payload, "06 Dec 2023"])
    writer.writerow(["Bad", "Email", "https://www.linkedin.com/in/bad", "<script>@x", "Org", "Role", "06 Dec 2023"])
    writer.writerow(["Far", "Future", "https://www.linkedin.com/in/far", "", "Org", "Role", "06 Dec 2099"])
    parsed = linkedin.parse(out.getvalue().encode("utf-8"), TODAY)
    # an unusable email or date: the person comes in without it, the line is a warning (issue 16 item 7)
    assert parsed.invalid == []
    assert [row["line"] for row in parsed.warnings] == [len(PAYLOADS) + 2, len(PAYLOADS) + 3]
    linkedin.commit(db, student, parsed, filename="hostile.csv", now=now)
    stored = set(db.rows("SELECT name, role, email, connected_on FROM contacts WHERE source = 'linkedin'"))
    assert stored == {(f"{p} #{i}", p, None, date(2023, 12, 6)) for i, p in enumerate(PAYLOADS)} | \
        {("Bad Email", "Role", None, date(2023, 12, 6)), ("Far Future", "Role", None, None)}
    result = network.add_many(db, student, "family", [{"name": p + " (family)", "how_met": p} for p in PAYLOADS], now)
    assert result.added == len(PAYLOADS)
    with pytest.raises(InvalidRows, match="Row 2, Email"):
        network.add_many(db, student, "family", [{"name": "ok"}, {"name": "x", "email": PAYLOADS[0]}], now)


def test_zz_record_the_bad_input_figures(request):
    """Counts what this module tried (runs last in the module)."""
    from tests.reliability.figures import record
    module = request.node.module
    # contact fields, organisation, message, touch, session; import (3 cells) and map editor (2 cells)
    stored = len(PAYLOADS) * (len(FREE_TEXT) + 5 + 3 + 2)
    refused = len([m for m in request.session.items if m.module is module
                   and m.originalname == "test_refusals_name_the_field_and_write_nothing"])
    record("bad input at the engine", hostile_values_stored=stored, refusals_tried=refused,
           crashes=SEEN["crashes"], half_written=SEEN["half_written"])

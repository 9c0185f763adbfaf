"""AppTest: the Outreach page — compose with live checks, log as sent, record the reply,
schedule the conversation (which creates the interview), and the 3B7 do-today list."""
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from lib import network, outreach
from lib.network import ContactInput
from lib.students import create_student
from tests.app.test_pages import app_db, key, open_page
from tests.conftest import TODAY


@pytest.fixture
def db(isolated_env):
    database = app_db(isolated_env / "coffeechat.duckdb")
    sid = create_student(database, "Ada Lovelace", school="Lakeside University", major="History")
    database.student = sid
    return database


def add(db, name, **fields):
    from lib import clock
    return network.add_contact(db, db.student, ContactInput(name=name, **fields), clock.moment_of(TODAY))


def outreach_page(tab: str | None = None) -> AppTest:
    return open_page("pages/outreach.py", {"outreach_tab": tab} if tab else None)


def text_of(at) -> str:
    return " ".join(e.value for kind in ("markdown", "success", "warning", "error", "info", "caption")
                    for e in getattr(at, kind))


def submit(at: AppTest, form: str, field: str, label: str) -> AppTest:
    """Click a form's submit button: the st.form is keyed by form.key(field)."""
    at.button(key=f"FormSubmitter:{key(at, form, field)}-{label}").click().run()
    assert not at.exception, at.exception
    return at


def buttons(at: AppTest) -> set:
    return {b.key for b in at.button}


def test_compose_log_reply_schedule(db):
    carla = add(db, "Carla Diaz", source="alumni", organisation="City Museum", role="Curator",
                email="carla@museum.example.org")
    at = outreach_page()
    assert at.session_state["outreach_tab"] == "Compose"          # nothing sent yet
    # the picker starts on nothing: no draft for a contact the student never chose
    assert at.selectbox(key=key(at, "compose", "contact")).value is None
    assert key(at, "compose", "text") not in [t.key for t in at.text_area]
    at.selectbox(key=key(at, "compose", "contact")).set_value(carla).run()
    assert not at.exception, at.exception
    assert at.radio(key=key(at, "compose", "channel")).value == "email"
    draft = at.text_area(key=key(at, "compose", "text")).value
    assert draft.startswith("Hi Carla,") and "Lakeside University alumni network" in draft
    assert "Connection first" in text_of(at)

    # edit the draft: the checks notice a job request
    at.text_area(key=key(at, "compose", "text")).input(draft + "\nDo you have any internships?").run()
    assert "'internships'" in text_of(at)

    submit(at, "compose", "log", "Log as sent")
    assert "Request logged: Carla Diaz" in text_of(at).replace("**", "")
    assert db.rows("SELECT channel, sent_on, message LIKE 'Hi Carla,%' FROM outreach_requests") == [
        ("email", TODAY, True)]
    # the composer is cleared: nothing left on screen to log a second time
    assert at.selectbox(key=key(at, "compose", "contact")).value is None
    assert f"FormSubmitter:{key(at, 'compose', 'log')}-Log as sent" not in buttons(at)
    assert db.scalar("SELECT count(*) FROM outreach_requests") == 1

    at.session_state["outreach_tab"] = "Requests"
    at.run()
    request_id = db.scalar("SELECT CAST(id AS VARCHAR) FROM outreach_requests")
    assert at.selectbox(key=key(at, "reply", "request")).value is None     # whose reply: the student says
    at.selectbox(key=key(at, "reply", "request")).set_value(request_id)
    at.radio(key=key(at, "reply", "outcome")).set_value("agreed")
    submit(at, "reply", "form", "Save the reply")
    assert "Reply recorded: agreed" in text_of(at)
    assert db.rows("SELECT outcome, replied_on FROM outreach_requests") == [("agreed", TODAY)]
    assert db.scalar("SELECT count(*) FROM touches WHERE kind = 'reply'") == 1
    assert "No request is waiting for a reply." in text_of(at)      # nothing left to record twice
    assert f"FormSubmitter:{key(at, 'reply', 'form')}-Save the reply" not in buttons(at)

    assert at.selectbox(key=key(at, "schedule", "request")).value is None
    at.selectbox(key=key(at, "schedule", "request")).set_value(request_id)
    submit(at, "schedule", "form", "Schedule")
    assert db.rows("SELECT status, length_minutes, format, CAST(scheduled_at AS DATE) FROM interviews") == [
        ("scheduled", 30, "video", date(2026, 11, 27))]
    assert "Conversation scheduled for Friday 27 November at 10:00" in text_of(at)
    assert "Nobody is waiting to be scheduled" in text_of(at)       # nobody left to schedule twice
    assert db.scalar("SELECT count(*) FROM interviews") == 1


def test_a_bad_reply_date_is_named_and_nothing_changes(db):
    carla = add(db, "Carla Diaz", email="carla@museum.example.org")
    from lib import clock
    request_id = outreach.log_request(db, db.student, carla, "email", TODAY, None, TODAY, clock.moment_of(TODAY))
    at = outreach_page("Requests")
    at.selectbox(key=key(at, "reply", "request")).set_value(request_id)
    at.date_input(key=key(at, "reply", "date")).set_value(date(2026, 11, 1))
    submit(at, "reply", "form", "Save the reply")
    assert "**Reply date**" in at.error[0].value
    assert db.scalar("SELECT count(*) FROM outreach_requests WHERE replied_on IS NOT NULL") == 0
    assert db.scalar("SELECT count(*) FROM touches") == 0
    # the input is kept, to correct
    assert at.selectbox(key=key(at, "reply", "request")).value == request_id
    assert at.date_input(key=key(at, "reply", "date")).value == date(2026, 11, 1)


def test_do_today_follow_up_and_second_contact(db):
    from lib import clock
    now = clock.moment_of(TODAY)
    bea = add(db, "Bea Ode", organisation="Contoso", email="bea@contoso.example.org")
    yan = add(db, "Yan Li", organisation="Contoso", source="alumni")
    rid = outreach.log_request(db, db.student, bea, "email", date(2026, 11, 11), None, TODAY, now)  # 7 days
    at = outreach_page()
    assert at.session_state["outreach_tab"] == "Do today"
    assert at.metric[3].value == "2"                                # follow up Bea; approach a second person
    at.button(key=f"today_next_{rid}").click().run()                # "Write to Yan Li"
    assert not at.exception, at.exception
    assert at.session_state["outreach_tab"] == "Compose"
    assert at.selectbox(key=key(at, "compose", "contact")).value == yan
    assert at.text_area(key=key(at, "compose", "text")).value.startswith("Hi Yan")
    at.session_state["outreach_tab"] = "Do today"
    at.run()
    at.button(key=f"today_sent_{rid}").click().run()
    assert not at.exception, at.exception
    assert db.rows("SELECT follow_up_sent_on FROM outreach_requests") == [(TODAY,)]
    assert "Follow-up logged" in text_of(at)
    assert f"today_sent_{rid}" not in buttons(at)                   # done: no second click to make
    assert at.metric[3].value == "1"
    assert db.scalar("SELECT count(*) FROM outreach_requests") == 1


def test_write_it_drafts_the_follow_up_and_logs_it_with_its_request(db):
    from lib import clock
    now = clock.moment_of(TODAY)
    bea = add(db, "Bea Ode", organisation="Contoso", email="bea@contoso.example.org")
    rid = outreach.log_request(db, db.student, bea, "email", date(2026, 11, 11), None, TODAY, now)  # 7 days
    at = outreach_page()
    at.button(key=f"today_write_{rid}").click().run()               # "Write it" on the follow-up
    assert not at.exception, at.exception
    assert at.session_state["outreach_tab"] == "Compose"
    assert at.selectbox(key=key(at, "compose", "contact")).value == bea
    assert "Writing the one 3B7 follow-up" in text_of(at)
    assert f"FormSubmitter:{key(at, 'compose', 'log')}-Log as sent" not in buttons(at)
    submit(at, "compose", "log", "Log the follow-up as sent")
    assert "Follow-up logged: Bea Ode" in text_of(at).replace("**", "")
    assert db.rows("SELECT CAST(id AS VARCHAR), follow_up_sent_on FROM outreach_requests") == [(rid, TODAY)]
    assert at.selectbox(key=key(at, "compose", "contact")).value is None   # cleared: nothing to log twice
    at.session_state["outreach_tab"] = "Do today"
    at.run()
    assert f"today_write_{rid}" not in buttons(at) and f"today_sent_{rid}" not in buttons(at)


def test_a_referral_already_in_the_network_is_asked_about_then_warmed_not_duplicated(db):
    from lib import clock
    now = clock.moment_of(TODAY)
    carla = add(db, "Carla Diaz", email="carla@museum.example.org")
    yan = add(db, "Yan Li", organisation="Contoso", source="linkedin")           # cold, found on LinkedIn
    request_id = outreach.log_request(db, db.student, carla, "email", date(2026, 11, 16), None, TODAY, now)
    at = outreach_page("Requests")
    at.selectbox(key=key(at, "reply", "request")).set_value(request_id)
    at.radio(key=key(at, "reply", "outcome")).set_value("referred")
    at.text_input(key=key(at, "reply", "referral")).input("Yann Li")          # a near name, at the same place
    at.text_input(key=key(at, "reply", "referral_org")).input("Contoso")
    submit(at, "reply", "form", "Save the reply")
    # unsure: asked, and nothing written until answered; what was typed stays
    assert "may already be in your network" in " ".join(w.value for w in at.warning)
    assert db.scalar("SELECT count(*) FROM outreach_requests WHERE replied_on IS NOT NULL") == 0
    assert db.scalar("SELECT count(*) FROM contacts") == 2
    assert at.text_input(key=key(at, "reply", "referral")).value == "Yann Li"
    question = at.selectbox(key=key(at, "reply", "answer_1"))
    assert question.value is None and question.options[-1].startswith("Someone new: add Yann Li")
    question.set_value(yan)
    submit(at, "reply", "form", "Save the reply")
    assert "Their referral was already in your network" in at.success[0].value
    assert db.scalar("SELECT count(*) FROM contacts") == 2                    # no twin
    assert db.rows("SELECT warmth, source, CAST(referred_by AS VARCHAR) FROM contacts WHERE name = 'Yan Li'") == [
        ("warm", "referral", carla)]
    assert db.rows("SELECT kind, CAST(contact_id AS VARCHAR) FROM tasks") == [("referral_outreach", yan)]
    assert db.rows("SELECT outcome FROM outreach_requests") == [("referred",)]
    assert "No request is waiting for a reply." in text_of(at)               # nothing left to record twice

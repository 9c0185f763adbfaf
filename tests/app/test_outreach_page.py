"""AppTest: the Outreach page — compose with live checks, log as sent, record the reply,
schedule the conversation (which creates the interview), and the 3B7 do-today list."""
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from lib import network, outreach
from lib.network import ContactInput
from lib.students import create_student
from tests.app.test_pages import app_db, open_page
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


def test_compose_log_reply_schedule(db):
    carla = add(db, "Carla Diaz", source="alumni", organisation="City Museum", role="Curator",
                email="carla@museum.example.org")
    at = outreach_page()
    assert at.session_state["outreach_tab"] == "Compose"          # nothing sent yet
    at.selectbox(key="compose_contact").set_value(carla).run()
    assert not at.exception, at.exception
    assert at.radio(key="compose_channel").value == "email"
    draft = at.text_area(key="compose_text").value
    assert draft.startswith("Hi Carla,") and "Lakeside University alumni network" in draft
    assert "Connection first" in text_of(at)

    # edit the draft: the checks notice a job request
    at.text_area(key="compose_text").input(draft + "\nDo you have any internships?").run()
    assert "'internships'" in text_of(at)

    at.button(key="FormSubmitter:compose_log-Log as sent").click().run()
    assert not at.exception, at.exception
    assert "Request logged: Carla Diaz" in text_of(at).replace("**", "")
    assert db.rows("SELECT channel, sent_on, message LIKE 'Hi Carla,%' FROM outreach_requests") == [
        ("email", TODAY, True)]

    at.session_state["outreach_tab"] = "Requests"
    at.run()
    request_id = db.scalar("SELECT CAST(id AS VARCHAR) FROM outreach_requests")
    assert at.selectbox(key="reply_request").value == request_id
    at.radio(key="reply_outcome").set_value("agreed")
    at.button(key="FormSubmitter:reply_form-Save the reply").click().run()
    assert not at.exception, at.exception
    assert "Reply recorded: agreed" in text_of(at)
    at.selectbox(key="schedule_request").set_value(request_id)
    at.button(key="FormSubmitter:schedule_form-Schedule").click().run()
    assert not at.exception, at.exception
    assert db.rows("SELECT status, length_minutes, format, CAST(scheduled_at AS DATE) FROM interviews") == [
        ("scheduled", 30, "video", date(2026, 11, 27))]
    assert "Conversation scheduled for Friday 27 November at 10:00" in text_of(at)


def test_a_bad_reply_date_is_named_and_nothing_changes(db):
    carla = add(db, "Carla Diaz", email="carla@museum.example.org")
    from lib import clock
    outreach.log_request(db, db.student, carla, "email", TODAY, None, TODAY, clock.moment_of(TODAY))
    at = outreach_page("Requests")
    at.date_input(key="reply_date").set_value(date(2026, 11, 1))
    at.button(key="FormSubmitter:reply_form-Save the reply").click().run()
    assert "**Reply date**" in at.error[0].value
    assert db.scalar("SELECT count(*) FROM outreach_requests WHERE replied_on IS NOT NULL") == 0


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
    assert at.session_state["outreach_tab"] == "Compose" and at.session_state["compose_contact"] == yan
    at.session_state["outreach_tab"] = "Do today"
    at.run()
    at.button(key=f"today_sent_{rid}").click().run()
    assert db.rows("SELECT follow_up_sent_on FROM outreach_requests") == [(TODAY,)]
    assert "Follow-up logged" in text_of(at)

"""AppTest: the Follow-ups page — done and snooze on the due queue, recording a thank-you,
logging a touch, and the export downloads."""
from datetime import datetime, timedelta

import pytest

from lib.students import create_student
from tests.app.test_pages import app_db, open_page
from tests.conftest import TODAY
from tests.factories import agreed_conversation, on


@pytest.fixture
def yesterday_with_carla(isolated_env):
    """Ada held a conversation with Carla yesterday: a thank-you is due today."""
    db = app_db(isolated_env / "coffeechat.duckdb")
    sid = create_student(db, "Ada Lovelace")
    iid, carla = agreed_conversation(db, sid, "Carla Diaz", on(19), held=True, takeaways="Build a portfolio.",
                                     email="carla@x.example.org")
    return db, iid, carla


def test_done_logs_the_thank_you_and_the_queue_shrinks(yesterday_with_carla):
    db, iid, _ = yesterday_with_carla
    at = open_page("pages/follow_up.py")
    assert at.metric[1].value == "1"                                   # due today: the thank-you
    at.button(key=f"done_thank_you:{iid}").click().run()
    assert not at.exception, at.exception
    assert at.metric[1].value == "0"
    assert db.scalar("SELECT thank_you_sent_at IS NOT NULL FROM interviews") is True
    assert db.rows("SELECT kind FROM touches WHERE kind = 'thank_you'") == [("thank_you",)]


def test_snooze_hides_an_item_until_its_date(yesterday_with_carla):
    db, iid, _ = yesterday_with_carla
    at = open_page("pages/follow_up.py")
    key = f"thank_you:{iid}"
    at.date_input(key=f"snooze_date_{key}").set_value(TODAY + timedelta(days=2))
    at.button(key=f"snooze_{key}").click().run()
    assert "Snoozed until Sunday 22 November" in at.success[0].value
    assert db.rows("SELECT item_key, until_on FROM snoozes") == [(key, TODAY + timedelta(days=2))]
    assert at.metric[1].value == "0"


def test_thank_you_composer_and_touch_log(yesterday_with_carla):
    db, iid, carla = yesterday_with_carla
    at = open_page("pages/follow_up.py", {"follow_tab": "Thank-yous"})
    at.selectbox(key="ty_interview").set_value(iid).run()
    assert "Your point about build a portfolio stayed with me" in at.text_area(key="ty_text").value
    at.time_input(key="ty_time").set_value(datetime(2026, 11, 20, 9, 0).time())
    at.button(key="FormSubmitter:ty_form-Record as sent").click().run()
    assert not at.exception, at.exception
    assert db.scalar("SELECT thank_you_sent_at FROM interviews") == datetime(2026, 11, 20, 9, 0)
    at.session_state["follow_tab"] = "Keep in touch"
    at.run()
    at.selectbox(key="touch_kind").set_value("advice_followed")
    at.text_input(key="touch_note").input("Started the portfolio")
    at.button(key="FormSubmitter:touch_form-Log it").click().run()
    assert db.rows("SELECT kind, note FROM touches WHERE kind = 'advice_followed'") == [
        ("advice_followed", "Started the portfolio")]


def test_exports_are_offered(yesterday_with_carla):
    at = open_page("pages/follow_up.py", {"follow_tab": "Export"})
    assert [b.proto.label for b in at.get("download_button")] == ["Calendar (.ics)", "Contacts and touches (.csv)"]

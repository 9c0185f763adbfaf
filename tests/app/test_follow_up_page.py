"""AppTest: the Follow-ups page — done and snooze on the due queue, recording a thank-you,
logging a touch, and the export downloads."""
from datetime import datetime, timedelta

import pytest

from lib.students import create_student
from tests.app.test_pages import app_db, key, open_page
from tests.conftest import TODAY
from tests.factories import agreed_conversation, on


@pytest.fixture
def yesterday_with_carla(isolated_env):
    """Ada held a conversation with Carla yesterday afternoon: a thank-you is due today (its
    24-hour deadline, 14:30, is still ahead at the frozen noon; after it, the item is overdue)."""
    db = app_db(isolated_env / "coffeechat.duckdb")
    sid = create_student(db, "Ada Lovelace")
    iid, carla = agreed_conversation(db, sid, "Carla Diaz", on(19, 14), held=True, takeaways="Build a portfolio.",
                                     email="carla@x.example.org")
    return db, iid, carla


def buttons(at) -> set:
    return {b.key for b in at.button}


def test_done_logs_the_thank_you_and_the_queue_shrinks(yesterday_with_carla):
    db, iid, _ = yesterday_with_carla
    at = open_page("pages/follow_up.py")
    assert [m.value for m in at.metric[:2]] == ["0", "1"]              # due today, not overdue: the thank-you
    at.button(key=key(at, "due", f"done_thank_you:{iid}")).click().run()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric[:2]] == ["0", "0"]
    assert db.scalar("SELECT thank_you_sent_at IS NOT NULL FROM interviews") is True
    assert db.rows("SELECT kind FROM touches WHERE kind = 'thank_you'") == [("thank_you",)]
    assert key(at, "due", f"done_thank_you:{iid}") not in buttons(at)   # done: no second click to make


def test_snooze_hides_an_item_until_its_date(yesterday_with_carla):
    db, iid, _ = yesterday_with_carla
    at = open_page("pages/follow_up.py")
    item = f"thank_you:{iid}"
    assert at.metric[1].value == "1"
    at.date_input(key=key(at, "due", f"snooze_{item}")).set_value(TODAY + timedelta(days=2))
    at.button(key=key(at, "due", f"snooze_button_{item}")).click().run()
    assert not at.exception, at.exception
    assert "Snoozed until Sunday 22 November" in at.success[0].value
    assert db.rows("SELECT item_key, until_on FROM snoozes") == [(item, TODAY + timedelta(days=2))]
    assert [m.value for m in at.metric[:3]] == ["0", "0", "0"]         # hidden from the whole week
    assert key(at, "due", f"snooze_button_{item}") not in buttons(at)   # hidden: nothing to snooze twice


def test_thank_you_composer_and_touch_log(yesterday_with_carla):
    db, iid, carla = yesterday_with_carla
    at = open_page("pages/follow_up.py", {"follow_tab": "Thank-yous"})
    assert at.selectbox(key=key(at, "thanks", "interview")).value is None   # starts on nothing
    at.selectbox(key=key(at, "thanks", "interview")).set_value(iid).run()
    assert not at.exception, at.exception
    assert at.selectbox(key=key(at, "thanks", "takeaway")).value == "Build a portfolio."
    assert "One thing you said has stayed with me: build a portfolio." in \
        at.text_area(key=key(at, "thanks", "text")).value
    at.time_input(key=key(at, "thanks", "time")).set_value(datetime(2026, 11, 20, 9, 0).time())
    at.button(key=f"FormSubmitter:{key(at, 'thanks', 'form')}-Record as sent").click().run()
    assert not at.exception, at.exception
    assert "Thank-you recorded" in at.success[0].value
    assert db.scalar("SELECT thank_you_sent_at FROM interviews") == datetime(2026, 11, 20, 9, 0)
    assert db.scalar("SELECT count(*) FROM touches WHERE kind = 'thank_you'") == 1
    # no other thank-you is due: the composer is cleared, nothing left to record twice
    assert at.selectbox(key=key(at, "thanks", "interview")).value is None
    assert f"FormSubmitter:{key(at, 'thanks', 'form')}-Record as sent" not in buttons(at)

    at.session_state["follow_tab"] = "Keep in touch"
    at.run()
    assert at.selectbox(key=key(at, "touch", "contact")).value is None     # starts on nothing
    at.selectbox(key=key(at, "touch", "contact")).set_value(carla)
    at.selectbox(key=key(at, "touch", "kind")).set_value("advice_followed")
    at.text_input(key=key(at, "touch", "note")).input("Started the portfolio")
    at.button(key=f"FormSubmitter:{key(at, 'touch', 'form')}-Log it").click().run()
    assert not at.exception, at.exception
    assert "Touch logged" in at.success[0].value
    assert db.rows("SELECT CAST(contact_id AS VARCHAR), kind, note FROM touches WHERE kind = 'advice_followed'") == [
        (carla, "advice_followed", "Started the portfolio")]
    # the form is cleared; the same button again logs nothing
    assert at.selectbox(key=key(at, "touch", "contact")).value is None
    assert at.text_input(key=key(at, "touch", "note")).value == ""
    touches = db.scalar("SELECT count(*) FROM touches")
    at.button(key=f"FormSubmitter:{key(at, 'touch', 'form')}-Log it").click().run()
    assert not at.exception, at.exception
    assert "**Contact**" in at.error[0].value
    assert db.scalar("SELECT count(*) FROM touches") == touches


def test_thank_you_from_a_chosen_takeaway_then_on_to_the_next_one_due(isolated_env):
    db = app_db(isolated_env / "coffeechat.duckdb")
    sid = create_student(db, "Ada Lovelace")
    carla_iid, _ = agreed_conversation(db, sid, "Carla Diaz", on(19), held=True,
                                       takeaways="Build a portfolio. Talk to curators.\n- Learn SQL",
                                       email="carla@x.example.org")
    ben_iid, _ = agreed_conversation(db, sid, "Ben Ode", on(19, 14), held=True, takeaways="Read the annual report.")
    at = open_page("pages/follow_up.py", {"follow_tab": "Thank-yous"})
    at.selectbox(key=key(at, "thanks", "interview")).set_value(carla_iid).run()
    takeaway = at.selectbox(key=key(at, "thanks", "takeaway"))
    assert takeaway.options == ["Build a portfolio.", "Talk to curators.", "Learn SQL"]
    assert takeaway.value == "Build a portfolio."
    takeaway.set_value("Learn SQL").run()
    assert not at.exception, at.exception
    text = at.text_area(key=key(at, "thanks", "text")).value
    assert "One thing you said has stayed with me: learn SQL." in text
    assert "portfolio" not in text and "curators" not in text         # one takeaway, not the whole field
    at.time_input(key=key(at, "thanks", "time")).set_value(datetime(2026, 11, 20, 9, 0).time())
    at.button(key=f"FormSubmitter:{key(at, 'thanks', 'form')}-Record as sent").click().run()
    assert not at.exception, at.exception
    assert db.rows("SELECT CAST(id AS VARCHAR) FROM interviews WHERE thank_you_sent_at IS NOT NULL") == [(carla_iid,)]
    # on to the next one due, drafted from its own first takeaway
    assert at.selectbox(key=key(at, "thanks", "interview")).value == ben_iid
    assert at.selectbox(key=key(at, "thanks", "takeaway")).value == "Read the annual report."
    assert at.text_area(key=key(at, "thanks", "text")).value.startswith("Hi Ben,")
    assert db.scalar("SELECT count(*) FROM touches WHERE kind = 'thank_you'") == 1


def test_exports_are_offered(yesterday_with_carla):
    at = open_page("pages/follow_up.py", {"follow_tab": "Export"})
    assert [b.proto.label for b in at.get("download_button")] == ["Calendar (.ics)", "Contacts and touches (.csv)"]

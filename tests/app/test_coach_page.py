"""AppTest: the Coach page — the cohort table for a coach, saving an advising session with
an action item (once, however often Save is pressed), a student seeing only what the coach
shared, and a coach seeing every student page read-only (the kind app.py declares for it)."""
from datetime import date

import pytest

from lib import clock, coaching, demo
from lib.students import create_student
from tests.app.test_pages import app_db, key, open_page
from tests.conftest import TODAY


def test_coach_sees_the_cohort_and_the_stuck(isolated_env):
    demo.load_file(isolated_env / "demo.duckdb", students=6, as_of=TODAY)
    at = open_page("pages/coach.py", {"dataset": "demo", "role": "coach"})
    table = at.dataframe[0].value
    assert len(table) == 6 and {"Stage", "Stuck", "Reply rate", "Overdue"} <= set(table.columns)
    at.session_state["role"], at.session_state["dataset"] = "coach", "demo"
    at.toggle(key="coach_stuck").set_value(True).run()
    stuck = at.dataframe[0].value
    assert 0 < len(stuck) <= 6 and all(stuck["Stuck"].str.len() > 0)
    assert [c.key for c in at.get("plotly_chart")] == ["chart_cohort"]


def test_a_session_with_an_action_item_reaches_the_student(isolated_env):
    db = app_db(isolated_env / "coffeechat.duckdb")
    sid = create_student(db, "Ada Lovelace")
    at = open_page("pages/coach.py", {"role": "coach", "coach_tab": "Advising session"})
    save = f"FormSubmitter:{key(at, 'session', 'form')}-Save the session"
    at.text_input(key=key(at, "session", "coach")).input("Jo")
    at.text_area(key=key(at, "session", "notes")).input("Good progress; shared plan.")
    at.radio(key=key(at, "session", "visibility")).set_value("shared")
    at.session_state[key(at, "session", "actions")] = {
        "edited_rows": {}, "deleted_rows": [], "added_rows": [{"text": "Add five alumni", "due_on": "2026-11-27"}]}
    at.button(key=save).click().run()
    assert not at.exception, at.exception
    assert "Session saved. 1 action item now in Ada Lovelace's due list." in at.success[0].value
    assert db.rows("SELECT text, due_on FROM action_items") == [("Add five alumni", date(2026, 11, 27))]
    assert db.scalar("SELECT count(*) FROM advising_sessions") == 1

    # the form comes back empty, action items included: pressing Save again saves nothing twice
    save = f"FormSubmitter:{key(at, 'session', 'form')}-Save the session"
    assert at.text_area(key=key(at, "session", "notes")).value == ""
    assert at.data_editor(key=key(at, "session", "actions")).value.empty
    at.button(key=save).click().run()
    assert not at.exception, at.exception
    assert "Nothing was saved" in at.error[0].value
    assert db.scalar("SELECT count(*) FROM action_items") == 1
    assert db.scalar("SELECT count(*) FROM advising_sessions") == 1

    coaching.record_session(db, sid, TODAY, "Jo", "Only for me", "private", [], TODAY, clock.moment_of(TODAY))
    student = open_page("pages/coach.py", {"role": "student"})
    assert student.title[0].value == "From your coach"
    assert [t.value for t in student.text] == ["Good progress; shared plan."]      # whole notes, as text
    assert student.dataframe[0].value["Action item"].tolist() == ["Add five alumni"]


STUDENT_PAGES = {"pages/home.py": None, "pages/network.py": "network_tab", "pages/outreach.py": "outreach_tab",
                 "pages/prep.py": "prep_tab", "pages/follow_up.py": "follow_tab"}
TABS = {"network_tab": ("Contacts", "Map your network", "Target organisations", "Import from LinkedIn"),
        "outreach_tab": ("Do today", "Compose", "Requests"), "prep_tab": ("Checklist", "Questions", "Log the conversation"),
        "follow_tab": ("Due", "Thank-yous", "Keep in touch", "Referrals")}


def test_a_coach_sees_every_student_page_read_only(isolated_env):
    from lib import demo
    demo.load_file(isolated_env / "demo.duckdb", students=3, as_of=TODAY)
    before = app_db(isolated_env / "demo.duckdb").version
    for page, tab_key in STUDENT_PAGES.items():
        for tab in TABS.get(tab_key, (None,)):
            state = {"dataset": "demo", "role": "coach", **({tab_key: tab} if tab_key else {})}
            at = open_page(page, state)
            assert not at.exception, (page, tab, at.exception)
            assert at.session_state["_page_kind"] == "student", (page, tab)     # as app.py declares it
            assert "Coach view: you see" in at.info[0].value, (page, tab)
            # nothing to write with: no button at all (Reset the demo included), no editor, no upload
            assert [b.key for b in at.button] == [], (page, tab)
            assert not at.get("data_editor") and not at.get("file_uploader"), (page, tab)
            assert all(c.disabled for c in at.checkbox), (page, tab)
    assert app_db(isolated_env / "demo.duckdb").version == before      # nothing was written by looking


def test_a_coach_can_still_create_a_profile_after_looking_at_a_student_page(isolated_env):
    """The page kind is the current page's, never the last one visited (issue 14, item 7)."""
    from lib import demo
    demo.load_file(isolated_env / "demo.duckdb", students=2, as_of=TODAY)
    at = open_page("pages/network.py", {"dataset": "demo", "role": "coach"})
    assert "Coach view: you see" in at.info[0].value
    at.switch_page("pages/welcome.py").run()
    assert not at.exception, at.exception
    assert at.session_state["_page_kind"] == "setup"
    at.text_input(key="profile_name").input("Grace Hopper")
    at.button(key="FormSubmitter:welcome_profile-Create my profile").click().run()
    assert not at.exception, at.exception
    assert not at.error, at.error[0].value
    assert app_db(isolated_env / "coffeechat.duckdb").rows("SELECT name FROM students") == [("Grace Hopper",)]
    assert app_db(isolated_env / "demo.duckdb").scalar("SELECT count(*) FROM students WHERE NOT is_demo") == 0
    assert at.title[0].value == "Grace Hopper: progress"             # on to the new profile, in My data


def test_the_write_guard_refuses_and_internal_writes_pass(db):
    from lib.db import Database, ReadOnlyView
    Database.write_guard, saved = (lambda: "coach view"), Database.write_guard
    try:
        with pytest.raises(ReadOnlyView, match="coach view"):
            create_student(db, "Blocked")
        with db.write(internal=True) as cur:
            cur.execute("INSERT INTO meta VALUES ('k', 'v')")
    finally:
        Database.write_guard = saved
    assert db.scalar("SELECT count(*) FROM students") == 0

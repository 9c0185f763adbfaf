"""AppTest: the Coach page — the cohort table for a coach, saving an advising session with
an action item, and a student seeing only what the coach shared.

AppTest runs a page without app.py's sidebar, so the sidebar's "role" and "dataset" are
set again before every run (in the served app the sidebar keeps them)."""
from datetime import date

import pytest

from lib import clock, coaching, demo
from lib.students import create_student
from tests.app.test_pages import app_db, open_page
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
    at.text_input(key="session_coach").input("Jo")
    at.text_area(key="session_notes").input("Good progress; shared plan.")
    at.radio(key="session_visibility").set_value("shared")
    at.session_state["session_actions"] = {"edited_rows": {}, "deleted_rows": [],
                                           "added_rows": [{"text": "Add five alumni", "due_on": "2026-11-27"}]}
    at.session_state["role"] = "coach"
    at.button(key="FormSubmitter:session_form-Save the session").click().run()
    assert not at.exception, at.exception
    assert "Session saved" in at.success[0].value
    assert db.rows("SELECT text, due_on FROM action_items") == [("Add five alumni", date(2026, 11, 27))]
    coaching.record_session(db, sid, TODAY, "Jo", "Only for me", "private", [], TODAY, clock.moment_of(TODAY))
    student = open_page("pages/coach.py", {"role": "student"})
    assert student.title[0].value == "From your coach"
    assert student.dataframe[1].value["Notes"].tolist() == ["Good progress; shared plan."]
    assert student.dataframe[0].value["Action item"].tolist() == ["Add five alumni"]


STUDENT_PAGES = {"pages/home.py": None, "pages/network.py": "network_tab", "pages/outreach.py": "outreach_tab",
                 "pages/prep.py": "prep_tab", "pages/follow_up.py": "follow_tab"}
TABS = {"network_tab": ("Contacts", "Map your network", "Target organisations", "Import from LinkedIn"),
        "outreach_tab": ("Do today", "Compose", "Requests"), "prep_tab": ("Checklist", "Questions", "Log the conversation"),
        "follow_tab": ("Due", "Thank-yous", "Keep in touch", "Referrals")}
WRITE_KEYS = ("FormSubmitter:", "map_save", "orgs_save", "linkedin_commit", "done_", "today_", "prep_add",
              "prep_save_order", "contact_archive")


def test_a_coach_sees_every_student_page_read_only(isolated_env):
    from lib import demo
    demo.load_file(isolated_env / "demo.duckdb", students=3, as_of=TODAY)
    before = app_db(isolated_env / "demo.duckdb").version
    for page, tab_key in STUDENT_PAGES.items():
        for tab in TABS.get(tab_key, (None,)):
            state = {"dataset": "demo", "role": "coach", **({tab_key: tab} if tab_key else {})}
            at = open_page(page, state)
            assert not at.exception, (page, tab, at.exception)
            assert "Coach view: you see" in at.info[0].value, (page, tab)
            writes = [b.key for b in at.button if b.key and b.key.startswith(WRITE_KEYS)]
            assert writes == [], (page, tab, writes)
    assert app_db(isolated_env / "demo.duckdb").version == before      # nothing was written by looking


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

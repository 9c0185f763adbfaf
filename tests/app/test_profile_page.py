"""AppTest: My profile — edit the profile once, it feeds the drafts and the prep sheet; a
coach sees it read-only; a conversation's intro starts from the pitch and stays its own."""
from datetime import datetime

from lib import outreach, prep
from lib.students import create_student, get_student
from tests.app.test_pages import app_db, key, open_page
from tests.factories import agreed_conversation


def test_editing_the_profile_feeds_the_drafts_and_the_sheet(isolated_env):
    db = app_db(isolated_env / "coffeechat.duckdb")
    sid = create_student(db, "Ada Lovelace", pitch="I study history.")
    iid, carla = agreed_conversation(db, sid, "Carla Diaz", datetime(2026, 11, 27, 10), organisation="City Museum")
    at = open_page("pages/profile.py")
    assert at.title[0].value == "My profile"
    at.text_input(key=key(at, "my_profile", "school")).input("Lakeside University")
    at.text_input(key=key(at, "my_profile", "major")).input("History")
    at.text_input(key=key(at, "my_profile", "year")).input("2027")
    at.text_input(key=key(at, "my_profile", "fields")).input("museum education, public history")
    at.text_area(key=key(at, "my_profile", "pitch")).input("I study history at Lakeside. I hope to work in museums.")
    at.radio(key=key(at, "my_profile", "window")).set_value(48)
    at.get("form_submit_button")[0].click().run()
    assert not at.exception, at.exception
    assert "Profile saved" in at.success[0].value
    student = get_student(db, sid)
    assert (student["school"], student["major"], int(student["class_year"]), int(student["thank_you_hours"])) == (
        "Lakeside University", "History", 2027, 48)
    body = outreach.draft_context(db, sid, carla)
    assert body.school == "Lakeside University" and body.class_year == 2027
    assert prep.sheet(db, sid, iid)["pitch"] == "I study history at Lakeside. I hope to work in museums."
    # saved again with nothing changed: still one student, the same values (the form was cleared and redrawn)
    at.get("form_submit_button")[0].click().run()
    assert db.scalar("SELECT count(*) FROM students") == 1
    assert at.text_input(key=key(at, "my_profile", "school")).value == "Lakeside University"


def test_a_bad_class_year_is_refused_naming_the_field(isolated_env):
    db = app_db(isolated_env / "coffeechat.duckdb")
    sid = create_student(db, "Ada Lovelace")
    at = open_page("pages/profile.py")
    at.text_input(key=key(at, "my_profile", "year")).input("20x7")
    at.get("form_submit_button")[0].click().run()
    assert "class year" in at.error[0].value and get_student(db, sid)["class_year"] is None


def test_a_coach_sees_the_profile_read_only(isolated_env):
    db = app_db(isolated_env / "coffeechat.duckdb")
    create_student(db, "Ada Lovelace", school="Lakeside University")
    at = open_page("pages/profile.py", {"role": "coach"})
    assert at.text_input(key=key(at, "my_profile", "school")).disabled
    assert at.get("form_submit_button")[0].disabled


def test_no_profile_yet_points_to_the_welcome(isolated_env):
    app_db(isolated_env / "coffeechat.duckdb")
    at = open_page("pages/profile.py")
    assert "No student profile yet" in at.info[0].value

"""AppTest: every page runs on an empty and on a demo database; the welcome form works."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import demo, ui
from lib.db import Database
from tests.conftest import TODAY

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = ["pages/network.py", "pages/outreach.py", "pages/prep.py", "pages/follow_up.py", "pages/coach.py",
         "pages/learning.py"]
TIMEOUT = 60


def app_db(path) -> Database:
    """The app's own open connection: AppTest runs in this process, and DuckDB lets one
    process hold a file through one configuration only."""
    return ui.database(str(path))


def open_page(page: str, state: dict | None = None) -> AppTest:
    """The app on `page`, with session state preset (e.g. which tab is open)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(page)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def key(at: AppTest, form: str, field: str, student_id: str | None = "current") -> str:
    """The widget key of `field` in `form` as the page draws it now (ui.Form): per student,
    and in the form's current generation (a successful save clears a form by moving it on)."""
    state = at.session_state
    if student_id == "current":   # the sidebar's choice (or its kept copy, which the app restores
        # from when a client didn't send the widget's state back)
        student_id = next((state[k] for k in ("student_id", "_kept_student_id") if k in state), None)
    generation = f"_generation_{form}@{student_id}"
    return ui.widget_key(form, field, student_id, state[generation] if generation in state else 0)


def start() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def test_empty_database_shows_the_welcome():
    at = start()
    assert at.title[0].value == "Welcome to Coffee Chat Coach"
    assert at.button(key="welcome_demo").label == "Explore the demo cohort"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_an_empty_database(page):
    at = start()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert "No student profile yet" in at.info[0].value


def test_welcome_form_creates_a_profile(isolated_env):
    at = start()
    at.text_input(key="profile_name").input("Ada Lovelace")
    at.text_input(key="profile_school").input("Lakeside University")
    at.text_input(key="profile_year").input("2027")
    at.button(key="FormSubmitter:welcome_profile-Create my profile").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Ada Lovelace: progress"
    db = app_db(isolated_env / "coffeechat.duckdb")
    assert db.rows("SELECT name, school, class_year, is_demo FROM students") == [
        ("Ada Lovelace", "Lakeside University", 2027, False)]


def test_welcome_form_names_the_bad_field_and_writes_nothing(isolated_env):
    at = start()
    at.text_input(key="profile_name").input("Ada")
    at.text_input(key="profile_year").input("20x7")
    at.button(key="FormSubmitter:welcome_profile-Create my profile").click().run()
    assert "class year" in at.error[0].value
    at.text_input(key="profile_name").input("   ")
    at.text_input(key="profile_year").input("")
    at.button(key="FormSubmitter:welcome_profile-Create my profile").click().run()
    assert "name" in at.error[0].value
    assert at.title[0].value == "Welcome to Coffee Chat Coach"


def test_demo_button_builds_the_demo_in_its_own_file(isolated_env):
    at = start()
    at.button(key="welcome_demo").click().run()
    assert not at.exception, at.exception
    db = app_db(isolated_env / "demo.duckdb")
    assert db.scalar("SELECT count(*) FROM students WHERE is_demo") == demo.DEFAULT_STUDENTS
    assert at.session_state["dataset"] == "demo"
    assert at.title[0].value.endswith(": progress")
    assert not (isolated_env / "coffeechat.duckdb").exists() or \
        app_db(isolated_env / "coffeechat.duckdb").scalar("SELECT count(*) FROM students") == 0


@pytest.fixture
def demo_app(isolated_env):
    """The app showing the demo cohort. (AppTest drops the sidebar from its element tree
    after st.switch_page, so the click itself is tested above and in the browser test.)"""
    demo.load(app_db(isolated_env / "demo.duckdb"), as_of=TODAY)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["dataset"] = "demo"
    at.run()
    assert not at.exception, at.exception
    return at


def test_home_on_demo_shows_figures_and_charts(demo_app):
    assert demo_app.title[0].value.endswith(": progress")
    labels = [m.label for m in demo_app.metric]
    assert labels == ["Warm contacts", "Cold contacts", "Requests sent", "Reply rate", "Conversations held",
                      "Thank-yous on time"]
    assert all(m.help for m in demo_app.metric)  # every figure explains itself on hover
    assert len(demo_app.get("plotly_chart")) == 4  # pipeline, reply rates, thank-you hours, touch gaps


def test_home_figures_match_the_cli(demo_app, isolated_env):
    from lib import metrics
    student_id = demo_app.session_state["student_id"]
    db = app_db(isolated_env / "demo.duckdb")
    expected = metrics.summary(db, student_id, TODAY)
    shown = {m.label: m.value for m in demo_app.metric}
    assert shown["Warm contacts"] == str(expected["contacts"]["warm"])
    assert shown["Requests sent"] == str(expected["requests"]["sent"])


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_demo(demo_app, page):
    demo_app.switch_page(page).run()
    assert not demo_app.exception, demo_app.exception
    assert len(demo_app.dataframe) + len(demo_app.metric) >= 1     # a table, or a page headed by figures

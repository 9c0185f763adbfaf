"""What I'm learning, in the app (issue 20): the student's figures from their notes, a piece of
advice made a to-do once, a term they add counted; the coach sees counts only."""
from datetime import datetime

from lib import insights, prep
from lib.students import create_student
from tests.app.test_pages import TIMEOUT, app_db, key
from tests.conftest import TODAY
from tests.factories import agreed_conversation
from streamlit.testing.v1 import AppTest
from tests.app.test_pages import APP


def seeded(isolated_env, now):
    db = app_db(isolated_env / "coffeechat.duckdb")
    sid = create_student(db, "Ada Lovelace", fields_of_interest="data science")
    for name, day, notes in (("Maya Chen", 10, "Learn SQL early.\nRead \"Storytelling with Data\"."),
                             ("Tom Okafor", 12, "Get SQL in before you graduate. Tableau for dashboards.")):
        iid, _ = agreed_conversation(db, sid, name, datetime(2026, 11, day, 10), organisation=f"{name} Co")
        prep.log_conversation(db, sid, iid, prep.ConversationLog(status="held", takeaways=notes), TODAY, now)
    return db, sid


def open_learning(tab: str = "Skills") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/learning.py")
    at.session_state["learning_tab"] = tab
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_student_sees_skills_and_makes_advice_a_to_do_once(isolated_env, now):
    db, sid = seeded(isolated_env, now)
    at = open_learning()
    shown = {m.label: m.value for m in at.metric}
    assert (shown["Conversations held"], shown["Advice from 2+ people"]) == ("2", "1")
    skills = at.dataframe[0].value
    assert skills.iloc[0].tolist() == ["SQL", "Tool", 2, "Maya Chen, Tom Okafor"]
    at = open_learning("Advice")
    todo = at.button(key=key(at, "learning_advice", "todo_0"))
    todo.click().run()
    assert "Added to your due list" in at.success[0].value
    assert db.scalar("SELECT count(*) FROM tasks WHERE kind = 'other'") == 1
    at.run()                                                                 # nothing left to press again
    assert not [b for b in at.button if b.key == key(at, "learning_advice", "todo_0")]
    assert any("On your due list" in c.value for c in at.caption)
    assert db.scalar("SELECT count(*) FROM tasks WHERE kind = 'other'") == 1


def test_a_term_the_student_adds_shows_up(isolated_env, now):
    db, sid = seeded(isolated_env, now)
    at = open_learning()
    at.text_input(key=key(at, "learning_term", "term")).input("Storytelling")
    at.text_input(key=key(at, "learning_term", "synonyms")).input("storytelling with data")
    at.button(key=f"FormSubmitter:{key(at, 'learning_term', 'form')}-Count it").click().run()
    assert not at.exception, at.exception
    assert "Storytelling" in at.dataframe[0].value["Skill, tool or credential"].tolist()
    assert db.scalar("SELECT count(*) FROM learning_terms") == 1


def test_the_coach_sees_counts_only_from_students_who_share(isolated_env, now):
    db, sid = seeded(isolated_env, now)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["role"] = "coach"
    at.run()
    at.switch_page("pages/coach.py")
    at.session_state["coach_tab"] = "What they are learning"
    at.run()
    assert "No student shares these counts yet." in at.info[0].value
    insights.set_sharing(db, sid, True)
    at.run()
    tables = {df.value.columns[0]: df.value for df in at.dataframe}
    assert dict(tables["Skill or tool"].values.tolist())["SQL"] == 1
    text = " ".join(str(df.value.to_dict()) for df in at.dataframe)
    assert "graduate" not in text and "Learn SQL early" not in text          # no sentence from a note

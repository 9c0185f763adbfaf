"""What I'm learning (issue 20): skills, advice, resources, people suggested and TIARA coverage
from a student's own notes, and the command line's JSON contract."""
import json
import subprocess
import sys
from datetime import datetime

import pytest

from lib import insights, prep
from lib.models import InvalidInput
from lib.students import create_student
from tests.conftest import ROOT, TODAY
from tests.factories import agreed_conversation


@pytest.fixture
def student(db):
    return create_student(db, "Ada Lovelace", fields_of_interest="data science")


def held(db, student, now, name, day, takeaways, **log):
    iid, cid = agreed_conversation(db, student, name, datetime(2026, 11, day, 10), organisation=f"{name} Co")
    prep.log_conversation(db, student, iid, prep.ConversationLog(status="held", takeaways=takeaways, **log), TODAY, now)
    return iid, cid


def test_skills_advice_and_resources_from_the_notes(db, student, now):
    held(db, student, now, "Maya Chen", 10, "Learn SQL early, before your final year.\nRead \"Storytelling with Data\".",
         referrals=[{"name": "Ben Ode"}])
    held(db, student, now, "Tom Okafor", 12, "Get SQL in before you graduate.\nTableau for dashboards; excel is everywhere.")
    held(db, student, now, "Grace Kim", 13, "R is still big in pharma. Go to the PyData meetup.")
    found = insights.learning(db, student, TODAY)
    assert found.held == 3
    top = found.skills[0]
    assert (top["term"], top["conversations"], top["people"]) == ("SQL", 2, ["Maya Chen", "Tom Okafor"])
    assert {s["term"] for s in found.skills} >= {"SQL", "Tableau", "Excel", "R", "Data visualisation"}
    sql_advice = found.advice[0]
    assert sql_advice["people"] == ["Maya Chen", "Tom Okafor"] and len(sql_advice["variants"]) == 2
    assert {(r["kind"], r["text"]) for r in found.resources} >= {("book", "Storytelling with Data"),
                                                                 ("event", "PyData meetup")}
    assert found.suggested_people == [{"name": "Ben Ode", "suggested_by": "Maya Chen", "reached_out": False}]


def test_only_held_conversations_count(db, student, now):
    iid, _ = agreed_conversation(db, student, "Carla Diaz", datetime(2026, 11, 19, 10))
    prep.log_conversation(db, student, iid, prep.ConversationLog(status="cancelled", takeaways="SQL matters"),
                          TODAY, now)
    found = insights.learning(db, student, TODAY)
    assert (found.held, found.skills, found.advice) == (0, [], [])


def test_a_term_the_student_adds_is_counted(db, student, now):
    held(db, student, now, "Maya Chen", 10, "She swears by dbt-style testing and Great Expectations.")
    assert "Great Expectations" not in {s["term"] for s in insights.learning(db, student, TODAY).skills}
    insights.add_term(db, student, "Great Expectations", "tool", "great expectations, GX", now)
    assert "Great Expectations" in {s["term"] for s in insights.learning(db, student, TODAY).skills}
    with pytest.raises(InvalidInput, match="already on your list"):
        insights.add_term(db, student, "great expectations", "tool", None, now)
    with pytest.raises(InvalidInput, match="Kind"):
        insights.add_term(db, student, "Foo", "hobby", None, now)


def test_tiara_coverage_and_questions_for_the_gaps(db, student, now):
    iid, _ = held(db, student, now, "Maya Chen", 10, "x")
    bank = prep.question_bank(db, student, TODAY)
    trend = bank[bank["tiara"] == "trends"]["id"].iloc[0]
    prep.add_from_bank(db, student, iid, [trend], {}, now)
    coverage = insights.tiara_coverage(db, student, TODAY)
    assert coverage == {"trends": 1, "insights": 0, "advice": 0, "resources": 0, "assignments": 0}
    gaps = insights.questions_for_gaps(db, student, coverage)
    assert set(gaps["tiara"]) == {"insights", "advice", "resources", "assignments"}
    assert (gaps.groupby("tiara").size() <= 3).all()


def test_advice_becomes_a_to_do_once(db, student, now):
    _, cid = held(db, student, now, "Maya Chen", 10, "Learn SQL early.")
    advice = insights.learning(db, student, TODAY).advice[0]
    insights.advice_to_do(db, student, advice["text"], advice["contact_id"], TODAY, now)
    with pytest.raises(InvalidInput, match="already on your due list"):
        insights.advice_to_do(db, student, advice["text"], advice["contact_id"], TODAY, now)
    assert db.rows("SELECT title, CAST(contact_id AS VARCHAR) FROM tasks WHERE kind = 'other'") == [
        ("Act on the advice: Learn SQL early.", cid)]


def test_the_command_line_contract(tmp_path, now):
    from lib.db import Database
    path = tmp_path / "cli.duckdb"
    with Database(path) as db:
        sid = create_student(db, "Ada Lovelace")
        held(db, sid, now, "Maya Chen", 10, "Learn SQL early.\nJoin the American Statistical Association.")
        held(db, sid, now, "Tom Okafor", 12, "Get SQL in before you graduate.")
    out = subprocess.run([sys.executable, "-m", "lib", "learning", "--student", "Ada Lovelace", "--db", str(path),
                          "--today", TODAY.isoformat(), "--json"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"skills", "advice", "resources", "tiara"}
    assert data["skills"][0] == {"term": "SQL", "conversations": 2, "people": ["Maya Chen", "Tom Okafor"]}
    assert data["advice"][0]["people"] == ["Maya Chen", "Tom Okafor"] and data["advice"][0]["conversations"] == 2
    assert {"text": "American Statistical Association", "kind": "association", "people": ["Maya Chen"]} in data["resources"]
    assert set(data["tiara"]) == {"trends", "insights", "advice", "resources", "assignments"}
    missing = subprocess.run([sys.executable, "-m", "lib", "learning", "--student", "Nobody", "--db", str(path)],
                             capture_output=True, text=True, cwd=ROOT)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_the_field_brief_reads_back_from_its_pdf_and_escapes_user_text(db, student, now, tmp_path):
    import shutil
    from lib import documents
    held(db, student, now, "Maya Chen", 10, "Learn SQL early.\nRead \"Storytelling with Data\".")
    held(db, student, now, "Омар <b>Хаддад</b>", 12, "Get SQL in before you graduate.")
    brief, = insights.briefs(db, student, TODAY)
    assert (brief["field"], brief["conversations"], brief["skills"][0]) == ("data science", 2, {"term": "SQL", "people": 2})
    html = documents.field_brief_html(brief, "Ada Lovelace", TODAY)
    assert "What 2 people in data science told me" in html and "<b>Хаддад" not in html and "&lt;b&gt;" in html
    if not documents.pdf_available() or not shutil.which("pdftotext"):
        pytest.skip("needs Debian's fonts-dejavu-core and poppler-utils (make test installs them)")
    (tmp_path / "brief.pdf").write_bytes(documents.field_brief_pdf(brief, "Ada Lovelace", TODAY))
    text = subprocess.run(["pdftotext", str(tmp_path / "brief.pdf"), "-"], capture_output=True, text=True).stdout
    assert "What 2 people in data science told me" in text and "Омар <b>Хаддад</b>" in text and "SQL: 2 people" in text


def test_fields_of_interest_are_read_as_people_write_them():
    assert insights.fields_of("museums and the arts") == ["museums and the arts"]
    assert insights.fields_of("data science, UX research and design") == ["data science", "UX research", "design"]
    assert insights.fields_of(None) == []

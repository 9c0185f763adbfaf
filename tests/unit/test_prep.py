"""Prep: the question bank, checklist due dates at a frozen date, the time budget and the
warnings, the prep sheet, and the conversation log with its referrals and to-dos."""
from datetime import date, datetime

import pandas as pd
import pytest

from lib import network, outreach, prep
from lib.models import TIARA, InvalidInput, InvalidRows
from lib.network import ContactInput
from lib.students import create_student
from tests.conftest import TODAY   # Friday 20 November 2026
from tests.factories import agreed_conversation


@pytest.fixture
def student(db, now):
    prep.sync_question_bank(db, now)
    return create_student(db, "Ada Lovelace", pitch="I study history. I want to work in museums.")


def scheduled(db, sid, now, when=datetime(2026, 11, 27, 10), fmt="in_person", name="Carla Diaz", length=30):
    """A conversation with `name` scheduled for `when`: (interview id, contact id)."""
    return agreed_conversation(db, sid, name, when, fmt=fmt, length=length, organisation="City Museum",
                               role="Curator")


def test_the_bank_has_sixty_questions_across_every_category(db, now):
    rows = prep.bank_rows()
    assert len(rows) >= 60
    assert {r["category"] for r in rows} == set(prep.CATEGORIES)
    assert {r["tiara"] for r in rows} == set(TIARA)
    assert {"closing_linkedin", "closing_stay", "closing_referrals"} <= {r["bank_key"] for r in rows}
    # Opening the database synced the bank (lib/db.py, once per open)
    assert prep.sync_question_bank(db, now) == 0                    # unchanged file: nothing to do
    assert db.scalar("SELECT count(*) FROM questions WHERE student_id IS NULL") == len(rows)


def test_a_bad_bank_row_is_named_by_its_line(tmp_path, monkeypatch):
    bad = tmp_path / "questions.csv"
    bad.write_text("key,category,tiara,minutes,text\nok,advice,advice,2,Fine?\nx,astrology,advice,2,Hm?\n"
                   "y,advice,gossip,2,Hm?\n")
    monkeypatch.setattr(prep, "QUESTIONS_CSV", bad)
    with pytest.raises(InvalidRows) as caught:
        prep.bank_rows()
    assert [p.field for p in caught.value.problems] == ["questions.csv line 3", "questions.csv line 4"]


def test_checklist_due_dates_relative_to_the_conversation(db, student, now):
    iid, _ = scheduled(db, student, now, when=datetime(2026, 11, 27, 10), fmt="in_person")
    items = prep.checklist(db, student, iid).set_index("Item")["Due"]
    assert items["Confirm date, time and format"] == date(2026, 11, 25)              # two days before
    assert items["Research the organisation and its industry"] == date(2026, 11, 24)
    assert items["A few resume copies, offered only if they ask"] == date(2026, 11, 27)
    video, _ = scheduled(db, student, now, when=datetime(2026, 11, 23, 10), fmt="video", name="Ben Ode")
    video_items = prep.checklist(db, student, video).set_index("Item")["Due"]
    assert "A few resume copies, offered only if they ask" not in video_items          # in person only
    assert video_items["Research the person: their role, path and anything they have published"] == TODAY  # not before today
    # three closing questions are always offered
    assert prep.selection(db, student, iid)["bank_key"].tolist() == list(prep.CLOSING_KEYS)


def test_ticks_readiness_and_the_due_list(db, student, now):
    from lib.followup import due_items
    iid, _ = scheduled(db, student, now, when=datetime(2026, 11, 23, 10), fmt="video")
    items = prep.checklist(db, student, iid)
    assert prep.readiness(items) == 0

    def prep_due():
        due = due_items(db, student, TODAY, now, horizon_days=0)
        return sorted(due[due["kind"] == "prep"]["title"].str.split(":").str[0])
    assert prep_due() == ["Research the organisation and its industry (Carla Diaz)", "Research the person"]
    prep.tick(db, student, {items["id"][0]: True, items["id"][1]: True}, now)
    assert prep.readiness(prep.checklist(db, student, iid)) == round(100 * 2 / len(items))
    assert prep_due() == []
    prep.tick(db, student, {items["id"][1]: False}, now)
    assert prep.readiness(prep.checklist(db, student, iid)) == round(100 / len(items))
    assert prep_due() == ["Research the organisation and its industry (Carla Diaz)"]


def test_budget_leaves_the_opening_and_closing_free(db, student, now):
    iid, _ = scheduled(db, student, now, length=20)
    bank = prep.question_bank(db, student, TODAY).set_index("bank_key")
    picks = ["day_typical", "path_start", "trends_change", "skills_key", "advice_student", "referral_others"]
    closing = prep.selection(db, student, iid)["question_id"].tolist()
    prep.save_selection(db, student, iid, [bank.loc[k, "id"] for k in picks] + closing, now)
    chosen = prep.selection(db, student, iid)
    plan = prep.budget(20, chosen)
    assert plan.available == 20 - prep.OPENING_MINUTES - prep.CLOSING_MINUTES == 14
    assert plan.questions_minutes == 3 + 3 + 3 + 2 + 2 + 1 == 14 and not plan.over
    prep.save_selection(db, student, iid, [bank.loc[k, "id"] for k in picks + ["day_time"]] + closing, now)
    assert prep.budget(20, prep.selection(db, student, iid)).over


def test_list_warnings_and_questions_to_avoid(db, student, now):
    iid, _ = scheduled(db, student, now)
    bank = prep.question_bank(db, student, TODAY).set_index("bank_key")
    prep.save_selection(db, student, iid, [bank.loc["day_typical", "id"]], now)
    warnings = prep.list_warnings(prep.selection(db, student, iid))
    assert any(w.startswith("No closing question") for w in warnings)
    assert any(w.startswith("No referral question") for w in warnings)
    for text, reason in [("Are you hiring interns this summer?", "asks for a job"),
                         ("What is your salary?", "asks about pay"),
                         ("Are you married?", "personal life"),
                         ("What was last year's revenue?", "confidential"),
                         ("What does your company do?", "website")]:
        qid, reasons = prep.add_question(db, student, text, "advice", "advice", 2, now)
        assert reasons and reason in reasons[0], text
    assert prep.avoid_reasons("How do internships in this field tend to work?") == []
    with pytest.raises(InvalidInput, match="Question: is required"):
        prep.add_question(db, student, "  ", "advice", "advice", 2, now)


def test_selection_order_keeps_notes(db, student, now):
    iid, _ = scheduled(db, student, now)
    chosen = prep.selection(db, student, iid)
    with db.write() as cur:
        cur.execute("UPDATE interview_questions SET answer_notes = 'yes' WHERE id = ?", [chosen["id"][0]])
    reordered = list(reversed(chosen["question_id"].tolist()))
    prep.save_selection(db, student, iid, reordered, now)
    after = prep.selection(db, student, iid)
    assert after["question_id"].tolist() == reordered
    assert after.set_index("question_id")["answer_notes"][chosen["question_id"][0]] == "yes"
    with pytest.raises(InvalidInput, match="chosen twice"):
        prep.save_selection(db, student, iid, reordered + reordered[:1], now)


def test_prep_sheet_escapes_user_text(db, student, now):
    contact = network.add_contact(db, student, ContactInput(name="Eve <script>alert(1)</script> *Star*",
                                                            source="alumni"), now)
    request = outreach.log_request(db, student, contact, "email", date(2026, 11, 16), None, TODAY, now)
    outreach.record_reply(db, student, request, TODAY, "agreed", TODAY, now)
    iid = outreach.schedule(db, student, request, datetime(2026, 11, 27, 10), "video", 30, TODAY, now)
    prep.save_plan(db, student, iid, "network", "Read [her blog](javascript:alert(1))", "Two sentences.")
    data = prep.sheet(db, student, iid)
    markdown, html = prep.sheet_markdown(data), prep.sheet_html(data)
    assert "Eve \\<script\\>alert(1)\\</script\\> \\*Star\\*" in markdown
    assert "\\[her blog\\](javascript:alert(1))" in markdown     # the app's one escaper (lib/markdown.py)
    assert "<script>" not in html and "Eve &lt;script&gt;alert(1)&lt;/script&gt; *Star*" in html
    assert "May I connect with you on LinkedIn?" in html and "Two sentences." in markdown
    assert "\\." not in markdown and "\\(" not in markdown           # no stray escapes in the file people read


def test_logging_a_held_conversation_creates_referrals_and_to_dos_once(db, student, now):
    iid, carla = scheduled(db, student, now, when=datetime(2026, 11, 19, 10))
    log = prep.ConversationLog(status="held", takeaways="Build a portfolio.", asked_linkedin=True,
                               resume_requested=True,
                               referrals=[{"name": "Ben Ode", "organisation": "Contoso"}, {"name": "", "organisation": ""}])
    added = prep.log_conversation(db, student, iid, log, TODAY, now)
    ben = network.get_contact(db, student, added.added[0])
    assert (ben["name"], ben["warmth"], ben["source"], ben["referred_by"], ben["organisation"]) == (
        "Ben Ode", "warm", "referral", carla, "Contoso")
    assert sorted(db.rows("SELECT kind, title, due_on FROM tasks")) == [
        ("connect_linkedin", "Connect with Carla Diaz on LinkedIn", date(2026, 11, 21)),
        ("referral_outreach", "Reach out to Ben Ode (suggested by Carla Diaz)", date(2026, 11, 27)),
        ("send_resume", "Send your resume to Carla Diaz", date(2026, 11, 21))]
    assert db.rows("SELECT status, takeaways, asked_referrals FROM interviews WHERE id = ?", [iid]) == [
        ("held", "Build a portfolio.", True)]
    prep.log_conversation(db, student, iid, log, TODAY, now)          # saved again: nothing doubles
    assert db.scalar("SELECT count(*) FROM contacts WHERE name = 'Ben Ode'") == 1
    assert db.scalar("SELECT count(*) FROM tasks") == 3


def test_log_refusals_and_rescheduling(db, student, now):
    iid, _ = scheduled(db, student, now, when=datetime(2026, 11, 27, 10))
    with pytest.raises(InvalidInput, match="log it once it has happened"):
        prep.log_conversation(db, student, iid, prep.ConversationLog(status="held"), TODAY, now)
    with pytest.raises(InvalidRows, match="Referral 2, Name: is required"):
        prep.log_conversation(db, student, iid, prep.ConversationLog(
            status="cancelled", referrals=[{"name": "A"}, {"name": " ", "organisation": "Org"}]), TODAY, now)
    with pytest.raises(InvalidInput, match="New date"):
        prep.log_conversation(db, student, iid, prep.ConversationLog(status="rescheduled"), TODAY, now)
    before = prep.checklist(db, student, iid).set_index("Item")["Due"]
    prep.log_conversation(db, student, iid, prep.ConversationLog(
        status="rescheduled", new_time=datetime(2026, 12, 4, 14)), TODAY, now)
    after = prep.checklist(db, student, iid).set_index("Item")["Due"]
    assert db.rows("SELECT status, scheduled_at FROM interviews WHERE id = ?", [iid]) == [
        ("scheduled", datetime(2026, 12, 4, 14))]
    assert (pd.to_datetime(after) - pd.to_datetime(before)).dt.days.unique().tolist() == [7]


def test_my_intro_starts_from_the_pitch_and_stays_per_conversation(db, student, now):
    from lib.students import update_profile
    from tests.factories import agreed_conversation
    first, _ = agreed_conversation(db, student, "Carla Diaz", datetime(2026, 11, 27, 10))
    second, _ = agreed_conversation(db, student, "Omar Kim", datetime(2026, 11, 30, 10))
    pitch = "I study history. I want to work in museums."
    assert prep.interview(db, student, first)["pitch"] == pitch           # defaults from the profile
    prep.save_plan(db, student, first, None, None, "For Carla: museum education.")
    assert prep.interview(db, student, first)["pitch"] == "For Carla: museum education."
    assert prep.interview(db, student, second)["pitch"] == pitch          # the others unchanged
    assert db.scalar("SELECT pitch FROM students") == pitch               # and the profile too
    prep.save_plan(db, student, second, None, None, pitch)                # left as the default: follows the profile
    update_profile(db, student, "Ada Lovelace", pitch="A new pitch.")
    assert prep.interview(db, student, second)["pitch"] == "A new pitch."
    assert prep.sheet(db, student, first)["pitch"] == "For Carla: museum education."


@pytest.mark.parametrize("question", [
    "How much do people in your role earn?", "What's the salary like for graduates?", "What does this job pay?",
    "How much do junior analysts make?", "What is the compensation package?", "Is the pay good?",
    "What are the pay ranges here?", "Do you get a bonus?"])
def test_pay_questions_are_flagged(question):
    assert any("pay" in r for r in prep.avoid_reasons(question))


@pytest.mark.parametrize("question", [
    "Are you hiring?", "Do you have any openings for interns?", "Could you refer me for a role?",
    "Can you pass on my resume?", "Is there a job for me at your firm?", "Would you put in a word for me?"])
def test_job_asks_are_flagged(question):
    assert any("job" in r for r in prep.avoid_reasons(question))


@pytest.mark.parametrize("question", ["Are you married?", "Do you have kids?", "How old are you?",
                                      "Where do you live?", "What's your religion?"])
def test_personal_questions_are_flagged(question):
    assert any("personal" in r for r in prep.avoid_reasons(question))


def test_the_bank_and_ordinary_questions_are_not_flagged():
    ordinary = ["What decisions do you make each day?", "How old were you when you started?",
                "What mistakes do people make when they start?", "How do you pay attention to detail?"]
    for text in [r["text"] for r in prep.bank_rows()] + ordinary:
        assert prep.avoid_reasons(text) == [], text


def test_order_rows_typed_number_wins_the_tie():
    rows = [(1, {"question_id": "a", "Order": 1}, False), (2, {"question_id": "b", "Order": 2}, False),
            (3, {"question_id": "c", "Order": 1}, True), (4, {"question_id": "d", "Order": 4, "Remove": True}, True)]
    assert [v["question_id"] for v in prep.order_rows(rows)] == ["c", "a", "b"]


def test_all_conversations_table_reads_the_same_on_both_stores(db, student, now):
    iid, _ = scheduled(db, student, now)
    items = prep.checklist(db, student, iid)
    prep.tick(db, student, {str(items["id"].iloc[0]): True}, now)            # one item of the checklist done
    table = prep.interviews_table(db, student, TODAY)
    assert list(table["Contact"]) == ["Carla Diaz"] and list(table["Status"]) == ["Scheduled"]
    assert table["Ready %"].iloc[0] == round(100 / len(items))

"""AppTest: the Prep page — tick the checklist, pick questions, download the sheet, log
the conversation (referrals become contacts with to-dos)."""
from datetime import datetime

import pytest

from lib import prep
from lib.students import create_student
from tests.app.test_pages import app_db, key, open_page
from tests.factories import agreed_conversation


@pytest.fixture
def conversation(isolated_env):
    """A student with one conversation with Carla: on `when` (default yesterday, so it can be logged)."""
    db = app_db(isolated_env / "coffeechat.duckdb")
    sid = create_student(db, "Ada Lovelace", pitch="I study history.")

    def make(when=datetime(2026, 11, 19, 10)):
        iid, carla = agreed_conversation(db, sid, "Carla Diaz", when, organisation="City Museum")
        return db, sid, iid, carla
    return make


def test_empty_page_points_to_outreach(isolated_env):
    create_student(app_db(isolated_env / "coffeechat.duckdb"), "Ada")
    at = open_page("pages/prep.py")
    assert "schedule it on the Outreach page" in at.info[0].value


def test_ticking_the_checklist(conversation):
    db, sid, iid, _ = conversation(datetime(2026, 11, 27, 10))
    at = open_page("pages/prep.py")
    assert at.selectbox(key=f"prep_interview@{sid}").value == iid     # the page's subject: the one conversation
    assert at.metric[0].value == "0%"
    first = db.scalar("SELECT CAST(id AS VARCHAR) FROM prep_items ORDER BY position LIMIT 1")
    at.checkbox(key=key(at, f"checklist_{iid}", f"tick_{first}")).check().run()
    assert not at.exception, at.exception
    assert db.scalar("SELECT count(done_at) FROM prep_items") == 1
    assert at.metric[0].value == f"{round(100 / db.scalar('SELECT count(*) FROM prep_items'))}%"
    assert at.checkbox(key=key(at, f"checklist_{iid}", f"tick_{first}")).value is True   # stays ticked
    at.checkbox(key=key(at, f"checklist_{iid}", f"tick_{first}")).uncheck().run()
    assert not at.exception, at.exception
    assert db.scalar("SELECT count(done_at) FROM prep_items") == 0
    assert at.metric[0].value == "0%"


def test_pick_questions_and_download_the_sheet(conversation):
    db, sid, iid, _ = conversation(datetime(2026, 11, 27, 10))
    at = open_page("pages/prep.py", {"prep_tab": "Questions"})
    # the bank editor lists questions not yet chosen, by category; tick the first two
    bank_key = key(at, f"questions_{iid}", "bank")
    bank = at.data_editor(key=bank_key).value
    at.session_state[bank_key] = {"edited_rows": {0: {"Add": True}, 1: {"Add": True, "★": True}},
                                  "added_rows": [], "deleted_rows": []}
    at.button(key=key(at, f"questions_{iid}", "add")).click().run()
    assert not at.exception, at.exception
    assert "Added 2 questions" in " ".join(m.value for m in at.success)
    chosen = prep.selection(db, sid, iid)
    assert chosen["text"].tolist()[:2] == bank["text"].tolist()[:2] and len(chosen) == 5
    assert db.scalar("SELECT count(*) FROM question_favourites") == 1
    assert "of 24 minutes of questions" in " ".join(m.value for m in at.markdown)
    # the bank editor is cleared: nothing ticked stays to be added twice
    again = at.data_editor(key=key(at, f"questions_{iid}", "bank")).value
    assert not again["Add"].any()
    assert not set(again["text"]) & set(chosen["text"])            # the chosen ones left the bank
    at.button(key=key(at, f"questions_{iid}", "add")).click().run()
    assert not at.exception, at.exception
    assert len(prep.selection(db, sid, iid)) == 5
    assert db.scalar("SELECT count(*) FROM question_favourites") == 1
    at.session_state["prep_tab"] = "Prep sheet"
    at.run()
    assert [b.proto.label for b in at.get("download_button")] == ["Download as Markdown", "Download to print (HTML)",
                                                                   "Download as PDF"]
    assert bank["text"].tolist()[0].split()[0] in " ".join(m.value for m in at.markdown)


def test_logging_the_conversation(conversation):
    db, sid, iid, carla = conversation()
    at = open_page("pages/prep.py", {"prep_tab": "Log the conversation"})
    form = f"log_{iid}"
    at.text_area(key=key(at, form, "takeaways")).input("Build a small portfolio first.")
    at.checkbox(key=key(at, form, "resume")).check()
    at.session_state[key(at, form, "referrals")] = {"edited_rows": {}, "deleted_rows": [],
                                                    "added_rows": [{"name": "Ben Ode", "organisation": "Contoso"}]}
    at.button(key=f"FormSubmitter:{key(at, form, 'form')}-Save the log").click().run()
    assert not at.exception, at.exception
    assert "Logged as held. 1 referral added as warm contacts" in at.success[0].value
    assert db.rows("SELECT status, takeaways, resume_requested FROM interviews") == [
        ("held", "Build a small portfolio first.", True)]
    assert db.rows("SELECT source, warmth, CAST(referred_by AS VARCHAR) FROM contacts WHERE name = 'Ben Ode'") == [
        ("referral", "warm", carla)]
    assert sorted(kind for (kind,) in db.rows("SELECT kind FROM tasks")) == ["referral_outreach", "send_resume"]
    counts = {t: db.scalar(f"SELECT count(*) FROM {t}") for t in ("contacts", "tasks", "interviews")}

    # the referrals grid comes back empty; the saved log shows as saved; saving again adds nobody
    assert at.data_editor(key=key(at, form, "referrals")).value.empty
    assert at.text_area(key=key(at, form, "takeaways")).value == "Build a small portfolio first."
    at.button(key=f"FormSubmitter:{key(at, form, 'form')}-Save the log").click().run()
    assert not at.exception, at.exception
    assert "Logged as held." in at.success[0].value and "referral" not in at.success[0].value
    assert {t: db.scalar(f"SELECT count(*) FROM {t}") for t in counts} == counts
    assert db.scalar("SELECT count(*) FROM contacts WHERE name = 'Ben Ode'") == 1


def test_own_question_is_on_the_list_at_once_whatever_the_filter(conversation):
    db, sid, iid, _ = conversation(datetime(2026, 11, 27, 10))
    at = open_page("pages/prep.py", {"prep_tab": "Questions"})
    at.multiselect(key=key(at, f"questions_{iid}", "bank_category")).select("trends")   # a filter that hides it
    at.toggle(key=key(at, f"questions_{iid}", "bank_favourites")).set_value(True).run()
    at.text_input(key=key(at, "own_question", "text")).input("How much do people in your role earn?")
    at.selectbox(key=key(at, "own_question", "category")).set_value("career_path")
    at.button(key=f"FormSubmitter:{key(at, 'own_question', 'form')}-Add to my list").click().run()
    assert not at.exception, at.exception
    chosen = prep.selection(db, sid, iid)
    own = chosen[chosen["text"] == "How much do people in your role earn?"]
    assert len(own) == 1 and chosen["category"].iloc[-1] == "closing"          # chosen, before the closing ones
    shown = at.data_editor(key=key(at, f"questions_{iid}", "order")).value
    assert "How much do people in your role earn?" in shown["text"].tolist()   # visible in my list right away
    warnings = " ".join(w.value for w in at.warning)
    assert "asks about pay" in warnings
    assert db.scalar("SELECT count(*) FROM questions WHERE student_id IS NOT NULL") == 1


def test_order_one_puts_a_question_first(conversation):
    db, sid, iid, _ = conversation(datetime(2026, 11, 27, 10))
    bank = prep.question_bank(db, sid, None)
    picks = bank[bank["category"] == "day_to_day"]["id"].tolist()[:3]
    prep.add_from_bank(db, sid, iid, picks, {}, datetime(2026, 11, 20, 9))
    before = prep.selection(db, sid, iid)["question_id"].tolist()
    at = open_page("pages/prep.py", {"prep_tab": "Questions"})
    order_key = key(at, f"questions_{iid}", "order")
    third = at.data_editor(key=order_key).value.reset_index(drop=True)
    at.session_state[order_key] = {"edited_rows": {2: {"Order": 1}}, "added_rows": [], "deleted_rows": []}
    at.button(key=key(at, f"questions_{iid}", "save_order")).click().run()
    assert not at.exception, at.exception
    after = prep.selection(db, sid, iid)["question_id"].tolist()
    assert after[0] == before[2] and after[1:3] == before[:2] and len(after) == len(before)
    assert third is not None


def test_over_budget_shows_in_the_warning_colour(conversation):
    db, sid, iid, _ = conversation(datetime(2026, 11, 27, 10))
    bank = prep.question_bank(db, sid, None)
    prep.add_from_bank(db, sid, iid, bank[bank["category"] != "closing"]["id"].tolist()[:20], {},
                       datetime(2026, 11, 20, 9))
    at = open_page("pages/prep.py", {"prep_tab": "Questions"})
    assert any(m.value.startswith(":orange[") and "minutes of questions" in m.value for m in at.markdown)
    assert any("minutes too many" in w.value for w in at.warning)
    chart = at.get("plotly_chart")[0].proto.spec
    assert "#E69F00" in chart                                                  # the bar itself in orange


def test_a_held_conversation_says_held_not_ready_0(conversation):
    db, sid, iid, _ = conversation()
    prep.log_conversation(db, sid, iid, prep.ConversationLog(status="held"), datetime(2026, 11, 20).date(),
                          datetime(2026, 11, 20, 9))
    at = open_page("pages/prep.py")
    assert (at.metric[0].label, at.metric[0].value) == ("Status", "Held")


def _forms(at):
    found = {}

    def walk(node):
        children = getattr(node, "children", None)
        for child in (children.values() if isinstance(children, dict) else []):
            proto = getattr(child, "proto", None)
            if proto is not None and type(proto).__name__ == "Block" and proto.HasField("form"):
                found[proto.form.form_id] = proto.form
            walk(child)
    walk(at._tree)
    return found


def test_no_enter_to_submit_hint_over_the_time_field(conversation):
    db, sid, iid, _ = conversation()
    at = open_page("pages/prep.py", {"prep_tab": "Log the conversation"})
    forms = _forms(at)
    assert forms[key(at, f"log_{iid}", "form")].enter_to_submit is False
    at = open_page("pages/prep.py", {"prep_tab": "Questions"})
    assert _forms(at)[key(at, "own_question", "form")].enter_to_submit is True      # the field is real

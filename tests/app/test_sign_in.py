"""Signed-in mode through AppTest with an injected Viewer identity (issue 18): what each role
sees in the navigation and sidebar, who may write where, unknown emails, attempts to reach
another student through session state, the access log, deletion. Sign-in itself (st.login
against a real OpenID Connect provider) is tests/e2e/test_sign_in_browser.py."""
import pytest
from streamlit.testing.v1 import AppTest

from lib import access, network, users
from lib.network import ContactInput
from lib.ui import session
from tests.app.test_pages import APP, TIMEOUT, app_db
from tests.conftest import TODAY

ROSTER = b"""email,name,role,coach,cohort
cora@uni.edu,Cora Coach,coach,,
kay@uni.edu,Kay Coach,coach,,
ana@uni.edu,Ana Alves,student,cora@uni.edu,Spring
ben@uni.edu,Ben Bell,student,kay@uni.edu,Fall
"""


@pytest.fixture
def centre(isolated_env, monkeypatch):
    """A career centre's database, and a way to sign in as someone (the Viewer injected: no
    widget, query parameter or session-state key can do this)."""
    db = app_db(isolated_env / "coffeechat.duckdb")
    users.import_roster(db, users.parse_roster(ROSTER))
    ids = {e: access.viewer_for(db, f"{e}@uni.edu").own_student for e in ("ana", "ben")}
    for name, sid in ids.items():
        network.add_contact(db, sid, ContactInput(name=f"Contact of {name}"), session.clock.moment_of(TODAY))
    monkeypatch.setenv("COFFEECHAT_ADMINS", "root@uni.edu")
    monkeypatch.setattr(session, "signed_in_mode", lambda: True)

    def sign_in(email: str | None) -> AppTest:
        monkeypatch.setattr(session, "_identity", lambda: None if email is None else (email, None))
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.run()
        assert not at.exception, at.exception
        return at
    return db, ids, sign_in


def test_nobody_sees_anything_before_signing_in(centre):
    db, ids, sign_in = centre
    at = sign_in(None)
    assert at.title[0].value == "Coffee Chat Coach" and at.button(key="sign_in").label == "Sign in"
    assert not at.sidebar.selectbox and "Contact of" not in str(at.main)


def test_an_unknown_email_is_asked_to_contact_the_career_centre_and_sees_nothing(centre):
    db, ids, sign_in = centre
    at = sign_in("stranger@uni.edu")
    assert "ask your career centre for access" in at.info[0].value
    assert len(at.main.children) <= 4 and not at.sidebar.selectbox
    users.set_active(db, "ana@uni.edu", False)
    assert "ask your career centre" in sign_in("ana@uni.edu").info[0].value


def test_a_student_sees_only_their_own_record_with_no_role_choice(centre):
    db, ids, sign_in = centre
    at = sign_in("ana@uni.edu")
    assert at.session_state["_viewer_student"] == ids["ana"]
    assert not at.sidebar.radio                              # no 'I am a', no data choice
    assert not at.sidebar.selectbox                          # no other student to pick
    assert "Ana Alves" in at.sidebar.markdown[0].value and "Student" in at.sidebar.markdown[0].value
    at.switch_page("pages/network.py").run()
    assert not at.exception
    text = str([df.value for df in at.dataframe])
    assert "Contact of ana" in text and "Contact of ben" not in text


def test_a_student_asking_for_another_record_gets_their_own_and_the_attempt_is_logged(centre):
    db, ids, sign_in = centre
    at = sign_in("ana@uni.edu")
    at.session_state["student_id"] = ids["ben"]             # as an agent-API client or a stale page might
    at.session_state["_kept_student_id"] = ids["ben"]
    at.session_state["role"] = "coach"
    at.switch_page("pages/network.py").run()
    assert at.session_state["_viewer_student"] == ids["ana"]
    assert "Contact of ben" not in str([df.value for df in at.dataframe])
    refused = access.full_log(db)
    assert list(refused["What"]) == ["refused"] and list(refused["Who"]) == ["ana@uni.edu"]


def test_a_coach_sees_only_assigned_students_read_only_and_the_views_are_logged(centre):
    db, ids, sign_in = centre
    at = sign_in("cora@uni.edu")
    assert at.sidebar.selectbox[0].options == ["Ana Alves"]
    at.switch_page("pages/coach.py").run()
    assert not at.exception
    cohort = str([df.value for df in at.dataframe])
    assert "Ana Alves" in cohort and "Ben Bell" not in cohort
    at.switch_page("pages/network.py").run()
    assert at.session_state["_viewer"].refusal(ids["ana"], "student") == access.READ_ONLY
    history = access.record_history(db, ids["ana"])
    assert set(history["Who"]) == {"cora@uni.edu"} and set(history["Where"]) >= {"Network"}
    users.assign(db, "ana@uni.edu", "kay@uni.edu", "Spring")   # removed: takes effect at the next page
    at.switch_page("pages/home.py").run()
    assert at.session_state["_viewer_student"] is None and not at.sidebar.selectbox


def test_the_navigation_follows_the_role(centre):
    db, ids, sign_in = centre
    for email, coach, admin in (("ana@uni.edu", False, False), ("cora@uni.edu", True, False),
                                ("root@uni.edu", True, True)):
        at = sign_in(email)
        for page, offered in (("pages/coach.py", coach), ("pages/admin.py", admin), ("pages/data.py", admin),
                              ("pages/my_record.py", email == "ana@uni.edu"), ("pages/welcome.py", False)):
            if offered:
                at.switch_page(page).run()
                assert not at.exception, (email, page)
            else:
                with pytest.raises(ValueError, match="Could not find a navigation page"):
                    at.switch_page(page)
    local = access.Viewer.local()
    assert not session.page_allowed("pages/admin.py", "admin", local)
    assert not session.page_allowed("pages/my_record.py", "student", local)
    assert session.page_allowed("pages/welcome.py", "setup", local) and session.page_allowed("pages/data.py", "setup", local)


def test_an_admin_adds_a_person_and_deletes_a_student_on_request(centre):
    db, ids, sign_in = centre
    at = sign_in("root@uni.edu")
    at.switch_page("pages/admin.py").run()
    assert not at.exception and at.title[0].value == "Admin"
    form = "admin_add"
    at.text_input(key=f"{form}_email@None").input("dee@uni.edu")
    at.text_input(key=f"{form}_name@None").input("Dee")
    at.text_input(key=f"{form}_coach@None").input("cora@uni.edu")
    at.selectbox(key=f"{form}_role@None").set_value("student")
    at.button(key=f"FormSubmitter:{form}_form@None-Add").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [], [e.value for e in at.error]
    assert "dee@uni.edu" in set(users.people(db)["email"])
    users.request_deletion(db, ids["ben"], "ben@uni.edu")
    at.run()
    at.selectbox(key="admin_delete_student@None").set_value(ids["ben"]).run()
    at.button(key="admin_delete_go@None").click().run()
    at.button(key="delete_student_yes").click().run()
    assert not at.exception
    assert db.scalar("SELECT count(*) FROM students WHERE id = ?", [ids["ben"]]) == 0
    assert "deleted" in set(access.record_history(db, ids["ben"])["What"])




def test_an_admin_viewing_a_student_is_told_so_as_an_admin(centre):
    db, ids, sign_in = centre
    at = sign_in("root@uni.edu")
    at.switch_page("pages/network.py").run()
    assert not at.exception
    banner = at.info[0].value
    assert banner.startswith("Admin view: you see") and "as their coach" not in banner and "I am a" not in banner
    assert at.session_state["_viewer"].refusal(ids["ana"], "student") == access.READ_ONLY_ADMIN
    at = sign_in("cora@uni.edu")
    at.switch_page("pages/network.py").run()
    assert at.info[0].value.startswith("Coach view: you see") and "I am a" not in at.info[0].value


# every download of a student's record, by the page that offers it
EXPORTS = {"pages/follow_up.py": ("follow_tab", "Export", {"Follow-ups: calendar (.ics)",
                                                          "Follow-ups: contacts and touches (.csv)"}),
           "pages/prep.py": ("prep_tab", "Prep sheet", {"Prep: sheet (Markdown)", "Prep: sheet (HTML)",
                                                         "Prep: sheet (PDF)"}),
           "pages/learning.py": ("learning_tab", "Field briefs", {"What I'm learning: data science brief (HTML)",
                                                                  "What I'm learning: data science brief (PDF)"}),
           "pages/coach.py": ("coach_tab", "Advising session", {"Coach: session report (HTML)",
                                                                "Coach: session report (PDF)"})}


@pytest.fixture
def exporting(centre, monkeypatch):
    """Ana with a conversation held (a field brief) and one to come (a prep sheet); every
    download button's file is asked for as soon as it is drawn, as a click would."""
    from datetime import datetime

    from lib import documents, prep, students, ui
    from tests.factories import agreed_conversation
    db, ids, sign_in = centre
    if not documents.pdf_available():
        pytest.skip(f"PDFs need {documents.FONT_PACKAGE}")
    students.update_profile(db, ids["ana"], "Ana Alves", fields_of_interest="data science")
    iid, _ = agreed_conversation(db, ids["ana"], "Maya Chen", datetime(2026, 11, 10, 10))
    prep.log_conversation(db, ids["ana"], iid, prep.ConversationLog(status="held", takeaways="Learn SQL early."),
                          TODAY, session.clock.moment_of(TODAY))
    agreed_conversation(db, ids["ana"], "Carla Diaz", datetime(2026, 11, 27, 10))
    files = []
    real = ui.log_export

    def click_at_once(ctx, what, make):
        files.append(real(ctx, what, make)())
        return lambda: files[-1]
    monkeypatch.setattr(ui, "log_export", click_at_once)

    def export_everything(at: AppTest, pages) -> None:
        for page in pages:
            tab_key, tab, _ = EXPORTS[page]
            at.switch_page(page)
            at.session_state[tab_key] = tab
            at.run()
            assert not at.exception, (page, at.exception)
        assert all(files), "every download built its file"
    return db, ids, sign_in, export_everything


def test_an_export_of_a_students_record_by_their_coach_is_logged(exporting):
    db, ids, sign_in, export_everything = exporting
    at = sign_in("cora@uni.edu")
    export_everything(at, EXPORTS)
    exports = access.record_history(db, ids["ana"]).query("What == 'exported'")
    assert set(exports["Who"]) == {"cora@uni.edu"} and set(exports["Role"]) == {"coach"}
    assert set(exports["Where"]) == set().union(*(labels for _, _, labels in EXPORTS.values()))
    assert access.record_history(db, ids["ben"]).empty


def test_a_students_own_exports_are_not_logged(exporting):
    db, ids, sign_in, export_everything = exporting
    at = sign_in("ana@uni.edu")
    export_everything(at, [p for p in EXPORTS if p != "pages/coach.py"])
    at.switch_page("pages/my_record.py").run()
    assert not at.exception
    assert access.full_log(db).empty


def test_log_export_logs_others_and_never_the_student_or_local_mode(centre):
    db, ids, sign_in = centre
    from lib.ui.session import Context, log_export
    cora, ana = access.viewer_for(db, "cora@uni.edu"), access.viewer_for(db, "ana@uni.edu")
    for viewer in (cora, ana, access.Viewer.local()):
        ctx = Context(db=db, dataset="mine", role="coach", student_id=ids["ana"], student_name="Ana Alves",
                      today=TODAY, now=session.clock.moment_of(TODAY), kind="student", viewer=viewer)
        assert log_export(ctx, "a file", lambda: b"data")() == b"data"
    log = access.full_log(db)
    assert list(log["Who"]) == ["cora@uni.edu"] and list(log["What"]) == ["exported"] and list(log["Where"]) == ["a file"]


def test_a_student_named_in_the_address_is_never_shown_and_the_attempt_is_logged(centre):
    db, ids, sign_in = centre
    at = sign_in("cora@uni.edu")                      # Ana's coach, not Ben's
    for asked in (ids["ben"], "Ben Bell", ids["ana"]):
        at.query_params["student"] = asked
        at.switch_page("pages/network.py").run()
        assert not at.exception
        assert at.session_state["_viewer_student"] == ids["ana"]
        assert "Contact of ben" not in str([df.value for df in at.dataframe])
    refused = access.full_log(db).query("What == 'refused'")
    assert list(refused["Whose record"]) == ["Ben Bell", "Ben Bell"] and set(refused["Who"]) == {"cora@uni.edu"}
    assert set(refused["Where"]) == {"asked for a record that is not theirs in the address (?student=)"}


def test_a_signed_in_student_reads_what_their_coach_shared_on_my_record(centre):
    """Signed in, a student has no Coach page: the shared notes and action items are on My record,
    and a note the coach kept private is not."""
    from lib import coaching
    db, ids, sign_in = centre
    coaching.record_session(db, ids["ana"], TODAY, "Cora", "Shared: two alumni a week", "shared",
                            [{"text": "Email two alumni", "due_on": None}], TODAY, session.clock.moment_of(TODAY))
    coaching.record_session(db, ids["ana"], TODAY, "Cora", "Private: seems anxious", "private", [], TODAY,
                            session.clock.moment_of(TODAY))
    at = sign_in("ana@uni.edu")
    at.switch_page("pages/my_record.py").run()
    assert not at.exception, at.exception
    text = " ".join(str(df.value.to_dict()) for df in at.dataframe)
    assert "Email two alumni" in text and "Shared: two alumni a week" in text and "seems anxious" not in text

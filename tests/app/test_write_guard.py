"""The read-only guard holds on every write path (issue 16 item 10, issue 14 item 7): a coach on
a student's page is refused with a message, also for writes the lib marks internal (rebuilding
the demo), and never sees the error page."""
from streamlit.testing.v1 import AppTest

from tests.app.test_pages import TIMEOUT


def guarded_script():
    import streamlit as st

    from lib import demo, network, ui
    from lib.network import ContactInput
    from lib.students import create_student

    st.session_state["role"] = st.session_state.get("want_role", "coach")
    ui.enter_page(st.session_state.get("want_kind", "student"))
    ctx = ui.context()
    form = ui.Form("guarded", None)
    if st.button("Rebuild the demo here", key="rebuild"):
        ui.action(form, demo.load, ctx.db, as_of=ctx.today)
    if st.button("Add a student and a contact", key="add"):
        def add():
            sid = create_student(ctx.db, "Someone")
            network.add_contact(ctx.db, sid, ContactInput(name="Another"), ctx.now)
        ui.action(form, add, done="Added.")
    ui.show_flash(form)
    st.write(f"students={ctx.db.scalar('SELECT count(*) FROM students')}")


def run(kind: str, role: str, button: str) -> AppTest:
    at = AppTest.from_function(guarded_script, default_timeout=TIMEOUT)
    at.session_state["want_kind"], at.session_state["want_role"] = kind, role
    at.run()
    at.button(key=button).click().run()
    assert not at.exception, at.exception
    return at


def test_a_coach_on_a_student_page_is_refused_with_a_message_even_for_internal_writes():
    for button in ("rebuild", "add"):
        at = run("student", "coach", button)
        assert "changes are switched off" in at.info[0].value
        assert at.markdown[-1].value == "students=0"                    # nothing written


def test_the_same_writes_go_through_on_a_coach_page_and_for_a_student():
    at = run("coach", "coach", "add")
    assert at.success[0].value == "Added." and at.markdown[-1].value == "students=1"
    at = run("student", "student", "add")
    assert at.markdown[-1].value == "students=2"

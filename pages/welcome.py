"""First run: explore the demo cohort, or start one's own profile."""
import streamlit as st

from lib import clock, demo, ui, workshop
from lib.db import default_path, demo_path
from lib.students import create_student

ctx = ui.context()
st.title("Welcome to Coffee Chat Coach")
st.markdown(
    "Informational interviews are short conversations with people in a field you are curious about: "
    "to learn, not to ask for a job. This coach keeps the whole method in one place: **map** your "
    "network, **ask** for conversations, **prepare**, **meet**, **thank** within a day, and **keep in touch**.")

demo_col, mine_col = st.columns(2, gap="large")
with demo_col, st.container(border=True):
    st.subheader(":material/science: Explore the demo cohort")
    st.write(f"{demo.DEFAULT_STUDENTS} generated students with realistic networks, requests, conversations "
             "and follow-ups. It lives in its own database file, apart from your data, and can be rebuilt any time.")

    if st.button("Explore the demo cohort", key="welcome_demo", type="primary"):
        demo_db = ui.database(str(demo_path()))
        if not demo_db.scalar("SELECT count(*) FROM students"):
            with st.spinner("Building the demo cohort..."):
                ui.action(None, demo.load, demo_db, as_of=clock.today())
        ui.switch_dataset("demo", None)

with mine_col, st.container(border=True):
    st.subheader(":material/person_add: Start my own profile")
    form = ui.Form("profile", None)
    with st.form("welcome_profile", border=False):
        st.text_input("Your name *", key="profile_name", max_chars=120)
        st.text_input("School", key="profile_school", max_chars=200)
        left, right = st.columns(2)
        left.text_input("Major", key="profile_major", max_chars=200)
        right.text_input("Class year", key="profile_year", placeholder="e.g. 2027", max_chars=4)
        st.text_input("Fields you are curious about", key="profile_fields", max_chars=300,
                      placeholder="e.g. public health, data science")
        st.text_area("Your two-sentence pitch", key="profile_pitch", max_chars=600,
                     placeholder="Who you are and what you hope to learn.")
        submitted = st.form_submit_button("Create my profile", type="primary")
    ui.show_flash(form)
    if submitted:   # a button, not a callback: switching to the new profile needs st.switch_page
        ss = st.session_state
        # the profile goes where the app goes next: "My data" (seen from the demo, that is another file),
        # except in a workshop, where the browser's copy of the demo is all there is
        own = ctx.db if ctx.dataset == "mine" or workshop.enabled() else ui.database(str(default_path()))
        ok, student_id = ui.action(form, create_student, own, ss["profile_name"], school=ss["profile_school"],
                                   major=ss["profile_major"], class_year=ss["profile_year"],
                                   fields_of_interest=ss["profile_fields"], pitch=ss["profile_pitch"])
        if ok:
            ui.switch_dataset("mine", student_id)
        st.rerun()

"""First run: explore the demo cohort, or start one's own profile."""
import streamlit as st

from lib import clock, demo
from lib.db import demo_path
from lib.models import InvalidInput
from lib.students import create_student
from lib.ui import context, database, show_invalid, switch_dataset as ui_state_switch

ctx = context()
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
        demo_db = database(str(demo_path()))
        if not demo_db.scalar("SELECT count(*) FROM students"):
            with st.spinner("Building the demo cohort..."):
                demo.load(demo_db, as_of=clock.today())
        ui_state_switch("demo", None)

with mine_col, st.container(border=True):
    st.subheader(":material/person_add: Start my own profile")
    with st.form("welcome_profile", border=False):
        name = st.text_input("Your name *", key="profile_name", max_chars=120)
        school = st.text_input("School", key="profile_school", max_chars=200)
        left, right = st.columns(2)
        major = left.text_input("Major", key="profile_major", max_chars=200)
        year = right.text_input("Class year", key="profile_year", placeholder="e.g. 2027", max_chars=4)
        fields = st.text_input("Fields you are curious about", key="profile_fields", max_chars=300,
                               placeholder="e.g. public health, data science")
        pitch = st.text_area("Your two-sentence pitch", key="profile_pitch", max_chars=600,
                             placeholder="Who you are and what you hope to learn.")
        submitted = st.form_submit_button("Create my profile", type="primary")
    if submitted:
        try:
            student_id = create_student(ctx.db, name, school=school, major=major, class_year=year,
                                        fields_of_interest=fields, pitch=pitch)
        except InvalidInput as exc:
            show_invalid(exc)
        else:
            ui_state_switch("mine", student_id)

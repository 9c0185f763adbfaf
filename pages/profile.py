"""My profile: who the student is, as the drafts, the prep sheet and the thank-you clock use
it. Rules live in lib/students.py."""
import streamlit as st

from lib import method, ui
from lib.students import get_student, update_profile


def save_profile(ctx, form: ui.Form) -> None:
    ui.action(form, update_profile, ctx.db, ctx.student_id, form["name"], school=form["school"],
              major=form["major"], class_year=form["year"], fields_of_interest=form["fields"],
              pitch=form["pitch"], thank_you_hours=form["window"],
              done="Profile saved. New drafts and prep sheets use it.")


ctx = ui.context()
ui.require_student(ctx)
st.title("My profile")
ui.read_only_banner(ctx)
st.caption("Your drafts introduce you from this profile (name, major, school, class year, the fields you are "
           "curious about); your prep sheets start from your pitch, which you can change for one conversation "
           "on the Prep page without changing the others.")
student = get_student(ctx.db, ctx.student_id)
form = ui.Form("my_profile", ctx.student_id)
ui.show_flash(form)


def text(value) -> str:
    return value if isinstance(value, str) else ""


year = student.get("class_year")
with st.form(form.key("form"), border=True, enter_to_submit=False):
    st.text_input("Your name *", value=text(student["name"]), key=form.key("name"), max_chars=120,
                  disabled=ctx.read_only)
    left, right = st.columns(2)          # one row at a time, so a phone stacks them in reading order
    left.text_input("School", value=text(student.get("school")), key=form.key("school"), max_chars=200,
                    disabled=ctx.read_only)
    right.text_input("Major", value=text(student.get("major")), key=form.key("major"), max_chars=200,
                     disabled=ctx.read_only)
    left, right = st.columns(2)
    left.text_input("Class year", value="" if year is None or year != year else str(int(year)),
                    key=form.key("year"), max_chars=4, placeholder="e.g. 2027", disabled=ctx.read_only)
    windows = list(method.THANK_YOU_WINDOWS)
    current = int(student.get("thank_you_hours") or windows[0])
    right.radio("Thank-you window", windows, index=windows.index(current) if current in windows else 0,
                format_func=lambda h: f"{h} hours", horizontal=True, key=form.key("window"), disabled=ctx.read_only,
                help="How soon after a conversation your thank-you is on time. Conversations already held "
                     "keep the window in force when they were held.")
    st.text_input("Fields you are curious about", value=text(student.get("fields_of_interest")),
                  key=form.key("fields"), max_chars=300, placeholder="e.g. public health, epidemiology",
                  help="Separate them with commas; drafts join them into a sentence.", disabled=ctx.read_only)
    st.text_area("Your two-sentence pitch", value=text(student.get("pitch")), key=form.key("pitch"), max_chars=600,
                 placeholder="Who you are and what you hope to learn.", disabled=ctx.read_only,
                 help="The intro on every prep sheet, unless you change it for one conversation.")
    st.form_submit_button("Save my profile", type="primary", icon=":material/save:", on_click=form.on(save_profile),
                          args=(ctx, form), disabled=ctx.read_only)

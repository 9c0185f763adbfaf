"""Admin (signed-in admins only): people and roles, a CSV roster (preview, bad rows named,
all or nothing), deactivation, coach and cohort-group assignment, deletion requests carried
out with a confirmation, and the access log. Rules live in lib/users.py and lib/access.py."""
import pandas as pd
import streamlit as st

from lib import access, users, ui

ss = st.session_state
ctx = ui.context()
st.title("Admin")
people, add_tab, roster_tab, assign_tab, deletion_tab, log_tab = st.tabs(
    ["People", "Add a person", "Import a roster", "Coaches and groups", "Deletion requests", "Access log"])
everyone = users.people(ctx.db)

with people:
    ui.table(everyone.drop(columns=["student_id"]).rename(columns=lambda c: c.replace("_", " ").capitalize()),
             "Nobody is registered yet.", key="admin_people",
             column_config={"Deletion requested at": st.column_config.DatetimeColumn(format="ddd D MMM YYYY, HH:mm")})
    form = ui.Form("admin_active", None)
    pick, go = st.columns([2, 1], vertical_alignment="bottom")
    email = pick.selectbox("Person", list(everyone["email"]), index=None, key=form.key("email"),
                           placeholder="Choose a person")
    active = bool(everyone.set_index("email")["active"].get(email, True)) if email else True
    go.button("Deactivate" if active else "Reactivate", key=form.key("go"), disabled=email is None,
              on_click=lambda form=form, email=email, active=active: ui.action(form, users.set_active, ctx.db, email, not active,
                                         done=f"{ui.md_escape(email)} {'deactivated' if active else 'reactivated'}."))
    ui.show_flash(form)
    st.caption("A deactivated person can no longer see anything after signing in; their data stays.")

with add_tab:
    form = ui.Form("admin_add", None)
    with st.form(form.key("form"), border=False):
        left, right = st.columns(2)
        left.text_input("Email", key=form.key("email"), max_chars=254)
        right.text_input("Name", key=form.key("name"), max_chars=120)
        left.selectbox("Role", list(users.ROLES), format_func=users.ROLES.get, key=form.key("role"))
        right.text_input("Coach's email (students)", key=form.key("coach"), max_chars=254)
        left.text_input("Cohort group (students)", key=form.key("cohort"), max_chars=80)
        st.form_submit_button("Add", type="primary", on_click=lambda form=form: ui.action(
            form, users.add_person, ctx.db, form["email"], form["role"], name=form["name"], coach=form["coach"],
            cohort=form["cohort"], done=f"Added {ui.md_escape(form['email'] or '')}."))
    ui.show_flash(form)

with roster_tab:
    form = ui.Form("admin_roster", None)
    st.write("A CSV with the columns **email,name,role,coach,cohort** (role: student, coach or admin; coach and "
             "cohort group for students). Everyone is added, or nobody: bad rows are named first.")
    upload = st.file_uploader("Roster (.csv)", type=["csv"], key=form.key("file"))
    if upload is not None:
        roster = users.parse_roster(upload.getvalue())
        if roster.people:
            st.markdown(f"**Preview:** {len(roster.people)} people")
            ui.table(pd.DataFrame([{"Line": line, "Email": p.email, "Name": p.name, "Role": p.role,
                                                      "Coach": p.coach, "Cohort": p.cohort}
                                                     for line, p in roster.people]), "", key="admin_roster_preview")
        if roster.problems:
            st.error("These rows must be fixed before anything is imported:\n\n" + "\n".join(
                f"- **{ui.md_escape(p.field)}**: {ui.md_escape(p.message)}" for p in roster.problems))
        st.button("Import everyone", key=form.key("go"), type="primary", disabled=not roster.ok,
                  on_click=lambda form=form, roster=roster: ui.action(form, users.import_roster, ctx.db, roster,
                                             done=lambda n: f"Imported {n} people."))
    ui.show_flash(form)

with assign_tab:
    form = ui.Form("admin_assign", None)
    students = everyone[everyone["role"] == "student"]
    coaches = list(everyone[everyone["role"].isin(["coach", "admin"]) & everyone["active"]]["email"])
    with st.form(form.key("form"), border=False):
        left, mid, right = st.columns(3)
        left.selectbox("Student", list(students["email"]), index=None, key=form.key("student"),
                       placeholder="Choose a student")
        mid.selectbox("Coach", coaches, index=None, key=form.key("coach"), placeholder="No coach")
        right.text_input("Cohort group", key=form.key("cohort"), max_chars=80, placeholder="e.g. Spring 2027")
        st.form_submit_button("Save", type="primary", on_click=lambda form=form: ui.action(
            form, users.assign, ctx.db, form["student"] or "", form["coach"], form["cohort"],
            done=f"Saved for {ui.md_escape(form['student'] or '')}."))
    ui.show_flash(form)
    st.caption("Choosing a coach replaces the student's coach; a blank cohort group takes the student out of theirs. "
               "Coaches see the change at their next page.")

with deletion_tab:
    form = ui.Form("admin_delete", None)
    requests = users.deletion_requests(ctx.db)
    ui.table(requests.drop(columns=["student_id"]).rename(columns=lambda c: c.replace("_", " ").capitalize()),
             "No deletion requests.", key="admin_deletions",
             column_config={"Deletion requested at": st.column_config.DatetimeColumn(format="ddd D MMM YYYY, HH:mm")})
    if len(requests):
        labels = dict(zip(requests["student_id"], requests["email"]))
        pick, go = st.columns([2, 1], vertical_alignment="bottom")
        chosen = ui.pick(pick, "Student", labels, key=form.key("student"), placeholder="Choose a request")
        go.button("Delete their data", key=form.key("go"), disabled=chosen is None, icon=":material/delete_forever:",
                  on_click=ui.ask_to_confirm, args=("delete_student", chosen))
    ui.show_flash(form)
    ui.confirmation("delete_student", "Delete everything of this student?",
                    "Every record of theirs is removed (profile, contacts, requests, conversations, notes, to-dos, "
                    "their sign-in). The access log keeps that it happened. This can't be undone.", "Delete",
                    lambda sid, form=form: ui.action(form, users.delete_student, ctx.db, sid, ctx.viewer.email,
                                          done=lambda removed: f"Deleted {sum(removed.values())} rows."))

with log_tab:
    ui.table(access.full_log(ctx.db), "Nothing logged yet.", key="admin_log",
             column_config={"When": st.column_config.DatetimeColumn(format="ddd D MMM YYYY, HH:mm")})

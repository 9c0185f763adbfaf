"""Coach: for the coach, the cohort at a glance, an advising session with the current
student (brief, notes, action items, report) and its history; for a student, the notes
their coach shared and the action items agreed. Rules live in lib/coaching.py."""
from datetime import timedelta

import pandas as pd
import streamlit as st

from lib import charts, coaching, documents, ui
from lib.models import VISIBILITY
from lib.students import set_cohort

ss = st.session_state
TABS = ("Cohort", "Advising session", "History", "What they are learning")
DATES = {c: st.column_config.DateColumn(format="ddd D MMM YYYY") for c in ("Date", "Due", "Agreed on")}
FIGURES = {"warm": "Warm contacts", "sent": "Requests sent", "reply_rate": "Reply rate", "held": "Conversations held",
           "on_time_rate": "Thank-yous on time", "overdue": "Items overdue"}


def student_view(ctx) -> None:
    st.title("From your coach")
    st.subheader("Action items", help=ui.doc(coaching.action_items_table))
    ui.table(ui.read(ctx, coaching.action_items_table), "No action items yet.", key="coach_actions",
             column_config=DATES)
    st.subheader("Notes your coach shared", help=ui.doc(coaching.shared_sessions))
    shared = ui.read(ctx, coaching.shared_sessions)
    if shared.empty:
        st.caption("Nothing shared yet.")
    for row in shared.itertuples():       # whole notes, readable at any width (a table cell cuts them off)
        with st.container(border=True):
            st.caption(f"{row.Date:%A %d %B %Y}" + (f" · {ui.md_escape(row.Coach)}" if isinstance(row.Coach, str) else ""))
            st.text(row.Notes if isinstance(row.Notes, str) else "")


def open_student(ctx, student_id: str) -> None:
    ui.switch_dataset(ctx.dataset, student_id)


def assign_group(ctx, form: ui.Form, names: dict) -> None:
    student_id, group = ui.chosen(form.key("student")), form["group"]
    if not student_id:
        ui.flash("error", "Choose a student first.", form.slot)
        return
    ui.action(form, set_cohort, ctx.db, student_id, group,
              done=f"**{ui.md_escape(names.get(student_id, ''))}** is now in "
                   + (f"*{ui.md_escape(group.strip())}*." if group and group.strip() else "no group."))


def groups_section(ctx, groups: list[str]) -> None:
    """Put students in cohort groups (a workshop, a term, a programme): the filter above uses them."""
    form = ui.Form("cohort_groups", None)
    with st.expander("Cohort groups: put a student in a group", icon=":material/group_work:"):
        names = dict(ui.roster(ctx.db).labels)
        left, right, button = st.columns([1.4, 1.4, 1], vertical_alignment="bottom")
        ui.pick(left, "Student", names, key=form.key("student"), placeholder="Choose a student")
        right.text_input("Group", key=form.key("group"), max_chars=80, placeholder="e.g. Spring 2027 workshop",
                         help="An existing group's name, or a new one to start a group.")
        button.button("Put in this group", key=form.key("save"), icon=":material/group_add:", on_click=form.on(assign_group),
                      args=(ctx, form, names))
        st.caption("Leave the group empty to take a student out of theirs."
                   + (" Groups so far: " + "; ".join(ui.md_escape(g) for g in groups) + "." if groups else ""))
        ui.show_flash(form)


def cohort_tab(ctx) -> None:
    overview = ui.cohort(ctx)
    groups = sorted(set(overview["cohort"].dropna()))     # the groups of the students this viewer sees
    filters = st.columns([1.4, 1, 1.4])
    group = filters[0].selectbox("Cohort group", groups, index=None, key="coach_cohort", placeholder="All students")
    stuck = filters[1].toggle("Only students who are stuck", key="coach_stuck")
    shown = overview
    if group:
        shown = shown[shown["cohort"] == group]
    if stuck:
        shown = shown[shown["flags"].map(bool)]
    labels = ui.roster(ctx.db).labels
    table = pd.DataFrame({
        "Student": shown["id"].map(labels), "Stage": shown["stage"],
        "Stuck": shown["flags"].map(lambda f: "; ".join(coaching.FLAGS[x] for x in f)),
        "Warm": shown["warm"], "Cold": shown["cold"], "Requests": shown["sent"],
        "Reply rate": [f"{r:.0%} of {n}" if pd.notna(r) else "–" for r, n in zip(shown["reply_rate"], shown["settled"])],
        "Held": shown["held"],
        "Thanks on time": [f"{r:.0%} of {n}" if pd.notna(r) else "–" for r, n in
                           zip(shown["on_time_rate"], shown["thanks_settled"])],
        "Overdue": shown["overdue"], "Last activity": shown["last_activity"], "Cohort": shown["cohort"]})
    ui.table(table, "No students match.", key="coach_cohort_table", height=420 if len(table) > 11 else "auto",
             column_config={"Last activity": st.column_config.DateColumn(format="D MMM"),
                            "Stage": st.column_config.TextColumn(width=145),
                            "Stuck": st.column_config.TextColumn(width=330, help="Hover a cell to read it all")})
    st.caption(ui.doc(coaching.cohort_overview))
    groups_section(ctx, groups)
    if len(shown):
        pick, go = st.columns([2, 1], vertical_alignment="bottom")
        chosen = ui.pick(pick, "Open a student's pages", {i: labels[i] for i in shown["id"]}, key="coach_open",
                         placeholder="Choose a student")
        go.button("Open their dashboard", key="coach_open_button", icon=":material/open_in_new:",
                  on_click=open_student, args=(ctx, chosen), disabled=chosen is None)
    st.markdown("##### The cohort on one figure")
    figure = st.segmented_control("Figure", list(FIGURES), format_func=FIGURES.get, key="coach_figure",
                                  default="warm")
    ui.plotly("chart_cohort", charts.cohort_distribution, shown, figure or "warm", FIGURES[figure or "warm"],
              ctx.student_id)


def save_session(ctx, form: ui.Form) -> None:
    items = [values for _, values, _ in ui.editor_rows([], ss.get(form.key("actions")))]
    named = [i for i in items if str(i.get("text") or "").strip()]
    coach = form["coach"]
    ok, _ = ui.action(form, coaching.record_session, ctx.db, ctx.student_id, form["date"], form["coach"], form["notes"],
              form["visibility"], items, ctx.today, ctx.now,
              done="Session saved." + (f" {len(named)} action item{'s' if len(named) != 1 else ''} now in "
                                       f"{ui.md_escape(ctx.student_name)}'s due list." if named else ""))
    if ok:
        form["coach"] = coach            # the cleared form keeps who the coach is


def session_tab(ctx) -> None:
    brief = coaching.since_last_session(ctx.db, ctx.student_id, ctx.today, ctx.now)
    since = f"since the session on {brief['since']:%d %b}" if brief["had_session"] else "in the last 30 days"
    st.markdown(f"##### {ui.md_escape(ctx.student_name)}: what changed {since}")
    figures = st.columns(5)
    for col, (label, key) in zip(figures, (("Contacts added", "contacts"), ("Requests sent", "requests"),
                                           ("Replies", "replies"), ("Conversations held", "conversations"),
                                           ("Overdue now", "overdue"))):
        col.metric(label, brief[key])
    form = ui.Form("session", ctx.student_id)
    st.download_button("Session report (print-ready HTML)",
                       # built on click, not on every rerun of this tab
                       ui.log_export(ctx, "Coach: session report (HTML)",
                                     lambda: coaching.session_report(ctx.db, ctx.student_id, ctx.today, ctx.now)),
                       file_name=f"session-{ctx.student_name.lower().replace(' ', '-')}-{ctx.today}.html",
                       mime="text/html", key=f"session_report@{ctx.student_id}", icon=":material/print:",
                       help="The figures, what changed since the previous session, where they may be stuck, the "
                            "agreed next steps and the shared notes of the last session saved.")
    if documents.pdf_available():
        st.download_button("Session report (PDF)",
                           ui.log_export(ctx, "Coach: session report (PDF)",
                                         lambda: coaching.session_report_pdf(ctx.db, ctx.student_id, ctx.today, ctx.now)),
                           file_name=f"session-{ctx.student_name.lower().replace(' ', '-')}-{ctx.today}.pdf",
                           mime="application/pdf", key=f"session_report_pdf@{ctx.student_id}",
                           icon=":material/picture_as_pdf:", help="The same report as an A4 PDF to file.")
    with st.form(form.key("form"), border=False):
        day, coach, visibility = st.columns([1, 1.4, 1.6])
        day.date_input("Date", key=form.key("date"), value=ctx.today, max_value=ctx.today, format="DD/MM/YYYY")
        coach.text_input("Coach", key=form.key("coach"), max_chars=120)
        visibility.radio("Notes are", list(VISIBILITY), key=form.key("visibility"), format_func=VISIBILITY.get)
        st.text_area("Session notes", key=form.key("notes"), height=140, max_chars=10000)
        st.markdown("**Action items** (they join the student's due list)")
        st.data_editor(pd.DataFrame({"text": pd.Series(dtype="string"), "due_on": pd.Series(dtype="object")}),
                       key=form.key("actions"), num_rows="dynamic", hide_index=True, width="stretch", placeholder=ui.EMPTY_CELL,
                       column_config={"text": st.column_config.TextColumn("Action", max_chars=300, width="large"),
                                      "due_on": st.column_config.DateColumn("Due", min_value=ctx.today,
                                                                            max_value=ctx.today + timedelta(days=365),
                                                                            format="D MMM YYYY")})
        st.form_submit_button("Save the session", type="primary", on_click=form.on(save_session), args=(ctx, form))
    ui.show_flash(form)


def learning_tab(ctx) -> None:
    ids = list(ui.cohort(ctx)["id"])
    found = ui.cohort_learning(ctx, ids)
    st.caption(f"Counts from the conversation notes of the {found['sharing']} of {found['of']} students who share "
               "them (What I'm learning > Share). Counts only: no note is shown here.",
               help="A skill or advice topic counts once per student whose notes name it.")
    if not found["sharing"]:
        st.info("No student shares these counts yet.", icon=":material/lock:")
        return
    left, mid, right = st.columns(3, gap="large")
    for col, title, rows, what in ((left, "Fields being explored", found["fields"], "Field"),
                                   (mid, "Skills that recur", found["skills"], "Skill or tool"),
                                   (right, "Advice that recurs", found["advice_topics"], "About")):
        with col:
            st.markdown(f"##### {title}")
            ui.table(pd.DataFrame(rows[:15], columns=[what, "Students"]), "Nothing yet.",
                     key=f"coach_learning_{what}")


def history_tab(ctx) -> None:
    st.markdown("##### Sessions", help=ui.doc(coaching.sessions_table))
    ui.table(ui.read(ctx, coaching.sessions_table), "No advising sessions yet.", key="coach_sessions",
             column_config=DATES)
    st.markdown("##### Action items", help=ui.doc(coaching.action_items_table))
    ui.table(ui.read(ctx, coaching.action_items_table), "No action items yet.", key="coach_history_actions",
             column_config=DATES)


ctx = ui.context()
ui.require_student(ctx)
if ctx.role != "coach":
    student_view(ctx)
    st.stop()
st.title("Coach")
st.caption(f"Working with **{ui.md_escape(ctx.student_name)}** (change the student in the sidebar). "
           "Every figure uses the same definitions as the students' own pages.")
ss.setdefault("coach_tab", TABS[0])
tabs = st.tabs(TABS, key="coach_tab", on_change="rerun")
sections = (lambda: cohort_tab(ctx), lambda: session_tab(ctx), lambda: history_tab(ctx), lambda: learning_tab(ctx))
for tab, draw in zip(tabs, sections):
    if tab.open is not False:
        with tab:
            draw()

"""Prep and conversations: the checklist, questions that fit the time, a printable prep
sheet, and the log afterwards. Rules live in lib/prep.py."""
import re
from datetime import datetime, time, timedelta

import pandas as pd
import streamlit as st

from lib import charts, documents, prep, ui
from lib.models import FORMATS, INTERVIEW_STATUSES, TIARA

ss = st.session_state
TABS = ("Checklist", "Questions", "Prep sheet", "Log the conversation", "All conversations")
LOG_STATUSES = {k: v for k, v in INTERVIEW_STATUSES.items() if k != "scheduled"}


def conversation_label(row) -> str:
    org = f" ({row.organisation})" if isinstance(row.organisation, str) else ""
    return f"{row.scheduled_at:%a %d %b %H:%M} · {row.contact}{org} · {INTERVIEW_STATUSES[row.status]}"


# --- checklist and plan ----------------------------------------------------------------------

def save_tick(ctx, form: ui.Form, item_id: str) -> None:
    ui.action(form, prep.tick, ctx.db, ctx.student_id, {item_id: form[f"tick_{item_id}"]}, ctx.now, clear=False)


def save_plan(ctx, form: ui.Form, iid: str) -> None:
    ui.action(form, prep.save_plan, ctx.db, ctx.student_id, iid, form["goal"], form["research"], form["pitch"],
              clear=False, done="Saved.")


def checklist_tab(ctx, iid: str, record: dict, items: pd.DataFrame) -> None:
    left, right = st.columns([1.3, 1], gap="large")
    with left:
        st.markdown("##### Checklist")
        st.caption("Tick items as you go; each tick is saved. Overdue ones appear in your due list on "
                   "*My progress*.")
        if items.empty:
            st.caption("Past conversations have no checklist.")
        checklist_form = ui.Form(f"checklist_{iid}", ctx.student_id)
        ui.show_flash(checklist_form)
        for item in items.itertuples():
            late = not item.Done and item.Due < ctx.today and record["status"] == "scheduled"
            due = "today" if item.Due == ctx.today else f"{item.Due:%a %d %b}"
            row, when = st.columns([4, 1.2], vertical_alignment="center")
            row.checkbox(item.Item, value=bool(item.Done), key=checklist_form.key(f"tick_{item.id}"),
                         on_change=save_tick, args=(ctx, checklist_form, item.id), disabled=ctx.read_only)
            when.markdown(f":{'orange' if late else 'gray'}[{'overdue: ' if late else ''}{due}]")
    with right:
        st.markdown("##### Plan")
        if ctx.read_only:
            goal = prep.GOALS.get(record["goal"], ("No particular goal",))[0]
            st.markdown(f"**Goal:** {goal}  \n**Research notes:** {ui.md_escape(record['research_notes'] or '–')}  \n"
                        f"**Intro:** {ui.md_escape(record['pitch'] or '–')}")
            return
        form = ui.Form(f"plan_{iid}", ctx.student_id)
        with st.form(form.key("form"), border=False):
            goals = [None, *prep.GOALS]
            st.selectbox("What I most want from this conversation", goals, key=form.key("goal"),
                         index=goals.index(record["goal"]) if record["goal"] in goals else 0,
                         format_func=lambda g: "No particular goal" if g is None else prep.GOALS[g][0],
                         help="Steers the suggested questions.")
            st.text_area("Research notes", value=record["research_notes"] or "", key=form.key("research"),
                         max_chars=5000, height=120, placeholder="Their role and path; the organisation; the industry")
            st.text_area("My intro (two sentences about my interests and goals)", value=record["pitch"] or "",
                         key=form.key("pitch"), max_chars=600, height=90,
                         help="Starts as the pitch on *My profile*. A change here is this conversation's own: "
                              "your profile and other conversations keep theirs.")
            st.form_submit_button("Save", on_click=form.on(save_plan), args=(ctx, form, iid))
        ui.show_flash(form)


# --- questions ----------------------------------------------------------------------------------

def save_order(ctx, form: ui.Form, iid: str, chosen: pd.DataFrame) -> None:
    rows = ui.editor_rows(chosen[["question_id", "Order", "Remove"]].to_dict("records"), ss.get(form.key("order")))
    kept = prep.order_rows([(row, values, values.get("Order") != row) for row, values, _ in rows])
    ui.action(form, prep.save_selection, ctx.db, ctx.student_id, iid, [v["question_id"] for v in kept], ctx.now,
              done="Your list is saved.")


def add_ticked(ctx, form: ui.Form, iid: str, bank: pd.DataFrame) -> None:
    rows = ui.editor_rows(bank[["id", "Add", "★"]].to_dict("records"), ss.get(form.key("bank")))
    ticked = [values["id"] for _, values, _ in rows if values.get("Add")]
    favourites = {values["id"]: bool(values.get("★")) for _, values, changed in rows if changed}
    if not ticked and not favourites:
        ui.flash("info", "Tick *Add* next to a question first (or ★ to keep it as a favourite).", slot=form.slot)
        return
    ui.action(form, prep.add_from_bank, ctx.db, ctx.student_id, iid, ticked, favourites, ctx.now,
              done=lambda n: f"Added {n} question{'s' if n != 1 else ''}." if n else "Favourites saved.")


def add_own(ctx, form: ui.Form, iid: str) -> None:
    ok, added = ui.action(form, prep.add_question, ctx.db, ctx.student_id, form["text"], form["category"],
                          form["tiara"], float(form["minutes"]), ctx.now, interview_id=iid,
                          done="Added to your list for this conversation (and to your bank for the next ones).")
    for reason in (added[1] if ok else []):
        ui.flash("warning", f"This question {ui.md_escape(reason)}.", slot=form.slot)


def questions_tab(ctx, iid: str, record: dict) -> None:
    chosen = prep.selection(ctx.db, ctx.student_id, iid)
    plan = prep.budget(record["length_minutes"], chosen)
    st.markdown(f"{':orange' if plan.over else ':blue'}[**{plan.questions_minutes:.0f} of {plan.available:.0f} "
                f"minutes of questions**] ({record['length_minutes']}-minute conversation; {prep.OPENING_MINUTES} for "
                f"the opening and {prep.CLOSING_MINUTES} for the closing are kept free)")
    ui.plotly(f"question_budget_{iid}", charts.budget_bar, plan.questions_minutes, plan.available,
              record["length_minutes"])
    if plan.over:
        st.warning(f"About {plan.questions_minutes - plan.available:.0f} minutes too many: drop a question or two. "
                   "Finishing on time shows you respect theirs.", icon=":material/timer:")
    for warning in prep.list_warnings(chosen):
        st.warning(ui.md_escape(warning), icon=":material/warning:")
    form = ui.Form(f"questions_{iid}", ctx.student_id)
    ui.show_flash(form)

    if ctx.read_only:
        ui.table(chosen.assign(Category=chosen["category"].map(prep.CATEGORIES))[["text", "Category", "minutes"]]
                 .rename(columns={"text": "Question", "minutes": "Minutes"}), "No questions chosen yet.",
                 key="selection_view")
        return
    st.markdown("##### My questions, in order")
    view = chosen.assign(Order=range(1, len(chosen) + 1), Remove=False,
                         Kind=chosen["category"].map(prep.CATEGORIES) + " · " + chosen["tiara"].map(TIARA))
    st.caption("Type 1 in *Order* to put a question first; tick *Remove* to drop it; then save.")
    st.data_editor(view[["Order", "text", "minutes", "Remove", "Kind"]], key=form.key("order"), placeholder=ui.EMPTY_CELL,
                   hide_index=True, width="stretch", disabled=["text", "Kind", "minutes"],
                   column_config={"Order": st.column_config.NumberColumn(min_value=1, step=1, width=75),
                                  "text": st.column_config.TextColumn("Question", width=430),
                                  "minutes": st.column_config.NumberColumn("Min", format="%.0f", width=50),
                                  "Remove": st.column_config.CheckboxColumn(width=85),
                                  "Kind": st.column_config.TextColumn("Category · TIARA", width=170)})
    st.button("Save order and removals", key=form.key("save_order"), on_click=form.on(save_order), args=(ctx, form, iid, view))

    st.markdown("##### Add questions")
    bank = ui.read(ctx, prep.question_bank)
    goal = record["goal"]
    filters = st.columns([1.2, 1.2, 1])
    default_categories = list(prep.GOALS[goal][1]) if goal in prep.GOALS else []
    categories = filters[0].multiselect("Category", list(prep.CATEGORIES), default=default_categories,
                                        format_func=prep.CATEGORIES.get, key=form.key("bank_category"),
                                        placeholder="All categories")
    parts = filters[1].multiselect("TIARA", list(TIARA), format_func=TIARA.get, key=form.key("bank_tiara"),
                                   placeholder="Trends, Insights, Advice, Resources, Assignments")
    favourites_only = filters[2].toggle("Favourites only", key=form.key("bank_favourites"))
    shown = bank[~bank["id"].isin(chosen["question_id"])]
    if categories:
        shown = shown[shown["category"].isin(categories)]
    if parts:
        shown = shown[shown["tiara"].isin(parts)]
    if favourites_only:
        shown = shown[shown["favourite"]]
    shown = shown.assign(Add=False, **{"★": shown["favourite"]}, Category=shown["category"].map(prep.CATEGORIES),
                         Part=shown["tiara"].map(TIARA), Mine=shown["own"]).reset_index(drop=True)
    if goal in prep.GOALS:
        st.caption(f"Suggested for your goal, *{prep.GOALS[goal][0].lower()}*: clear the category filter to see all.")
    st.data_editor(shown[["Add", "★", "text", "Category", "Part", "minutes", "Mine"]], key=form.key("bank"),
                   hide_index=True, placeholder=ui.EMPTY_CELL,
                   width="stretch", height=320 if len(shown) > 8 else "auto",
                   disabled=["text", "Category", "Part", "minutes", "Mine"],
                   column_config={"Add": st.column_config.CheckboxColumn(width=55),
                                  "★": st.column_config.CheckboxColumn(width=45, help="Favourite"),
                                  "text": st.column_config.TextColumn("Question", width=400),
                                  "Category": st.column_config.TextColumn(width=120),
                                  "Part": st.column_config.TextColumn(width=75),
                                  "minutes": st.column_config.NumberColumn("Min", format="%.0f", width=45),
                                  "Mine": st.column_config.CheckboxColumn(width=60, help="A question you wrote")})
    st.button("Add the ticked questions", key=form.key("add"), type="primary", on_click=form.on(add_ticked),
              args=(ctx, form, iid, shown))
    own = ui.Form("own_question", ctx.student_id)
    with st.expander("Write your own question", icon=":material/edit_note:"):
        with st.form(own.key("form"), border=False):
            st.text_input("Question", key=own.key("text"), max_chars=300)
            a, b, c = st.columns(3)
            a.selectbox("Category", list(prep.CATEGORIES), key=own.key("category"), format_func=prep.CATEGORIES.get)
            b.selectbox("TIARA", list(TIARA), key=own.key("tiara"), format_func=TIARA.get, index=1)
            c.number_input("Minutes", key=own.key("minutes"), min_value=0.5, max_value=15.0, value=2.0, step=0.5)
            st.form_submit_button("Add to my list", on_click=own.on(add_own), args=(ctx, own, iid))
        ui.show_flash(own)


# --- the sheet and the log ------------------------------------------------------------------

def sheet_tab(ctx, iid: str) -> None:
    data = prep.sheet(ctx.db, ctx.student_id, iid)
    slug = "".join(ch if ch.isalnum() else "-" for ch in data["contact"].lower())
    left, middle, right = st.columns(3)
    # built on click, not on every rerun; an export by a coach is logged (ui.log_export)
    left.download_button("Download as Markdown", ui.log_export(ctx, "Prep: sheet (Markdown)", lambda: prep.sheet_markdown(data)),
                         file_name=f"prep-{slug}.md", mime="text/markdown", key="sheet_md",
                         icon=":material/description:", width="stretch")
    middle.download_button("Download to print (HTML)", ui.log_export(ctx, "Prep: sheet (HTML)", lambda: prep.sheet_html(data)),
                           file_name=f"prep-{slug}.html", mime="text/html", key="sheet_html", icon=":material/print:",
                           width="stretch", help="Open it in your browser and print it.")
    if documents.pdf_available():
        right.download_button("Download as PDF", ui.log_export(ctx, "Prep: sheet (PDF)", lambda: prep.sheet_pdf(data)),
                              file_name=f"prep-{slug}.pdf", mime="application/pdf", key="sheet_pdf",
                              icon=":material/picture_as_pdf:", width="stretch", help="A one-page A4 PDF to file or print.")
    else:
        right.caption(f"PDF needs a Unicode font: install {documents.FONT_PACKAGE}.")
    preview = re.sub(r"^(#+) ", lambda m: "#" * (len(m.group(1)) + 2) + " ", prep.sheet_markdown(data), flags=re.M)
    with st.container(border=True):
        st.markdown(preview)      # user text is escaped by sheet_markdown; headings shrunk for the preview


def save_log(ctx, form: ui.Form, iid: str, chosen: pd.DataFrame) -> None:
    referrals = [values for _, values, _ in ui.editor_rows([], ss.get(form.key("referrals")))]
    log = prep.ConversationLog(
        status=form["status"], notes=form["notes"], takeaways=form["takeaways"],
        asked_linkedin=form["linkedin"], asked_stay_in_touch=form["stay"], asked_referrals=form["referrals_asked"],
        closing_answers=form["answers"], resume_requested=form["resume"], referrals=referrals,
        new_time=datetime.combine(form["new_date"], form["new_time"]),
        referral_answers={q.row: form[f"answer_{q.row}"] for q in form.questions if form[f"answer_{q.row}"]},
        answer_notes={row.id: form[f"q_{row.id}"] for row in chosen.itertuples() if form[f"q_{row.id}"] is not None})

    def done(outcome) -> str:
        extra = ""
        if outcome.added:
            extra += f" {len(outcome.added)} referral{'s' if len(outcome.added) != 1 else ''} added as warm contacts."
        if outcome.matched:
            extra += (f" {len(outcome.matched)} already in your network, now warm."
                      if len(outcome.matched) != 1 else " 1 was already in your network, now warm.")
        if extra:
            extra += " Each has a to-do to reach out."
        return f"Logged as {LOG_STATUSES[log.status].lower()}.{extra}"

    ui.action(form, prep.log_conversation, ctx.db, ctx.student_id, iid, log, ctx.today, ctx.now, done=done)


def log_tab(ctx, iid: str, record: dict) -> None:
    chosen = prep.selection(ctx.db, ctx.student_id, iid)
    if ctx.read_only:
        st.markdown(f"**Takeaways:** {ui.md_escape(record['takeaways'] or '–')}  \n"
                    f"**Their answers:** {ui.md_escape(record['closing_answers'] or '–')}  \n"
                    f"**Notes:** {ui.md_escape(record['notes'] or '–')}")
        return
    form = ui.Form(f"log_{iid}", ctx.student_id)
    ui.show_flash(form)
    if record["status"] == "scheduled" and record["scheduled_at"] > ctx.now:
        st.info(f"This conversation is on {record['scheduled_at']:%A %d %B at %H:%M}. Log it afterwards; "
                "if it moves, choose *Rescheduled* and the new time.", icon=":material/event:")
    statuses = list(LOG_STATUSES)
    current = record["status"] if record["status"] in statuses else "held"
    with st.form(form.key("form"), border=False, enter_to_submit=False):   # no hint over the time field
        top = st.columns([2, 1, 1])
        top[0].radio("How did it go?", statuses, format_func=LOG_STATUSES.get, horizontal=True,
                     index=statuses.index(current), key=form.key("status"))
        top[1].date_input("New date (if rescheduled)", value=ctx.today + timedelta(days=7), key=form.key("new_date"),
                          format="DD/MM/YYYY")
        top[2].time_input("New time", value=time(10, 0), key=form.key("new_time"), step=timedelta(minutes=15))
        st.text_area("Key takeaways", value=record["takeaways"] or "", key=form.key("takeaways"), max_chars=5000,
                     height=90, help="The thank-you note quotes one of these.")
        asked_questions = chosen[chosen["category"] != "closing"]
        if len(asked_questions):
            st.markdown("**Notes per question**")
            for number, row in enumerate(asked_questions.itertuples(), start=1):
                st.text(f"{number}. {row.text}")     # a question may be the student's own words: never a label
                st.text_input(f"Notes on question {number}", value=row.answer_notes or "", key=form.key(f"q_{row.id}"),
                              max_chars=3000, label_visibility="collapsed")
        st.text_area("Other notes", value=record["notes"] or "", key=form.key("notes"), max_chars=10000, height=80)
        st.markdown("**Closing**")
        asked = st.columns(4)
        asked[0].checkbox("Asked to connect on LinkedIn", value=bool(record["asked_linkedin"]), key=form.key("linkedin"))
        asked[1].checkbox("Asked to stay in touch", value=bool(record["asked_stay_in_touch"]), key=form.key("stay"))
        asked[2].checkbox("Asked who else to talk to", value=bool(record["asked_referrals"]),
                          key=form.key("referrals_asked"))
        asked[3].checkbox("They asked for my resume", value=bool(record["resume_requested"]), key=form.key("resume"))
        st.text_input("Their answers", value=record["closing_answers"] or "", key=form.key("answers"), max_chars=2000)
        st.markdown("**People they suggested** (each becomes a warm contact with a to-do to reach out)")
        st.data_editor(pd.DataFrame({"name": pd.Series(dtype="string"), "organisation": pd.Series(dtype="string")}),
                       key=form.key("referrals"), num_rows="dynamic", hide_index=True, width="stretch", placeholder=ui.EMPTY_CELL,
                       column_config={"name": st.column_config.TextColumn("Name", max_chars=120),
                                      "organisation": st.column_config.TextColumn("Organisation", max_chars=160)})
        ui.referral_questions(form)
        st.form_submit_button("Save the log", type="primary", on_click=form.on(save_log), args=(ctx, form, iid, chosen))


# --- the page ---------------------------------------------------------------------------------

ctx = ui.context()
ui.require_student(ctx)
st.title("Prep and conversations")
ui.read_only_banner(ctx)
conversations = ui.read(ctx, prep.conversations)
if conversations.empty:
    st.info("No conversations yet. When someone agrees to talk, record the reply and schedule it on the "
            "Outreach page (Requests); it appears here with its checklist.", icon=":material/event_available:")
    st.stop()
labels = {row.id: conversation_label(row) for row in conversations.itertuples()}
iid = ui.pick(st, "Conversation", labels, key=f"prep_interview@{ctx.student_id}", default=next(iter(labels)),
              help="Coming up first, then ones to log, then past ones.")
record = prep.interview(ctx.db, ctx.student_id, iid)
items = prep.checklist(ctx.db, ctx.student_id, iid)
summary, readiness = st.columns([3, 1], vertical_alignment="center")
summary.markdown(f"**{record['scheduled_at']:%A %d %B %Y, %H:%M}** · {FORMATS[record['format']]} · "
                 f"{record['length_minutes']} minutes · {INTERVIEW_STATUSES[record['status']]}  \n"
                 f"with **{ui.md_escape(record['contact'])}**"
                 + (f", {ui.md_escape(record['role'])}" if record["role"] else "")
                 + (f" at {ui.md_escape(record['organisation'])}" if record["organisation"] else ""))
ready = prep.readiness(items)
if record["status"] == "scheduled":
    readiness.metric("Ready", f"{ready}%" if ready is not None else "–",
                     help=f"{int(items['Done'].sum())} of {len(items)} checklist items done")
else:                  # readiness is for a conversation still to come; afterwards, say how it went
    readiness.metric("Status", INTERVIEW_STATUSES[record["status"]],
                     help="Logged on the *Log the conversation* tab.")
ss.setdefault("prep_tab", TABS[0])
tabs = st.tabs(TABS, key="prep_tab", on_change="rerun")
sections = (lambda: checklist_tab(ctx, iid, record, items), lambda: questions_tab(ctx, iid, record),
            lambda: sheet_tab(ctx, iid), lambda: log_tab(ctx, iid, record),
            lambda: ui.table(ui.read(ctx, prep.interviews_table), "No conversations yet.", key="prep_interviews",
                             column_config={"When": st.column_config.DatetimeColumn(format="ddd D MMM YYYY, HH:mm")}))
for tab, draw in zip(tabs, sections):
    if tab.open is not False:
        with tab:
            draw()

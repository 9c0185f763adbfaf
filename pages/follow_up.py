"""Follow-ups: the one due queue (done in one click, or snoozed), the thank-you clock and
composer, keep-in-touch cadence, referrals followed through, charts, and exports.
Rules live in lib/followup.py and lib/exports.py."""
from datetime import datetime, timedelta

import pandas as pd
import streamlit as st

from lib import charts, clock, drafts, exports, followup, method, metrics, network, outreach, ui
from lib.models import CHANNELS, TOUCH_KINDS
from lib.students import get_student

ss = st.session_state
TABS = ("Due", "Thank-yous", "Keep in touch", "Referrals", "Charts", "Export")
SHOW = {"all": "All", "overdue": "Overdue", "today": "Today", "upcoming": "This week"}
STATE_LABELS = {"on time": "On time", "late": "Late", "missing": "Missing", "open": "Window open"}
STATUS_LABELS = {"green": "On track", "amber": "Due", "red": "Overdue"}
STATUS_STYLE = {"On track": "background-color: #d9f2ea", "Due": "background-color: #fbf5c4",
                "Overdue": "background-color: #f6d5c2"}


# --- the due queue ---------------------------------------------------------------------------

def done(ctx, form: ui.Form, item_key: str) -> None:
    ui.action(form, followup.complete, ctx.db, ctx.student_id, item_key, ctx.today, ctx.now, done=lambda m: m)


def snooze(ctx, form: ui.Form, item_key: str) -> None:
    until = form[f"snooze_{item_key}"]
    ui.action(form, followup.snooze, ctx.db, ctx.student_id, item_key, until, ctx.today,
              done=f"Snoozed until {until:%A %d %B}.")


def due_tab(ctx, due: pd.DataFrame) -> None:
    form = ui.Form("due", ctx.student_id)
    ui.show_flash(form)
    show = st.segmented_control("Show", list(SHOW), format_func=SHOW.get, key="due_show", default="all")
    shown = due if show in (None, "all") else due[due["status"] == show]
    if shown.empty:
        st.success("Nothing here. Well kept!", icon=":material/done_all:")
    for item in shown.head(60).itertuples():
        with st.container(border=True):
            text, actions = st.columns([3.2, 1.6], vertical_alignment="center")
            when = {"overdue": f":orange[overdue since {item.due_on:%a %d %b}]", "today": ":blue[today]"}.get(
                item.status, f":gray[{item.due_on:%a %d %b}]")
            text.markdown(f"**{ui.md_escape(item.title)}**  \n{followup.DUE_KINDS[item.kind]} · {when}")
            if ctx.read_only:
                continue
            left, right = actions.columns(2)
            if item.kind == "log_conversation":
                left.page_link("pages/prep.py", label="Log it", icon=":material/edit_note:")
            else:
                left.button("Done", key=form.key(f"done_{item.item_key}"), icon=":material/check:", on_click=form.on(done),
                            args=(ctx, form, item.item_key), help="Logs the touch where there is one")
            # keyed by item and form generation: after a snooze the pop-up closes and never reopens on the
            # item that moves into its place
            with right.popover("Snooze", icon=":material/snooze:", key=form.key(f"pop_{item.item_key}")):
                st.date_input("Until", key=form.key(f"snooze_{item.item_key}"),
                              value=clock.add_business_days(ctx.today, 1), min_value=ctx.today + timedelta(days=1),
                              max_value=ctx.today + timedelta(days=followup.MAX_SNOOZE_DAYS), format="DD/MM/YYYY")
                st.button("Snooze", key=form.key(f"snooze_button_{item.item_key}"), on_click=form.on(snooze),
                          args=(ctx, form, item.item_key))
    if len(shown) > 60:
        st.caption(f"The first 60 of {len(shown)}.")


# --- thank-yous --------------------------------------------------------------------------------

def window_changed(ctx, key: str) -> None:
    ui.action(ui.Form("thanks", ctx.student_id), followup.set_thank_you_window, ctx.db, ctx.student_id, ss[key],
              clear=False, done=f"From now on, thank-yous are due within {ss[key]} hours. Conversations already "
                                "held keep the window they had.")


def conversation_picked(ctx, form: ui.Form, clock: pd.DataFrame) -> None:
    """A conversation was chosen (or changed): its first takeaway, and a draft that names it."""
    interview = ui.chosen(form.key("interview"))
    if not interview:
        return
    choices = followup.takeaway_choices(clock.set_index("id").loc[interview, "takeaways"])
    form["takeaway"] = choices[0] if choices else None
    redraft(ctx, form, clock)


def redraft(ctx, form: ui.Form, clock: pd.DataFrame) -> None:
    row = clock.set_index("id").loc[ui.chosen(form.key("interview"))]
    form["text"] = followup.thank_you_draft(row["contact"], form["takeaway"], ctx.student_name)


def next_due_thank_you(ctx, after: str) -> str | None:
    """The next conversation still waiting for its thank-you (open first, then missing)."""
    clock = followup.thank_you_clock(ctx.db, ctx.student_id, ctx.today, ctx.now)
    waiting = clock[clock["state"].isin(["open", "missing"]) & (clock["id"] != after)]
    waiting = waiting.sort_values(by="state", key=lambda s: s.map({"open": 0, "missing": 1}), kind="stable")
    return waiting["id"].iloc[0] if len(waiting) else None


def record_sent(ctx, form: ui.Form) -> None:
    interview = ui.chosen(form.key("interview"))
    sent_at = datetime.combine(form["date"], form["time"])
    ok, _ = ui.action(form, followup.record_thank_you, ctx.db, ctx.student_id, interview, sent_at, form["text"],
                      ctx.now, done="Thank-you recorded. The keep-in-touch clock starts from it.")
    if ok:
        following = next_due_thank_you(ctx, interview)
        if following:                       # on to the next one due, drafted
            form["interview"] = following
            conversation_picked(ctx, form, followup.thank_you_clock(ctx.db, ctx.student_id, ctx.today, ctx.now))


def thank_you_tab(ctx) -> None:
    student = get_student(ctx.db, ctx.student_id)
    window_key = f"thank_you_window@{ctx.student_id}"
    ss[window_key] = int(student["thank_you_hours"])       # this student's own setting, from the database
    st.radio("Send thank-yous within", list(method.THANK_YOU_WINDOWS), key=window_key, horizontal=True,
             format_func=lambda h: f"{h} hours", on_change=window_changed, args=(ctx, window_key),
             disabled=ctx.read_only, help="The guides say 24 hours; some allow 48. Changing it does not re-grade "
                                          "conversations already held.")
    form = ui.Form("thanks", ctx.student_id)
    clock = ui.read_now(ctx, followup.thank_you_clock)
    if clock.empty:
        ui.show_flash(form)
        st.caption("No conversation held yet: the clock starts when you log one as held (Prep page).")
        return
    view = clock.assign(State=clock["state"].map(STATE_LABELS),
                        Left=clock["hours_left"].map(lambda h: f"{h:.0f} h left" if pd.notna(h) else ""))
    ui.table(view.rename(columns={"contact": "Contact", "ended_at": "Ended", "deadline": "Deadline",
                                  "sent_at": "Sent"})[["Contact", "Ended", "Deadline", "Sent", "State", "Left"]],
             "", key="ty_clock", height=260 if len(view) > 6 else "auto",
             column_config={c: st.column_config.DatetimeColumn(format="ddd D MMM, HH:mm")
                            for c in ("Ended", "Deadline", "Sent")})
    ui.show_flash(form)
    if ctx.read_only:
        return
    st.markdown("##### Write and record a thank-you")
    order = {"open": 0, "missing": 1, "late": 2, "on time": 3}
    pending = clock.sort_values(by="state", key=lambda s: s.map(order), kind="stable")
    labels = {row.id: f"{row.contact} · {STATE_LABELS[row.state].lower()} · {row.ended_at:%d %b}"
              for row in pending.itertuples()}
    ui.pick(st, "Conversation", labels, key=form.key("interview"), placeholder="Choose a conversation",
            on_change=form.on(conversation_picked), args=(ctx, form, clock))
    interview = ui.chosen(form.key("interview"))
    if not interview:
        return
    if form["text"] is None:
        conversation_picked(ctx, form, clock)
    row = clock.set_index("id").loc[interview]
    choices = followup.takeaway_choices(row["takeaways"])
    if choices:
        ui.pick(st, "The takeaway to mention", dict(zip(choices, choices)), key=form.key("takeaway"),
                on_change=form.on(redraft), args=(ctx, form, clock), help="Name one thing you learnt: it shows you listened.")
    else:
        st.caption("No takeaways logged for this conversation: add them on the Prep page to name one here.")
    st.text_area("Message", key=form.key("text"), height=200, max_chars=5000)
    link = drafts.mailto(outreach.draft_context(ctx.db, ctx.student_id, row["contact_id"]), "Thank you", form["text"])
    if link:                                            # None without an email address
        st.link_button("Open in my email app", link, icon=":material/mail:")
    with st.form(form.key("form"), border=False):
        day, hour, go = st.columns([1, 1, 1.4], vertical_alignment="bottom")
        day.date_input("Sent on", key=form.key("date"), value=ctx.today, max_value=ctx.today, format="DD/MM/YYYY")
        hour.time_input("At", key=form.key("time"), value=ctx.now.time().replace(second=0, microsecond=0),
                        step=timedelta(minutes=5))
        go.form_submit_button("Record as sent", type="primary", icon=":material/send:", on_click=form.on(record_sent),
                              args=(ctx, form))


# --- keep in touch -----------------------------------------------------------------------------

def save_touch(ctx, form: ui.Form) -> None:
    ui.action(form, followup.log_touch, ctx.db, ctx.student_id, ui.chosen(form.key("contact")), form["kind"],
              form["date"], form["channel"], form["note"], ctx.today, ctx.now,
              done="Touch logged: their keep-in-touch clock starts again.")


def keep_in_touch_tab(ctx) -> None:
    people = ui.read(ctx, followup.cadence)
    left, right = st.columns([1.8, 1], gap="large")
    with left:
        st.markdown("##### Everyone you've met", help=ui.doc(followup.cadence))
        if people.empty:
            st.caption("Nobody yet: people you hold a conversation with appear here.")
        else:
            view = people.assign(Status=people["status"].map(STATUS_LABELS)).rename(columns={
                "contact": "Person", "last_touch": "Last touch", "days_since": "Days since",
                "ideal_days": "Every (days)", "next_on": "Next touch"})
            view = view[["Person", "Status", "Last touch", "Days since", "Every (days)", "Next touch"]]
            st.dataframe(view.style.map(lambda v: STATUS_STYLE.get(v, ""), subset=["Status"]), hide_index=True,
                         width="stretch", key="cadence_table", height=320 if len(view) > 8 else "auto", placeholder=ui.EMPTY_CELL,
                         column_config={"Last touch": st.column_config.DateColumn(format="D MMM YYYY"),
                                        "Next touch": st.column_config.DateColumn(format="D MMM YYYY")})
    with right:
        st.markdown("##### Ideas for reconnecting")
        for idea in followup.RECONNECT_IDEAS:
            st.markdown(f"- {idea}")
    if ctx.read_only:
        return
    st.markdown("##### Log a touch")
    contacts = ui.read(ctx, followup.touchable)
    if contacts.empty:
        st.caption("No contacts yet.")
        return
    form = ui.Form("touch", ctx.student_id)
    with st.form(form.key("form"), border=False):
        who, kind = st.columns(2)
        ui.pick(who, "Who", dict(zip(contacts["id"], network.labels(contacts))), key=form.key("contact"),
                placeholder="Choose a contact")
        kind.selectbox("What", list(TOUCH_KINDS), key=form.key("kind"), format_func=TOUCH_KINDS.get, index=3)
        when, channel = st.columns(2)
        when.date_input("When", key=form.key("date"), value=ctx.today, max_value=ctx.today, format="DD/MM/YYYY")
        channel.selectbox("Channel", list(CHANNELS), key=form.key("channel"), format_func=CHANNELS.get)
        st.text_input("Note", key=form.key("note"), max_chars=2000)
        st.form_submit_button("Log it", type="primary", on_click=form.on(save_touch), args=(ctx, form))
    ui.show_flash(form)


# --- referrals ---------------------------------------------------------------------------------

def save_landed(ctx, form: ui.Form) -> None:
    ui.action(form, followup.record_landed, ctx.db, ctx.student_id, form["date"], form["note"], ctx.today, ctx.now,
              done=lambda added: f"Congratulations! {added} to-do{'s' if added != 1 else ''} added: tell everyone "
                                 "who helped.")


def referrals_tab(ctx) -> None:
    st.markdown("##### Referrals, until you contact them", help=ui.doc(followup.referrals_table))
    ui.table(ui.read(ctx, followup.referrals_table), "No referrals yet: ask every person you meet who else you "
             "should talk to.", key="referrals_table",
             column_config={"Since": st.column_config.DateColumn(format="D MMM"),
                            "Contacted on": st.column_config.DateColumn(format="D MMM")})
    st.markdown("##### Landed a job or internship?")
    student = get_student(ctx.db, ctx.student_id)
    if pd.notna(student.get("landed_on")):
        st.success(f"You recorded **{ui.md_escape(student['landed_note'])}** on {student['landed_on']:%d %B %Y}.",
                   icon=":material/celebration:")
    if ctx.read_only:
        return
    form = ui.Form("landed", ctx.student_id)
    with st.form(form.key("form"), border=False):
        what, when = st.columns([2, 1])
        what.text_input("What you landed", key=form.key("note"), max_chars=300, placeholder="an internship at ...")
        when.date_input("When", key=form.key("date"), value=ctx.today, max_value=ctx.today, format="DD/MM/YYYY")
        st.form_submit_button("Record it and thank everyone who helped", on_click=form.on(save_landed), args=(ctx, form))
    ui.show_flash(form)


# --- charts and export -----------------------------------------------------------------------------

def charts_tab(ctx) -> None:
    people, points = ui.read(ctx, followup.timeline)
    ui.titled_chart("Keep-in-touch timeline", followup.cadence, "chart_cadence", charts.cadence_timeline,
                    people, points, ctx.today)
    left, right = st.columns(2)
    with left:
        ui.titled_chart("Hours to thank-you", metrics.thank_you_hours, "chart_follow_thanks", charts.thank_you_chart,
                        ui.read_now(ctx, ui.thank_you_hours))
    with right:
        ui.titled_chart("On time, by month", metrics.thank_you_on_time_by_month, "chart_on_time",
                        charts.on_time_chart, ui.read_now(ctx, metrics.thank_you_on_time_by_month))
    ui.titled_chart("Overdue, by kind", metrics.overdue_by_kind, "chart_overdue", charts.overdue_chart,
                    ui.read_now(ctx, metrics.overdue_by_kind))


def export_tab(ctx) -> None:
    st.caption("Take your plan elsewhere. The calendar holds your due follow-ups (next 90 days and overdue) and "
               "scheduled conversations; importing it again updates the same events. The CSV lists every contact "
               "with their touches; cells that a spreadsheet could run as a formula are made plain text.")
    slug = "".join(ch if ch.isalnum() else "-" for ch in ctx.student_name.lower())
    left, right = st.columns(2)
    # files are built on click (in Streamlit's download thread), not on every rerun
    left.download_button("Calendar (.ics)", ui.log_export(ctx, "Follow-ups: calendar (.ics)", lambda: exports.calendar(
                         ctx.db, ctx.student_id, ctx.today, ctx.now)),
                         file_name=f"coffee-chats-{slug}.ics", mime="text/calendar", key="export_ics",
                         icon=":material/calendar_month:", width="stretch")
    right.download_button("Contacts and touches (.csv)", ui.log_export(ctx, "Follow-ups: contacts and touches (.csv)",
                          lambda: exports.contacts_csv(ctx.db, ctx.student_id, ctx.today)),
                          file_name=f"contacts-{slug}.csv", mime="text/csv", key="export_csv",
                          icon=":material/table:", width="stretch")
    st.caption("From the command line: `python -m lib export --student NAME --format ics|csv --out PATH`")


# --- the page -----------------------------------------------------------------------------------------

ctx = ui.context()
ui.require_student(ctx)
st.title("Follow-ups")
ui.read_only_banner(ctx)
due = ui.read_now(ctx, followup.week_ahead)
thanks = ui.read_now(ctx, metrics.summary)["thank_yous"]
kpis = st.columns(4)
kpis[0].metric("Overdue", int((due["status"] == "overdue").sum()))
kpis[1].metric("Due today", int((due["status"] == "today").sum()))
kpis[2].metric("Later this week", int((due["status"] == "upcoming").sum()))
settled = thanks["settled"]
kpis[3].metric("Thank-yous on time", f"{thanks['on_time_rate']:.0%}" if thanks["on_time_rate"] is not None else "–",
               help=ui.doc(metrics.thank_yous))
kpis[3].caption(f"{thanks['on_time']} of {settled}" + (" (small n)" if 0 < settled < metrics.SMALL_N else "")
                if settled else "None due yet")
ss.setdefault("follow_tab", TABS[0])
tabs = st.tabs(TABS, key="follow_tab", on_change="rerun")
sections = (lambda: due_tab(ctx, due), lambda: thank_you_tab(ctx), lambda: keep_in_touch_tab(ctx),
            lambda: referrals_tab(ctx), lambda: charts_tab(ctx), lambda: export_tab(ctx))
for tab, draw in zip(tabs, sections):
    if tab.open is not False:
        with tab:
            draw()

"""Outreach: draft a request with live coaching, send it, log it, record the reply, schedule
the conversation, and work the 3B7 routine from a "do today" list. Rules live in
lib/drafts.py (drafting and checks) and lib/outreach.py (requests and the routine)."""
from datetime import datetime, time, timedelta

import pandas as pd
import streamlit as st

from lib import charts, drafts, method, metrics, network, outreach, ui
from lib.models import CHANNELS, DEFAULT_INTERVIEW_MINUTES, FORMATS, OUTCOMES, REPLY_BEHAVIOURS

ss = st.session_state
TABS = ("Do today", "Compose", "Requests", "Charts")
CHOICE_LIMIT = 300
CHECK_ICONS = {"ok": ":material/check_circle:", "note": ":material/info:", "warning": ":material/warning:",
               "error": ":material/cancel:"}
CHECK_COLOURS = {"ok": "green", "note": "blue", "warning": "orange", "error": "red"}


# --- compose ---------------------------------------------------------------------------------
# One form per student ("compose"): the contact, channel, variant, subject, message and date,
# and, when the student came from a 3B7 item, the request being followed up.

def start_compose(ctx, contact_id: str, follow_up_request: str | None = None) -> None:
    """Open the composer on a contact (callbacks only: the widgets aren't drawn yet). With
    `follow_up_request`, the draft is that request's one follow-up and is logged as such."""
    form = ui.Form("compose", ctx.student_id)
    form.clear()
    form["contact"] = contact_id
    form["follow_up"] = follow_up_request
    ss["outreach_tab"] = "Compose"
    prepare_draft(ctx, form)


def contact_changed(ctx, form: ui.Form) -> None:
    """The student picked someone else: a follow-up belongs to its own contact, so it ends."""
    contact_id = ui.chosen(form.key("contact"))
    if form["contact"] != contact_id:        # a stale label from the browser (callbacks only)
        form["contact"] = contact_id
    form["follow_up"] = None
    if contact_id:
        prepare_draft(ctx, form)


def prepare_draft(ctx, form: ui.Form) -> None:
    """Channel and variant for the chosen contact (a follow-up keeps its request's channel), then the text."""
    context = outreach.draft_context(ctx.db, ctx.student_id, ui.chosen(form.key("contact")))
    request = outreach.follow_up_of(ctx.db, ctx.student_id, form["follow_up"]) if form["follow_up"] else None
    form["channel"] = request["channel"] if request else drafts.suggested_channel(context)[0]
    form["variant"] = drafts.variant_for(context)
    regenerate(ctx, form)


def regenerate(ctx, form: ui.Form) -> None:
    """Fill the subject and message from the template for the current choices."""
    context = outreach.draft_context(ctx.db, ctx.student_id, ui.chosen(form.key("contact")))
    if form["follow_up"]:
        request = outreach.follow_up_of(ctx.db, ctx.student_id, form["follow_up"])
        subject, body = drafts.follow_up(context, form["channel"], request["sent_on"])
    else:
        subject, body = drafts.draft(context, form["channel"], form["variant"])
    form["subject"], form["text"] = subject, body


def log_sent(ctx, form: ui.Form) -> None:
    contact_id = ui.chosen(form.key("contact"))
    name = ui.md_escape(outreach.draft_context(ctx.db, ctx.student_id, contact_id).contact_name)
    if form["follow_up"]:
        ui.action(form, outreach.mark_follow_up_sent, ctx.db, ctx.student_id, form["follow_up"], form["sent_on"],
                  ctx.today, done=f"Follow-up logged: **{name}**. If they don't answer within "
                                  f"{method.CURMUDGEON_BUSINESS_DAYS} business days, move on.")
    else:
        ui.action(form, outreach.log_request, ctx.db, ctx.student_id, contact_id, form["channel"], form["sent_on"],
                  form["text"], ctx.today, ctx.now,
                  done=f"Request logged: **{name}**. The *Do today* list will remind you on business day "
                       f"{method.SECOND_CONTACT_BUSINESS_DAYS} (a second contact there) and day "
                       f"{method.FOLLOW_UP_BUSINESS_DAYS} (one follow-up).")


def compose_tab(ctx) -> None:
    if ctx.read_only:
        st.caption("Drafting and logging requests is the student's: see what was sent under *Requests*.")
        return
    choices = ui.read(ctx, outreach.compose_choices)
    if choices.empty:
        st.info("Add people to your network first (Network > Map your network).", icon=":material/group_add:")
        return
    form = ui.Form("compose", ctx.student_id)
    k = form.key
    ui.show_flash(form)
    left, right = st.columns([2.2, 1], gap="large")
    with left:
        query = st.text_input("Find a contact", key=k("search"), placeholder="Name or organisation")
        shown = choices
        if query:
            text = shown["name"] + " " + shown["organisation"].fillna("")
            shown = shown[text.str.contains(query, case=False, regex=False)]
        shown = shown.head(CHOICE_LIMIT)
        labels = dict(zip(shown["id"], network.labels(shown) + shown.apply(
            lambda r: f" · {r['warmth']}" + (" · asked before" if r["asked"] else ""), axis=1)))
        current = ui.chosen(k("contact"))
        if current and current not in labels:
            labels[current] = choices.set_index("id")["name"].get(current, "(archived)")
        ui.pick(st, "Write to", labels, key=k("contact"),
                placeholder="Choose a contact (never-asked and warm ones first)", on_change=form.on(contact_changed),
                args=(ctx, form))
    if not ui.chosen(k("contact")):
        right.caption("Pick someone to write to: the draft and its checks appear here.")
        return
    if form["text"] is None:
        prepare_draft(ctx, form)
    context = outreach.draft_context(ctx.db, ctx.student_id, ui.chosen(k("contact")))
    with left:
        if form["follow_up"]:
            request = outreach.follow_up_of(ctx.db, ctx.student_id, form["follow_up"])
            st.info(f"Writing the one 3B7 follow-up to your request of {request['sent_on']:%A %d %B}: short, "
                    "friendly, the same small ask. It is logged with that request, not as a new one.",
                    icon=":material/reply:")
        channel_col, variant_col = st.columns(2)
        channel_col.radio("Channel", list(CHANNELS), key=k("channel"),
                          format_func=lambda c: drafts.channel_label(c, context),
                          on_change=form.on(regenerate), args=(ctx, form))
        variant_col.radio("Variant", list(drafts.VARIANTS), key=k("variant"), format_func=drafts.VARIANTS.get,
                          on_change=form.on(regenerate), args=(ctx, form), horizontal=True,
                          disabled=bool(form["follow_up"]))
        suggested, reason = drafts.suggested_channel(context)
        st.caption(f"Suggested: **{drafts.channel_label(suggested, context)}**. {reason} Email first; LinkedIn or social "
                   "messages when there is no email; texts only for family and close friends.")
        concern = drafts.channel_warning(context, form["channel"])
        if concern:
            st.warning(concern, icon=":material/warning:")
        if form["channel"] == "email":
            st.text_input("Subject", key=k("subject"), max_chars=200)
        st.text_area("Message", key=k("text"), height=280, max_chars=5000,
                     help="Edit freely; the checks update when you click outside the box.")
        st.button("Start again from the template", key=k("reset"), icon=":material/restart_alt:",
                  on_click=form.on(regenerate), args=(ctx, form))
    with right:
        st.markdown("##### Checks")
        for result in drafts.check(form["text"], form["channel"], context):
            colour = CHECK_COLOURS[result.level]
            st.markdown(f"{CHECK_ICONS[result.level]} :{colour}[**{result.label}**]  \n"
                        f"{ui.md_escape(result.detail)}"
                        + ("" if result.passed else f"  \n:gray[*Why: {ui.md_escape(result.why)}*]"), help=result.why)
    send_section(ctx, form, context)


def send_section(ctx, form: ui.Form, context: drafts.Context) -> None:
    st.markdown("##### Send it, then log it")
    text, subject, channel = form["text"], form.get("subject") or "", form["channel"]
    with st.expander("Copy-ready text", expanded=channel != "email", icon=":material/content_copy:"):
        st.code(text, language=None, wrap_lines=True)   # a copy button in the corner; plain text, never markup
    buttons = st.columns(3)
    if channel == "email":
        link = drafts.mailto(context, subject, text)
        if link:
            buttons[0].link_button("Open in my email app", link, icon=":material/mail:")
        buttons[1].download_button("Download .eml", drafts.eml(context, subject, text),
                                   file_name=f"request-{context.contact_name.replace(' ', '-').lower()}.eml",
                                   mime="message/rfc822", key=form.key("eml"), icon=":material/download:")
    if context.linkedin_url and channel == "linkedin":
        buttons[0].link_button("Open their LinkedIn profile", context.linkedin_url, icon=":material/open_in_new:")
    with st.form(form.key("log"), border=False):
        date_col, button_col = st.columns([1, 2], vertical_alignment="bottom")
        date_col.date_input("Sent on", key=form.key("sent_on"), value=ctx.today, max_value=ctx.today,
                            min_value=ctx.today - timedelta(days=outreach.OLDEST_REQUEST_DAYS), format="DD/MM/YYYY")
        label = "Log the follow-up as sent" if form["follow_up"] else "Log as sent"
        button_col.form_submit_button(label, type="primary", icon=":material/send:", on_click=form.on(log_sent),
                                      args=(ctx, form))


# --- do today --------------------------------------------------------------------------------

def follow_up_done(ctx, request_id: str) -> None:
    ui.action(ui.Form("today", ctx.student_id), outreach.mark_follow_up_sent, ctx.db, ctx.student_id, request_id,
              ctx.today, ctx.today, done="Follow-up logged. If they don't answer, the routine moves on.")


def today_tab(ctx, due: pd.DataFrame) -> None:
    st.caption(f"The 3B7 routine: no reply after **{method.SECOND_CONTACT_BUSINESS_DAYS}** business days, approach a "
               f"second person at that organisation; after **{method.FOLLOW_UP_BUSINESS_DAYS}**, send one follow-up "
               "to the first. After that the request counts as unanswered: move on. These items also appear on "
               "*My progress*.")
    ui.show_flash(ui.Form("today", ctx.student_id))
    if due.empty:
        st.success("Nothing from the 3B7 routine today.", icon=":material/done_all:")
    for item in due.head(40).itertuples():
        with st.container(border=True):
            text, actions = st.columns([3, 2], vertical_alignment="center")
            when = "today" if item.status == "today" else f"overdue since {item.due_on:%a %d %b}"
            text.markdown(f"**{ui.md_escape(item.title)}**  \n:{'orange' if item.status == 'overdue' else 'blue'}"
                          f"[{when}]")
            if ctx.read_only:
                continue
            if item.kind == "follow_up":
                left, right = actions.columns(2)
                left.button("Write it", key=f"today_write_{item.request_id}", icon=":material/edit:",
                            on_click=start_compose, args=(ctx, item.contact_id, item.request_id),
                            help="Draft the follow-up to this request; it is logged with the request.")
                right.button("Sent", key=f"today_sent_{item.request_id}", icon=":material/done:",
                             on_click=follow_up_done, args=(ctx, item.request_id), help="Log the follow-up as sent today")
            elif isinstance(item.next_id, str):
                actions.caption(f"Next at {ui.md_escape(item.organisation)}: **{ui.md_escape(item.next_name)}**")
                actions.button("Write to them", key=f"today_next_{item.request_id}",
                               icon=":material/person_add:", on_click=start_compose, args=(ctx, item.next_id))
            else:
                actions.caption(f"No one at {ui.md_escape(item.organisation)} you have not asked yet: look for "
                                "alumni there (Network > Target organisations).")
    if len(due) > 40:
        st.caption(f"The 40 oldest of {len(due)} shown.")


# --- requests: replies and scheduling --------------------------------------------------------

def save_reply(ctx, form: ui.Form) -> None:
    outcome = form["outcome"]
    referral = {"name": form["referral"], "organisation": form["referral_org"]} if outcome == "referred" else None
    answers = {q.row: form[f"answer_{q.row}"] for q in form.questions if form[f"answer_{q.row}"]}

    def done(result) -> str:
        extra = ""
        if result.added:
            extra = " Their referral is now a warm contact, with a to-do to reach out."
        elif result.matched:
            extra = " Their referral was already in your network: now a warm contact, with a to-do to reach out."
        if outcome == "agreed":
            extra += " Next: schedule the conversation below."
        return f"Reply recorded: {OUTCOMES[outcome].lower()}.{extra}"

    ui.action(form, outreach.record_reply, ctx.db, ctx.student_id, ui.chosen(form.key("request")), form["date"],
              outcome, ctx.today, ctx.now, referral, answers, done=done)


def save_schedule(ctx, form: ui.Form) -> None:
    start = datetime.combine(form["date"], form["time"])
    ui.action(form, outreach.schedule, ctx.db, ctx.student_id, ui.chosen(form.key("request")), start,
              form["format"], int(form["length"]), ctx.today, ctx.now,
              done=f"Conversation scheduled for {start:%A %d %B at %H:%M}. Prepare for it on the Prep page.")


def requests_tab(ctx) -> None:
    requests = ui.read(ctx, outreach.requests_table)
    filters = st.columns(2)
    state = filters[0].selectbox("Where it stands", sorted(requests["3B7"].dropna().unique()), index=None,
                                 key="requests_state", placeholder="Any")
    behaviour = filters[1].selectbox("How they reply", list(REPLY_BEHAVIOURS.values()), index=None,
                                     key="requests_behaviour", placeholder="Anyone",
                                     help=ui.doc(metrics.reply_behaviour))
    shown = requests
    if state:
        shown = shown[shown["3B7"] == state]
    if behaviour:
        shown = shown[shown["Replies"] == behaviour]
    ui.table(shown.drop(columns="id"), "No requests yet: write one under *Compose*." if requests.empty else
             "No request matches.", key="outreach_requests", height=360 if len(shown) > 9 else "auto",
             column_config={"Sent": st.column_config.DateColumn(format="D MMM"),
                            "Followed up": st.column_config.DateColumn(format="D MMM"),
                            "Replied": st.column_config.DateColumn(format="D MMM")})
    st.caption(ui.doc(metrics.requests))

    if ctx.read_only:
        return
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("##### Record a reply")
        form = ui.Form("reply", ctx.student_id)
        waiting = ui.read(ctx, outreach.open_requests)
        if waiting.empty:
            st.caption("No request is waiting for a reply.")
        else:
            labels = dict(zip(waiting["id"], network.labels(waiting.rename(columns={"contact": "name"}))
                              + waiting["sent_on"].map(lambda d: f" · sent {d:%d %b}")))
            with st.form(form.key("form"), border=False):
                ui.pick(st, "Request", labels, key=form.key("request"), placeholder="Whose reply?")
                st.date_input("Replied on", key=form.key("date"), value=ctx.today, max_value=ctx.today,
                              format="DD/MM/YYYY")
                st.radio("Their answer", list(OUTCOMES), key=form.key("outcome"), format_func=OUTCOMES.get,
                         horizontal=True)
                name, org = st.columns(2)
                name.text_input("If they suggested someone else: who?", key=form.key("referral"), max_chars=120)
                org.text_input("Where they work", key=form.key("referral_org"), max_chars=160,
                               help="Helps tell whether they are already in your network.")
                ui.referral_questions(form)
                st.form_submit_button("Save the reply", type="primary", on_click=form.on(save_reply), args=(ctx, form))
        ui.show_flash(form)
    with right:
        st.markdown("##### Schedule the conversation")
        form = ui.Form("schedule", ctx.student_id)
        agreed = ui.read(ctx, outreach.agreed_unscheduled)
        if agreed.empty:
            st.caption("Nobody is waiting to be scheduled. When someone agrees, record the reply first.")
        else:
            labels = dict(zip(agreed["id"], network.labels(agreed.rename(columns={"contact": "name"}))))
            # no "Press Enter to submit form" hint: it would cover the Time field
            with st.form(form.key("form"), border=False, enter_to_submit=False):
                ui.pick(st, "With", labels, key=form.key("request"), placeholder="Who agreed?")
                day, hour = st.columns(2)
                day.date_input("Date", key=form.key("date"), value=ctx.today + timedelta(days=7), min_value=ctx.today,
                               max_value=ctx.today + timedelta(days=outreach.LATEST_SCHEDULE_DAYS), format="DD/MM/YYYY")
                hour.time_input("Time", key=form.key("time"), value=time(10, 0), step=timedelta(minutes=15))
                fmt, length = st.columns(2)
                fmt.selectbox("Format", list(FORMATS), key=form.key("format"), format_func=FORMATS.get, index=1)
                length.number_input("Length (minutes)", key=form.key("length"), min_value=5, max_value=240, step=5,
                                    value=DEFAULT_INTERVIEW_MINUTES, help="20-30 minutes is the norm: respect their time.")
                st.form_submit_button("Schedule", type="primary", on_click=form.on(save_schedule), args=(ctx, form))
        ui.show_flash(form)


def charts_tab(ctx) -> None:
    ui.titled_chart("Reply rates", metrics.reply_rates, "chart_outreach_rates", charts.reply_rate_chart,
                    ui.read(ctx, metrics.reply_rates))
    left, right = st.columns(2)
    with left:
        ui.titled_chart("By week sent", metrics.reply_rates_by_week, "chart_outreach_weeks",
                        charts.reply_rate_week_chart, ui.read(ctx, metrics.reply_rates_by_week))
    with right:
        ui.titled_chart("Time to reply", metrics.reply_latency, "chart_outreach_latency", charts.latency_chart,
                        ui.read(ctx, metrics.reply_latency))
    ui.titled_chart("From network to conversation", metrics.outreach_funnel, "chart_outreach_funnel",
                    charts.funnel_chart, ui.read_now(ctx, metrics.outreach_funnel), metrics.FUNNEL_STAGES)


# --- the page --------------------------------------------------------------------------------

ctx = ui.context()
ui.require_student(ctx)
st.title("Outreach")
ui.read_only_banner(ctx)
sent = ui.read_now(ctx, metrics.summary)["requests"]     # the same figures as `python -m lib stats`
due = ui.read_now(ctx, outreach.do_today)
kpis = st.columns(4)
kpis[0].metric("Requests sent", sent["sent"])
kpis[1].metric("Reply rate", f"{sent['reply_rate']:.0%}" if sent["reply_rate"] is not None else "–",
               help=ui.doc(metrics.requests))
kpis[1].caption(f"{sent['replied']} of {sent['settled']} settled" + (" (small n)" if sent["settled"] < metrics.SMALL_N
                                                                      else "") if sent["settled"] else "Nothing settled yet")
kpis[2].metric("Pending", sent["pending"], help=ui.doc(metrics.requests))
kpis[3].metric("3B7 steps due", len(due))
ss.setdefault("outreach_tab", TABS[0] if sent["sent"] else TABS[1])
tabs = st.tabs(TABS, key="outreach_tab", on_change="rerun")
sections = (lambda: today_tab(ctx, due), lambda: compose_tab(ctx), lambda: requests_tab(ctx),
            lambda: charts_tab(ctx))
for tab, draw in zip(tabs, sections):
    if tab.open is not False:
        with tab:
            draw()

"""What I'm learning: the skills, advice, resources and people that the student's conversation
notes name, which TIARA parts their questions covered, and a brief per field. Rules live in
lib/insights.py; a coach sees it read-only."""
import pandas as pd
import streamlit as st

from lib import documents, insights, ui
from lib.students import get_student

ss = st.session_state
TABS = ("Skills", "Advice", "Resources and people", "TIARA", "Field briefs")
KIND_LABELS = {**insights.KINDS}
SHOWN_SINGLES = 12          # advice from one person shown before "Show all"


def add_term(ctx, form: ui.Form) -> None:
    ui.action(form, insights.add_term, ctx.db, ctx.student_id, form["term"], form["kind"], form["synonyms"], ctx.now,
              done=f"Added **{ui.md_escape((form['term'] or '').strip())}**: it is counted from now on.")


def to_do(ctx, form: ui.Form, advice: dict) -> None:
    ui.action(form, insights.advice_to_do, ctx.db, ctx.student_id, advice["text"], advice["contact_id"], ctx.today,
              ctx.now, clear=False, done="Added to your due list (My progress, Follow-ups).")


def share_changed(ctx, key: str) -> None:
    ui.action(ui.Form("learning_share", ctx.student_id), insights.set_sharing, ctx.db, ctx.student_id, ss[key],
              clear=False, done="Your coach sees these counts." if ss[key] else "Your coach no longer sees them.")


def open_conversation(ctx, interview_id: str) -> None:
    """The note behind a figure: the conversation's log on the Prep page."""
    ss[f"prep_interview@{ctx.student_id}"] = interview_id
    ss["prep_tab"] = "Log the conversation"


def skills_tab(ctx, found: insights.Learning) -> None:
    st.caption("Ranked by how many of your conversations mention them. Matched against a vocabulary of a few "
               "hundred skills, tools, credentials and courses, with their usual abbreviations.")
    if not found.skills:
        st.info("No skills or tools named in your notes yet. Write down what people say they use when you log a "
                "conversation (Prep > Log the conversation).", icon=":material/edit_note:")
    else:
        ui.table(pd.DataFrame({"Skill, tool or credential": [s["term"] for s in found.skills],
                               "Kind": [KIND_LABELS[s["kind"]] for s in found.skills],
                               "Conversations": [s["conversations"] for s in found.skills],
                               "Who said it": [", ".join(s["people"]) for s in found.skills]}),
                 "", key=f"learning_skills@{ctx.student_id}", height=360 if len(found.skills) > 9 else "auto")
        terms = {s["term"]: s for s in found.skills}
        picked = ui.pick(st, "Where was it said?", {t: t for t in terms}, key=f"learning_term@{ctx.student_id}",
                         placeholder="Choose a skill to see the conversations")
        if picked:
            held = insights.conversations(ctx.db, ctx.student_id, ctx.today).set_index("id")
            for note in dict.fromkeys(terms[picked]["notes"]):
                row = held.loc[note]
                left, right = st.columns([4, 1], vertical_alignment="center")
                left.text(f"{row['person']}, {row['held_on']:%d %b %Y}")
                if right.button("Open the note", key=f"learning_open_{note}"):
                    open_conversation(ctx, note)
                    st.switch_page("pages/prep.py")
    if ctx.read_only:
        return
    form = ui.Form("learning_term", ctx.student_id)
    with st.expander("A term it should count", icon=":material/add:"):
        with st.form(form.key("form"), border=False):
            left, right = st.columns([2, 1])
            left.text_input("Term", key=form.key("term"), max_chars=80, placeholder="e.g. Great Expectations")
            right.selectbox("Kind", list(insights.KINDS), key=form.key("kind"), format_func=insights.KINDS.get)
            st.text_input("Other ways people say it (commas between)", key=form.key("synonyms"), max_chars=500)
            st.form_submit_button("Count it", on_click=form.on(add_term), args=(ctx, form))
        ui.show_flash(form)


def advice_tab(ctx, found: insights.Learning) -> None:
    form = ui.Form("learning_advice", ctx.student_id)
    ui.show_flash(form)
    several = [a for a in found.advice if len(a["people"]) > 1]
    st.markdown("##### Advice more than one person gave")
    if not several:
        st.caption("Nothing yet: when two people tell you the same thing, even in other words, it shows here.")
    singles = [a for a in found.advice if len(a["people"]) == 1]
    for number, advice in enumerate(several + singles):
        if number == len(several):
            st.markdown("##### Other advice")
            if len(singles) > SHOWN_SINGLES and not st.toggle(f"Show all {len(singles)}",
                                                              key=f"learning_all@{ctx.student_id}"):
                singles = singles[:SHOWN_SINGLES]    # a long list costs every rerun: the rest on request
        if number >= len(several) + len(singles):
            break
        with st.container(border=True):
            text, action = st.columns([4, 1.2], vertical_alignment="center")
            text.text(advice["text"])
            text.caption(f"{len(advice['people'])} {'people' if len(advice['people']) > 1 else 'person'}: "
                         + ui.md_escape(", ".join(advice["people"])) + " · "
                         + ", ".join(f"{d:%d %b}" for d in advice["dates"]))
            if len(advice["variants"]) > 1:
                with text.expander("In their words"):
                    for variant in advice["variants"]:
                        st.text(f"- {variant}")
            if advice["to_do"]:
                action.caption(":material/task_alt: On your due list")
            elif not ctx.read_only:
                action.button("Make it a to-do", key=form.key(f"todo_{number}"), icon=":material/add_task:",
                              on_click=form.on(to_do), args=(ctx, form, advice))


def resources_tab(ctx, found: insights.Learning) -> None:
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("##### Resources recommended")
        ui.table(pd.DataFrame({"Resource": [r["text"] for r in found.resources],
                               "Kind": [r["kind"].capitalize() for r in found.resources],
                               "Recommended by": [", ".join(r["people"]) for r in found.resources]}),
                 "No books, sites, associations or events named in your notes yet.",
                 key=f"learning_resources@{ctx.student_id}")
    with right:
        st.markdown("##### People they suggested")
        people = pd.DataFrame(found.suggested_people, columns=["name", "suggested_by", "reached_out"])
        ui.table(people.rename(columns={"name": "Person", "suggested_by": "Suggested by",
                                        "reached_out": "Asked yet"}),
                 "Nobody suggested yet: ask every person you meet who else you should talk to.",
                 key=f"learning_people@{ctx.student_id}")


def tiara_tab(ctx, found: insights.Learning) -> None:
    st.caption("TIARA: Trends, Insights, Advice, Resources, Assignments. The questions you chose for the "
               "conversations you held, by part (closing questions aside).")
    cols = st.columns(5)
    for col, (part, n) in zip(cols, found.tiara.items()):
        col.metric(part.capitalize(), n)
    gaps = insights.questions_for_gaps(ctx.db, ctx.student_id, found.tiara)
    if gaps.empty:
        st.success("Every part of TIARA came up in your conversations.", icon=":material/done_all:")
        return
    st.markdown("##### Never asked yet: questions from the bank that fill the gap")
    ui.table(gaps.assign(tiara=gaps["tiara"].str.capitalize()).rename(columns={"tiara": "Part", "text": "Question"}),
             "", key=f"learning_gaps@{ctx.student_id}")
    st.caption("Add them to your next conversation on the Prep page (Questions).")


def briefs_tab(ctx) -> None:
    briefs = ui.read(ctx, insights.briefs)
    if not briefs:
        st.caption("A brief per field of interest appears once you have logged a conversation as held.")
        return
    for number, brief in enumerate(briefs):
        with st.container(border=True):
            people = len(brief["people"])
            st.markdown(f"##### What {people} {'person' if people == 1 else 'people'} in "
                        f"{ui.md_escape(brief['field'])} told me")
            left, mid, right = st.columns(3)
            left.markdown("**Skills**")
            left.text("\n".join(f"{s['term']} ({s['people']})" for s in brief["skills"]) or "None named yet")
            mid.markdown("**Advice**")
            mid.text("\n".join(f"- {a['text']}" for a in brief["advice"][:5]) or "None noted yet")
            right.markdown("**Recommended**")
            right.text("\n".join(r["text"] for r in brief["resources"][:6]) or "Nothing yet")
            slug = "".join(ch if ch.isalnum() else "-" for ch in brief["field"].lower())
            html, pdf = st.columns(2)
            html.download_button("Brief to print (HTML)",      # built on click, not on every rerun
                                 ui.log_export(ctx, f"What I'm learning: {brief['field']} brief (HTML)",
                                               lambda b=brief: documents.field_brief_html(b, ctx.student_name, ctx.today)),
                                 file_name=f"brief-{slug}.html", mime="text/html", key=f"brief_html_{number}",
                                 icon=":material/print:", width="stretch")
            if documents.pdf_available():
                pdf.download_button("Brief (PDF)", ui.log_export(ctx, f"What I'm learning: {brief['field']} brief (PDF)",
                                                                 lambda b=brief: documents.field_brief_pdf(
                                                                     b, ctx.student_name, ctx.today)),
                                    file_name=f"brief-{slug}.pdf", mime="application/pdf", key=f"brief_pdf_{number}",
                                    icon=":material/picture_as_pdf:", width="stretch")


ctx = ui.context()
ui.require_student(ctx)
st.title("What I'm learning")
ui.read_only_banner(ctx)
found = ui.read(ctx, insights.learning)
kpis = st.columns(4)
kpis[0].metric("Conversations held", found.held, help="The figures below come from the notes of these.")
kpis[1].metric("Skills and tools named", len(found.skills))
kpis[2].metric("Advice from 2+ people", sum(len(a["people"]) > 1 for a in found.advice))
kpis[3].metric("Resources recommended", len(found.resources))
if not ctx.read_only:
    share_key = f"learning_share@{ctx.student_id}"
    ss[share_key] = bool(get_student(ctx.db, ctx.student_id).get("share_learning"))
    st.toggle("Share these counts with my coach (never the notes themselves)", key=share_key,
              on_change=share_changed, args=(ctx, share_key))
    ui.show_flash(ui.Form("learning_share", ctx.student_id))
ss.setdefault("learning_tab", TABS[0])
tabs = st.tabs(TABS, key="learning_tab", on_change="rerun")
sections = (lambda: skills_tab(ctx, found), lambda: advice_tab(ctx, found), lambda: resources_tab(ctx, found),
            lambda: tiara_tab(ctx, found), lambda: briefs_tab(ctx))
for tab, draw in zip(tabs, sections):
    if tab.open is not False:
        with tab:
            draw()

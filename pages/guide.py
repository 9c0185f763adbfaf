"""Guided tour: the method in six steps, each with where to try it in the app. Made for
workshops (on a demo student) and for a student's first visit."""
import streamlit as st

from lib import ui

ss = st.session_state

ctx = ui.context()
st.title("Guided tour: the method in six steps")
st.caption("Informational interviews are short conversations to learn about a field, not to ask for a job. "
           + (f"Try each step on **{ui.md_escape(ctx.student_name)}**" + (" (a demo student)" if ctx.is_demo else "")
              + "; pick another student in the sidebar." if ctx.student_name else ""))
STEPS = (
    ("1. Map your network", "pages/network.py", ("network_tab", "Map your network"), ":material/diversity_3:",
     "List the people you know, category by category, and the ones you find. Warm contacts share a connection "
     "with you and answer more often: start with them. Open *Map your network*, then *Network map*."),
    ("2. Ask for the conversation", "pages/outreach.py", ("outreach_tab", "Compose"), ":material/send:",
     "Write a short request: how you came to them, who you are, why them, and a small ask phrased as a question. "
     "The checks beside the draft coach you. No reply after 3 business days? Try a second person there; after 7, "
     "follow up once."),
    ("3. Prepare", "pages/prep.py", ("prep_tab", "Checklist"), ":material/checklist:",
     "Tick the checklist, choose questions that fit the time, and download a one-page prep sheet."),
    ("4. Hold it and log it", "pages/prep.py", ("prep_tab", "Log the conversation"), ":material/forum:",
     "Afterwards, log how it went: takeaways, answers to the closing questions, and the people they suggested "
     "(each becomes a warm contact)."),
    ("5. Thank them within 24 hours", "pages/follow_up.py", ("follow_tab", "Thank-yous"), ":material/mail:",
     "The thank-you clock starts when you log the conversation. Name one thing you learnt."),
    ("6. Keep in touch, and follow every referral", "pages/follow_up.py", ("follow_tab", "Keep in touch"),
     ":material/event_repeat:",
     "Reconnect every few months with news or a useful article; reach out to every referral; tell everyone when "
     "you land something."),
)


def open_tab(tab_key: str, tab: str) -> None:
    """The step's page opens on the step's tab (the page's tabs read this key)."""
    ss[tab_key] = tab


for number, (title, page, (tab_key, tab), icon, text) in enumerate(STEPS, start=1):
    with st.container(border=True):
        words, link = st.columns([4, 1.2], vertical_alignment="center")
        words.markdown(f"**{title}**  \n{text}")
        if link.button("Try it", key=f"guide_try_{number}", icon=icon, on_click=open_tab, args=(tab_key, tab),
                       help=f"Opens {tab}"):
            st.switch_page(page)

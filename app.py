"""Coffee Chat Coach: entry point. Page config, navigation, sidebar, first-run welcome."""
import streamlit as st

from lib import ui

st.set_page_config(page_title="Coffee Chat Coach", page_icon=":material/coffee:", layout="wide")

ctx = ui.context()
ui.sidebar(ctx)

# The page list never changes (Streamlit loses its place when the current page vanishes);
# on an empty database the welcome is the default page and the menu stays hidden.
first_run = ctx.student_id is None
pages = [
    st.Page("pages/home.py", title="My progress", icon=":material/insights:", default=not first_run),
    st.Page("pages/network.py", title="Network", icon=":material/diversity_3:"),
    st.Page("pages/outreach.py", title="Outreach", icon=":material/send:"),
    st.Page("pages/prep.py", title="Prep", icon=":material/checklist:"),
    st.Page("pages/follow_up.py", title="Follow-ups", icon=":material/event_repeat:"),
    st.Page("pages/coach.py", title="Coach", icon=":material/school:"),
    st.Page("pages/guide.py", title="Guided tour", icon=":material/route:"),
    st.Page("pages/data.py", title="Your data", icon=":material/database:"),
    st.Page("pages/welcome.py", title="Get started", icon=":material/waving_hand:", default=first_run),
]
st.navigation(pages, position="hidden" if first_run else "sidebar").run()

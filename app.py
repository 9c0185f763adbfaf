"""Coffee Chat Coach: entry point. Page config, navigation (each page's kind declared here,
once), sidebar, first-run welcome."""
from pathlib import Path

import streamlit as st

from lib import ui

# the icon is a file of ours: a Material icon here would be fetched from Google's font server
st.set_page_config(page_title="Coffee Chat Coach", page_icon=str(Path(__file__).parent / "assets" / "icon.png"),
                   layout="wide")

# (file, title, icon, kind). The kind decides what a coach may do there: on a "student" page
# a coach looks at the student's pages read-only; "coach" and "setup" pages are theirs too.
PAGES = (
    ("pages/home.py", "My progress", ":material/insights:", "student"),
    ("pages/network.py", "Network", ":material/diversity_3:", "student"),
    ("pages/outreach.py", "Outreach", ":material/send:", "student"),
    ("pages/prep.py", "Prep", ":material/checklist:", "student"),
    ("pages/follow_up.py", "Follow-ups", ":material/event_repeat:", "student"),
    ("pages/learning.py", "What I'm learning", ":material/lightbulb:", "student"),
    ("pages/profile.py", "My profile", ":material/badge:", "student"),
    ("pages/coach.py", "Coach", ":material/school:", "coach"),
    ("pages/guide.py", "Guided tour", ":material/route:", "setup"),
    ("pages/data.py", "Your data", ":material/database:", "setup"),
    ("pages/welcome.py", "Get started", ":material/waving_hand:", "setup"),
    ("pages/my_record.py", "My record", ":material/shield_person:", "student"),
    ("pages/admin.py", "Admin", ":material/admin_panel_settings:", "admin"),
)

# The page list never changes (Streamlit loses its place when the current page vanishes);
# on an empty database the welcome is the default page and the menu stays hidden.
# Which pages the navigation offers comes from the Viewer (who is looking): local mode offers
# today's pages; signed in, Coach only to coaches and admins, Admin only to admins.
viewer_ctx = ui.context()
first_run = viewer_ctx.student_id is None and viewer_ctx.viewer.is_local
start = "pages/welcome.py" if first_run else "pages/home.py"
pages = [(st.Page(path, title=title, icon=icon, default=path == start), kind) for path, title, icon, kind in PAGES
         if ui.page_allowed(path, kind, viewer_ctx.viewer)]
current = st.navigation([page for page, _ in pages], position="hidden" if first_run else "sidebar")
ui.enter_page(next(kind for page, kind in pages if page.url_path == current.url_path))
ui.sidebar(ctx := ui.context())
ui.note_visit(ctx, current.title)
current.run()

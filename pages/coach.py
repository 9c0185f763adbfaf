"""Coach: advising sessions and agreed action items for the current student (read-only for now)."""
import streamlit as st

from lib import coaching, ui

ctx = ui.context()
ui.require_student(ctx)
st.title("Coach")
st.caption(f"Advising record for {ui.md_escape(ctx.student_name)}.")
st.subheader("Action items", help=ui.doc(coaching.action_items_table))
ui.table(ui.read(ctx, coaching.action_items_table), "No action items yet.", key="coach_actions")
st.subheader("Advising sessions", help=ui.doc(coaching.sessions_table))
ui.table(ui.read(ctx, coaching.sessions_table), "No advising sessions yet.", key="coach_sessions")

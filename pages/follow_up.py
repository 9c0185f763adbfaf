"""Follow-ups: the due queue and every logged touch (read-only for now)."""
import streamlit as st

from lib import followup, ui

ctx = ui.context()
ui.require_student(ctx)
st.title("Follow-ups")
due = ui.home_data(ctx)["due"]
st.subheader("Due this week and overdue")
ui.due_table(due, key="follow_up_due")
st.subheader("Touches", help=ui.doc(followup.touches_table))
ui.table(ui.read(ctx, followup.touches_table), "No touches logged yet.", key="follow_up_touches")

"""Prep: conversations and their checklists (read-only for now)."""
import streamlit as st

from lib import prep, ui

ctx = ui.context()
ui.require_student(ctx)
st.title("Prep and conversations")
st.subheader("Checklist for conversations ahead", help=ui.doc(prep.prep_items_table))
ui.table(ui.read(ctx, prep.prep_items_table), "No conversation coming up.", key="prep_items")
st.subheader("Conversations", help=ui.doc(prep.interviews_table))
ui.table(ui.read(ctx, prep.interviews_table), "No conversations yet.", key="prep_interviews")

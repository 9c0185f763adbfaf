"""Outreach: requests for a conversation and their replies (read-only for now)."""
import streamlit as st

from lib import outreach, ui

ctx = ui.context()
ui.require_student(ctx)
st.title("Outreach")
st.caption("Pending: no reply yet, inside 7 business days. Unanswered: no reply after that (3B7 routine).")
ui.table(ui.read(ctx, outreach.requests_table), "No requests sent yet.", key="outreach_requests")

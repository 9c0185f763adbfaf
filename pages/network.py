"""Network: the student's contacts, warm and cold, and their target organisations (read-only for now)."""
import streamlit as st

from lib import network, ui

ctx = ui.context()
ui.require_student(ctx)
st.title("Network")
st.caption("Warm contacts share a connection with you; cold ones you found or met once. Start with the warm ones.")
contacts = ui.read(ctx, network.contacts_table)
warm = int((contacts["Warmth"] == "warm").sum()) if not contacts.empty else 0
st.subheader(f"Contacts ({warm} warm, {len(contacts) - warm} cold)")
ui.table(contacts, "No contacts yet.", key="network_contacts")
st.subheader("Target organisations (LAMP order)", help=ui.doc(network.organisations_table))
ui.table(ui.read(ctx, network.organisations_table), "No target organisations yet.", key="network_orgs",
         column_config={"Advocacy": st.column_config.CheckboxColumn(help="A warm contact works there")})

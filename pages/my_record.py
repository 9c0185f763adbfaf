"""My record (signed-in students): what their coach agreed and shared with them, who has looked at my record, download all my data, ask for
it to be deleted (an admin carries that out). Rules live in lib/access.py and lib/users.py."""
import streamlit as st

from lib import access, coaching, users, ui

ctx = ui.context()
student_id = ui.require_student(ctx)
st.title("My record")

# signed in, a student has no Coach page: what their coach agreed and shared with them is here
st.subheader("From your coach: action items", help=ui.doc(coaching.action_items_table))
ui.table(ui.read(ctx, coaching.action_items_table), "No action items yet.", key="record_actions",
         column_config={c: st.column_config.DateColumn(format="ddd D MMM YYYY") for c in ("Due", "Agreed on")})
st.subheader("Notes your coach shared", help=ui.doc(coaching.shared_sessions))
ui.table(ui.read(ctx, coaching.shared_sessions), "Nothing shared yet.", key="record_shared",
         column_config={"Date": st.column_config.DateColumn(format="ddd D MMM YYYY")})

st.subheader("Who has looked at my record", help=ui.doc(access.record_history))
ui.table(ui.read(ctx, access.record_history), "Nobody else has looked at your record yet.", key="record_history",
         column_config={"When": st.column_config.DatetimeColumn(format="ddd D MMM YYYY, HH:mm")})

st.subheader("Download all my data")
st.write("A .zip with a spreadsheet-safe CSV of each kind of record you have (profile, contacts, requests, "
         "conversations, notes, to-dos...), your contacts with their touches, and your calendar (.ics).")
st.download_button("Download my data (.zip)",
                   ui.log_export(ctx, "my data (.zip)",
                                 lambda: users.student_archive(ctx.db, student_id, ctx.today, ctx.now)),
                   file_name=f"coffee-chat-data-{ctx.today}.zip", mime="application/zip",
                   key=f"my_data@{student_id}", icon=":material/download:")

st.subheader("Delete my data")
form = ui.Form("deletion", student_id)
requested = users.deletion_requests(ctx.db)
if student_id in set(requested["student_id"]):
    st.info("You have asked for your data to be deleted. An administrator at your career centre will carry it out.",
            icon=":material/schedule:")
else:
    st.write("You can ask for everything you have stored here to be deleted. An administrator carries it out; "
             "the access log keeps a line saying that it happened.")
    st.button("Ask for my data to be deleted", key=form.key("ask"), icon=":material/delete:",
              on_click=ui.ask_to_confirm, args=("request_deletion", student_id))
ui.show_flash(form)
ui.confirmation("request_deletion", "Ask for your data to be deleted?",
                "An administrator will delete **everything** you have stored here: your profile, contacts, "
                "requests, conversations, notes and to-dos. It can't be undone.", "Ask for deletion",
                lambda sid: ui.action(form, users.request_deletion, ctx.db, sid, ctx.viewer.email,
                                      done="Your request was sent to the administrators."))

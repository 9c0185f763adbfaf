"""Your data: an integrity check and a backup you can download while the app runs.
Rules live in lib/backup.py."""
import pandas as pd
import streamlit as st

from lib import backup, ui

ss = st.session_state


def prepare_backup(ctx) -> None:
    ss["backup_zip"] = backup.backup_zip(ctx.db)
    ss["backup_made"] = ctx.now


ctx = ui.context()
st.title("Your data")
where = "PostgreSQL database" if ctx.db.backend == "postgresql" else "Database file"
st.caption(f"{where}: `{ctx.db.path}`" + (" (the demo cohort's own file)" if ctx.is_demo else ""))
report = backup.check(ctx.db)
if report["ok"]:
    st.success(f"Integrity check passed: schema version {report['schema_version']}, no orphan rows.",
               icon=":material/verified:")
else:
    problems = "; ".join(f"{n} {what}" for what, n in report["orphans"].items()) or "the schema is out of date"
    st.error(f"Integrity check found problems: {ui.md_escape(problems)}.", icon=":material/report:")
counts = backup.row_counts(ctx.db)
with st.expander("What the file holds", icon=":material/table_rows:"):
    ui.table(pd.DataFrame({"Table": list(counts), "Rows": list(counts.values())}), "The file is empty.",
             key="data_row_counts")
st.subheader("Back up")
st.caption("A .zip with every table (Parquet) and a manifest of row counts and checksums. Restore it with "
           "`python -m lib restore FOLDER --db NEW_FILE` (or an empty `postgresql://` database), which checks "
           "every table against the manifest.")
st.button("Prepare a backup", key="backup_prepare", icon=":material/inventory_2:", on_click=prepare_backup,
          args=(ctx,))
if ss.get("backup_zip"):
    st.download_button("Download the backup (.zip)", ss["backup_zip"], key="backup_download",
                       file_name=f"coffeechat-backup-{ss['backup_made']:%Y%m%d-%H%M}.zip", mime="application/zip",
                       icon=":material/download:", type="primary")

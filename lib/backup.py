"""Backups a person can trust: export a database (DuckDB EXPORT DATABASE, Parquet) with a
manifest of per-table row counts and checksums, restore it into a new file and prove it
came back equal, and check a database's integrity (schema version, orphan rows)."""
from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

import duckdb

from lib import migrations
from lib.db import Database

MANIFEST = "manifest.json"

# (name, child table, column, parent table): rows whose reference points nowhere
REFERENCES = (
    ("contacts without a student", "contacts", "student_id", "students"),
    ("contacts referred by a missing contact", "contacts", "referred_by", "contacts"),
    ("contacts at a missing organisation", "contacts", "organisation_id", "organisations"),
    ("requests to a missing contact", "outreach_requests", "contact_id", "contacts"),
    ("conversations with a missing contact", "interviews", "contact_id", "contacts"),
    ("touches with a missing contact", "touches", "contact_id", "contacts"),
    ("checklist items of a missing conversation", "prep_items", "interview_id", "interviews"),
    ("chosen questions of a missing conversation", "interview_questions", "interview_id", "interviews"),
    ("chosen questions that no longer exist", "interview_questions", "question_id", "questions"),
    ("action items of a missing session", "action_items", "session_id", "advising_sessions"),
    ("to-dos about a missing contact", "tasks", "contact_id", "contacts"),
)


def _tables(cur) -> list[str]:
    return [t for (t,) in cur.execute("""SELECT table_name FROM information_schema.tables
                                         WHERE table_schema = 'main' AND table_type = 'BASE TABLE'
                                         ORDER BY table_name""").fetchall()]


def fingerprints(cur) -> dict[str, dict]:
    """Per table: row count and an order-independent checksum of every row's contents."""
    result = {}
    for table in _tables(cur):
        rows, checksum = cur.execute(f'SELECT count(*), coalesce(bit_xor(hash(t)), 0) FROM "{table}" t').fetchone()
        result[table] = {"rows": int(rows), "checksum": str(checksum)}
    return result


def backup(db: Database, out: Path) -> dict:
    """Export everything into the empty (or new) folder `out`, with a manifest."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} is not empty; back up into a new folder")
    out.mkdir(parents=True, exist_ok=True)
    with db.write(internal=True) as cur:           # the lock keeps writers out while we export
        manifest = {"schema_version": db.schema_version(), "made_at": datetime.now().isoformat(timespec="seconds"),
                    "source": db.path, "tables": fingerprints(cur)}
        cur.execute(f"EXPORT DATABASE '{_quoted(out)}' (FORMAT parquet)")
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


def restore(folder: Path, target: Path) -> dict:
    """Import a backup into a new database file and compare it with the manifest.
    Returns {"tables": n, "rows": n, "differences": [...]} (empty differences: equal)."""
    folder, target = Path(folder), Path(target)
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise ValueError(f"{folder} holds no {MANIFEST}: not a Coffee Chat Coach backup")
    if target.exists():
        raise ValueError(f"{target} already exists; restore into a new file")
    manifest = json.loads(manifest_path.read_text())
    target.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(target))
    try:
        _run_schema(con, (folder / "schema.sql").read_text())
        con.execute(_relocated(folder, (folder / "load.sql").read_text()))
        restored = fingerprints(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    differences = [f"{table}: {manifest['tables'].get(table)} in the backup, {restored.get(table)} restored"
                   for table in sorted(set(manifest["tables"]) | set(restored))
                   if manifest["tables"].get(table) != restored.get(table)]
    return {"tables": len(restored), "rows": sum(t["rows"] for t in restored.values()), "differences": differences}


def check(db: Database) -> dict:
    """Integrity report: the schema version against the app's, and orphan rows by kind."""
    orphans = {}
    for name, child, column, parent in REFERENCES:
        count = db.scalar(f"""SELECT count(*) FROM {child} c WHERE c.{column} IS NOT NULL
                              AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = c.{column})""")
        if count:
            orphans[name] = int(count)
    cross = db.scalar("""SELECT count(*) FROM outreach_requests r JOIN contacts c ON c.id = r.contact_id
                         WHERE c.student_id <> r.student_id""")
    if cross:
        orphans["requests to another student's contact"] = int(cross)
    version = db.schema_version()
    return {"schema_version": version, "latest": migrations.LATEST, "orphans": orphans,
            "ok": version == migrations.LATEST and not orphans}


def _run_schema(con, schema: str) -> None:
    """schema.sql statement by statement. DuckDB writes macros in name order, so one that
    uses another (add_business_days uses friday_floor) can come first: a statement that
    fails for want of another is retried once the rest are in."""
    pending = [s.strip() for s in schema.split(";\n") if s.strip()]
    while pending:
        failed = []
        for statement in pending:
            try:
                con.execute(statement)
            except duckdb.CatalogException:
                failed.append(statement)
        if len(failed) == len(pending):
            con.execute(failed[0])          # no progress: let the real error speak
        pending = failed


def _relocated(folder: Path, load_sql: str) -> str:
    """EXPORT DATABASE writes absolute paths into load.sql; point them at the files where the
    backup is now (it may have been moved, copied or unzipped elsewhere)."""
    return re.sub(r"'([^']*?([^/']+\.parquet))'", lambda m: f"'{_quoted(folder / m.group(2))}'", load_sql)


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def backup_zip(db: Database) -> bytes:
    """A backup as one .zip (the export folder and its manifest), made through this
    process's own connection, so it works while the app is serving. The export is staged
    in a temporary folder beside the database (the only place it may write) and removed."""
    with tempfile.TemporaryDirectory(prefix="backup-staging-", dir=Path(db.path).resolve().parent) as staging:
        folder = Path(staging) / "backup"
        backup(db, folder)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(folder.iterdir()):
                archive.write(file, arcname=f"coffeechat-backup/{file.name}")
    return buffer.getvalue()

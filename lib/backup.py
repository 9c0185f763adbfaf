"""Backups a person can trust: export a database (DuckDB EXPORT DATABASE, Parquet) with a
manifest of per-table row counts and checksums, restore it into a new file and prove it
came back equal, and check a database's integrity (schema version, orphan rows).

A PostgreSQL database is backed up the same way, through a DuckDB file staged by
lib.transfer (the same manifest, the same Parquet), and restored into an empty PostgreSQL
database by restoring into a staged DuckDB file, then copying it. The checksums are
lib.transfer.fingerprints, the same on both engines; a backup made before they were (a
manifest whose checksums are bare numbers) is checked with DuckDB's own row hash.

A backup is untrusted input (it may have been moved, shared or edited). Restore never runs
SQL from it: the schema comes from our own migrations (the ones the manifest names), each
table is loaded only from its Parquet file inside the backup folder (the resolved path must
stay inside), on a hardened connection that can reach nothing else, and the result is
checked against the manifest. The new file is built under a temporary name and appears
only when everything matched: a failed restore leaves no target file."""
from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

from lib import migrations, transfer
from lib.db import Database, is_url
from lib.store.duckdb import new_file

MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 1_000_000
TABLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

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


def fingerprints(source) -> dict[str, dict]:
    """Per table: row count and checksum (lib.transfer.fingerprints) of a Database, or of a
    transaction already open on one."""
    if isinstance(source, Database):
        with source.snapshot() as cur:
            return transfer.fingerprints(cur)
    return transfer.fingerprints(source)


def _is_legacy(manifest: dict) -> bool:
    return any(not t["checksum"].startswith(transfer.CHECKSUM + ":") for t in manifest["tables"].values())


def backup(db: Database, out: Path) -> dict:
    """Export everything into the empty (or new) folder `out`, with a manifest."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} is not empty; back up into a new folder")
    out.mkdir(parents=True, exist_ok=True)
    if db.backend != "duckdb":           # staged through a DuckDB file: one format for every backup
        with tempfile.TemporaryDirectory(prefix="backup-staging-") as staging:
            stage = Path(staging) / "stage.duckdb"
            transfer.copy_from(db, stage)
            with Database(stage, extra_dirs=(out.resolve().parent,)) as staged:
                manifest = _export(staged, out, source=db.path)
        return manifest
    return _export(db, out, source=db.path)


def _export(db: Database, out: Path, source: str) -> dict:
    # one snapshot: writes made meanwhile are in the next backup, never half in this one
    with db.snapshot() as cur:
        manifest = {"schema_version": db.schema_version(), "migrations": migrations.recorded(cur),
                    "made_at": datetime.now().isoformat(timespec="seconds"),
                    "source": source, "tables": transfer.fingerprints(cur)}
        cur.export_parquet(out)
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


def restore(folder: Path, target: Path | str) -> dict:
    """Rebuild a backup into a new database file (or an empty PostgreSQL database, by URL)
    and compare it with the manifest. Returns {"tables": n, "rows": n, "differences": [...]};
    with differences nothing is kept. Raises ValueError, naming the file or table, for a
    backup it refuses."""
    if is_url(str(target)):
        return _restore_to_server(Path(folder), str(target))
    folder, target = Path(folder), Path(target)
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder; unzip the backup first, then restore the folder")
    folder = folder.resolve()
    manifest = read_manifest(folder)
    with new_file(target, "restore") as building:
        restored = _rebuild(folder, manifest, building.path)
        differences = [f"{table}: {manifest['tables'].get(table)} in the backup, {restored.get(table)} restored"
                       for table in sorted(set(manifest["tables"]) | set(restored))
                       if manifest["tables"].get(table) != restored.get(table)]
        building.keep = not differences
    return {"tables": len(restored), "rows": sum(t["rows"] for t in restored.values()),
            "differences": differences}


def _restore_to_server(folder: Path, url: str) -> dict:
    """Into a staged DuckDB file (checked against the manifest), then copied whole (checked again)."""
    if folder.is_dir() and (folder / MANIFEST).is_file() and _is_legacy(read_manifest(folder.resolve())):
        raise ValueError("this backup was made before checksums were the same on every engine: restore it "
                         "into a DuckDB file first (--db FILE), then copy that file: python -m lib copy")
    with tempfile.TemporaryDirectory(prefix="restore-staging-") as staging:
        stage = Path(staging) / "stage.duckdb"
        result = restore(folder, stage)
        if result["differences"]:
            return result
        with Database(stage) as staged:
            copied = transfer.copy_from(staged, url)
    return {"tables": copied["tables"], "rows": copied["rows"], "differences": []}


def read_manifest(folder: Path) -> dict:
    """The manifest, checked for shape: {"tables": {name: {"rows": int, "checksum": str}},
    "migrations": [names]} (older backups give "schema_version": n instead of names)."""
    path = folder / MANIFEST
    if not path.is_file():
        raise ValueError(f"{folder} holds no {MANIFEST}: not a Coffee Chat Coach backup")
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise ValueError(f"{MANIFEST} is {path.stat().st_size:,} bytes; a real one is a few kilobytes")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{MANIFEST} is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("tables"), dict):
        raise ValueError(f"{MANIFEST} has no \"tables\" object: not a Coffee Chat Coach backup")
    for table, figures in manifest["tables"].items():
        if not (isinstance(figures, dict) and type(figures.get("rows")) is int and figures["rows"] >= 0
                and isinstance(figures.get("checksum"), str)):
            raise ValueError(f"{MANIFEST}: table {table!r} needs a whole number of rows and a checksum")
    names = manifest.get("migrations")
    if names is None:                           # made before migrations had names: they were numbered
        version = manifest.get("schema_version")
        if type(version) is not int or version < 1:
            raise ValueError(f"{MANIFEST} says neither which migrations nor which schema version it has")
        if version > migrations.latest():
            raise ValueError(f"this backup was made by a newer version of Coffee Chat Coach (schema version "
                             f"{version}, this one knows {migrations.latest()}); update the app to restore it")
        names = [step.__name__ for step in migrations.MIGRATIONS[:version]]
    if not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
        raise ValueError(f"{MANIFEST}: \"migrations\" must be a list of names")
    known = {step.__name__ for step in migrations.MIGRATIONS}
    newer = [n for n in names if n not in known]
    if newer:
        raise ValueError(f"this backup was made by a newer version of Coffee Chat Coach (migrations "
                         f"{', '.join(newer)}); update the app to restore it")
    manifest["migrations"] = names
    return manifest


def _rebuild(folder: Path, manifest: dict, building: Path) -> dict:
    """Schema from our migrations, each table from its Parquet file, on a hardened
    connection that can reach only the backup folder (and the new file's own). Returns the
    new file's fingerprints."""
    with Database(building, migrate=False, extra_dirs=(folder,)) as target:
        with target.write(internal=True) as cur:
            migrations.apply(cur, only=manifest["migrations"])
            ours = set(migrations.tables(cur))
            for table in sorted(manifest["tables"]):
                if not TABLE_NAME.fullmatch(table) or table not in ours:
                    raise ValueError(f"{MANIFEST} lists {table!r}, which is not a table of this app's schema")
            for table in sorted(ours):
                cur.execute(f'DELETE FROM "{table}"')       # what migrations seeded; the backup is the truth
            for table in sorted(manifest["tables"]):
                cur.load_parquet(table, _parquet(folder, table))
        with target.snapshot() as cur:
            restored = cur.row_hash_fingerprints() if _is_legacy(manifest) else transfer.fingerprints(cur)
        target.checkpoint()
    return restored


def _parquet(folder: Path, table: str) -> Path:
    """The table's Parquet file, only if it is a file inside the backup folder itself."""
    name = f"{table}.parquet"
    path = folder / name
    if not path.exists() and not path.is_symlink():
        raise ValueError(f"the backup folder has no {name}, which {MANIFEST} lists")
    resolved = path.resolve()
    if not resolved.is_relative_to(folder) or resolved.parent != folder:
        raise ValueError(f"{name} points outside the backup folder (to {resolved}); refused")
    if not resolved.is_file():
        raise ValueError(f"{name} is not a file")
    return resolved


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


def backup_zip(db: Database) -> bytes:
    """A backup as one .zip (the export folder and its manifest), made through this
    process's own connection, so it works while the app is serving. The export is staged
    in a temporary folder beside the database (the only place it may write) and removed."""
    beside = Path(db.path).resolve().parent if db.backend == "duckdb" else None
    with tempfile.TemporaryDirectory(prefix="backup-staging-", dir=beside) as staging:
        folder = Path(staging) / "backup"
        backup(db, folder)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(folder.iterdir()):
                archive.write(file, arcname=f"coffeechat-backup/{file.name}")
    return buffer.getvalue()


def row_counts(db: Database) -> dict[str, int]:
    """Rows per table of the whole file (every student): what the Your data page shows."""
    with db.reading() as cur:
        return {table: int(cur.scalar(f'SELECT count(*) FROM "{table}"')) for table in migrations.tables(cur)}

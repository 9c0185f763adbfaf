import subprocess
import sys

import duckdb
import pytest

from lib import migrations
from lib.db import Database
from lib.students import create_student
from tests.conftest import ROOT

TABLES = {"students", "organisations", "contacts", "outreach_requests", "touches", "interviews",
          "prep_items", "questions", "question_favourites", "interview_questions", "advising_sessions",
          "action_items", "tasks", "snoozes", "imports", "meta", "schema_migrations"}


def table_names(db):
    return {name for (name,) in db.rows("SELECT table_name FROM information_schema.tables")}


def test_fresh_database_gets_every_table(tmp_path):
    with Database(tmp_path / "fresh.duckdb") as db:
        assert TABLES <= table_names(db)
        assert db.schema_version() == migrations.LATEST


def test_migrating_again_changes_nothing(tmp_path):
    path = tmp_path / "twice.duckdb"
    with Database(path) as db:
        create_student(db, "Kept Student")
    with Database(path) as db:
        assert db.rows("SELECT count(*) FROM schema_migrations") == [(migrations.LATEST,)]
        assert db.rows("SELECT name FROM students") == [("Kept Student",)]


def test_a_version_1_file_upgrades_and_keeps_its_lamp_list(tmp_path, monkeypatch):
    """A database made before migration 002: its organisations were all LAMP entries."""
    path = tmp_path / "v1.duckdb"
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:1])
    with Database(path) as db:
        sid = create_student(db, "Early Student")
        with db.write() as cur:
            cur.execute("INSERT INTO organisations (id, student_id, name, created_at) "
                        "VALUES (uuid(), ?, 'Contoso', now())", [sid])
        assert db.schema_version() == 1
    monkeypatch.undo()
    with Database(path) as db:
        assert db.schema_version() == migrations.LATEST == 3
        assert db.rows("SELECT name, target, revision FROM organisations") == [("Contoso", True, 0)]
        assert db.rows("SELECT count(*) FROM contacts WHERE connected_on IS NOT NULL") == [(0,)]


def test_failed_write_leaves_nothing(db):
    with pytest.raises(duckdb.ConstraintException):
        with db.write() as cur:
            cur.execute("INSERT INTO students (id, name, created_at) VALUES (uuid(), 'A', now())")
            cur.execute("INSERT INTO students (id, name, created_at) VALUES (uuid(), '  ', now())")
    assert db.scalar("SELECT count(*) FROM students") == 0


def test_write_bumps_version_for_cache_keys(db):
    before = db.version
    with db.write() as cur:
        cur.execute("INSERT INTO meta VALUES ('k', 'v')")
    assert db.version == before + 1


def test_a_students_write_leaves_other_students_cache_keys_alone(db, now):
    from lib import network
    ada, grace = create_student(db, "Ada Lovelace"), create_student(db, "Grace Hopper")
    ada_before, grace_before = db.student_version(ada), db.student_version(grace)
    network.add_contact(db, ada, network.ContactInput(name="Carla Diaz", source="alumni"), now)
    assert db.student_version(ada) != ada_before and db.student_version(grace) == grace_before
    with pytest.raises(duckdb.ConstraintException):            # a write that rolls back changes no key
        with db.write(student_id=grace) as cur:
            cur.execute("INSERT INTO students (id, name, created_at) VALUES (uuid(), '  ', now())")
    assert db.student_version(grace) == grace_before
    ada_now = db.student_version(ada)
    with db.write() as cur:                                     # not scoped to a student: everyone's caches
        cur.execute("INSERT INTO meta VALUES ('k', 'v')")
    assert db.student_version(ada) != ada_now and db.student_version(grace) != grace_before


def test_second_process_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "held.duckdb"
    code = ("import sys\nfrom lib.db import Database, DatabaseLocked\n"
            f"try:\n    Database({str(path)!r})\nexcept DatabaseLocked as exc:\n"
            "    print(exc)\n    sys.exit(3)\n")
    with Database(path):
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 3, result.stderr
    assert "is in use by process" in result.stdout
    assert "COFFEECHAT_DB" in result.stdout


def test_files_outside_the_database_folder_are_out_of_reach(tmp_path):
    (tmp_path / "inner").mkdir()
    with Database(tmp_path / "inner" / "locked.duckdb") as db:
        with pytest.raises(duckdb.PermissionException):
            db.rows("SELECT * FROM read_csv('/etc/passwd')")
        with pytest.raises(duckdb.PermissionException):
            db.rows(f"COPY (SELECT 1) TO '{tmp_path / 'outside.csv'}'")
        with pytest.raises(duckdb.InvalidInputException):
            db.rows("SET enable_external_access = true")             # configuration is locked
        assert db.scalar("SELECT current_setting('autoinstall_known_extensions')") is False


def test_an_unchanged_copy_shares_its_origins_cache_keys_until_it_changes(tmp_path, now):
    import shutil
    from lib import network
    with Database(tmp_path / "template.duckdb") as template:
        ada, grace = create_student(template, "Ada Lovelace"), create_student(template, "Grace Hopper")
    shutil.copyfile(tmp_path / "template.duckdb", tmp_path / "a.duckdb")
    shutil.copyfile(tmp_path / "template.duckdb", tmp_path / "b.duckdb")
    origin = str(tmp_path / "template.duckdb")
    with Database(tmp_path / "a.duckdb", origin=origin) as a, Database(tmp_path / "b.duckdb", origin=origin) as b:
        assert a.cache_key(ada) == b.cache_key(ada) and a.cache_key() == b.cache_key()
        network.add_contact(a, ada, network.ContactInput(name="Carla Diaz", source="alumni"), now)
        assert a.cache_key(ada) != b.cache_key(ada)            # a's Ada changed: her reads are a's own
        assert a.cache_key(grace) == b.cache_key(grace)        # Grace is untouched in both copies
        assert a.cache_key() != b.cache_key()                  # cohort-wide reads see every change
    with Database(tmp_path / "a.duckdb") as reopened, Database(tmp_path / "b.duckdb") as plain:
        assert reopened.cache_key(grace) != plain.cache_key(grace)   # no origin: every file keys as itself

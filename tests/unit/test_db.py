import subprocess
import sys

import duckdb
import pytest

from lib import migrations
from lib.db import ConstraintViolation, Database
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
                        "VALUES (gen_random_uuid(), ?, 'Contoso', now())", [sid])
        assert db.schema_version() == 1
    monkeypatch.undo()
    with Database(path) as db:
        assert db.schema_version() == migrations.LATEST
        assert db.migrations() == [m.__name__ for m in migrations.MIGRATIONS]
        assert db.rows("SELECT name, target, revision FROM organisations") == [("Contoso", True, 0)]
        assert db.rows("SELECT count(*) FROM contacts WHERE connected_on IS NOT NULL") == [(0,)]


def test_failed_write_leaves_nothing(db):
    with pytest.raises(ConstraintViolation):
        with db.write() as cur:
            cur.execute("INSERT INTO students (id, name, created_at) VALUES (gen_random_uuid(), 'A', now())")
            cur.execute("INSERT INTO students (id, name, created_at) VALUES (gen_random_uuid(), '  ', now())")
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
    with pytest.raises(ConstraintViolation):            # a write that rolls back changes no key
        with db.write(student_id=grace) as cur:
            cur.execute("INSERT INTO students (id, name, created_at) VALUES (gen_random_uuid(), '  ', now())")
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


# --- migrations by name ---------------------------------------------------------------------

def test_migrations_are_recorded_by_name_in_order(db):
    assert db.migrations() == [step.__name__ for step in migrations.MIGRATIONS]
    assert db.migrations()[:3] == ["m001_schema", "m002_network", "m003_prep"]   # released: never renamed


def test_adding_a_migration_is_appending_one_named_function(tmp_path, monkeypatch):
    path = tmp_path / "grow.duckdb"
    with Database(path) as db:
        create_student(db, "Kept Student")

    def m999_add_a_column(cur):
        cur.execute("ALTER TABLE students ADD COLUMN pronouns VARCHAR")

    monkeypatch.setattr(migrations, "MIGRATIONS", list(migrations.MIGRATIONS))
    migrations.migration(m999_add_a_column)
    with Database(path) as db:
        assert db.migrations()[-1] == "m999_add_a_column"
        assert db.rows("SELECT name, pronouns FROM students") == [("Kept Student", None)]
    with Database(path) as db:                                   # applied once, by name
        assert db.migrations().count("m999_add_a_column") == 1
    with pytest.raises(ValueError, match="two migrations are named"):
        migrations.migration(m999_add_a_column)


def test_check_value_lists_are_literals_in_their_migration():
    """A CHECK list built from a live constant changes with the code, so an old database and
    a new one would hold different constraints under one migration name."""
    import inspect
    source = inspect.getsource(migrations)
    assert "from lib.models import" not in source and "sql_in(" not in source


VOCABULARIES = [("contacts", "warmth", "WARMTH"), ("contacts", "source", "SOURCES"),
                ("outreach_requests", "channel", "CHANNELS"), ("outreach_requests", "outcome", "OUTCOMES"),
                ("interviews", "format", "FORMATS"), ("interviews", "status", "INTERVIEW_STATUSES"),
                ("touches", "kind", "TOUCH_KINDS"), ("touches", "channel", "CHANNELS"),
                ("questions", "tiara", "TIARA"), ("advising_sessions", "visibility", "VISIBILITY"),
                ("tasks", "kind", "TASK_KINDS")]


@pytest.mark.parametrize("table,column,vocabulary", VOCABULARIES)
def test_every_vocabulary_value_is_accepted_and_nothing_else(db, table, column, vocabulary):
    """A value added to lib/models.py needs a migration that widens the database's CHECK:
    this fails until it has one (the database's constraint is the one that counts)."""
    import re
    from lib import models
    expressions = db.check_constraints(table)
    lists = [e for e in expressions if re.search(rf"\b{column}\b.*(\bIN\b|= ANY)", e, re.I | re.S)]
    assert len(lists) == 1, expressions
    allowed = set(re.findall(r"'([^']*)'", lists[0]))
    assert allowed == set(getattr(models, vocabulary)), f"{table}.{column}: add a migration"


def test_checklists_for_older_scheduled_conversations_are_a_migration_not_a_page_render(tmp_path, monkeypatch, now):
    """A conversation scheduled before checklists existed gets its checklist when the file
    is migrated, not when the Prep page shows it."""
    from lib import network
    path = tmp_path / "old.duckdb"
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:3])
    with Database(path) as db:
        sid = create_student(db, "Early Student")
        cid = network.add_contact(db, sid, network.ContactInput(name="Carla Diaz", source="alumni"), now)
        with db.write() as cur:
            for status in ("scheduled", "held"):
                cur.execute("""INSERT INTO interviews (id, student_id, contact_id, scheduled_at, format, status,
                               created_at) VALUES (gen_random_uuid(), ?, ?, TIMESTAMP '2026-11-27 10:00', 'video', ?, now())""",
                            [sid, cid, status])
        assert db.scalar("SELECT count(*) FROM prep_items") == 0
    monkeypatch.undo()
    with Database(path) as db:
        per_status = dict(db.rows("""SELECT i.status, count(p.id) FROM interviews i
                                     LEFT JOIN prep_items p ON p.interview_id = i.id GROUP BY i.status"""))
        assert per_status["scheduled"] > 0 and per_status["held"] == 0
        assert db.scalar("SELECT count(*) FROM interview_questions") == 3        # the closing questions


def test_the_question_bank_is_synced_once_at_open(tmp_path):
    from lib import prep
    with Database(tmp_path / "bank.duckdb") as db:
        assert db.scalar("SELECT count(*) FROM questions WHERE bank_key IS NOT NULL") == len(prep.bank_rows())
        version = db.version
    with Database(tmp_path / "bank.duckdb") as db:        # unchanged: nothing written at the second open
        assert db.version == version == 0


# --- a database newer than the code ----------------------------------------------------------

def make_newer(path):
    with Database(path) as db:
        create_student(db, "Future Student")
        with db.write() as cur:
            cur.execute("INSERT INTO schema_migrations SELECT max(version) + 1, 'm999_from_the_future', now() "
                        "FROM schema_migrations")


def test_a_database_newer_than_the_code_is_opened_read_only_and_never_written(tmp_path):
    import hashlib
    from lib.db import ReadOnlyDatabase
    path = tmp_path / "newer.duckdb"
    make_newer(path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with Database(path) as db:
        assert db.newer_schema == ["m999_from_the_future"] and db.read_only
        assert "newer version" in db.read_only_reason and "m999_from_the_future" in db.read_only_reason
        assert db.rows("SELECT name FROM students") == [("Future Student",)]     # it can still be read
        with pytest.raises(ReadOnlyDatabase, match="newer version"):
            create_student(db, "Not Saved")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    with duckdb.connect(str(path)) as con, con.cursor() as cur:
        assert migrations.unknown(cur) == ["m999_from_the_future"]
        with pytest.raises(migrations.NewerSchema):
            migrations.apply(cur)


def test_the_database_itself_refuses_a_students_second_email_or_url_or_organisation_key(db, now):
    """Uniqueness is the database's, not a check in one process (issue 19): a write that skips
    the app's own check (another process's, at the same moment) is refused whole."""
    from lib import network
    ada, grace = create_student(db, "Ada Lovelace"), create_student(db, "Grace Hopper")
    network.add_contact(db, ada, network.ContactInput(name="Carla Diaz", source="alumni", email="Carla@Example.org",
                                                      organisation="Contoso"), now)
    insert = """INSERT INTO contacts (id, student_id, name, warmth, source, email, linkedin_url, created_at)
                VALUES (gen_random_uuid(), ?, 'Twin', 'warm', 'alumni', ?, ?, now())"""
    with pytest.raises(ConstraintViolation):
        with db.write() as cur:
            cur.execute(insert, [ada, "carla@example.ORG", None])
    with pytest.raises(ConstraintViolation):
        with db.write() as cur:
            cur.execute("INSERT INTO organisations (id, student_id, name, name_key, created_at) "
                        "VALUES (gen_random_uuid(), ?, 'CONTOSO', 'contoso', now())", [ada])
    with db.write() as cur:                                  # another student may know the same person
        cur.execute(insert, [grace, "carla@example.org", None])
        cur.execute(insert, [grace, None, None])             # and missing emails never clash
        cur.execute(insert, [grace, None, None])
    assert db.scalar("SELECT count(*) FROM contacts") == 4
    assert db.scalar("SELECT count(*) FROM organisations WHERE name_key = 'contoso'") == 1


def test_twins_made_before_the_unique_keys_are_kept_as_data(tmp_path, monkeypatch, now):
    path = tmp_path / "twins.duckdb"
    monkeypatch.setattr(migrations, "MIGRATIONS", [m for m in migrations.MIGRATIONS
                                                        if m.__name__ not in ("m012_unique_key_twins", "m013_unique_keys")])
    with Database(path) as db:
        sid = create_student(db, "Early Student")
        with db.write() as cur:
            for n, (name, email) in enumerate((("First", "a@example.org"), ("Second", "A@example.org"))):
                cur.execute("""INSERT INTO contacts (id, student_id, name, warmth, source, email, created_at)
                               VALUES (gen_random_uuid(), ?, ?, 'warm', 'alumni', ?, TIMESTAMP '2026-11-01 10:00' + ? * INTERVAL '1 hour')""",
                            [sid, name, email, n])
                cur.execute("""INSERT INTO organisations (id, student_id, name, name_key, created_at)
                               VALUES (gen_random_uuid(), ?, 'Contoso', 'contoso', TIMESTAMP '2026-11-01 10:00' + ? * INTERVAL '1 hour')""",
                            [sid, n])
    monkeypatch.undo()
    with Database(path) as db:
        assert db.rows("SELECT name, email, notes FROM contacts ORDER BY created_at") == [
            ("First", "a@example.org", None),
            ("Second", None, "Email (the same as another contact's): A@example.org")]
        assert db.rows("SELECT name_key FROM organisations ORDER BY created_at") == [("contoso",), (None,)]

"""The schema, as small named steps (simonw/llm style), applied in order and recorded by
name in schema_migrations.

To change the schema, append one function at the end of this file, decorated with
`@migration`; its name is its key. A released migration is never renamed, and what it does
is never changed (m001 and m006 were rewritten in SQL both engines run, with the same effect).
Value lists (CHECK ... IN (...)) are written here as literals in the migration that adds
them, never built from lib.models, so a database made before a vocabulary change keeps the
constraint it was made with until a migration changes it (tests/unit/test_db.py checks that
the vocabularies in lib/models.py and the database's constraints agree). Data backfills are
migrations too, never work done while a page renders. DuckDB cannot ALTER a column of a
table that has a key, so such changes create a new table, copy, and swap inside the
migration's transaction.

A database that records a migration this code does not know is newer than the code:
`unknown(cur)` names them, and lib.db opens such a file read-only (it is never written).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable


Migration = Callable[[Any], None]     # takes a lib.db.Transaction
MIGRATIONS: list[Migration] = []


def migration(step: Migration) -> Migration:
    """Register `step` as the next migration (its __name__ is its key)."""
    if any(m.__name__ == step.__name__ for m in MIGRATIONS):
        raise ValueError(f"two migrations are named {step.__name__}")
    MIGRATIONS.append(step)
    return step


def _ensure_table(cur) -> None:
    cur.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)""")


def recorded(cur) -> list[str]:
    """Names of the migrations this database has applied, in the order applied ([] for a
    database that has none yet)."""
    if "schema_migrations" not in tables(cur):
        return []
    return [name for (name,) in cur.execute("SELECT name FROM schema_migrations ORDER BY version").fetchall()]


def tables(cur) -> list[str]:
    """The database's own tables (DuckDB's schema main, PostgreSQL's public), by name."""
    return [t for (t,) in cur.execute("""SELECT table_name FROM information_schema.tables
                                         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
                                         ORDER BY table_name""").fetchall()]


def unknown(cur) -> list[str]:
    """Migrations the database records that this code does not know: the file was made or
    upgraded by a newer version of the app. Empty when the code knows them all."""
    known = {step.__name__ for step in MIGRATIONS}
    return [name for name in recorded(cur) if name not in known]


def pending(cur) -> list[str]:
    """Names of the migrations this database still needs, in order."""
    done = set(recorded(cur))
    return [step.__name__ for step in MIGRATIONS if step.__name__ not in done]


class NewerSchema(RuntimeError):
    """The database records migrations this code does not know."""

    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.names = names


def apply(cur, *, only: list[str] | None = None) -> list[str]:
    """Apply the migrations not yet recorded, in order, inside the caller's transaction;
    return the names applied. Refuses (NewerSchema) a database newer than this code.
    `only`: apply just these (a restore rebuilds the schema a backup was made with)."""
    newer = unknown(cur) + [name for name in only or () if name not in {m.__name__ for m in MIGRATIONS}]
    if newer:
        raise NewerSchema(newer)
    _ensure_table(cur)
    done = set(recorded(cur))
    applied = []
    for step in MIGRATIONS:
        if step.__name__ in done or (only is not None and step.__name__ not in only):
            continue
        step(cur)
        cur.execute("INSERT INTO schema_migrations SELECT coalesce(max(version), 0) + 1, ?, ? FROM schema_migrations",
                    [step.__name__, datetime.now()])
        applied.append(step.__name__)
        if getattr(step, "commit_after", False):      # what follows needs this committed (an index)
            cur.commit_so_far()
    return applied


def latest() -> int:
    """How many migrations this code knows: the schema version of an up-to-date database."""
    return len(MIGRATIONS)


def __getattr__(name: str):
    if name == "LATEST":          # counted when asked, so it includes every migration below
        return latest()
    raise AttributeError(name)


# --- the migrations, oldest first. Add one by appending a @migration function at the end. ---

@migration
def m001_schema(cur) -> None:
    """Every table of the method. Each row belongs to a student (student_id), ids are UUIDs."""
    cur.execute("""
    CREATE TABLE students (
        id UUID PRIMARY KEY,
        name VARCHAR NOT NULL CHECK (length(trim(name)) > 0),
        school VARCHAR,
        major VARCHAR,
        class_year INTEGER CHECK (class_year BETWEEN 1950 AND 2100),
        fields_of_interest VARCHAR,
        pitch VARCHAR,                       -- two sentences: my interests and goals
        cohort VARCHAR,                      -- e.g. 'Spring 2027 workshop'
        thank_you_hours INTEGER NOT NULL DEFAULT 24 CHECK (thank_you_hours IN (24, 48)),
        landed_on DATE,                      -- a job or internship landed
        landed_note VARCHAR,
        is_demo BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMP NOT NULL
    );
    CREATE TABLE organisations (             -- target employers, Dalton's LAMP list
        id UUID PRIMARY KEY,
        student_id UUID NOT NULL,
        name VARCHAR NOT NULL CHECK (length(trim(name)) > 0),
        industry VARCHAR,
        website VARCHAR,
        motivation INTEGER CHECK (motivation BETWEEN 0 AND 3),
        postings INTEGER CHECK (postings BETWEEN 1 AND 3),
        notes VARCHAR,
        created_at TIMESTAMP NOT NULL,
        archived_at TIMESTAMP
    );
    CREATE TABLE imports (                   -- one row per imported file (all-or-nothing)
        id UUID PRIMARY KEY,
        student_id UUID NOT NULL,
        kind VARCHAR NOT NULL,               -- e.g. 'linkedin_connections'
        filename VARCHAR,
        row_count INTEGER NOT NULL,
        imported_at TIMESTAMP NOT NULL
    );
    CREATE TABLE contacts (
        id UUID PRIMARY KEY,
        student_id UUID NOT NULL,
        name VARCHAR NOT NULL CHECK (length(trim(name)) > 0),
        role VARCHAR,
        organisation_id UUID,
        email VARCHAR,
        linkedin_url VARCHAR,
        phone VARCHAR,
        warmth VARCHAR NOT NULL CHECK (warmth IN ('warm', 'cold')),
        source VARCHAR NOT NULL CHECK (source IN ('family', 'friends_community', 'professors_mentors', 'supervisors_coworkers',
                                           'career_coach', 'alumni', 'referral', 'linkedin', 'org_website', 'event', 'other')),
        how_met VARCHAR,
        referred_by UUID,                    -- another contact who introduced us
        keep_in_touch_days INTEGER CHECK (keep_in_touch_days > 0),  -- null: the default
        notes VARCHAR,
        import_id UUID,
        created_at TIMESTAMP NOT NULL,
        archived_at TIMESTAMP
    );
    CREATE TABLE outreach_requests (
        id UUID PRIMARY KEY,
        student_id UUID NOT NULL,
        contact_id UUID NOT NULL,
        channel VARCHAR NOT NULL CHECK (channel IN ('email', 'linkedin', 'social', 'text')),
        sent_on DATE NOT NULL,
        message VARCHAR,
        follow_up_sent_on DATE,              -- the one 3B7 follow-up
        replied_on DATE,
        outcome VARCHAR CHECK (outcome IN ('agreed', 'declined', 'referred')),
        created_at TIMESTAMP NOT NULL,
        CHECK (replied_on IS NULL OR replied_on >= sent_on),
        CHECK (outcome IS NULL OR replied_on IS NOT NULL)
    );
    CREATE TABLE interviews (
        id UUID PRIMARY KEY,
        student_id UUID NOT NULL,
        contact_id UUID NOT NULL,
        request_id UUID,
        scheduled_at TIMESTAMP NOT NULL,
        format VARCHAR NOT NULL CHECK (format IN ('phone', 'video', 'in_person')),
        length_minutes INTEGER NOT NULL DEFAULT 30 CHECK (length_minutes BETWEEN 5 AND 240),
        status VARCHAR NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'held', 'cancelled', 'no_show', 'rescheduled')),
        research_notes VARCHAR,
        notes VARCHAR,
        takeaways VARCHAR,
        asked_linkedin BOOLEAN NOT NULL DEFAULT false,
        asked_stay_in_touch BOOLEAN NOT NULL DEFAULT false,
        asked_referrals BOOLEAN NOT NULL DEFAULT false,
        closing_answers VARCHAR,
        resume_requested BOOLEAN NOT NULL DEFAULT false,
        thank_you_sent_at TIMESTAMP,
        created_at TIMESTAMP NOT NULL
    );
    CREATE TABLE touches (                   -- every interaction after first contact
        id UUID PRIMARY KEY,
        student_id UUID NOT NULL,
        contact_id UUID NOT NULL,
        kind VARCHAR NOT NULL CHECK (kind IN ('thank_you', 'reply', 'meeting', 'update', 'advice_followed', 'article',
                                         'comment', 'offer_help', 'question', 'landed', 'other')),
        happened_at TIMESTAMP NOT NULL,
        channel VARCHAR CHECK (channel IN ('email', 'linkedin', 'social', 'text')),
        note VARCHAR,
        created_at TIMESTAMP NOT NULL
    );
    CREATE TABLE prep_items (
        id UUID PRIMARY KEY,
        student_id UUID NOT NULL,
        interview_id UUID NOT NULL,
        item_key VARCHAR NOT NULL,           -- the template item it came from
        label VARCHAR NOT NULL,
        position INTEGER NOT NULL,
        due_on DATE,
        done_at TIMESTAMP,
        created_at TIMESTAMP NOT NULL
    );
    CREATE TABLE questions (                 -- the bank (student_id null) and students' own
        id UUID PRIMARY KEY,
        student_id UUID,
        bank_key VARCHAR UNIQUE,             -- stable key of a built-in question
        category VARCHAR NOT NULL,
        tiara VARCHAR NOT NULL CHECK (tiara IN ('trends', 'insights', 'advice', 'resources', 'assignments')),
        text VARCHAR NOT NULL CHECK (length(trim(text)) > 0),
        minutes DOUBLE PRECISION NOT NULL CHECK (minutes > 0),
        created_at TIMESTAMP NOT NULL
    );
    CREATE TABLE question_favourites (
        student_id UUID NOT NULL,
        question_id UUID NOT NULL,
        created_at TIMESTAMP NOT NULL,
        PRIMARY KEY (student_id, question_id)
    );
    CREATE TABLE interview_questions (
        id UUID PRIMARY KEY,
        student_id UUID NOT NULL,
        interview_id UUID NOT NULL,
        question_id UUID NOT NULL,
        position INTEGER NOT NULL,
        answer_notes VARCHAR,
        created_at TIMESTAMP NOT NULL
    );
    CREATE TABLE advising_sessions (
        id UUID PRIMARY KEY,
        student_id UUID NOT NULL,
        coach_name VARCHAR,
        held_on DATE NOT NULL,
        notes VARCHAR,
        visibility VARCHAR NOT NULL DEFAULT 'private' CHECK (visibility IN ('private', 'shared')),
        created_at TIMESTAMP NOT NULL
    );
    CREATE TABLE action_items (              -- agreed in an advising session
        id UUID PRIMARY KEY,
        student_id UUID NOT NULL,
        session_id UUID,
        text VARCHAR NOT NULL CHECK (length(trim(text)) > 0),
        due_on DATE NOT NULL,
        done_at TIMESTAMP,
        created_at TIMESTAMP NOT NULL
    );
    CREATE TABLE tasks (                     -- to-dos the workflows create
        id UUID PRIMARY KEY,
        student_id UUID NOT NULL,
        kind VARCHAR NOT NULL CHECK (kind IN ('referral_outreach', 'send_resume', 'connect_linkedin', 'tell_helpers', 'other')),
        title VARCHAR NOT NULL,
        contact_id UUID,
        interview_id UUID,
        due_on DATE NOT NULL,
        done_at TIMESTAMP,
        created_at TIMESTAMP NOT NULL
    );
    CREATE TABLE snoozes (                   -- a due item put off until a date
        student_id UUID NOT NULL,
        item_key VARCHAR NOT NULL,           -- '<kind>:<id>' of the due item
        until_on DATE NOT NULL,
        PRIMARY KEY (student_id, item_key)
    );
    CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);

    """)


    engine_functions(cur)


def engine_functions(cur) -> None:
    """The SQL functions that differ by engine, defined once each (DuckDB macros, PostgreSQL
    functions): business_days(a, b) and add_business_days(d, n), mirroring lib.clock.business_days_between and
    lib.clock.add_business_days (the 3B7 routine counts these; dates before 1900 never
    occur), and on PostgreSQL round(double precision, n), which DuckDB has built in."""
    if cur.backend == "postgresql":
        cur.execute("""
        -- Weekdays d with a < d <= b. Epoch 1900-01-01 was a Monday.
        CREATE FUNCTION weekdays_through(d date) RETURNS integer LANGUAGE sql IMMUTABLE AS
            $$ SELECT ((d - DATE '1900-01-01') / 7) * 5 + least((d - DATE '1900-01-01') % 7 + 1, 5) $$;
        CREATE FUNCTION business_days(a date, b date) RETURNS integer LANGUAGE sql IMMUTABLE AS
            $$ SELECT weekdays_through(b) - weekdays_through(a) $$;
        -- The date n business days after d (a weekend d counts from the Friday before).
        CREATE FUNCTION friday_floor(d date) RETURNS date LANGUAGE sql IMMUTABLE AS
            $$ SELECT d - greatest(CAST(extract(isodow FROM d) AS integer) - 5, 0) $$;
        CREATE FUNCTION add_business_days(d date, n integer) RETURNS date LANGUAGE sql IMMUTABLE AS
            $$ SELECT CASE WHEN n = 0 THEN d ELSE friday_floor(d) + ((n / 5) * 7 + n % 5
                + CASE WHEN CAST(extract(isodow FROM friday_floor(d)) AS integer) + n % 5 > 5 THEN 2 ELSE 0 END) END $$;
        -- DuckDB rounds a double to n places; PostgreSQL only a numeric: one meaning for both.
        CREATE FUNCTION round(x double precision, n integer) RETURNS double precision LANGUAGE sql IMMUTABLE AS
            $$ SELECT CAST(round(CAST(x AS numeric), n) AS double precision) $$;
        """)
        return
    cur.execute("""
    -- Weekdays d with a < d <= b. Epoch 1900-01-01 was a Monday.
    CREATE MACRO weekdays_through(d) AS
        ((d - DATE '1900-01-01') // 7) * 5 + least((d - DATE '1900-01-01') % 7 + 1, 5);
    CREATE MACRO business_days(a, b) AS weekdays_through(b) - weekdays_through(a);
    -- The date n business days after d (a weekend d counts from the Friday before).
    CREATE MACRO friday_floor(d) AS
        d - CAST(greatest(isodow(d) - 5, 0) AS INTEGER);
    CREATE MACRO add_business_days(d, n) AS CASE WHEN n = 0 THEN d ELSE
        friday_floor(d) + CAST((n // 5) * 7 + n % 5
            + CASE WHEN isodow(friday_floor(d)) + n % 5 > 5 THEN 2 ELSE 0 END AS INTEGER) END;
    """)


@migration
def m002_network(cur) -> None:
    """The network map: LinkedIn connection dates, the LAMP list as a flag on organisations
    (contacts and imports also create organisations that are not targets), and an
    revision on the records people edit, so an edit made on a stale copy is refused instead
    of silently overwriting another session's change."""
    cur.execute("""
    ALTER TABLE contacts ADD COLUMN connected_on DATE;      -- LinkedIn's 'Connected On'
    ALTER TABLE contacts ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE organisations ADD COLUMN target BOOLEAN NOT NULL DEFAULT false;
    ALTER TABLE organisations ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
    -- Before this step organisations were only ever created as LAMP entries.
    UPDATE organisations SET target = true;
    """)


@migration
def m003_prep(cur) -> None:
    """Interview prep: what the student most wants from a conversation (it steers the
    question suggestions)."""
    cur.execute("ALTER TABLE interviews ADD COLUMN goal VARCHAR")


@migration
def m004_checklists_for_scheduled_conversations(cur) -> None:
    """Conversations still scheduled that were made before the checklist existed get their
    checklist and closing questions now (this used to happen when the Prep page showed them)."""
    from lib import clock, prep          # at run time: prep imports lib.db, which imports this module
    today, now = clock.today(), clock.now()
    for student_id, interview_id in cur.execute("""
            SELECT CAST(student_id AS VARCHAR), CAST(id AS VARCHAR) FROM interviews i
            WHERE status = 'scheduled'
              AND NOT EXISTS (SELECT 1 FROM prep_items p WHERE p.interview_id = i.id)""").fetchall():
        prep.ensure_checklist(cur, student_id, interview_id, today, now)


@migration
def m005_thank_you_window_kept_with_the_conversation(cur) -> None:
    """The thank-you window (hours) in force when a conversation was held is stored with it,
    so changing the setting later does not re-grade it (NULL: held since the student last
    changed the setting, so the student's current window). Conversations held so far keep
    the window their student has today."""
    cur.execute("""
    ALTER TABLE interviews ADD COLUMN thank_you_hours INTEGER;
    UPDATE interviews SET thank_you_hours = s.thank_you_hours FROM students s
    WHERE s.id = interviews.student_id AND interviews.status = 'held';
    """)


@migration
def m006_organisation_key(cur) -> None:
    """Organisations get one stored identity key, computed once when the row is written and
    compared in SQL: the name with its spacing collapsed, casefolded ('Straße GmbH' and
    'STRASSE GmbH' are both 'strasse gmbh'). Written here as it was when this step was made."""
    cur.execute("ALTER TABLE organisations ADD COLUMN name_key VARCHAR")
    rows = cur.execute("SELECT CAST(id AS VARCHAR), name FROM organisations").fetchall()
    for oid, name in rows:
        cur.execute("UPDATE organisations SET name_key = ? WHERE id = CAST(? AS UUID)",
                    [" ".join(name.split()).casefold(), oid])


@migration
def m007_intro_per_conversation(cur) -> None:
    """Each conversation can have its own intro ("My intro"); NULL means the student's pitch
    from their profile, so changing one conversation's intro changes no other."""
    cur.execute("ALTER TABLE interviews ADD COLUMN intro VARCHAR")


@migration
def m008_people_roles_and_access_log(cur) -> None:
    """Sign-in (issue 18): the people who may sign in, with one role each; the student record a
    student user owns (one user per record); which students each coach advises (cohort groups
    are students.cohort, already there); and the access log: who viewed or exported whose
    record, and when. The log names the record by id and keeps no foreign key, so it outlives
    a deleted record (it keeps that the deletion happened)."""
    cur.execute("""
    CREATE TABLE users (
        id UUID PRIMARY KEY,
        email VARCHAR NOT NULL UNIQUE CHECK (email = lower(trim(email)) AND email LIKE '%_@_%'),
        name VARCHAR,
        role VARCHAR NOT NULL CHECK (role IN ('student', 'coach', 'admin')),
        active BOOLEAN NOT NULL DEFAULT true,
        student_id UUID UNIQUE,               -- a student user's own record (NULL for coaches and admins)
        deletion_requested_at TIMESTAMP,      -- the student asked for their data to be deleted
        created_at TIMESTAMP NOT NULL,
        CHECK ((role = 'student') = (student_id IS NOT NULL))
    );
    CREATE TABLE coach_assignments (          -- a coach advises a student
        coach_id UUID NOT NULL,
        student_id UUID NOT NULL,
        assigned_at TIMESTAMP NOT NULL,
        PRIMARY KEY (coach_id, student_id)
    );
    CREATE TABLE access_log (
        id UUID PRIMARY KEY,
        happened_at TIMESTAMP NOT NULL,
        viewer_email VARCHAR NOT NULL,
        viewer_role VARCHAR NOT NULL,
        student_id UUID,                      -- whose record (NULL: none, e.g. a refused sign-in)
        action VARCHAR NOT NULL CHECK (action IN ('viewed', 'exported', 'refused', 'deletion requested',
                                                  'deleted')),
        detail VARCHAR
    );
    CREATE INDEX access_log_student ON access_log (student_id, happened_at);
    """)


@migration
def m009_learning(cur) -> None:
    """What I'm learning: terms a student adds to the vocabulary, and whether they share the
    counts mined from their notes with their coach (off until they say so)."""
    cur.execute("""
    CREATE TABLE learning_terms (
        id UUID PRIMARY KEY,
        student_id UUID NOT NULL,
        term VARCHAR NOT NULL CHECK (length(trim(term)) > 0),
        kind VARCHAR NOT NULL CHECK (kind IN ('skill', 'tool', 'credential', 'course')),
        synonyms VARCHAR,
        created_at TIMESTAMP NOT NULL,
        UNIQUE (student_id, term)
    );
    ALTER TABLE students ADD COLUMN share_learning BOOLEAN DEFAULT false;
    """)


@migration
def m010_who_suggested_a_referral(cur) -> None:
    """A referral's to-do keeps who suggested them: one person can be suggested by several."""
    cur.execute("ALTER TABLE tasks ADD COLUMN suggested_by UUID")
    cur.execute("""UPDATE tasks SET suggested_by = c.referred_by FROM contacts c
                   WHERE c.id = tasks.contact_id AND tasks.kind = 'referral_outreach'""")


@migration
def m011_data_versions(cur) -> None:
    """Freshness the database holds: one version per student (their data changed) and one
    for everyone ('*'), bumped inside each write's own transaction, so every process (and
    every machine) sees another's write on its next page."""
    cur.execute("""CREATE TABLE data_versions (scope VARCHAR PRIMARY KEY, version BIGINT NOT NULL)""")
    cur.execute("INSERT INTO data_versions VALUES ('*', 0)")


@migration
def m012_unique_key_twins(cur) -> None:
    """Before the database itself refuses twins (m013): the app refused a second contact with
    a student's email or LinkedIn URL, and a second organisation with one of their name keys,
    all along; any that slipped in are kept as data. A twin's email or URL moves into its
    notes; an organisation twin keeps its row without the key (the first, active before
    archived, keeps it). Committed before m013: DuckDB builds an index from committed rows."""
    for column, label in (("email", "Email"), ("linkedin_url", "LinkedIn URL")):
        twins = cur.execute(f"""
            SELECT CAST(id AS VARCHAR), {column} FROM (
                SELECT id, {column}, row_number() OVER (PARTITION BY student_id, lower({column})
                                                        ORDER BY archived_at IS NOT NULL, created_at, id) AS n
                FROM contacts WHERE {column} IS NOT NULL) AS ranked
            WHERE n > 1""").fetchall()
        for contact_id, value in twins:
            cur.execute(f"""UPDATE contacts SET {column} = NULL,
                               notes = coalesce(notes || chr(10), '') || ? WHERE id = CAST(? AS UUID)""",
                        [f"{label} (the same as another contact's): {value}", contact_id])
    cur.execute("""
        UPDATE organisations SET name_key = NULL WHERE id IN (
            SELECT id FROM (
                SELECT id, row_number() OVER (PARTITION BY student_id, name_key
                                              ORDER BY archived_at IS NOT NULL, created_at, id) AS n
                FROM organisations WHERE name_key IS NOT NULL) AS ranked
            WHERE n > 1)""")


m012_unique_key_twins.commit_after = True


@migration
def m013_unique_keys(cur) -> None:
    """The database itself refuses a second contact with a student's email or LinkedIn URL
    (compared without case) and a second organisation with one of their name keys, so two
    app processes saving the same person at once end with one row, not a check each passed."""
    cur.execute("CREATE UNIQUE INDEX contacts_email_key ON contacts (student_id, lower(email))")
    cur.execute("CREATE UNIQUE INDEX contacts_linkedin_url_key ON contacts (student_id, lower(linkedin_url))")
    cur.execute("CREATE UNIQUE INDEX organisations_name_key ON organisations (student_id, name_key)")

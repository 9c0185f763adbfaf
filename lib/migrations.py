"""Numbered, append-only schema steps, applied in order and recorded in schema_migrations.

An applied migration is never edited: change the schema by adding the next one. DuckDB
cannot ALTER a column of a table that has a key, so such changes create a new table,
copy, and swap inside the migration's transaction.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

import duckdb

from lib.models import (CHANNELS, FORMATS, INTERVIEW_STATUSES, OUTCOMES, SOURCES, TASK_KINDS,
                        TIARA, TOUCH_KINDS, VISIBILITY, WARMTH, sql_in)


def m001_schema(cur: duckdb.DuckDBPyConnection) -> None:
    """Every table of the method. Each row belongs to a student (student_id), ids are UUIDs."""
    cur.execute(f"""
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
        warmth VARCHAR NOT NULL CHECK (warmth IN {sql_in(WARMTH)}),
        source VARCHAR NOT NULL CHECK (source IN {sql_in(SOURCES)}),
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
        channel VARCHAR NOT NULL CHECK (channel IN {sql_in(CHANNELS)}),
        sent_on DATE NOT NULL,
        message VARCHAR,
        follow_up_sent_on DATE,              -- the one 3B7 follow-up
        replied_on DATE,
        outcome VARCHAR CHECK (outcome IN {sql_in(OUTCOMES)}),
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
        format VARCHAR NOT NULL CHECK (format IN {sql_in(FORMATS)}),
        length_minutes INTEGER NOT NULL DEFAULT 30 CHECK (length_minutes BETWEEN 5 AND 240),
        status VARCHAR NOT NULL DEFAULT 'scheduled' CHECK (status IN {sql_in(INTERVIEW_STATUSES)}),
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
        kind VARCHAR NOT NULL CHECK (kind IN {sql_in(TOUCH_KINDS)}),
        happened_at TIMESTAMP NOT NULL,
        channel VARCHAR CHECK (channel IN {sql_in(CHANNELS)}),
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
        tiara VARCHAR NOT NULL CHECK (tiara IN {sql_in(TIARA)}),
        text VARCHAR NOT NULL CHECK (length(trim(text)) > 0),
        minutes DOUBLE NOT NULL CHECK (minutes > 0),
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
        visibility VARCHAR NOT NULL DEFAULT 'private' CHECK (visibility IN {sql_in(VISIBILITY)}),
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
        kind VARCHAR NOT NULL CHECK (kind IN {sql_in(TASK_KINDS)}),
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

    -- Weekdays d with a < d <= b. Epoch 1900-01-01 was a Monday. Mirrors
    -- lib.clock.business_days_between; the 3B7 routine counts these.
    CREATE MACRO weekdays_through(d) AS
        ((d - DATE '1900-01-01') // 7) * 5 + least((d - DATE '1900-01-01') % 7 + 1, 5);
    CREATE MACRO business_days(a, b) AS weekdays_through(b) - weekdays_through(a);
    -- The date n business days after d (a weekend d counts from the Friday before).
    -- Mirrors lib.clock.add_business_days.
    CREATE MACRO friday_floor(d) AS
        d - CAST(greatest(isodow(d) - 5, 0) AS INTEGER);
    CREATE MACRO add_business_days(d, n) AS CASE WHEN n = 0 THEN d ELSE
        friday_floor(d) + CAST((n // 5) * 7 + n % 5
            + CASE WHEN isodow(friday_floor(d)) + n % 5 > 5 THEN 2 ELSE 0 END AS INTEGER) END;
    """)


def m002_network(cur: duckdb.DuckDBPyConnection) -> None:
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


def m003_prep(cur: duckdb.DuckDBPyConnection) -> None:
    """Interview prep: what the student most wants from a conversation (it steers the
    question suggestions)."""
    cur.execute("ALTER TABLE interviews ADD COLUMN goal VARCHAR")


MIGRATIONS: list[Callable[[duckdb.DuckDBPyConnection], None]] = [m001_schema, m002_network, m003_prep]


def apply(cur: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the migrations not yet recorded, in order; return the versions applied."""
    cur.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)""")
    done = {v for (v,) in cur.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for version, step in enumerate(MIGRATIONS, start=1):
        if version in done:
            continue
        step(cur)
        cur.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                    [version, step.__name__, datetime.now()])
        applied.append(version)
    return applied


LATEST = len(MIGRATIONS)

"""One PostgreSQL database served to several app processes (issue 19, item 3): correctness
across processes comes from the database, not from a Python check under one process's lock.

Each test starts two worker processes (spawned, each with its own `Database(url)` and its
own connection pool, as two Streamlit processes have) on a fresh database of the test
session's PostgreSQL server (tests/conftest.py: tools.postgres.temporary_server()):

- the same email, LinkedIn URL or organisation written by both at once (a barrier) is kept
  once, and the second writer of a contact is told it is a duplicate (DuplicateContact);
- the same, with the interleaving forced: the second process checks for a duplicate while
  the first has inserted but not committed, which a Python check cannot see;
- the database itself refuses a second row with the same key (unique keys, whatever the
  door the row comes through);
- two processes saving an edit of the same contact made on the same revision: one is
  saved, the other told (StaleEdit), nothing silently lost.
"""
from __future__ import annotations

import multiprocessing
import queue
import sys
import time
import traceback
import types
import uuid
from datetime import datetime

import pytest

from lib import network
from lib.db import ConstraintViolation, Database
from lib.models import StaleEdit
from lib.network import ContactInput, DuplicateContact
from lib.students import create_student
from tests.conftest import TODAY
from tests.reliability.figures import record

ROUNDS = 8                   # rounds of "both at once" per test (a race is a chance, not a certainty)
WAIT_S = 60                  # any one wait on the other process (a barrier, an event, a result)
BLOCKED_S = 10               # how long the first writer waits to see the second one blocked
MOMENT = datetime(TODAY.year, TODAY.month, TODAY.day, 10, 0)

SPAWN = multiprocessing.get_context("spawn")   # a fresh interpreter: nothing shared but the database


# --- the worker processes (module level: spawn imports them) ------------------------------------

def _report(results, number: int, kind: str, detail: str) -> None:
    results.put((number, kind, detail))


def _add_contacts(url: str, number: int, student_id: str, rounds: list[dict], barrier, results) -> None:
    """Add one contact per round, all processes starting each round together."""
    try:
        with Database(url) as db:
            for round_number, fields in enumerate(rounds):
                barrier.wait(WAIT_S)
                try:
                    network.add_contact(db, student_id, ContactInput(**fields), MOMENT)
                    _report(results, number, "added", f"{round_number}:{fields['name']}")
                except DuplicateContact as exc:
                    _report(results, number, "duplicate", f"{round_number}:{exc}")
                except Exception as exc:   # anything else is a failure the test shows
                    _report(results, number, "error", f"{round_number}:{exc!r}\n{traceback.format_exc()}")
    except Exception as exc:
        _report(results, number, "error", f"worker: {exc!r}\n{traceback.format_exc()}")


def _hold_an_insert(url: str, student_id: str, fields: dict, inserted, results) -> None:
    """Insert a contact and keep the transaction open until another backend waits on a lock
    (the second process's insert of the same key), then commit."""
    try:
        with Database(url) as db:
            with db.write(student_id=student_id) as cur:
                network.insert_contact(cur, student_id, ContactInput(**fields), MOMENT)
                inserted.set()
                deadline = time.monotonic() + BLOCKED_S
                waiting = 0
                while time.monotonic() < deadline and not waiting:
                    waiting = db.scalar("""SELECT count(*) FROM pg_stat_activity
                                           WHERE datname = current_database() AND wait_event_type = 'Lock'""")
                    time.sleep(0.05)
            _report(results, 0, "added", f"other blocked: {bool(waiting)}")
    except Exception as exc:
        _report(results, 0, "error", f"{exc!r}\n{traceback.format_exc()}")


def _add_after(url: str, student_id: str, fields: dict, inserted, results) -> None:
    try:
        with Database(url) as db:
            if not inserted.wait(WAIT_S):
                raise TimeoutError("the first process never inserted")
            try:
                network.add_contact(db, student_id, ContactInput(**fields), MOMENT)
                _report(results, 1, "added", fields["name"])
            except DuplicateContact as exc:
                _report(results, 1, "duplicate", str(exc))
    except Exception as exc:
        _report(results, 1, "error", f"{exc!r}\n{traceback.format_exc()}")


def _edit_contact(url: str, number: int, student_id: str, contact_id: str, role: str, barrier, results) -> None:
    """Open the contact (its revision), then save an edit of it at the same moment as the other."""
    try:
        with Database(url) as db:
            record_ = network.get_contact(db, student_id, contact_id)
            seen = record_["revision"]
            data = network.contact_input(record_)
            data.role = role
            barrier.wait(WAIT_S)                       # both opened the same copy; both save now
            try:
                network.update_contact(db, student_id, contact_id, data, MOMENT, revision=seen)
                _report(results, number, "saved", role)
            except StaleEdit as exc:
                _report(results, number, "told", str(exc))
    except Exception as exc:
        _report(results, number, "error", f"{exc!r}\n{traceback.format_exc()}")


def _run(*processes) -> None:
    for proc in processes:
        proc.start()
    for proc in processes:
        proc.join(WAIT_S * (ROUNDS + 2))
    alive = [proc for proc in processes if proc.is_alive()]
    for proc in alive:
        proc.kill()
        proc.join(10)
    assert not alive, f"{len(alive)} worker process(es) did not finish"


def _results(results, expected: int) -> list[tuple[int, str, str]]:
    got = []
    for _ in range(expected):
        try:
            got.append(results.get(timeout=WAIT_S))
        except queue.Empty:
            break
    return got


# --- tests --------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def plain_main(monkeypatch):
    """A spawned worker re-runs the parent's __main__ from its file; after an AppTest in the
    same session that is app.py (AppTest runs scripts as __main__), which fails outside
    Streamlit. A bare __main__ gives the workers nothing to re-run."""
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))


@pytest.fixture
def shared(postgres_url):
    """The database both processes use, opened here to set up and to count."""
    with Database(postgres_url) as db:
        db.url = postgres_url
        yield db


def _both_at_once(shared: Database, student_id: str, rounds_each: list[list[dict]]) -> list[tuple[int, str, str]]:
    barrier = SPAWN.Barrier(len(rounds_each))
    results = SPAWN.Queue()
    workers = [SPAWN.Process(target=_add_contacts, args=(shared.url, number, student_id, rounds, barrier, results))
               for number, rounds in enumerate(rounds_each)]
    _run(*workers)
    return _results(results, sum(len(rounds) for rounds in rounds_each))


@pytest.mark.timeout(600)
@pytest.mark.parametrize("field", ["email", "linkedin_url"])
def test_the_same_contact_added_by_two_processes_at_once_is_kept_once(shared, field):
    student = create_student(shared, "Ada Lovelace")
    keys = [f"same.{n}.{uuid.uuid4().hex[:6]}@example.org" if field == "email" else
            f"https://www.linkedin.com/in/same-{n}-{uuid.uuid4().hex[:6]}" for n in range(ROUNDS)]
    # different names each side (no look-alike to confuse anything), the same key each round
    rounds_each = [[{"name": f"{who} {n}", "source": "other", field: key} for n, key in enumerate(keys)]
                   for who in ("Orla Quince", "Bartholomew Xu")]
    outcomes = _both_at_once(shared, student, rounds_each)
    errors = [detail for _, kind, detail in outcomes if kind == "error"]
    assert errors == [], errors[0]
    assert len(outcomes) == 2 * ROUNDS
    for n, key in enumerate(keys):
        kinds = sorted(kind for _, kind, detail in outcomes if detail.startswith(f"{n}:"))
        stored = shared.scalar(f"SELECT count(*) FROM contacts WHERE student_id = ? AND {field} = ?", [student, key])
        assert (stored, kinds) == (1, ["added", "duplicate"]), f"round {n}: {stored} rows, {kinds}"
    told = [detail for _, kind, detail in outcomes if kind == "duplicate"]
    label = "email" if field == "email" else "linkedin url"
    assert all(f"is already the {label} of" in detail for detail in told), told
    assert shared.scalar("SELECT count(*) FROM contacts WHERE student_id = ?", [student]) == ROUNDS
    record(f"two processes adding one {field} at once (PostgreSQL)", rounds=ROUNDS,
           kept_once=ROUNDS, duplicates_told=len(told))


@pytest.mark.timeout(300)
def test_a_duplicate_inserted_but_not_yet_committed_in_another_process_is_still_refused(shared):
    """The interleaving a Python check can't see: process 1 has inserted the email and not
    committed; process 2 checks (nothing visible yet) and inserts. Only the database's unique
    key holds process 2 until process 1 commits, then refuses it."""
    student = create_student(shared, "Grace Hopper")
    email = "carla.uncommitted@example.org"
    inserted = SPAWN.Event()
    results = SPAWN.Queue()
    url = shared.url
    first = SPAWN.Process(target=_hold_an_insert, args=(url, student, {"name": "Carla First", "email": email}, inserted,
                                                        results))
    second = SPAWN.Process(target=_add_after, args=(url, student, {"name": "Zed Second", "email": email}, inserted,
                                                    results))
    _run(first, second)
    outcomes = {number: (kind, detail) for number, kind, detail in _results(results, 2)}
    assert [kind for kind, _ in outcomes.values()].count("error") == 0, outcomes
    stored = shared.scalar("SELECT count(*) FROM contacts WHERE student_id = ? AND email = ?", [student, email])
    assert stored == 1, f"both processes saved {email}: the database does not keep one email per student ({outcomes})"
    assert outcomes[0] == ("added", "other blocked: True"), outcomes      # the second really was held by the key
    assert outcomes[1][0] == "duplicate" and "is already the email of Carla First" in outcomes[1][1], outcomes


@pytest.mark.timeout(600)
def test_one_new_organisation_named_by_two_processes_at_once_is_made_once(shared):
    """Two different people at the same, new organisation, added at once: both are kept, at one
    organisation (its name key is unique per student)."""
    student = create_student(shared, "Katherine Johnson")
    names = [f"Acme Labs {n}" for n in range(ROUNDS)]
    rounds_each = [[{"name": f"{who} {n}", "source": "other", "organisation": name if who == "Orla Quince" else
                     f"  {name.upper()} "} for n, name in enumerate(names)]      # same key: case and spacing
                   for who in ("Orla Quince", "Bartholomew Xu")]
    outcomes = _both_at_once(shared, student, rounds_each)
    errors = [detail for _, kind, detail in outcomes if kind == "error"]
    assert errors == [], errors[0]
    assert sorted(kind for _, kind, _ in outcomes) == ["added"] * (2 * ROUNDS)
    for name in names:
        key = network.org_key(name)
        organisations = shared.rows("""SELECT CAST(id AS VARCHAR) FROM organisations
                                       WHERE student_id = ? AND name_key = ?""", [student, key])
        assert len(organisations) == 1, f"{name}: {len(organisations)} organisations"
        people = shared.scalar("""SELECT count(*) FROM contacts
                                  WHERE student_id = ? AND organisation_id = CAST(? AS UUID)""",
                               [student, organisations[0][0]])
        assert people == 2, f"{name}: {people} contacts at it"


def test_the_database_itself_refuses_a_second_row_with_the_same_key(shared):
    """Whatever the door (a bulk import, a script, a future page), the unique keys are the
    database's: a second contact with the same email or LinkedIn URL, or a second organisation
    with the same name key, for one student, is refused and nothing of the write is kept.
    Another student may have the same ones."""
    student, other = create_student(shared, "Ada Lovelace"), create_student(shared, "Grace Hopper")
    contact = """INSERT INTO contacts (id, student_id, name, email, linkedin_url, warmth, source, created_at)
                 VALUES (CAST(? AS UUID), CAST(? AS UUID), ?, ?, ?, 'cold', 'other', ?)"""
    organisation = """INSERT INTO organisations (id, student_id, name, name_key, target, created_at)
                      VALUES (CAST(? AS UUID), CAST(? AS UUID), ?, ?, false, ?)"""
    url = "https://www.linkedin.com/in/carla-curie"
    with shared.write(student_id=student) as cur:
        cur.execute(contact, [str(uuid.uuid4()), student, "Carla", "carla@example.org", url, MOMENT])
        cur.execute(organisation, [str(uuid.uuid4()), student, "Acme", "acme", MOMENT])
    for sql, values in ((contact, ["Carla Again", "carla@example.org", None]),
                        (contact, ["Carla Again", None, url]),
                        (organisation, ["ACME", "acme"])):
        with pytest.raises(ConstraintViolation):
            with shared.write(student_id=student) as cur:
                cur.execute(sql, [str(uuid.uuid4()), student, *values, MOMENT])
    with shared.write(student_id=other) as cur:                      # keys are per student
        cur.execute(contact, [str(uuid.uuid4()), other, "Carla", "carla@example.org", url, MOMENT])
        cur.execute(organisation, [str(uuid.uuid4()), other, "Acme", "acme", MOMENT])
    assert shared.scalar("SELECT count(*) FROM contacts") == 2
    assert shared.scalar("SELECT count(*) FROM organisations") == 2


@pytest.mark.timeout(600)
def test_two_processes_saving_an_edit_of_one_contact_one_wins_the_other_is_told(shared):
    student = create_student(shared, "Ada Lovelace")
    outcomes = []
    for round_number in range(ROUNDS):
        contact = network.add_contact(shared, student, ContactInput(name=f"Carla {round_number}", source="alumni"),
                                      MOMENT)
        opened = network.get_contact(shared, student, contact)["revision"]
        barrier = SPAWN.Barrier(2)
        results = SPAWN.Queue()
        _run(*[SPAWN.Process(target=_edit_contact, args=(shared.url, number, student, contact, role, barrier,
                                                         results))
               for number, role in enumerate(("Curator", "Director"))])
        got = _results(results, 2)
        assert [kind for _, kind, _ in got if kind == "error"] == [], got
        kinds = sorted(kind for _, kind, _ in got)
        assert kinds == ["saved", "told"], f"round {round_number}: {got}"
        winner = next(detail for _, kind, detail in got if kind == "saved")
        told = next(detail for _, kind, detail in got if kind == "told")
        assert network.get_contact(shared, student, contact)["role"] == winner        # nothing silently lost
        assert "changed in another window" in told
        assert network.get_contact(shared, student, contact)["revision"] == opened + 1   # one edit saved
        outcomes.append(winner)
    record("two processes editing one contact (PostgreSQL)", rounds=ROUNDS, saved=len(outcomes), told=len(outcomes))

from datetime import date

import pytest

from lib import demo, metrics
from lib.db import Database
from lib.models import SOURCES
from lib.students import create_student
from tests.conftest import TODAY


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    with Database(tmp_path_factory.mktemp("demo") / "demo.duckdb") as db:
        demo.load(db, as_of=TODAY)
        yield db


def test_same_seed_and_date_give_the_same_figures(tmp_path, cohort):
    with Database(tmp_path / "again.duckdb") as again:
        demo.load(again, as_of=TODAY)
        assert metrics.summary(again, None, TODAY) == metrics.summary(cohort, None, TODAY)
        assert again.rows("SELECT CAST(id AS VARCHAR) FROM contacts ORDER BY id") == \
            cohort.rows("SELECT CAST(id AS VARCHAR) FROM contacts ORDER BY id")


def test_another_seed_gives_another_cohort(tmp_path, cohort):
    with Database(tmp_path / "other.duckdb") as other:
        demo.load(other, seed=99, as_of=TODAY)
        assert metrics.summary(other, None, TODAY) != metrics.summary(cohort, None, TODAY)


def test_default_cohort_is_labelled_demo(cohort):
    assert cohort.rows("SELECT count(*), bool_and(is_demo) FROM students") == [(demo.DEFAULT_STUDENTS, True)]


def test_every_source_category_and_referral_chains(cohort):
    sources = {s for (s,) in cohort.rows("SELECT DISTINCT source FROM contacts")}
    assert sources == set(SOURCES)
    # a referral points at a contact of the same student
    assert cohort.scalar("""SELECT count(*) FROM contacts c JOIN contacts r ON r.id = c.referred_by
                            AND r.student_id = c.student_id WHERE c.source = 'referral'""") > 5


def test_warm_contacts_reply_more_and_sooner(cohort):
    rates = metrics.reply_rates(cohort, None, TODAY).set_index(["dimension", "group"])
    assert rates.loc[("Warmth", "warm"), "rate"] > rates.loc[("Warmth", "cold"), "rate"] + 0.2
    fast = dict(cohort.rows("""SELECT c.warmth, avg(business_days(r.sent_on, r.replied_on))
                               FROM outreach_requests r JOIN contacts c ON c.id = r.contact_id
                               WHERE r.replied_on IS NOT NULL GROUP BY 1"""))
    assert fast["warm"] < fast["cold"]
    latency = {b for (b,) in cohort.rows("""SELECT CASE WHEN replied_on IS NULL THEN 'never'
        WHEN business_days(sent_on, replied_on) <= 3 THEN 'fast' ELSE 'late' END FROM outreach_requests""")}
    assert latency == {"never", "fast", "late"}


def test_thank_yous_on_time_late_and_missing(cohort):
    thanks = metrics.thank_yous(cohort, None, metrics.clock.moment_of(TODAY))
    assert thanks["on_time"] > thanks["late"] > 0 and thanks["missing"] > 0


def test_dates_are_relative_to_as_of(tmp_path):
    later = date(2027, 6, 1)
    with Database(tmp_path / "later.duckdb") as db:
        demo.load(db, as_of=later)
        assert db.scalar("SELECT max(sent_on) FROM outreach_requests") <= later
        assert db.scalar("SELECT max(sent_on) FROM outreach_requests") > date(2027, 5, 1)
        assert db.scalar("SELECT count(*) FROM interviews WHERE status = 'scheduled'") > 0


def test_demo_refuses_a_database_with_real_students(db):
    create_student(db, "Real Person")
    with pytest.raises(ValueError, match="its own database file"):
        demo.load(db, as_of=TODAY)
    assert db.scalar("SELECT count(*) FROM students") == 1


def test_reload_replaces_the_demo(cohort):
    demo.load(cohort, students=3, as_of=TODAY)
    assert cohort.scalar("SELECT count(*) FROM students") == 3
    assert cohort.scalar("SELECT count(*) FROM contacts WHERE student_id NOT IN (SELECT id FROM students)") == 0
    demo.load(cohort, as_of=TODAY)  # leave the module fixture as it was

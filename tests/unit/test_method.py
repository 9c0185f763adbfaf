"""The method's rules (lib/method.py) at their boundaries: exactly at each threshold, one
day (or minute) before and after. The SQL fragments are evaluated on a real database, as
the figures use them."""
import ast
import re
from datetime import date, datetime, timedelta

import pytest

from lib import method
from lib.clock import add_business_days as bd
from tests.conftest import ROOT

SENT = date(2026, 11, 2)           # a Monday
MINUTE = timedelta(minutes=1)


def request(db, fragment: str, today: date, replied: date | None = None, follow_up: date | None = None,
            sent: date = SENT):
    return db.scalar(f"""SELECT {fragment} FROM (SELECT $sent::DATE AS sent_on, $replied::DATE AS replied_on,
                                                      $follow_up::DATE AS follow_up_sent_on) r""",
                     {"sent": sent, "replied": replied, "follow_up": follow_up, "today": today})


def counts(db, today, **kwargs):
    return request(db, method.counts_as("r"), today, **kwargs)


def test_constants_are_the_method():
    assert (method.SECOND_CONTACT_BUSINESS_DAYS, method.FOLLOW_UP_BUSINESS_DAYS, method.CURMUDGEON_BUSINESS_DAYS) == (3, 7, 3)
    assert method.BOOSTER_BUSINESS_DAYS == 3 and method.ROUTINE_END_BUSINESS_DAYS == 10
    assert method.THANK_YOU_WINDOWS == (24, 48) and method.DEFAULT_THANK_YOU_HOURS == 24
    assert (method.DEFAULT_KEEP_IN_TOUCH_DAYS, method.AMBER_FROM, method.RED_PAST) == (182, 1.0, 1.5)


def test_pending_until_the_follow_up_point(db):
    assert counts(db, bd(SENT, 6)) == "pending"
    assert counts(db, bd(SENT, 7)) == "pending"                        # exactly 7: still pending
    assert counts(db, bd(SENT, 8)) == "unanswered"


def test_pending_over_the_weekend_after_the_last_day(db):
    friday_sent = date(2026, 11, 4)                     # Wed; 7 business days later is Fri 13 Nov
    assert bd(friday_sent, 7) == date(2026, 11, 13)
    for day in (date(2026, 11, 13), date(2026, 11, 14), date(2026, 11, 15)):   # Fri, Sat, Sun
        assert counts(db, day, sent=friday_sent) == "pending"
    assert counts(db, date(2026, 11, 16), sent=friday_sent) == "unanswered"    # Monday: day 8


def test_a_followed_up_request_stays_pending_until_the_curmudgeon_point(db):
    follow_up = bd(SENT, 7)
    assert counts(db, bd(follow_up, 2), follow_up=follow_up) == "pending"
    assert counts(db, bd(follow_up, 3), follow_up=follow_up) == "pending"     # exactly at the Curmudgeon point
    assert counts(db, bd(follow_up, 4), follow_up=follow_up) == "unanswered"
    # replied on business day 11 (follow-up + 4): pending until then, replied from that day
    assert counts(db, bd(SENT, 10), follow_up=follow_up, replied=bd(SENT, 10)) == "replied"
    late_follow_up = bd(SENT, 9)                          # sent after the follow-up point: pending again for 3
    assert counts(db, bd(SENT, 9), follow_up=late_follow_up) == "pending"
    assert counts(db, bd(late_follow_up, 4), follow_up=late_follow_up) == "unanswered"
    early = bd(SENT, 5)                                   # an early follow-up does not cut the 7 days short
    assert counts(db, bd(SENT, 7), follow_up=early) == "pending"
    assert counts(db, bd(early, 3), follow_up=early) == "pending"
    assert counts(db, bd(SENT, 9), follow_up=early) == "unanswered"


def test_replied_counts_from_the_reply_day(db):
    today = bd(SENT, 9)
    assert counts(db, today, replied=today) == "replied"
    assert counts(db, today, replied=today + timedelta(days=1)) == "unanswered"   # not yet, as of today
    assert request(db, method.settled("r"), bd(SENT, 2), replied=bd(SENT, 1)) is True
    assert request(db, method.settled("r"), bd(SENT, 2)) is False


@pytest.mark.parametrize("days, expected", [(2, "booster"), (3, "booster"), (4, "obligate"), (11, "obligate")])
def test_booster_replies_within_three_business_days(db, days, expected):
    assert request(db, method.behaviour("r"), bd(SENT, 12), replied=bd(SENT, days)) == expected


def test_curmudgeon_and_not_followed_up(db):
    follow_up = bd(SENT, 7)
    assert request(db, method.behaviour("r"), bd(follow_up, 3), follow_up=follow_up) == "waiting"
    assert request(db, method.behaviour("r"), bd(follow_up, 4), follow_up=follow_up) == "curmudgeon"
    assert request(db, method.behaviour("r"), bd(SENT, 7)) == "waiting"
    assert request(db, method.behaviour("r"), bd(SENT, 8)) == "not_followed_up"


def test_the_routine_ends_after_the_curmudgeon_point(db):
    assert request(db, method.routine_open("r"), bd(SENT, 10)) is True       # follow-up still worth sending
    assert request(db, method.routine_open("r"), bd(SENT, 11)) is False
    follow_up = bd(SENT, 8)
    assert request(db, method.routine_open("r"), bd(follow_up, 3), follow_up=follow_up) is True
    assert request(db, method.routine_open("r"), bd(follow_up, 4), follow_up=follow_up) is False
    assert request(db, method.routine_open("r"), bd(SENT, 2), replied=bd(SENT, 1)) is False


@pytest.mark.parametrize("days, step", [
    (2, "Waiting"), (3, "Try a second contact"), (6, "Try a second contact"), (7, "Follow up today"),
    (8, "Follow-up overdue"), (10, "Follow-up overdue"), (11, "Unanswered: move on")])
def test_3b7_steps(db, days, step):
    assert request(db, method.step("r"), bd(SENT, days)) == step


def test_3b7_due_dates(db):
    def due(fragment):
        return db.scalar(f"SELECT {fragment} FROM (SELECT $sent::DATE AS sent_on) r", {"sent": SENT})
    assert due(method.second_contact_due("r")) == bd(SENT, 3) == date(2026, 11, 5)
    assert due(method.follow_up_due("r")) == bd(SENT, 7) == date(2026, 11, 11)


# --- thank-yous ------------------------------------------------------------------------------

ENDED = datetime(2026, 11, 19, 10, 30)     # a 30-minute conversation from 10:00


def thank_you(db, now: datetime, sent_at: datetime | None = None, stored: int | None = None, setting: int = 24):
    return db.scalar(f"""SELECT {method.thank_you_state("i", "s")} FROM
        (SELECT TIMESTAMP '2026-11-19 10:00' AS scheduled_at, 30 AS length_minutes, $sent::TIMESTAMP AS thank_you_sent_at,
                $stored::INTEGER AS thank_you_hours) i,
        (SELECT $setting::INTEGER AS thank_you_hours) s""",
                     {"sent": sent_at, "stored": stored, "setting": setting, "now": now})


def test_thank_you_on_time_up_to_the_deadline_inclusive(db):
    deadline = ENDED + timedelta(hours=24)
    now = deadline + timedelta(days=3)
    assert thank_you(db, now, deadline - MINUTE) == "on time"
    assert thank_you(db, now, deadline) == "on time"
    assert thank_you(db, now, deadline + MINUTE) == "late"


def test_thank_you_open_until_the_deadline_then_missing(db):
    deadline = ENDED + timedelta(hours=24)
    assert thank_you(db, deadline - MINUTE) == "open"
    assert thank_you(db, deadline) == "open"
    assert thank_you(db, deadline + MINUTE) == "missing"
    assert thank_you(db, deadline + MINUTE, sent_at=deadline + 2 * MINUTE) == "missing"   # sent later than "now"


def test_the_window_stored_with_the_conversation_wins(db):
    at_30h = ENDED + timedelta(hours=30)
    assert thank_you(db, at_30h, stored=48, setting=24) == "open"       # held under 48, setting now 24
    assert thank_you(db, at_30h, stored=24, setting=48) == "missing"    # held under 24, setting now 48
    assert thank_you(db, at_30h, stored=None, setting=48) == "open"     # held since the last change
    assert thank_you(db, at_30h + timedelta(days=1), ENDED + timedelta(hours=47), stored=48) == "on time"


# --- keeping in touch ---------------------------------------------------------------------------

@pytest.mark.parametrize("interval, days, status", [
    (182, 181, "green"), (182, 182, "amber"), (182, 183, "amber"),
    (182, 272, "amber"), (182, 273, "amber"), (182, 274, "red"),          # 1.5 x 182 = 273: red only past it
    (40, 39, "green"), (40, 40, "amber"), (40, 59, "amber"), (40, 60, "amber"), (40, 61, "red")])
def test_keep_in_touch_colours(db, interval, days, status):
    assert db.scalar(f"SELECT {method.keep_in_touch_status('$days', '$interval')}",
                     {"days": days, "interval": interval}) == status


def test_keep_in_touch_interval_default(db):
    assert db.scalar(f"SELECT {method.keep_in_touch_days('c')} FROM (SELECT NULL::INTEGER AS keep_in_touch_days) c") == 182
    assert db.scalar(f"SELECT {method.keep_in_touch_days('c')} FROM (SELECT 40 AS keep_in_touch_days) c") == 40


# --- the due queue ---------------------------------------------------------------------------------

@pytest.mark.parametrize("due_on, due_at, status", [
    (date(2026, 11, 19), None, "overdue"), (date(2026, 11, 20), None, "today"), (date(2026, 11, 21), None, "upcoming"),
    (date(2026, 11, 20), datetime(2026, 11, 20, 12, 1), "today"),
    (date(2026, 11, 20), datetime(2026, 11, 20, 12, 0), "today"),             # exactly now: still today
    (date(2026, 11, 20), datetime(2026, 11, 20, 11, 59), "overdue")])         # deadline passed this morning
def test_due_status_follows_the_deadline_moment(db, due_on, due_at, status):
    assert db.scalar(f"SELECT {method.due_status('$due_on', '$due_at')}",
                     {"due_on": due_on, "due_at": due_at, "today": date(2026, 11, 20),
                      "now": datetime(2026, 11, 20, 12)}) == status


@pytest.mark.parametrize("today, days", [(date(2026, 11, 16), 6), (date(2026, 11, 20), 2), (date(2026, 11, 21), 1),
                                         (date(2026, 11, 22), 0)])
def test_later_this_week_runs_to_sunday(today, days):
    assert method.days_left_this_week(today) == days
    assert method.end_of_week(today) == date(2026, 11, 22)


# --- one place ----------------------------------------------------------------------------------------

def test_method_imports_nothing_of_ours():
    tree = ast.parse((ROOT / "lib" / "method.py").read_text())
    imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)] + \
               [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported if m and (m == "lib" or m.startswith("lib."))]


THRESHOLD = re.compile(r"^\s*(?!MAX_)[A-Z_]*(BUSINESS_DAYS|THANK_YOU_(HOURS|WINDOWS)|KEEP_IN_TOUCH_DAYS|AMBER_FROM|RED_PAST|RED_FROM)"
                       r"\w*\s*=\s*[(\d]", re.M)
LITERAL_RULE = re.compile(r"(?<!clock\.add_)business_days\([^()]*,\s*\d+\s*\)|to_hours\(s\.thank_you_hours\)|"
                          r"keep_in_touch_days,\s*\d+\)|>= 1\.5|thank_you_hours\s*[=<>]+\s*\d")


def test_no_second_copy_of_a_threshold_or_deadline():
    """grep finds each threshold defined once, in lib/method.py, and no rule written with a
    literal number elsewhere in lib/ or pages/."""
    offenders = []
    for path in sorted([*(ROOT / "lib").rglob("*.py"), *(ROOT / "pages").rglob("*.py")]):
        if path.name in ("method.py", "migrations.py"):
            continue
        text = path.read_text()
        offenders += [f"{path.name}: {m.group(0).strip()}" for m in THRESHOLD.finditer(text)]
        offenders += [f"{path.name}: {m.group(0)}" for m in LITERAL_RULE.finditer(text)]
    assert offenders == []

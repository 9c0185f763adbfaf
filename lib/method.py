"""The method's rules, each written once: the 3B7 routine (Dalton), the thank-you window,
keeping in touch, how people reply, and what pending, settled and unanswered mean.

Numbers are constants; rules are SQL fragments built from them, which every figure, due
item, chart, table, flag, report and the command line take from here (lib/metrics.py,
lib/followup.py, lib/outreach.py, lib/coaching.py). Nothing of ours is imported: this
module is the bottom of the house.

Conventions:
- Business days skip Saturdays and Sundays. The SQL function business_days(a, b) counts the
  weekdays d with a < d <= b (lib/migrations.py, once per engine; lib/clock.py mirrors it). "Within n
  business days of a" means business_days(a, day) <= n, so a window stays open over the
  weekend after its last day.
- Fragments take a table alias (`t="r"` reads r.sent_on; `t=""` reads sent_on) and the
  bound parameters $today (a date) and $now (a timestamp), which the caller supplies.
"""
from __future__ import annotations

from datetime import date, timedelta

# --- the 3B7 routine (Dalton, The 2-Hour Job Search) ----------------------------------------
SECOND_CONTACT_BUSINESS_DAYS = 3    # no reply after 3 business days: approach a second contact there
FOLLOW_UP_BUSINESS_DAYS = 7         # no reply after 7: one follow-up to the first person
CURMUDGEON_BUSINESS_DAYS = 3        # no reply within 3 business days of the follow-up: a Curmudgeon
BOOSTER_BUSINESS_DAYS = SECOND_CONTACT_BUSINESS_DAYS   # a Booster replies before the second-contact point
# The follow-up can still go out until the Curmudgeon point it would have had if sent on day 7.
ROUTINE_END_BUSINESS_DAYS = FOLLOW_UP_BUSINESS_DAYS + CURMUDGEON_BUSINESS_DAYS

# --- thank-yous --------------------------------------------------------------------------------
THANK_YOU_WINDOWS = (24, 48)        # hours after the conversation ends; the guides say 24, some allow 48
DEFAULT_THANK_YOU_HOURS = 24

# --- keeping in touch ---------------------------------------------------------------------------
DEFAULT_KEEP_IN_TOUCH_DAYS = 182    # about every six months, unless set per contact
AMBER_FROM = 1.0                    # amber from the interval (days since >= interval)...
RED_PAST = 1.5                      # ...red strictly past one and a half times it (days since > 1.5 x)

# --- referrals --------------------------------------------------------------------------------------
REFERRAL_WAIT_DAYS = 7              # reach out to a referral within a week: the to-do's due date, and the
                                    # coach's flag for a referral not contacted by then

# --- to-dos -----------------------------------------------------------------------------------------
TO_DO_DAYS = 7                      # a to-do agreed without a date of its own (an action item, advice to act
                                    # on) is due in a week

# --- the due queue -------------------------------------------------------------------------------
LATER_THIS_WEEK_ENDS = 6            # "later this week": up to Sunday (weekday 6) of this week


def days_left_this_week(today: date) -> int:
    """Days from `today` to Sunday of its week (0 on a Sunday)."""
    return LATER_THIS_WEEK_ENDS - today.weekday()


def end_of_week(today: date) -> date:
    return today + timedelta(days=days_left_this_week(today))


def _col(t: str, column: str) -> str:
    return f"{t}.{column}" if t else column


_UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600}


def elapsed(unit: str, start: str, end: str) -> str:
    """Whole `unit`s (second, minute, hour) from `start` to `end`, counted as unit boundaries
    crossed (what DuckDB's date_diff counts), as a double: SQL that DuckDB and PostgreSQL both run."""
    return (f"(CAST(extract(epoch FROM (date_trunc('{unit}', {end}) - date_trunc('{unit}', {start})))"
            f" AS DOUBLE PRECISION) / {_UNIT_SECONDS[unit]})")


# --- requests: replied, pending, unanswered ----------------------------------------------------

def replied(t: str = "r") -> str:
    """The request has its reply (as of $today)."""
    on = _col(t, "replied_on")
    return f"({on} IS NOT NULL AND {on} <= $today)"


def followed_up(t: str = "r") -> str:
    """The one 3B7 follow-up has gone out (as of $today)."""
    on = _col(t, "follow_up_sent_on")
    return f"({on} IS NOT NULL AND {on} <= $today)"


def pending(t: str = "r") -> str:
    """No reply yet, and still inside its window: 7 business days from sending, or, once
    followed up, 3 business days from the follow-up (the Curmudgeon point), whichever
    ends later. A pending request is left out of reply rates."""
    return (f"(NOT {replied(t)} AND (business_days({_col(t, 'sent_on')}, $today) <= {FOLLOW_UP_BUSINESS_DAYS}"
            f" OR ({followed_up(t)} AND business_days({_col(t, 'follow_up_sent_on')}, $today)"
            f" <= {CURMUDGEON_BUSINESS_DAYS})))")


def settled(t: str = "r") -> str:
    """Replied or unanswered: counted in the reply rate."""
    return f"(NOT {pending(t)})"


def unanswered(t: str = "r") -> str:
    return f"(NOT {replied(t)} AND NOT {pending(t)})"


def counts_as(t: str = "r") -> str:
    """'replied', 'pending' or 'unanswered'."""
    return f"CASE WHEN {replied(t)} THEN 'replied' WHEN {pending(t)} THEN 'pending' ELSE 'unanswered' END"


def routine_open(t: str = "r") -> str:
    """The 3B7 routine still has a step for this request: no reply, and not past its
    Curmudgeon point (3 business days after the follow-up; without a follow-up, 3 after
    the day it was due). Past that point its items leave the due list: move on."""
    return (f"(NOT {replied(t)} AND CASE WHEN {followed_up(t)}"
            f" THEN business_days({_col(t, 'follow_up_sent_on')}, $today) <= {CURMUDGEON_BUSINESS_DAYS}"
            f" ELSE business_days({_col(t, 'sent_on')}, $today) <= {ROUTINE_END_BUSINESS_DAYS} END)")


def second_contact_due(t: str = "r") -> str:
    return f"add_business_days({_col(t, 'sent_on')}, {SECOND_CONTACT_BUSINESS_DAYS})"


def follow_up_due(t: str = "r") -> str:
    return f"add_business_days({_col(t, 'sent_on')}, {FOLLOW_UP_BUSINESS_DAYS})"


def behaviour(t: str = "r") -> str:
    """Dalton's names, from one request: 'booster' (replied within 3 business days),
    'obligate' (replied later), 'waiting' (pending), 'curmudgeon' (followed up, no reply
    by the Curmudgeon point), 'not_followed_up' (past 7 business days, never followed up)."""
    return (f"CASE WHEN {replied(t)} THEN CASE WHEN business_days({_col(t, 'sent_on')}, {_col(t, 'replied_on')})"
            f" <= {BOOSTER_BUSINESS_DAYS} THEN 'booster' ELSE 'obligate' END"
            f" WHEN {pending(t)} THEN 'waiting'"
            f" WHEN {followed_up(t)} THEN 'curmudgeon'"
            f" ELSE 'not_followed_up' END")


def step(t: str = "r") -> str:
    """Where a request stands in the 3B7 routine, in the words the Requests table shows."""
    days = f"business_days({_col(t, 'sent_on')}, $today)"
    return (f"CASE WHEN {replied(t)} THEN 'Replied'"
            f" WHEN {followed_up(t)} AND {pending(t)} THEN 'Followed up'"
            f" WHEN {followed_up(t)} THEN 'Unanswered: move on'"
            f" WHEN {days} < {SECOND_CONTACT_BUSINESS_DAYS} THEN 'Waiting'"
            f" WHEN {days} < {FOLLOW_UP_BUSINESS_DAYS} THEN 'Try a second contact'"
            f" WHEN {days} = {FOLLOW_UP_BUSINESS_DAYS} THEN 'Follow up today'"
            f" WHEN {routine_open(t)} THEN 'Follow-up overdue'"
            f" ELSE 'Unanswered: move on' END")


# --- conversations and thank-yous --------------------------------------------------------------

def held(t: str = "i") -> str:
    return f"({_col(t, 'status')} = 'held')"


def ended_at(t: str = "i") -> str:
    """When a conversation ends: its start plus its length."""
    return f"({_col(t, 'scheduled_at')} + {_col(t, 'length_minutes')} * INTERVAL '1 minute')"


def passed(t: str = "i") -> str:
    """A conversation's time has passed (it has ended, as of $now)."""
    return f"({ended_at(t)} <= $now)"


def thank_you_window(i: str = "i", s: str = "s") -> str:
    """The window in force when the conversation was held: stored with it, else (a
    conversation held since the student last changed the setting) the student's setting."""
    return f"coalesce({_col(i, 'thank_you_hours')}, {_col(s, 'thank_you_hours')})"


def thank_you_deadline(i: str = "i", s: str = "s") -> str:
    return f"({ended_at(i)} + {thank_you_window(i, s)} * INTERVAL '1 hour')"


def thank_you_sent(i: str = "i") -> str:
    at = _col(i, "thank_you_sent_at")
    return f"({at} IS NOT NULL AND {at} <= $now)"


def thank_you_state(i: str = "i", s: str = "s") -> str:
    """For a conversation held: 'on time' (sent by the deadline, the deadline itself
    included), 'late' (sent after it), 'missing' (not sent and the deadline has passed),
    'open' (not sent, deadline still ahead or exactly now)."""
    deadline = thank_you_deadline(i, s)
    return (f"CASE WHEN {thank_you_sent(i)} THEN CASE WHEN {_col(i, 'thank_you_sent_at')} <= {deadline}"
            f" THEN 'on time' ELSE 'late' END WHEN {deadline} < $now THEN 'missing' ELSE 'open' END")


# --- keeping in touch -------------------------------------------------------------------------------

def keep_in_touch_days(c: str = "c") -> str:
    return f"coalesce({_col(c, 'keep_in_touch_days')}, {DEFAULT_KEEP_IN_TOUCH_DAYS})"


def keep_in_touch_status(days_since: str, interval: str) -> str:
    """'green' before the interval, 'amber' from it, 'red' strictly past one and a half times it."""
    return (f"CASE WHEN {days_since} > {RED_PAST} * {interval} THEN 'red'"
            f" WHEN {days_since} >= {AMBER_FROM} * {interval} THEN 'amber' ELSE 'green' END")


# --- due items -------------------------------------------------------------------------------------

def due_status(due_on: str, due_at: str) -> str:
    """'overdue', 'today' or 'upcoming'. An item with a deadline moment (`due_at`, e.g. a
    thank-you's) is due today until that moment and overdue after it."""
    return (f"CASE WHEN {due_on} < $today OR ({due_at} IS NOT NULL AND {due_at} < $now) THEN 'overdue'"
            f" WHEN {due_on} = $today THEN 'today' ELSE 'upcoming' END")


def worded(function):
    """Fill a definition (a docstring) with the method's numbers, e.g. {FOLLOW_UP_BUSINESS_DAYS}:
    the text a student or coach reads on hover can't drift from the rule it describes."""
    function.__doc__ = function.__doc__.format(**{k: v for k, v in globals().items() if k.isupper()})
    return function

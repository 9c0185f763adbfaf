"""Follow-ups at a frozen date: the thank-you clock, keep-in-touch cadence and its reset,
done and snooze on the due queue, referrals and landing a role, and the exports."""
import csv
import io
import subprocess
import sys
from datetime import date, datetime, timedelta

import icalendar
import pytest

from lib import charts, exports, followup, metrics, network, outreach, prep
from lib.db import Database
from lib.models import InvalidInput
from lib.network import ContactInput
from lib.students import create_student
from tests.conftest import ROOT, TODAY   # Friday 20 November 2026
from tests.factories import agreed_conversation


@pytest.fixture
def student(db, now):
    prep.sync_question_bank(db, now)
    return create_student(db, "Ada Lovelace")


def held(db, sid, now, name, when, keep=None, takeaways=None):
    """A 30-minute conversation with `name` held at `when`: (contact id, interview id)."""
    interview, contact = agreed_conversation(db, sid, name, when, held=True, takeaways=takeaways,
                                             keep_in_touch_days=keep, organisation="City Museum")
    return contact, interview


def test_thank_you_clock_states(db, student, now):     # now = Friday 20 Nov, 12:00
    _, open_one = held(db, student, now, "Open", datetime(2026, 11, 20, 9))        # ends 9:30, deadline Sat 9:30
    _, missing = held(db, student, now, "Missing", datetime(2026, 11, 19, 9))      # deadline Fri 9:30, unsent
    _, on_time = held(db, student, now, "On time", datetime(2026, 11, 17, 9))
    _, late = held(db, student, now, "Late", datetime(2026, 11, 16, 9))
    followup.record_thank_you(db, student, on_time, datetime(2026, 11, 18, 9, 30), "Thanks!", now)   # 24 h exactly
    followup.record_thank_you(db, student, late, datetime(2026, 11, 17, 9, 31), None, now)           # 1 min late
    clock = followup.thank_you_clock(db, student, TODAY, now).set_index("contact")
    assert clock["state"].to_dict() == {"Open": "open", "Missing": "missing", "On time": "on time", "Late": "late"}
    assert clock.loc["Open", "hours_left"] == 21.5
    followup.set_thank_you_window(db, student, 48)        # from now on: the conversations held keep 24 hours
    assert followup.thank_you_clock(db, student, TODAY, now).set_index("contact").loc["Missing", "state"] == "missing"
    with pytest.raises(InvalidInput, match="Thank-you window"):
        followup.set_thank_you_window(db, student, 72)
    with pytest.raises(InvalidInput, match="Sent at"):
        followup.record_thank_you(db, student, open_one, datetime(2026, 11, 20, 9, 10), None, now)  # before it ended
    assert db.scalar("SELECT count(*) FROM touches WHERE kind = 'thank_you'") == 2


def test_thank_you_draft_names_the_one_takeaway_chosen():
    takeaways = "- Build a small portfolio first. Ask for feedback early!\nSQL matters more than R.\n\n"
    choices = followup.takeaway_choices(takeaways)
    assert choices == ["Build a small portfolio first.", "Ask for feedback early!", "SQL matters more than R."]
    text = followup.thank_you_draft("Carla Diaz", choices[1], "Ada L")
    assert text.startswith("Hi Carla,") and "stayed with me: ask for feedback early. I'm going" in text
    assert "portfolio" not in text and "SQL" not in text                  # one takeaway, not the whole field
    assert "stayed with me: SQL matters more than R." in followup.thank_you_draft("Carla Diaz", choices[2], "Ada L")
    assert "learnt a lot" in followup.thank_you_draft("Carla Diaz", None, "Ada L")


def test_cadence_status_and_reset_on_any_touch(db, student, now):
    carla, _ = held(db, student, now, "Carla", datetime(2026, 5, 1, 10))              # 203 days ago, ideal 182
    ben, _ = held(db, student, now, "Ben", datetime(2026, 1, 10, 10))                 # 314 days: past 1.5 x 182
    dee, _ = held(db, student, now, "Dee", datetime(2026, 10, 1, 10), keep=40)        # 50 days, ideal 40: amber
    eve, _ = held(db, student, now, "Eve", datetime(2026, 11, 1, 10))                 # 19 days: green
    rows = followup.cadence(db, student, TODAY).set_index("contact")
    assert rows["status"].to_dict() == {"Carla": "amber", "Ben": "red", "Dee": "amber", "Eve": "green"}
    assert rows.loc["Carla", "next_on"] == date(2026, 10, 30) and rows.loc["Dee", "ideal_days"] == 40
    # a reply, an update, a meeting: any touch restarts the clock
    followup.log_touch(db, student, carla, "advice_followed", date(2026, 11, 19), "email", "Took your advice", TODAY, now)
    rows = followup.cadence(db, student, TODAY).set_index("contact")
    assert (rows.loc["Carla", "status"], rows.loc["Carla", "next_on"]) == ("green", date(2027, 5, 20))
    due = followup.due_items(db, student, TODAY, now, horizon_days=0)
    assert sorted(due[due["kind"] == "reconnect"]["title"]) == ["Reconnect with Ben", "Reconnect with Dee"]
    with pytest.raises(InvalidInput, match="Date"):
        followup.log_touch(db, student, carla, "update", date(2026, 11, 21), None, None, TODAY, now)


def test_done_and_snooze_on_the_queue(db, student, now):
    carla, iid = held(db, student, now, "Carla", datetime(2026, 11, 19, 10))   # thank-you due today
    due = followup.due_items(db, student, TODAY, now, horizon_days=0)
    key = f"thank_you:{iid}"
    assert key in set(due["item_key"])
    assert followup.complete(db, student, key, TODAY, now) == "Thank-you recorded as sent."
    assert key not in set(followup.due_items(db, student, TODAY, now)["item_key"])
    assert db.rows("SELECT kind FROM touches WHERE kind = 'thank_you'") == [("thank_you",)]
    # snooze a reconnect for a week; it is back afterwards
    ben, _ = held(db, student, now, "Ben", datetime(2026, 1, 10, 10))
    key = f"reconnect:{ben}"
    followup.snooze(db, student, key, TODAY + timedelta(days=7), TODAY)
    assert key not in set(followup.due_items(db, student, TODAY, now)["item_key"])
    later = TODAY + timedelta(days=7)
    assert key in set(followup.due_items(db, student, later, datetime.combine(later, now.time()))["item_key"])
    for bad in (TODAY, TODAY + timedelta(days=400)):
        with pytest.raises(InvalidInput, match="Snooze until"):
            followup.snooze(db, student, key, bad, TODAY)
    with pytest.raises(InvalidInput, match="is not a due item"):
        followup.complete(db, student, "nonsense", TODAY, now)


def test_referrals_are_followed_through_and_landing_thanks_everyone(db, student, now):
    carla, iid = held(db, student, now, "Carla", datetime(2026, 11, 10, 10))
    added = prep.log_conversation(db, student, iid, prep.ConversationLog(
        status="held", referrals=[{"name": "Ben Ode"}]), TODAY, now)
    table = followup.referrals_table(db, student, TODAY)
    assert table[["Referral", "Suggested by"]].values.tolist() == [["Ben Ode", "Carla"]]
    assert table["Days waiting"].tolist() == [0]
    outreach.log_request(db, student, added.added[0], "email", TODAY, None, TODAY, now)
    assert [d.date() for d in followup.referrals_table(db, student, TODAY)["Contacted on"]] == [TODAY]
    assert db.rows("SELECT done_at IS NOT NULL FROM tasks WHERE kind = 'referral_outreach'") == [(True,)]
    assert followup.record_landed(db, student, TODAY, "an internship at City Museum", TODAY, now) == 1   # Carla
    assert followup.record_landed(db, student, TODAY, "an internship at City Museum", TODAY, now) == 0
    task = db.rows("SELECT CAST(id AS VARCHAR), title FROM tasks WHERE kind = 'tell_helpers'")
    assert task[0][1] == "Tell Carla about an internship at City Museum and thank them"
    followup.complete(db, student, f"task:{task[0][0]}", TODAY, now)
    assert db.rows("SELECT kind FROM touches WHERE kind = 'landed'") == [("landed",)]


def test_calendar_parses_back_with_stable_uids(db, student, now):
    carla, iid = held(db, student, now, "Carla, \"C\"; Diaz", datetime(2026, 11, 19, 10))
    contact = network.add_contact(db, student, ContactInput(name="Ben", source="alumni"), now)
    request = outreach.log_request(db, student, contact, "email", date(2026, 11, 16), None, TODAY, now)
    outreach.record_reply(db, student, request, TODAY, "agreed", TODAY, now)
    upcoming = outreach.schedule(db, student, request, datetime(2026, 11, 27, 10), "video", 30, TODAY, now)
    first = icalendar.Calendar.from_ical(exports.calendar(db, student, TODAY, now))
    events = list(first.walk("VEVENT"))
    due = followup.due_items(db, student, TODAY, now, horizon_days=exports.CALENDAR_HORIZON_DAYS)
    assert len(events) == len(due) + 1                                   # one per item, plus the conversation
    uids = sorted(str(e["uid"]) for e in events)
    assert f"interview:{upcoming}@coffeechat-coach" in uids and f"thank_you:{iid}@coffeechat-coach" in uids
    thank = next(e for e in events if str(e["uid"]).startswith("thank_you:"))
    assert str(thank["summary"]) == 'Thank Carla, "C"; Diaz for the conversation'        # escaped and back
    later = datetime(2026, 11, 20, 18)
    again = icalendar.Calendar.from_ical(exports.calendar(db, student, TODAY, later))
    assert sorted(str(e["uid"]) for e in again.walk("VEVENT")) == uids
    meeting = next(e for e in events if str(e["uid"]).startswith("interview:"))
    assert meeting.decoded("dtstart") == datetime(2026, 11, 27, 10)
    assert meeting.decoded("dtend") == datetime(2026, 11, 27, 10, 30)


@pytest.mark.parametrize("text, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1 555", "'+1 555"), ("-2", "'-2"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("Plain", "Plain"), (None, ""),
    ("a=b", "a=b")])
def test_csv_cells_are_neutralised(text, expected):
    assert exports.neutralise(text) == expected


def test_contacts_csv(db, student, now):
    carla, _ = held(db, student, now, "=cmd|'/C calc'!A0", datetime(2026, 11, 10, 10))
    network.add_contact(db, student, ContactInput(name="Never Touched", source="linkedin"), now)
    rows = list(csv.reader(io.StringIO(exports.contacts_csv(db, student, TODAY))))
    assert rows[0] == list(exports.CSV_COLUMNS)
    assert all(row[0] == "'=cmd|'/C calc'!A0" for row in rows[1:] if "calc" in row[0])
    untouched = [row for row in rows if row[0] == "Never Touched"]
    assert len(untouched) == 1 and untouched[0][8:] == ["", "", "", ""]
    assert any(row[9] == "They replied" for row in rows)


def test_export_cli(tmp_path, now):
    path = tmp_path / "real.duckdb"
    with Database(path) as db:
        prep.sync_question_bank(db, now)
        sid = create_student(db, "Ada Lovelace")
        held(db, sid, now, "Carla", datetime(2026, 11, 19, 10))

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "lib", "export", *args, "--db", str(path)],
                              capture_output=True, text=True, cwd=ROOT)
    ics, table = tmp_path / "plan.ics", tmp_path / "contacts.csv"
    assert cli("--student", "Ada Lovelace", "--format", "ics", "--out", str(ics)).returncode == 0
    assert len(list(icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT"))) >= 1
    assert cli("--student", "Ada Lovelace", "--format", "csv", "--out", str(table)).returncode == 0
    assert table.read_text().startswith("contact,warmth,source")
    for args, message in [(("--student", "Nobody", "--format", "csv", "--out", str(table)), "Nobody"),
                          (("--student", "Ada Lovelace", "--format", "pdf", "--out", str(table)), "invalid choice"),
                          (("--student", "Ada Lovelace", "--format", "csv", "--out", str(tmp_path / "no" / "x.csv")),
                           "does not exist")]:
        result = cli(*args)
        assert result.returncode == 2 and message in result.stderr, result


# --- issue 15 ------------------------------------------------------------------------------

def test_the_thank_you_window_in_force_is_kept_with_the_conversation(db, student, now):
    """A 48-hour student switched to 24: what was on time under 48 stays on time; a
    conversation held after the switch is measured against 24."""
    followup.set_thank_you_window(db, student, 48)
    _, before = held(db, student, now, "Before", datetime(2026, 11, 18, 9))            # ends 9:30 on the 18th
    followup.record_thank_you(db, student, before, datetime(2026, 11, 19, 20), None, now)   # 34.5 h: on time under 48
    followup.set_thank_you_window(db, student, 24)
    _, after = held(db, student, now, "After", datetime(2026, 11, 19, 9))              # held under 24
    followup.record_thank_you(db, student, after, datetime(2026, 11, 20, 11), None, now)    # 25.5 h: late
    clock = followup.thank_you_clock(db, student, TODAY, now).set_index("contact")
    assert clock[["state", "window_hours"]].to_dict("index") == {
        "Before": {"state": "on time", "window_hours": 48}, "After": {"state": "late", "window_hours": 24}}
    assert metrics.thank_yous(db, student, now) == {"on_time": 1, "late": 1, "missing": 0, "settled": 2,
                                                    "on_time_rate": 0.5}
    followup.set_thank_you_window(db, student, 48)       # switching back re-grades nothing either
    assert followup.thank_you_clock(db, student, TODAY, now).set_index("contact")["state"].to_dict() == {
        "Before": "on time", "After": "late"}
    hours = metrics.thank_you_hours(db, student, now).set_index("contact")
    assert hours["window_hours"].to_dict() == {"Before": 48, "After": 24}


@pytest.mark.parametrize("days, status", [(272, "amber"), (273, "amber"), (274, "red")])
def test_keep_in_touch_turns_red_only_past_one_and_a_half_times(db, student, now, days, status):
    """182-day interval: 1.5 x 182 = 273 days. README: red *past* one and a half times it."""
    met = datetime.combine(TODAY - timedelta(days=days), datetime.min.time()).replace(hour=10)
    held(db, student, now, "Carla", met)
    row = followup.cadence(db, student, TODAY).iloc[0]
    assert (row["days_since"], row["status"]) == (days, status)


def test_keep_in_touch_timeline_rows_are_people(db, student, now):
    for day in (2, 3):
        agreed_conversation(db, student, "Sam Lee", datetime(2026, 11, day, 10), held=True,
                            organisation=f"Org {day}")
    people, points = followup.timeline(db, student, TODAY)
    assert sorted(people["label"]) == ["Sam Lee (Org 2)", "Sam Lee (Org 3)"]
    assert set(points["label"]) == set(people["label"])
    fig = charts.cadence_timeline(people, points, TODAY)
    rows = {y for trace in fig.data for y in trace.y}
    assert rows == {"Sam Lee (Org 2)", "Sam Lee (Org 3)"}

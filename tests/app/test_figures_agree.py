"""Each figure reads the same everywhere it is shown (issue 15): `python -m lib stats --json`,
the home page, Outreach, Follow-ups, the coach's cohort overview, the advising session and
the session report, on one dataset built through the app's own write paths with the edge
cases the audit found:

- a 48-hour student switched to 24 (a thank-you on time under 48 stays on time);
- two different people named Sam Lee;
- a cancelled conversation after a held one (Carla);
- an archived contact with an open request (Gone: counts as sent and pending, nothing due);
- a followed-up request replied on business day 11 (Dee);
- a request never answered nor followed up (Eve: unanswered, out of the due list).

Today is Friday 2026-11-20, noon. Expected figures, worked out by hand:
contacts warm 3 (Sam Lee x2, Carla), cold 2 (Dee, Eve); Gone is archived.
requests sent 7, replied 5 (Sam x2, Carla x2, Dee), pending 1 (Gone), settled 6 (+ Eve): 83%.
conversations held 3 (Sam x2, Carla), none ahead (Carla's second was cancelled).
thank-yous on time 2 (Carla; Sam/Acme under 48 h), missing 1 (Sam/Birch, held under 24 h), settled 3.
due: overdue 1 (Sam/Birch's thank-you), today 0.
"""
import json
import subprocess
import sys
from datetime import date, datetime

from lib import coaching, followup, network, outreach, prep
from lib.db import Database
from lib.network import ContactInput
from lib.students import create_student
from tests.app.test_pages import app_db, open_page
from tests.conftest import ROOT, TODAY
from tests.factories import agreed_conversation, on

EXPECTED = {"warm": 3, "cold": 2, "sent": 7, "replied": 5, "pending": 1, "settled": 6, "rate": "83%",
            "held": 3, "scheduled": 0, "on_time": 2, "late": 0, "missing": 1, "thanks_settled": 3,
            "thanks_rate": "67%", "overdue": 1, "today": 0}


def build(path) -> str:
    now = datetime(2026, 11, 20, 12)
    with Database(path) as db:
        prep.sync_question_bank(db, now)
        sid = create_student(db, "Ada Lovelace")
        followup.set_thank_you_window(db, sid, 48)
        sam_acme, _ = agreed_conversation(db, sid, "Sam Lee", on(16, 10), held=True, organisation="Acme")
        followup.record_thank_you(db, sid, sam_acme, on(17, 20), None, now)      # 33.5 h: on time under 48
        followup.set_thank_you_window(db, sid, 24)
        agreed_conversation(db, sid, "Sam Lee", on(18, 10), held=True, organisation="Birch")   # no thank-you
        carla_met, carla = agreed_conversation(db, sid, "Carla", on(10, 10), held=True, organisation="Acme")
        followup.record_thank_you(db, sid, carla_met, on(10, 15), None, now)
        again = outreach.log_request(db, sid, carla, "email", date(2026, 11, 12), None, TODAY, now)
        outreach.record_reply(db, sid, again, date(2026, 11, 13), "agreed", TODAY, now)
        later = outreach.schedule(db, sid, again, on(17, 10), "video", 30, TODAY, now)
        prep.log_conversation(db, sid, later, prep.ConversationLog(status="cancelled"), TODAY, now)
        gone = network.add_contact(db, sid, ContactInput(name="Gone", organisation="Acme", source="alumni"), now)
        outreach.log_request(db, sid, gone, "email", date(2026, 11, 16), None, TODAY, now)
        network.set_archived(db, sid, gone, now, True)
        dee = network.add_contact(db, sid, ContactInput(name="Dee", organisation="Birch", source="linkedin"), now)
        asked = outreach.log_request(db, sid, dee, "linkedin", date(2026, 11, 2), None, TODAY, now)
        outreach.mark_follow_up_sent(db, sid, asked, date(2026, 11, 11), TODAY)
        outreach.record_reply(db, sid, asked, date(2026, 11, 17), "declined", TODAY, now)
        eve = network.add_contact(db, sid, ContactInput(name="Eve", organisation="Cobalt", source="linkedin"), now)
        outreach.log_request(db, sid, eve, "email", date(2026, 11, 2), None, TODAY, now)
    return sid


def metric(at, label: str):
    found = [m for m in at.metric if m.label == label]
    assert len(found) == 1, (label, [m.label for m in at.metric])
    return found[0]


def test_each_figure_reads_the_same_everywhere(isolated_env):
    path = isolated_env / "coffeechat.duckdb"
    sid = build(path)
    e = EXPECTED

    # python -m lib stats --json (its own process, before the app holds the file)
    result = subprocess.run([sys.executable, "-m", "lib", "stats", "--db", str(path), "--student", sid,
                             "--today", TODAY.isoformat(), "--json"], capture_output=True, text=True, cwd=ROOT)
    stats = json.loads(result.stdout)
    assert stats["contacts"] == {"warm": e["warm"], "cold": e["cold"]}
    assert stats["requests"] == {"sent": e["sent"], "replied": e["replied"], "pending": e["pending"],
                                 "settled": e["settled"], "reply_rate": 0.8333}
    assert stats["conversations"] == {"held": e["held"], "scheduled": e["scheduled"]}
    assert stats["thank_yous"] == {"on_time": e["on_time"], "late": e["late"], "missing": e["missing"],
                                   "settled": e["thanks_settled"], "on_time_rate": 0.6667}
    assert stats["follow_ups_due"] == {"today": e["today"], "overdue": e["overdue"]}

    db = app_db(path)
    now = datetime(2026, 11, 20, 12)

    # Home
    home = open_page("pages/home.py")
    assert (metric(home, "Warm contacts").value, metric(home, "Cold contacts").value) == (str(e["warm"]), str(e["cold"]))
    assert metric(home, "Requests sent").value == str(e["sent"])
    assert metric(home, "Reply rate").value == e["rate"]
    assert f"{e['replied']} of {e['settled']} settled" in str(metric(home, "Reply rate").delta)
    assert metric(home, "Conversations held").value == str(e["held"])
    assert metric(home, "Thank-yous on time").value == f"{e['on_time']} of {e['thanks_settled']}"
    badges = " ".join(m.value for m in home.markdown)
    assert f"{e['overdue']} overdue" in badges and f"{e['today']} today" in badges

    # Outreach
    page = open_page("pages/outreach.py")
    assert metric(page, "Requests sent").value == str(e["sent"])
    assert metric(page, "Reply rate").value == e["rate"]
    assert metric(page, "Pending").value == str(e["pending"])
    assert any(f"{e['replied']} of {e['settled']} settled" in c.value for c in page.caption)

    # Follow-ups
    page = open_page("pages/follow_up.py")
    assert metric(page, "Overdue").value == str(e["overdue"])
    assert metric(page, "Due today").value == str(e["today"])
    assert metric(page, "Thank-yous on time").value == e["thanks_rate"]
    assert any(c.value.startswith(f"{e['on_time']} of {e['thanks_settled']}") for c in page.caption)

    # Coach: the cohort overview (lib and page)
    row = coaching.cohort_overview(db, TODAY, now).set_index("id").loc[sid]
    assert (row.warm, row.cold, row.sent, row.replied, row.pending, row.settled) == (
        e["warm"], e["cold"], e["sent"], e["replied"], e["pending"], e["settled"])
    assert (row.held, row.on_time, row.late, row.missing, row.thanks_settled, row.overdue) == (
        e["held"], e["on_time"], e["late"], e["missing"], e["thanks_settled"], e["overdue"])
    coach = open_page("pages/coach.py", {"role": "coach"})
    table = coach.dataframe[0].value.iloc[0]
    assert (table["Warm"], table["Cold"], table["Requests"], table["Held"], table["Overdue"]) == (
        e["warm"], e["cold"], e["sent"], e["held"], e["overdue"])
    assert table["Reply rate"] == f"{e['rate']} of {e['settled']}"
    assert table["Thanks on time"] == f"{e['thanks_rate']} of {e['thanks_settled']}"

    # Advising session: what changed (the last 30 days hold everything here) and the overdue count
    brief = coaching.since_last_session(db, sid, TODAY, now)
    assert (brief["requests"], brief["conversations"], brief["overdue"]) == (e["sent"], e["held"], e["overdue"])
    session = open_page("pages/coach.py", {"role": "coach", "coach_tab": "Advising session"})
    assert metric(session, "Overdue now").value == str(e["overdue"])
    assert metric(session, "Conversations held").value == str(e["held"])

    # Session report
    html = coaching.session_report(db, sid, TODAY, now)
    assert f"Reply rate<b>{e['rate']}</b>" in html and f"{e['replied']} of {e['settled']} settled" in html
    assert f"Thank-yous on time<b>{e['on_time']} of {e['thanks_settled']}</b>" in html
    assert f"Conversations held<b>{e['held']}</b>" in html and f"Requests sent<b>{e['sent']}</b>" in html

"""What I'm learning, measured: the engine's precision and recall on the hand-labelled notes
(tests/fixtures/insights), and the page's reruns for a student with 50 conversations held."""
from __future__ import annotations

import json
import os
import statistics
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from bench import pages

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "insights"
CONVERSATIONS = 50
TABS = ("Skills", "Advice", "Resources and people", "TIARA", "Field briefs")


def quality() -> dict[str, dict]:
    from lib import insights
    return {name: insights.score(json.loads((FIXTURES / f"{name}.json").read_text())["notes"])
            for name in ("notes", "heldout")}


def _student_with_conversations(path: Path, as_of: date) -> str:
    """One student who held CONVERSATIONS conversations, noted in the demo's words, built
    through the app's own write paths."""
    from lib import demo, network, outreach, prep
    from lib.db import Database
    from lib.network import ContactInput
    from lib.students import create_student
    notes = [note for pool in demo.demo_notes().values() for note in pool]
    now = datetime.combine(as_of, datetime.min.time()).replace(hour=18)
    with Database(path) as db:
        sid = create_student(db, "Bench Fifty", fields_of_interest="data science, public health, museums and the arts")
        for n in range(CONVERSATIONS):
            day = as_of - timedelta(days=120 - 2 * n)
            cid = network.add_contact(db, sid, ContactInput(name=f"Person {n:02d}", source="alumni",
                                                            organisation=f"Organisation {n % 17}"), now)
            rid = outreach.log_request(db, sid, cid, "email", day - timedelta(days=7), None, as_of, now)
            outreach.record_reply(db, sid, rid, day - timedelta(days=5), "agreed", as_of, now)
            iid = outreach.schedule(db, sid, rid, datetime.combine(day, datetime.min.time()).replace(hour=10),
                                    "video", 30, day - timedelta(days=5), now)
            prep.log_conversation(db, sid, iid, prep.ConversationLog(
                status="held", takeaways="\n".join(notes[(3 * n + k) % len(notes)] for k in range(3))), as_of, now)
    return sid


def fifty(folder: Path, runs: int, as_of: date) -> dict:
    """The engine and every tab of the page for a student with 50 conversations held."""
    from streamlit.testing.v1 import AppTest

    from lib import insights
    from lib.db import Database
    path = folder / "fifty.duckdb"
    sid = _student_with_conversations(path, as_of)
    with Database(path, read_only=True) as db:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            found = insights.learning(db, sid, as_of)
            times.append((time.perf_counter() - start) * 1000)
    os.environ["COFFEECHAT_DB"] = str(path)
    pages._through_app_py()
    pages._quiet_streamlit()
    at = AppTest.from_file(pages.APP, default_timeout=120)
    at.session_state["dataset"] = "mine"
    at.run()
    at.switch_page("pages/learning.py")
    tabs = {}
    for tab in TABS:
        at.session_state["learning_tab"] = tab
        at.session_state["student_id"] = sid
        pages._timed_runs(at, 1)
        measured = pages._timed_runs(at, runs)
        if at.exception:
            raise pages.PageFailed(f"learning / {tab}: {at.exception[0].value}")
        tabs[tab] = statistics.median(measured)
    return {"conversations": found.held, "skills": len(found.skills), "advice": len(found.advice),
            "engine_ms": statistics.median(times), "tabs_ms": tabs}

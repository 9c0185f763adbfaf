"""Thirty sessions writing at once against a served app, through Streamlit's agent API
(--server.enableAgentApi=true: widget keys over HTTP, no browser): every write lands,
nothing errors."""
import json
import threading
import uuid

from lib.db import Database
from lib.students import create_student
from lib.ui.action import widget_key
from tests.e2e.conftest import serve
from tests.reliability.figures import record
from tests.served import interact

SESSIONS, WRITES_EACH = 30, 3


def test_thirty_sessions_add_contacts_at_once(tmp_path):
    with Database(tmp_path / "coffeechat.duckdb") as db:
        student = create_student(db, "Ada Lovelace")
    errors, names = [], []
    with serve(tmp_path, "--server.enableAgentApi=true") as url:
        start = threading.Barrier(SESSIONS)

        def session(number: int) -> None:
            try:
                sid = interact(url, {})["session_id"]
                interact(url, {"session_id": sid, "page": "network"})
                interact(url, {"session_id": sid, "widget_state": {"network_tab": "Contacts"}})
                start.wait()
                for generation in range(WRITES_EACH):              # each save clears the form: next generation
                    name = f"Person {uuid.uuid4().hex[:10]}"       # unlike any other: no similar-name prompt
                    field = widget_key("contact_add", "name", student, generation)
                    form = widget_key("contact_add", "form", student, generation)
                    reply = interact(url, {"session_id": sid, "widget_state": {field: name},
                                       "trigger": {"key": f"FormSubmitter:{form}-Add contact"}})
                    text = json.dumps(reply["tree"])
                    if "Added" not in text or "This app has encountered an error" in text:
                        errors.append(f"session {number}: no confirmation for {name}")
                    names.append(name)
            except Exception as exc:   # any failure counts
                errors.append(f"session {number}: {exc!r}")

        threads = [threading.Thread(target=session, args=(n,)) for n in range(SESSIONS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    with Database(tmp_path / "coffeechat.duckdb", read_only=True) as db:
        stored = {name for (name,) in db.rows("SELECT name FROM contacts")}
    lost = [name for name in names if name not in stored]
    assert errors == [] and len(names) == SESSIONS * WRITES_EACH and lost == []
    assert "Traceback" not in (tmp_path / "server.log").read_text()
    record("concurrent sessions (served app, agent API)", sessions=SESSIONS, writes=len(names), lost=len(lost),
           errors=len(errors))

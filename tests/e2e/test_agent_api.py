"""The app driven without a browser, through Streamlit's agent API: the sidebar's choices
(data, role, student) hold across page changes, as they do in a browser."""
from lib import demo
from lib.db import Database
from lib.students import list_students
from tests.conftest import TODAY
from tests.e2e.conftest import serve
from tests.served import interact


def sidebar_values(reply: dict) -> dict:
    found = {}

    def walk(node):
        if isinstance(node, dict):
            if node.get("key") in ("dataset", "role", "student_id"):
                found[node["key"]] = node.get("value")
            for child in node.get("children", []):
                walk(child)
    walk(reply["tree"])
    return found


def test_sidebar_choices_hold_across_page_changes(tmp_path):
    demo.load_file(tmp_path / "demo.duckdb", students=6, as_of=TODAY)
    with Database(tmp_path / "demo.duckdb", read_only=True) as db:
        second = list_students(db)["label"].iloc[1]
    with serve(tmp_path, "--server.enableAgentApi=true") as url:
        session = interact(url, {})["session_id"]
        interact(url, {"session_id": session, "trigger": {"key": "welcome_demo"}})
        interact(url, {"session_id": session, "widget_state": {"student_id": second}})
        interact(url, {"session_id": session, "page": "network"})
        interact(url, {"session_id": session, "widget_state": {"network_tab": "Network map"}})
        reply = interact(url, {"session_id": session, "page": "outreach"})
        assert reply["page"]["title"] == "Outreach" and reply["status"] == "ready"
        assert sidebar_values(reply) == {"dataset": "Demo cohort", "role": "Student", "student_id": second}
        interact(url, {"session_id": session, "widget_state": {"role": "Coach"}})
        reply = interact(url, {"session_id": session, "page": "coach"})
        assert sidebar_values(reply) == {"dataset": "Demo cohort", "role": "Coach", "student_id": second}
        interact(url, {"session_id": session, "widget_state": {"dataset": "My data"}})
        reply = interact(url, {"session_id": session, "page": "network"})
        assert sidebar_values(reply)["dataset"] == "My data"          # a change made in the sidebar sticks too

"""make cluster: two Streamlit processes behind nginx (tools/cluster.py), on a PostgreSQL server
of their own (tools/postgres.py, temporary_server()). A browser keeps to one process (its
`route` cookie, set by nginx): its pages, its websocket and its uploads all reach the process
that holds its session, and fresh browsers are spread over every process.

The shared database through the proxy (issue 19), driven as a student clicks (the agent API,
widget keys; `Session`, on a `Browser` whose route lands on a chosen process: `browser_on`):
- a contact added through the form in one process is seen by the next page in the other (the
  KPI that counts contacts, the table's rows, the home page), and the other way round;
- 30 sessions, 15 on each process, each adding 3 contacts at once: 90 new rows, 0 lost, no
  error page, each session's next page counts its own 3;
- the same email submitted at the same moment from both processes is kept once, the second
  tab told who has it; an edit saved in one process is not overwritten from a stale form in
  the other (told "changed in another window").
Correctness across processes without the app on top: tests/reliability/test_served_postgres.py."""
from __future__ import annotations

import base64
import hashlib
import http.cookiejar
import json
import random
import re
import shutil
import socket
import string
import tempfile
import threading
import urllib.error
import urllib.request
import uuid
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from lib import network
from lib.db import Database
from lib.network import ContactInput
from lib.students import create_student, list_students
from lib.ui.action import widget_key
from tests.conftest import TODAY
from tests.reliability.figures import record
from tools import cluster as cluster_tool
from tools import postgres

pytestmark = pytest.mark.skipif(
    bool(cluster_tool.missing(cluster_tool.WORKSHOP) or postgres.missing()),
    reason=f"make cluster needs nginx and PostgreSQL 15 here (make nginx postgres): "
           f"{cluster_tool.missing(cluster_tool.WORKSHOP) or postgres.missing()}")

PROCESSES = 2
REQUESTS_EACH = 10
FRESH_SESSIONS = 40          # both processes used: a miss by chance is 2 * 2**-40
TRIES_FOR_A_ROUTE = 40       # fresh browsers tried until one lands on the wanted process
TIMEOUT = 30
INTERACT_TIMEOUT = 180       # one run of a page, with 30 sessions' runs queued on 2 cores
SESSIONS, WRITES_EACH = 30, 3


class Browser:
    """One browser: its own cookie jar (the route cookie nginx gives it), requests through the proxy."""

    def __init__(self, url: str):
        self.url = url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.last_upstream: str | None = None      # the process that answered the last interact()

    def get(self, path: str = "/") -> tuple[int, dict[str, str], bytes]:
        with self.opener.open(f"{self.url}{path}", timeout=TIMEOUT) as response:
            return response.status, dict(response.headers.items()), response.read()

    def upstream(self, path: str = "/_stcore/health") -> str:
        """The process that answered (nginx's X-Upstream header)."""
        return self.get(path)[1]["X-Upstream"]

    @property
    def route(self) -> str | None:
        return next((cookie.value for cookie in self.jar if cookie.name == "route"), None)

    def cookie_header(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.jar)

    def interact(self, body: dict) -> dict:
        """One agent-API request through the proxy (tests/served.py's interact, with this
        browser's cookies): it reaches the process that holds the session."""
        request = urllib.request.Request(f"{self.url}/_stcore/agent/interact", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with self.opener.open(request, timeout=INTERACT_TIMEOUT) as response:
            self.last_upstream = response.headers.get("X-Upstream")
            return json.loads(response.read())


def browser_on(running: cluster_tool.Cluster, backend: str) -> Browser:
    """A fresh browser whose route cookie lands on `backend` (bounded tries)."""
    for _ in range(TRIES_FOR_A_ROUTE):
        browser = Browser(running.url)
        if browser.upstream() == backend:
            return browser
    raise AssertionError(f"no fresh browser landed on {backend} in {TRIES_FOR_A_ROUTE} tries")


ERROR_PAGE = "This app has encountered an error"
SHOWN = re.compile(r"([\d,]+) of ([\d,]+) contacts shown")


def walk(node):
    """Every element of an agent-API tree, depth first."""
    if isinstance(node, dict):
        yield node
        for child in node.get("children", []):
            yield from walk(child)


class Session:
    """One browser tab: a Streamlit session on the browser's process, driven by widget keys
    through the proxy (the agent API), as a student clicks. Every reply is checked: served by
    the process the browser keeps to, finished, and not an error page."""

    def __init__(self, browser: Browser, backend: str):
        self.browser, self.backend = browser, backend
        self.id: str | None = None
        self.reply: dict = {}
        self.generation: dict[str, int] = {}      # contact_add's generation per student (a save clears it)

    def run(self, **body) -> dict:
        if self.id:
            body = {"session_id": self.id, **body}
        reply = self.browser.interact(body)
        assert self.browser.last_upstream == self.backend, (self.browser.last_upstream, self.backend)
        self.id, self.reply = reply["session_id"], reply
        assert reply["status"] == "ready", reply["status"]
        errors = [node for node in walk(reply["tree"]) if node.get("type") == "exception"]
        assert not errors and ERROR_PAGE not in self.text(), f"an error page on {self.backend}: {errors}"
        return reply

    def text(self) -> str:
        return json.dumps(self.reply.get("tree", {}), ensure_ascii=False)

    def open_network(self, student_label: str) -> dict:
        """A new tab: choose the student in the sidebar, open Network, its Contacts tab."""
        self.run()
        self.run(widget_state={"student_id": student_label})
        return self.reload_network(student_label)

    def reload_network(self, student_label: str) -> dict:
        """The next page this tab draws: Network, Contacts tab (a new run: the data read afresh)."""
        self.run(page="")
        self.run(page="network")
        reply = self.run(widget_state={"network_tab": "Contacts"})
        assert reply["page"]["title"] == "Network"
        chosen = next(node for node in walk(reply["tree"]) if node.get("key") == "student_id")
        assert chosen.get("value") == student_label, chosen
        return reply

    def add_contact(self, student_id: str, name: str, email: str | None = None) -> dict:
        """Fill the Add a contact form (name, and email if given) and press Add contact."""
        generation = self.generation.get(student_id, 0)
        key = lambda field: widget_key("contact_add", field, student_id, generation)   # noqa: E731
        values = {key("name"): name, **({key("email"): email} if email else {})}
        reply = self.run(widget_state=values, trigger={"key": f"FormSubmitter:{key('form')}-Add contact"})
        if f"Added **{name}**" in self.text():
            self.generation[student_id] = generation + 1
        return reply

    def messages(self) -> list[str]:
        """The messages on the page (confirmations, refusals, warnings)."""
        return [node["props"].get("body", "") for node in walk(self.reply.get("tree", {}))
                if node.get("type") in ("error", "warning", "info", "success")]

    def metric(self, label: str) -> str:
        values = [node["props"]["value"] for node in walk(self.reply["tree"])
                  if node.get("type") == "metric" and node.get("props", {}).get("label") == label]
        assert len(values) == 1, (label, values)
        return str(values[0])

    def contacts_shown(self) -> int:
        """The Contacts tab's row count ("N of M contacts shown."; 0 when it says none yet)."""
        found = SHOWN.search(self.text())
        if found is None:
            assert "No contacts yet" in self.text()
            return 0
        assert found.group(1) == found.group(2)                  # no filter set
        return int(found.group(2).replace(",", ""))

    def figures(self) -> dict[str, int]:
        """What the student reads about their network: the KPI figures and the table's rows."""
        return {"warm": int(self.metric("Warm contacts")), "cold": int(self.metric("Cold contacts")),
                "rows": self.contacts_shown()}


def unlike_anyone() -> str:
    """A contact's name no other looks like (random letters: the form's look-alike prompt never
    stops it) and with nothing markdown would escape (so the confirmation quotes it as typed)."""
    return " ".join("".join(random.choices(string.ascii_lowercase, k=8)).capitalize() for _ in range(2))


def new_student(db: Database, name: str) -> tuple[str, str]:
    """A student made in the shared database by another process than either app process
    (as a coach on another machine would): (id, the sidebar's label)."""
    student_id = create_student(db, f"{name} {uuid.uuid4().hex[:6]}")
    return student_id, list_students(db).set_index("id").loc[student_id, "label"]


def write_in_one_process_is_seen_in_the_other(running: cluster_tool.Cluster, db: Database) -> None:
    """A browser on each process, on one student's Network page. A contact added through the
    form in the first is seen by the next page drawn in the second (its KPI and the table's
    rows), and the other way round. Both pages were drawn before the write, so each process
    had the old figures cached: only the database's data version tells it they changed."""
    first_backend, second_backend = running.backends[:2]
    student_id, label = new_student(db, "Ada Cluster")
    first = Session(browser_on(running, first_backend), first_backend)
    second = Session(browser_on(running, second_backend), second_backend)
    for session in (first, second):
        session.open_network(label)
        assert session.figures() == {"warm": 0, "cold": 0, "rows": 0}

    first.add_contact(student_id, "Carla Curie", "carla.curie@example.org")
    assert "Added **Carla Curie**" in first.text()
    assert first.figures() == {"warm": 0, "cold": 1, "rows": 1}             # its own process, same run
    second.reload_network(label)
    assert second.figures() == {"warm": 0, "cold": 1, "rows": 1}            # the other process, next page
    assert "Carla Curie" in second.text()

    second.add_contact(student_id, "Dmitri Mendeleev", "dmitri@example.org")
    assert "Added **Dmitri Mendeleev**" in second.text()
    first.reload_network(label)
    assert first.figures() == {"warm": 0, "cold": 2, "rows": 2}
    assert "Carla Curie" in first.text() and "Dmitri Mendeleev" in first.text()
    home = first.run(page="")                                          # every figure that counts them
    assert home["page"]["title"] == "My progress" and first.metric("Cold contacts") == "2"
    assert db.scalar("SELECT count(*) FROM contacts WHERE student_id = ?", [student_id]) == 2


@pytest.fixture(scope="module")
def running():
    # Not under pytest's tmp folder (0700): as root, nginx's workers run as nobody and must
    # reach their folder. PostgreSQL: a throwaway server of its own (tools/postgres.py).
    parent = Path(tempfile.mkdtemp(prefix="coffeechat-cluster-test-"))
    parent.chmod(0o755)
    try:
        with postgres.temporary_server() as url, \
                cluster_tool.cluster(processes=PROCESSES, port=cluster_tool.free_port(), database=url,
                                     folder=parent / "cluster", streamlit_options=("--server.enableAgentApi=true",),
                                     env={"COFFEECHAT_TODAY": TODAY.isoformat()}, say=lambda text: None) as started:
            yield started
            for backend in started.backends:
                assert "Traceback" not in started.log(backend).read_text(), started.log(backend).read_text()[-3000:]
    finally:
        shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture(scope="module")
def shared(running):
    """The cluster's database, opened by the test (a third process) to set up and to count."""
    with Database(running.database) as db:
        yield db


def test_health_through_the_proxy_and_of_each_process(running):
    status, headers, body = Browser(running.url).get("/_stcore/health")
    assert (status, body) == (200, b"ok")
    assert headers["X-Upstream"] in running.backends
    for backend in running.backends:
        with urllib.request.urlopen(f"http://{backend}/_stcore/health", timeout=TIMEOUT) as response:
            assert response.status == 200
    assert urlsplit(running.url).hostname == "127.0.0.1"
    assert running.database.startswith("postgresql://postgres@127.0.0.1:")


def test_each_browser_keeps_to_its_own_process(running):
    browsers = [browser_on(running, backend) for backend in running.backends]
    for browser, backend in zip(browsers, running.backends):
        route = browser.route
        assert route and len(route) == 32                       # nginx's $request_id
        for number in range(REQUESTS_EACH):
            status, headers, _ = browser.get("/" if number % 2 else "/_stcore/health")
            assert status == 200
            assert headers["X-Upstream"] == backend
            assert "Set-Cookie" not in headers or "route=" not in headers["Set-Cookie"]   # set once only
        assert browser.route == route


def test_fresh_browsers_are_spread_over_every_process(running):
    seen = {}
    for _ in range(FRESH_SESSIONS):
        browser = Browser(running.url)
        seen.setdefault(browser.upstream(), 0)
        seen[browser.upstream()] += 1
        if set(seen) == set(running.backends):
            break
    assert set(seen) == set(running.backends), seen



def _response_head(sock) -> tuple[str, dict[str, str]]:
    """An HTTP response's status line and headers (names lower-case), read off a raw socket."""
    head = b""
    while b"\r\n\r\n" not in head and len(head) < 65536:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    lines = head.split(b"\r\n\r\n")[0].decode().split("\r\n")
    return lines[0], {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}


def test_the_websocket_is_upgraded_through_nginx_on_the_browsers_process(running):
    backend = running.backends[-1]
    browser = browser_on(running, backend)
    host, port = urlsplit(running.url).hostname, urlsplit(running.url).port
    key = base64.b64encode(b"coffee-chat-key!").decode()
    request = (f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
               f"Sec-WebSocket-Protocol: streamlit\r\nOrigin: {running.url}\r\n"
               f"Cookie: {browser.cookie_header()}\r\n\r\n")
    with socket.create_connection((host, port), timeout=TIMEOUT) as sock:
        sock.sendall(request.encode())
        status, headers = _response_head(sock)
    assert status.startswith("HTTP/1.1 101"), status
    accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
    assert headers["sec-websocket-accept"] == accept
    assert headers["upgrade"].lower() == "websocket"
    assert headers["x-upstream"] == backend


def test_uploads_reach_the_browsers_process_and_too_large_ones_stop_at_nginx(running):
    backend = running.backends[0]
    browser = browser_on(running, backend)
    host, port = urlsplit(running.url).hostname, urlsplit(running.url).port
    limit = cluster_tool.upload_limit_mb() * 1024 * 1024

    def put(length: int, body: bytes) -> tuple[str, dict[str, str]]:
        request = (f"PUT /_stcore/upload_file/no-session/no-file HTTP/1.1\r\nHost: {host}:{port}\r\n"
                   f"Content-Length: {length}\r\nContent-Type: application/octet-stream\r\n"
                   f"Cookie: {browser.cookie_header()}\r\nConnection: close\r\n\r\n").encode()
        with socket.create_connection((host, port), timeout=TIMEOUT) as sock:
            sock.sendall(request + body)
            return _response_head(sock)

    status, headers = put(limit + 1, b"")                       # refused from the header, before any body
    assert " 413 " in status and headers.get("x-upstream", "") in ("", "-")
    status, headers = put(5, b"small")                          # Streamlit's own answer (no such session)
    assert " 413 " not in status and headers["x-upstream"] == backend


def test_an_agent_session_is_served_by_one_process_through_the_proxy(running):
    """The agent API's session lives in one process: every request of the browser reaches it."""
    browser = browser_on(running, running.backends[0])
    first = browser.interact({})
    again = browser.interact({"session_id": first["session_id"]})
    assert again["session_id"] == first["session_id"]
    other = next(backend for backend in running.backends if backend != running.backends[0])
    with pytest.raises(urllib.error.HTTPError) as unknown:                  # why the route must stick
        urllib.request.urlopen(urllib.request.Request(
            f"http://{other}/_stcore/agent/interact", data=json.dumps({"session_id": first["session_id"]}).encode(),
            headers={"Content-Type": "application/json"}), timeout=TIMEOUT)
    assert unknown.value.code == 404


# --- the shared database through the proxy (issue 19: a write in one process is seen in the other;
# 30 sessions, 0 lost writes; uniqueness and conflicts across processes) -----------------------

@pytest.mark.timeout(300)
def test_a_write_in_one_process_is_seen_in_the_other(running, shared):
    write_in_one_process_is_seen_in_the_other(running, shared)


@pytest.mark.timeout(900)
def test_thirty_sessions_over_two_processes_lose_no_write(running, shared):
    """30 browsers, half kept on each process, each on its own student's Network page, all
    start at once and add WRITES_EACH contacts through the form: every one is confirmed, the
    database holds exactly 30 x WRITES_EACH new rows (each name once, on its student), no page
    is an error page, and each session's next page counts its own WRITES_EACH contacts."""
    students = [new_student(shared, f"Load {number}") for number in range(SESSIONS)]
    before = shared.scalar("SELECT count(*) FROM contacts")
    backends = [running.backends[number % PROCESSES] for number in range(SESSIONS)]
    browsers = [browser_on(running, backend) for backend in backends]
    start = threading.Barrier(SESSIONS, timeout=INTERACT_TIMEOUT * 3)
    errors: list[str] = []
    written: dict[str, list[str]] = {student_id: [] for student_id, _ in students}

    def session(number: int) -> None:
        student_id, label = students[number]
        tab = Session(browsers[number], backends[number])
        try:
            tab.open_network(label)
            start.wait()
            for write in range(WRITES_EACH):
                name = unlike_anyone()
                tab.add_contact(student_id, name)
                if f"Added **{name}**" not in tab.text():
                    errors.append(f"session {number}: no confirmation for {name}: {tab.messages()}")
                written[student_id].append(name)
            tab.reload_network(label)
            if tab.figures() != {"warm": 0, "cold": WRITES_EACH, "rows": WRITES_EACH}:
                errors.append(f"session {number} on {tab.backend}: {tab.figures()}")
        except Exception as exc:   # any failure counts, and frees the others from the barrier
            start.abort()
            errors.append(f"session {number} on {tab.backend}: {exc!r}")

    threads = [threading.Thread(target=session, args=(number,)) for number in range(SESSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(INTERACT_TIMEOUT * (WRITES_EACH + 8))
    assert not any(thread.is_alive() for thread in threads), "a session did not finish"
    assert errors == [], "\n".join(errors)
    assert shared.scalar("SELECT count(*) FROM contacts") - before == SESSIONS * WRITES_EACH      # 0 lost, 0 extra
    for student_id, names in written.items():
        stored = sorted(name for (name,) in shared.rows("SELECT name FROM contacts WHERE student_id = ?", [student_id]))
        assert stored == sorted(names) and len(names) == WRITES_EACH, (student_id, stored, names)
    assert sorted(backends.count(backend) for backend in running.backends) == [SESSIONS // PROCESSES] * PROCESSES
    record("concurrent sessions over 2 processes (PostgreSQL, nginx, agent API)", sessions=SESSIONS,
           processes=PROCESSES, writes=SESSIONS * WRITES_EACH, lost=0, errors=len(errors))


@pytest.mark.timeout(300)
def test_one_email_added_at_once_through_two_processes_is_kept_once(running, shared):
    """Two tabs of one student, one on each process, press Add contact at the same moment with
    the same email (two different names): one is added, the other is told who already has that
    email, and the database keeps one. Several rounds: whichever commits first, the same."""
    student_id, label = new_student(shared, "Twin Tabs")
    tabs = [Session(browser_on(running, backend), backend) for backend in running.backends[:2]]
    for tab in tabs:
        tab.open_network(label)
    people = [("Orla Quince", "Bartholomew Xu"), ("Yusuf Abara", "Marguerite Lindqvist"),
              ("Chidi Okonkwo", "Saoirse Fitzgerald"), ("Henrik Dahl", "Priya Raman")]   # no two look alike
    rounds = len(people)
    for round_number, names in enumerate(people):
        email = f"same.person.{round_number}@example.org"
        start = threading.Barrier(2, timeout=INTERACT_TIMEOUT)
        texts: dict[int, str] = {}
        told_messages: dict[int, list[str]] = {}
        failures: list[str] = []

        def press(number: int) -> None:
            try:
                start.wait()
                tabs[number].add_contact(student_id, names[number], email)
                texts[number] = tabs[number].text()
                told_messages[number] = tabs[number].messages()
            except Exception as exc:
                start.abort()
                failures.append(f"tab {number}: {exc!r}")

        threads = [threading.Thread(target=press, args=(number,)) for number in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(INTERACT_TIMEOUT * 2)
        assert failures == [], failures
        added = [number for number in range(2) if f"Added **{names[number]}**" in texts[number]]
        assert len(added) == 1, f"round {round_number}: added in {added}"
        told = 1 - added[0]
        messages = told_messages[told]
        assert any("Nothing was saved" in message and f"is already the email of {names[added[0]]}" in message
                   for message in messages), messages
        assert shared.scalar("SELECT count(*) FROM contacts WHERE student_id = ? AND email = ?",
                             [student_id, email]) == 1
    assert shared.scalar("SELECT count(*) FROM contacts WHERE student_id = ?", [student_id]) == rounds


@pytest.mark.timeout(300)
def test_an_edit_saved_in_one_process_is_not_overwritten_from_another(running, shared):
    """Two tabs of one student, one on each process, open the same contact to edit. The first
    saves; the second, still on the copy it opened, is told it changed and its edit is not
    saved. Nothing silently lost."""
    student_id, label = new_student(shared, "Two Editors")
    contact_id = network.add_contact(shared, student_id, ContactInput(name="Carla Stale", source="alumni"),
                                     datetime.combine(TODAY, datetime.min.time()))
    tabs = [Session(browser_on(running, backend), backend) for backend in running.backends[:2]]
    pick = widget_key("contact_edit", "pick", student_id)
    role = widget_key("contact_edit", "role", student_id)
    save = f"FormSubmitter:{widget_key('contact_edit', 'form', student_id)}-Save changes"
    for tab in tabs:
        tab.open_network(label)
        options = next(node for node in walk(tab.reply["tree"]) if node.get("key") == pick)["props"]["options"]
        choice = next(option for option in options if "Carla Stale" in option)
        tab.run(widget_state={pick: choice})
        assert any(node.get("key") == role for node in walk(tab.reply["tree"])), "the edit form did not open"
    first, second = tabs
    first.run(widget_state={role: "Curator"}, trigger={"key": save})
    assert "Saved **Carla Stale**" in first.text()
    second.run(widget_state={role: "Director"}, trigger={"key": save})
    assert "changed in another window" in second.text() and "Saved **Carla Stale**" not in second.text()
    assert network.get_contact(shared, student_id, contact_id)["role"] == "Curator"

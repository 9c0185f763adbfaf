"""A served app under many sessions acting at once, driven over loopback through Streamlit's
agent API (widget keys over HTTP: each request is one user action, answered when the run
it causes has finished, so its round trip is what that user waits for, minus the browser's
drawing).

Two rooms:
- workshop: `make workshop`, every session on its own copy of the demo cohort; each
  session walks the student workflow and adds a contact;
- career centre: one 2,000-student demo file; most sessions are students on their own
  pages, every fifth a coach flipping between students.
Each runs as a burst (all sessions start together, no pauses) and with think time (a
random start in the first think interval, then a pause of half to one and a half think
intervals between actions), bounded by a deadline. One visit warms the server first, as
the coach opening the room would: the server's own start-up is not counted.
"""
from __future__ import annotations

import http.cookiejar
import json
import random
import re
import statistics
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from tests.served import interact, serve

# (kind, argument, expected page title or None). kinds: page, state, student (the n-th
# student after this session's own), add_contact. Home is seen on opening and after each
# student pick; it isn't navigated to: the agent API resolves the default page's url_path
# "" to the main script, which starts the session's widgets over (Streamlit 1.67).
STUDENT_STEPS = (
    ("page", "network", "Network"),
    ("state", {"network_tab": "Contacts"}, "Network"),
    ("add_contact", None, "Network"),
    ("state", {"network_tab": "Network map"}, "Network"),
    ("page", "outreach", "Outreach"),
    ("state", {"outreach_tab": "Charts"}, "Outreach"),
    ("page", "prep", "Prep"),
    ("page", "follow_up", "Follow-ups"),
    ("state", {"follow_tab": "Charts"}, "Follow-ups"),
    ("page", "coach", "Coach"),
)
COACH_STEPS = (
    ("state", {"role": "Coach"}, "My progress"),
    ("page", "coach", "Coach"),
    ("state", {"coach_tab": "Advising session"}, "Coach"),
    ("student", 1, "Coach"),
    ("student", 2, "Coach"),
    ("page", "outreach", "Outreach"),
    ("student", 3, "Outreach"),
    ("page", "network", "Network"),
    ("student", 4, "Network"),
    ("page", "coach", "Coach"),
    ("state", {"coach_tab": "Cohort"}, "Coach"),
)

ADD_NAME_KEY = re.compile(r"contact_add_name@[^\"#\\]+(?:#\d+)?")


@dataclass
class LoadFigure:
    room: str
    sessions: int
    think_s: float
    latencies_ms: list[float] = field(default_factory=list)
    by_action: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    server_rss_mb: float = 0.0
    cpu_s: dict[str, float] = field(default_factory=dict)    # CPU seconds during the room, by part
    upstreams: dict[str, int] = field(default_factory=dict)  # sessions per process (through a proxy)

    def slowest(self, count: int = 3) -> list[tuple[str, float]]:
        """The actions with the highest median time: where the waiting is."""
        medians = {action: statistics.median(times) for action, times in self.by_action.items()}
        return sorted(medians.items(), key=lambda item: -item[1])[:count]

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        if len(self.latencies_ms) == 1:
            return self.latencies_ms[0]
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[int(q) - 1]


def _interact(opener, url: str, body: dict, timeout: float) -> tuple[dict, str | None]:
    """tests.served.interact through this session's own cookie jar (as a browser: the proxy's
    route cookie goes back with every request, so the session stays on its process); also
    returns the process that answered (the proxy's X-Upstream header, None when direct)."""
    request = urllib.request.Request(f"{url}/_stcore/agent/interact", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with opener.open(request, timeout=timeout) as response:
        return json.loads(response.read()), response.headers.get("X-Upstream")


class _Session:
    """One simulated user: their agent-API session, their cookies, and the figure they report into."""

    def __init__(self, url: str, figure: LoadFigure, lock: threading.Lock, number: int):
        self.url, self.figure, self.lock, self.number = url, figure, lock, number
        self.session_id: str | None = None
        self.upstream: str | None = None
        self.last_reply: dict | None = None
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def act(self, body: dict, expect_title: str | None, expect_text: str | None = None) -> dict | None:
        if self.session_id:
            body = {"session_id": self.session_id, **body}
        start = time.perf_counter()
        try:
            reply, upstream = _interact(self.opener, self.url, body, timeout=60)
        except urllib.error.HTTPError as exc:    # refused: the body says why
            self._fail(f"{self._describe(body)}: HTTP {exc.code} {exc.read()[:300]!r}")
            return None
        except Exception as exc:       # timed out, connection reset: all count
            self._fail(f"{self._describe(body)}: {exc!r}")
            return None
        elapsed = (time.perf_counter() - start) * 1000
        problem = None
        if upstream and not self.upstream:          # the process the proxy gave this session
            self.upstream = upstream
            with self.lock:
                self.figure.upstreams[upstream] = self.figure.upstreams.get(upstream, 0) + 1
        if upstream and upstream != self.upstream:  # the route cookie did not keep it there
            problem = f"answered by {upstream}, the session is on {self.upstream}"
        elif "code" in reply:
            problem = f"agent API {reply['code']}"
        elif reply.get("status") != "ready":
            problem = "the app raised"
        elif expect_title and reply["page"]["title"] != expect_title:
            problem = f"page {reply['page']['title']!r}, expected {expect_title!r}"
        elif expect_text and expect_text not in json.dumps(reply["tree"]):
            problem = f"no {expect_text!r} in the page"
        with self.lock:
            self.figure.latencies_ms.append(elapsed)
            self.figure.by_action.setdefault(self._describe(body), []).append(elapsed)
        if problem:
            self._fail(f"{self._describe(body)}: {problem}")
            return None
        self.session_id = reply["session_id"]
        self.last_reply = reply
        return reply

    @staticmethod
    def _describe(body: dict) -> str:
        """The action in a few words: 'open', 'page outreach', 'tab Charts', 'Add contact'..."""
        if "page" in body:
            return f"page {body['page'] or 'home'}"
        if "trigger" in body:
            return body["trigger"]["key"].rsplit("-", 1)[-1]
        state = body.get("widget_state")
        if not state:
            return "open"
        key, value = next(iter(state.items()))
        return f"tab {value}" if key.endswith("_tab") else "pick a student" if key == "student_id" else f"{key} {value}"

    def _fail(self, message: str) -> None:
        with self.lock:
            self.figure.errors.append(f"session {self.number}: {message}")

    def step(self, kind: str, argument, title: str | None, labels: list[str]) -> bool:
        if kind == "page":
            return self.act({"page": argument}, title) is not None
        if kind == "state":
            return self.act({"widget_state": argument}, title) is not None
        if kind == "student":
            label = labels[(self.number * 7 + argument) % len(labels)]
            return self.act({"widget_state": {"student_id": label}}, title) is not None
        # The form's keys carry the student and the form's generation (lib.ui.action.widget_key):
        # read them from the page the session is on, as a browser would find the form.
        found = ADD_NAME_KEY.search(json.dumps(self.last_reply["tree"])) if self.last_reply else None
        if not found:
            self._fail("Add contact: no add-contact form on the page")
            return False
        field = found.group(0)
        form = field.replace("contact_add_name@", "contact_add_form@", 1)
        name = f"Bench {uuid.uuid4().hex[:10]}"          # unlike any other name: no similar-name question
        return self.act({"widget_state": {field: name}, "trigger": {"key": f"FormSubmitter:{form}-Add contact"}},
                        title, expect_text="Added") is not None


def _run_room(url: str, figure: LoadFigure, opening: list[dict], steps_for, labels: list[str],
              think_s: float, deadline_s: float, warm_urls: list[str] | None = None,
              cpu: Callable[[], dict[str, float]] | None = None) -> None:
    """Run the room; `warm_urls`: the processes to warm first (each directly, default the URL);
    `cpu`: CPU seconds so far by part (sampled after the warm-up and after the room)."""
    lock = threading.Lock()
    barrier = threading.Barrier(figure.sessions)
    stop_at = time.monotonic() + deadline_s

    def user(number: int) -> None:
        session = _Session(url, figure, lock, number)
        rng = random.Random(number)
        try:
            barrier.wait(timeout=120)
        except threading.BrokenBarrierError:
            session._fail("never started")
            return
        if think_s:
            time.sleep(rng.uniform(0, think_s))
        for body, title in opening(number):
            if session.act(body, title) is None:
                return
        for kind, argument, title in steps_for(number):
            if time.monotonic() > stop_at:
                return
            if think_s:
                time.sleep(rng.uniform(0.5 * think_s, 1.5 * think_s))
            if not session.step(kind, argument, title, labels):
                return

    for warm in warm_urls or [url]:
        interact(warm, {})    # one visit first, as the coach opening the room: start-up is not the room's wait
    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(figure.sessions)]
    before = cpu() if cpu else {}
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=deadline_s + 180)
    figure.wall_s = time.perf_counter() - start
    after = cpu() if cpu else {}
    figure.cpu_s = {part: after[part] - before.get(part, 0.0) for part in after}


def workshop_room(folder: Path, today: date, sessions: int, think_s: float, deadline_s: float) -> LoadFigure:
    """`make workshop`: each session its own copy of the demo cohort."""
    folder.mkdir(parents=True, exist_ok=True)
    figure = LoadFigure("workshop (own demo copy each)", sessions, think_s)
    options = ("--server.enableAgentApi=true",)
    with serve(folder, *options, today=today, env={"COFFEECHAT_WORKSHOP": "1"}) as server:
        _run_room(server.url, figure, lambda n: [({}, "My progress")], lambda n: STUDENT_STEPS, ["-"],
                  think_s, deadline_s)
        figure.server_rss_mb = server.rss_mb()
    return figure


def career_centre(folder: Path, demo_file: Path, labels: list[str], today: date, sessions: int, think_s: float,
                  deadline_s: float) -> LoadFigure:
    """One large demo file shared by all sessions: students on their own pages, every
    fifth session a coach flipping between students."""
    folder.mkdir(parents=True, exist_ok=True)
    figure = LoadFigure(f"career centre ({len(labels):,} students, one file)", sessions, think_s)

    def opening(number: int) -> list[tuple[dict, str]]:
        return [({}, "Get started"), ({"trigger": {"key": "welcome_demo"}}, "My progress"),
                ({"widget_state": {"student_id": labels[(number * 7) % len(labels)]}}, "My progress")]

    def steps_for(number: int):
        return COACH_STEPS if number % 5 == 4 else STUDENT_STEPS

    with serve(folder, "--server.enableAgentApi=true", today=today,
               env={"COFFEECHAT_DEMO_DB": str(demo_file)}) as server:
        _run_room(server.url, figure, opening, steps_for, labels, think_s, deadline_s)
        figure.server_rss_mb = server.rss_mb()
    return figure

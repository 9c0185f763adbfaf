"""What a person feels: click to finished run in Chromium, every page and tab, at 2,000 students,
beside an empty three-page Streamlit app (bench/floor_app.py) served in the same run.

Both apps are served on loopback by their own `streamlit run` and driven by Playwright (sync
API) in Debian's Chromium (/usr/bin/chromium, --no-sandbox --disable-gpu).

"Finished": the app's root element, `[data-testid="stApp"]`, carries Streamlit's script state
in `data-test-script-state` (what Streamlit's own browser tests wait on). A MutationObserver in
the page timestamps every change of it (performance.now()), and a capture-phase pointerdown
listener timestamps the click. A click counts as finished at the last change to `notRunning`
after at least one `running`, once the state has then stayed `notRunning` for QUIET_MS (a run
that triggers another, st.rerun, is counted in full); the quiet wait itself is not counted.
At that moment no element may still be stale (`data-stale="true"`) and no exception shown,
or the view is reported as failed. The time is the browser's own clock, click to finish: the
websocket round trip, the server's run and React drawing its messages, as a person sees it
(Plotly's drawing of a chart after its element arrives is not waited for).
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
QUIET_MS = 400              # notRunning held this long: no further run follows
CLICK_TIMEOUT_MS = 60_000
ROUNDS = 3                  # each view clicked this many times (the first with the server's caches cold)
FLOOR_ROUNDS = 5            # 3 pages each

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
# Before the page's own scripts: every message on Streamlit's websocket timestamped on arrival,
# and the end of the second animation frame after it (the frame that draws it has been painted);
# the click timestamped by a capture-phase pointerdown listener.
WATCH = """(() => {
  const bench = window.__bench = {arrived: [], painted: [], sockets: 0, click: null};
  const Native = window.WebSocket;
  window.WebSocket = function (url, protocols) {
    const socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
    if (String(url).includes('_stcore/stream')) {
      const number = bench.sockets++;
      const arrived = bench.arrived[number] = [], painted = bench.painted[number] = [];
      socket.addEventListener('message', () => {
        const index = arrived.push(performance.now()) - 1;
        requestAnimationFrame(() => requestAnimationFrame(() => { painted[index] = performance.now(); }));
      });
    }
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  document.addEventListener('pointerdown', () => { bench.click = performance.now(); }, true);
})();"""
ARM = "() => { window.__bench.click = null; }"
TIMES = """([socket, index]) => {
  const b = window.__bench;
  return {click: b.click, painted: (b.painted[socket] || [])[index] ?? null,
          state: document.querySelector("[data-testid='stApp']")?.getAttribute('data-test-script-state'),
          stale: document.querySelectorAll("[data-stale='true']").length,
          exceptions: document.querySelectorAll("[data-testid='stException']").length};
}"""


class FeelFailed(RuntimeError):
    pass


@dataclass
class View:
    page: str
    tab: str | None                  # None: the click on the page's menu entry
    opened_on: str | None = None     # for a menu click: the tab the page opened on
    times_ms: list[float] = field(default_factory=list)
    runs: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms) if self.times_ms else float("nan")


def _wait_idle(page, hold_ms: int = 800) -> None:
    """Idle and staying idle (first load, untimed steps)."""
    calm = 0
    deadline = time.monotonic() + 120
    while calm < 2:
        if time.monotonic() > deadline:
            raise FeelFailed("the app never settled")
        page.wait_for_selector(IDLE, timeout=CLICK_TIMEOUT_MS)
        page.wait_for_timeout(hold_ms // 2)
        calm = calm + 1 if page.locator(IDLE).count() else 0


class Frames:
    """What the page's Streamlit websocket received, in order (Playwright's websocket events):
    each frame's ForwardMsg type, and for script_finished its status. The page's own listener
    (WATCH) counts the same frames in the same order, so an index here is its index there."""

    def __init__(self, page):
        self.sockets: list[list[tuple[str | None, int | None]]] = []
        page.on("websocket", self._socket)

    def _socket(self, ws) -> None:
        if "_stcore/stream" not in ws.url:
            return
        frames: list[tuple[str | None, int | None]] = []
        self.sockets.append(frames)
        ws.on("framereceived", lambda payload: frames.append(_kind(payload)))


def _kind(payload) -> tuple[str | None, int | None]:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    if isinstance(payload, str):
        return None, None
    msg = ForwardMsg()
    try:
        msg.ParseFromString(payload)
    except Exception:             # not a ForwardMsg: count it, nothing more
        return None, None
    kind = msg.WhichOneof("type")
    return kind, (msg.script_finished if kind == "script_finished" else None)


def _finished_at(frames: list, start: int) -> int | None:
    """The index of the script_finished that ends the runs the click started (the last run: a
    run cut short for a rerun, FINISHED_EARLY_FOR_RERUN, is followed by another), or None."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    last_start = max((i for i in range(start, len(frames)) if frames[i][0] == "new_session"), default=None)
    if last_start is None:
        return None
    return next((i for i in range(last_start, len(frames)) if frames[i][0] == "script_finished"
                 and frames[i][1] != ForwardMsg.FINISHED_EARLY_FOR_RERUN), None)


def timed_click(page, frames: Frames, locator) -> dict:
    """Click; return {'ms': click to the frame painted after the run's script_finished, 'runs',
    'stale', 'exceptions'} once no further run has started for QUIET_MS."""
    if not frames.sockets:
        raise FeelFailed("no Streamlit websocket seen")
    socket = len(frames.sockets) - 1
    start = len(frames.sockets[socket])
    page.evaluate(ARM)
    locator.click()
    deadline = time.monotonic() + CLICK_TIMEOUT_MS / 1000
    seen: tuple[int, float] | None = None          # (index of the finish, when we first saw it)
    while True:
        page.wait_for_timeout(25)                   # Playwright delivers the frame events meanwhile
        if len(frames.sockets) - 1 != socket:
            raise FeelFailed("the websocket reconnected during the click")
        index = _finished_at(frames.sockets[socket], start)
        if index is not None and (seen is None or seen[0] != index):
            seen = (index, time.monotonic())
        if seen and time.monotonic() - seen[1] >= QUIET_MS / 1000:
            times = page.evaluate(TIMES, [socket, seen[0]])
            if times["painted"] is not None:
                break
        if time.monotonic() > deadline:
            raise FeelFailed(f"no finished run within {CLICK_TIMEOUT_MS / 1000:g} s of the click")
    if times["click"] is None:
        raise FeelFailed("the click was not seen by the page")
    runs = sum(1 for kind, _ in frames.sockets[socket][start:seen[0] + 1] if kind == "new_session")
    return {"ms": times["painted"] - times["click"], "runs": runs, "stale": times["stale"],
            "exceptions": times["exceptions"], "state": times["state"]}


def _record(view: View, result: dict) -> None:
    view.times_ms.append(result["ms"])
    view.runs.append(result["runs"])
    if result["stale"] or result["exceptions"] or result["state"] != "notRunning":
        view.problems.append(f"{result['stale']} stale elements, {result['exceptions']} exceptions shown, "
                             f"state {result['state']}")


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.add_init_script(WATCH)
    frames = Frames(page)
    page.goto(url)
    page.wait_for_selector("[data-testid='stMainBlockContainer'] [data-testid='stElementContainer']",
                           timeout=CLICK_TIMEOUT_MS)
    _wait_idle(page)
    return page, frames, errors


def _nav(page, path: str):
    """The sidebar menu entry of a page (by its address: titles may change)."""
    links = page.locator("[data-testid='stSidebarNavLink']")
    for index in range(links.count()):
        href = links.nth(index).get_attribute("href") or ""
        if href.rstrip("/").rsplit("/", 1)[-1] == path or (path == "" and href.count("/") == 3):
            return links.nth(index)
    raise FeelFailed(f"no menu entry for /{path}")


def _tabs(page):
    """The open page's tabs (its first tab bar), their labels and the selected one's index."""
    bar = page.locator("[data-testid='stMain'] [role='tablist']")
    if not bar.count():
        return None, [], None
    tabs = bar.first.locator("[role='tab']")
    labels = [tabs.nth(i).inner_text().strip() for i in range(tabs.count())]
    selected = next((i for i in range(tabs.count()) if tabs.nth(i).get_attribute("aria-selected") == "true"), 0)
    return tabs, labels, selected


def _pick(page, label: str) -> None:
    """Untimed: choose a student in the sidebar's selectbox by typing their name."""
    box = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first
    box.click()
    page.keyboard.type(label)
    page.locator("[role='option']", has_text=label).first.click()
    _wait_idle(page)


def _role(page, name: str) -> None:
    """Untimed: the sidebar's I am a radio."""
    page.locator("[data-testid='stSidebar'] [data-testid='stRadio'] label", has_text=name).first.click()
    _wait_idle(page)


def floor(browser, url: str, rounds: int = FLOOR_ROUNDS) -> list[float]:
    page, frames, errors = _open(browser, url)
    times = []
    try:
        for _ in range(rounds):
            for target in ("page2", "page3", ""):
                result = timed_click(page, frames, _nav(page, target))
                times.append(result["ms"])
    finally:
        page.close()
    if errors:
        raise FeelFailed(f"the floor app raised in the browser: {errors[:3]}")
    return times


def app_views(browser, url: str, student_label: str, pages: list[tuple[str, str]], coach: tuple[str, str],
              rounds: int = ROUNDS, say=print) -> tuple[list[View], list[str]]:
    """Every page (as the student, then the Coach page as a coach) and every tab, `rounds` times.
    Each round clicks each page's menu entry (from the page before), then each of its tabs in
    turn, ending on the tab it opened on."""
    from playwright.sync_api import Error as PlaywrightError
    page, frames, errors = _open(browser, url)
    views: dict[tuple[str, str | None], View] = {}

    def click(view: View, locator) -> bool:
        try:
            _record(view, timed_click(page, frames, locator))
            return True
        except (FeelFailed, PlaywrightError) as exc:      # this view failed: say so, go on with the next
            view.problems.append(str(exc).splitlines()[0][:300])
            say(f"   {view.page} / {view.tab or 'menu'}: {view.problems[-1]}")
            _wait_idle(page)
            return False

    def visit(path: str, title: str) -> None:
        view = views.setdefault((title, None), View(title, None))
        if not click(view, _nav(page, path)):
            return
        tabs, labels, selected = _tabs(page)
        view.opened_on = labels[selected] if labels else None
        order = list(range(selected + 1, len(labels))) + list(range(0, selected + 1)) if len(labels) > 1 else []
        for index in order:
            if not click(views.setdefault((title, labels[index]), View(title, labels[index])), tabs.nth(index)):
                return
    try:
        _pick(page, student_label)
        for number in range(rounds):
            say(f"… in Chromium, round {number + 1} of {rounds}")
            for path, title in pages:
                visit(path, title)
            _role(page, "Coach")
            visit(*coach)
            _role(page, "Student")
    finally:
        page.close()
    return list(views.values()), errors


def measure(folder: Path, real_file: Path, student_label: str, today: date, rounds: int = ROUNDS,
            say=print) -> dict:
    """Serve the floor app and app.py (on `real_file`, a copy of the 2,000-student demo), one at a
    time, and click through both in one Chromium. Everything stops on the way out."""
    from playwright.sync_api import sync_playwright
    from tests.served import serve
    if not Path(CHROMIUM).exists():
        raise FeelFailed(f"{CHROMIUM} is missing (apt-get install chromium)")
    pages = [("network", "Network"), ("outreach", "Outreach"), ("prep", "Prep"), ("follow_up", "Follow-ups"),
             ("learning", "What I'm learning"), ("profile", "My profile"), ("guide", "Guided tour"),
             ("data", "Your data"), ("welcome", "Get started"), ("", "My progress")]
    floor_folder = folder / "floor"
    floor_folder.mkdir(parents=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            say("… the empty three-page app in Chromium")
            with serve(floor_folder, today=today, script=ROOT / "bench" / "floor_app.py") as floor_server:
                url = floor_server.url
                floor_times = floor(browser, url)
            say("… every page and tab in Chromium")
            with serve(real_file.parent, today=today) as server:
                views, errors = app_views(browser, server.url, student_label, pages, ("coach", "Coach"),
                                          rounds=rounds, say=say)
                log = (real_file.parent / "server.log").read_text(errors="replace")
        finally:
            browser.close()
    if "Traceback" in log:
        errors.append("the server logged a traceback: " + log[log.index("Traceback"):][-1500:])
    return {"floor_ms": floor_times, "views": views, "errors": errors}


def table(result: dict) -> str:
    floor_ms = statistics.median(result["floor_ms"])
    views: list[View] = result["views"]
    timed = [v for v in views if v.times_ms]
    times = [v.median_ms for v in timed]
    overall = statistics.median(times) if times else float("nan")
    out = [f"Floor: an empty three-page Streamlit app (bench/floor_app.py), page to page: median "
           f"**{floor_ms:.0f} ms** over {len(result['floor_ms'])} clicks. Coffee Chat Coach, every page and tab: "
           f"median of the views' medians **{overall:.0f} ms = {overall / floor_ms:.1f}× the floor**; slowest "
           + (f"{max(timed, key=lambda v: v.median_ms).page} / {max(timed, key=lambda v: v.median_ms).tab or 'menu'} "
              f"{max(times):.0f} ms." if timed else "–")
           + (f" {sum(1 for v in views if v.problems)} of {len(views)} views had a problem (⚠ below)."
              if any(v.problems for v in views) else ""), "",
           "| Page | Click on | First | Median | × floor | Runs |", "| --- | --- | --- | --- | --- | --- |"]
    for view in views:
        click = f"menu (opens on {view.opened_on})" if view.tab is None and view.opened_on else (
            "menu" if view.tab is None else f"tab {view.tab}")
        flag = " ⚠ " + view.problems[0] if view.problems else ""
        if not view.times_ms:
            out.append(f"| {view.page} | {click} | – | – | – | –{flag} |")
            continue
        out.append(f"| {view.page} | {click} | {view.times_ms[0]:.0f} ms | {view.median_ms:.0f} ms | "
                   f"{view.median_ms / floor_ms:.1f}× | {max(view.runs)}{flag} |")
    if result["errors"]:
        out += ["", "Browser or server errors: " + "; ".join(e[:500] for e in result["errors"][:3])]
    return "\n".join(out)


def as_dict(result: dict) -> dict:
    floor_ms = statistics.median(result["floor_ms"])
    return {"floor_ms": result["floor_ms"], "floor_median_ms": floor_ms,
            "views": [{"page": v.page, "tab": v.tab, "opened_on": v.opened_on, "times_ms": v.times_ms,
                       "median_ms": v.median_ms, "x_floor": v.median_ms / floor_ms, "runs": v.runs,
                       "problems": v.problems} for v in result["views"]],
            "median_view_ms": statistics.median([v.median_ms for v in result["views"] if v.times_ms])
            if any(v.times_ms for v in result["views"]) else None,
            "errors": result["errors"]}

"""Server-side rerun time and Plotly bytes of every page and tab, through AppTest.

AppTest runs the app in this process, as the server would, minus the browser: the time
of `at.run()` after a warm-up is the work a rerun costs the server (caches filled, as
after a user's first click), app.py's sidebar included. The floor is the same
measurement on an empty page.
"""
from __future__ import annotations

import logging
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")

# (page file, tab key, tabs): each tab is measured as the open one; pages without tabs once
VIEWS = (
    ("home", None, (None,)),
    ("network", "network_tab", ("Contacts", "Map your network", "Target organisations", "Import from LinkedIn",
                                "Network map")),
    ("outreach", "outreach_tab", ("Do today", "Compose", "Requests", "Charts")),
    ("prep", "prep_tab", ("Checklist", "Questions", "Prep sheet", "Log the conversation", "All conversations")),
    ("follow_up", "follow_tab", ("Due", "Thank-yous", "Keep in touch", "Referrals", "Charts", "Export")),
    ("learning", "learning_tab", ("Skills", "Advice", "Resources and people", "TIARA", "Field briefs")),
    ("coach", "coach_tab", ("Cohort", "Advising session", "History", "What they are learning")),
    ("guide", None, (None,)),
    ("data", None, (None,)),
)


@dataclass
class PageFigure:
    page: str
    tab: str | None
    median_ms: float
    chart_bytes: int


class PageFailed(RuntimeError):
    """A page raised during the benchmark: its timing would mean nothing."""


def _through_app_py() -> None:
    """AppTest re-detects the pages/ folder before every run and then runs a switched-to page
    on its own, the pre-st.navigation way, skipping app.py and its sidebar. The served app
    leaves that mode on its first run (ui._leave_legacy_multipage_mode); do the same here
    so each measured run is what a served rerun does: app.py, sidebar, then the page."""
    from streamlit.runtime.pages_manager import PagesManager
    if getattr(PagesManager.__init__, "leaves_legacy_mode", False):
        return
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False
    init.leaves_legacy_mode = True
    PagesManager.__init__ = init


def _quiet_streamlit() -> None:
    """AppTest outside a server logs a warning for every run: keep the bench's output to
    figures (in this process only; errors still show)."""
    logging.disable(logging.WARNING)


def _timed_runs(at, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
    return times


def floor_ms(runs: int) -> float:
    """Median rerun of a page that draws one empty string: the least any Streamlit app costs."""
    from streamlit.testing.v1 import AppTest
    _quiet_streamlit()
    at = AppTest.from_string("import streamlit as st\nst.write('')", default_timeout=120)
    at.run()
    return statistics.median(_timed_runs(at, runs))


def page_figures(student_id: str, runs: int) -> list[PageFigure]:
    """Every page and tab of the demo dataset for `student_id` (a coach on the Coach page)."""
    from streamlit.testing.v1 import AppTest
    _through_app_py()
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["dataset"] = "demo"
    at.run()
    figures = []
    for page, tab_key, tabs in VIEWS:
        role = "coach" if page == "coach" else "student"
        at.switch_page(f"pages/{page}.py")
        for tab in tabs:
            state = {"dataset": "demo", "role": role, "student_id": student_id}
            if tab_key:
                state[tab_key] = tab
            for key, value in state.items():
                at.session_state[key] = value
            _timed_runs(at, 1)                      # warm-up: caches filled
            times = _timed_runs(at, runs)
            if at.exception:
                raise PageFailed(f"{page} / {tab}: {at.exception[0].value}")
            if at.session_state["student_id"] != student_id or (tab_key and at.session_state[tab_key] != tab):
                raise PageFailed(f"{page} / {tab}: the run showed another student or tab")
            chart_bytes = sum(len(chart.proto.spec) for chart in at.get("plotly_chart"))
            figures.append(PageFigure(page, tab, statistics.median(times), chart_bytes))
    return figures

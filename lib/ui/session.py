"""The session: which database, which student, who is looking and on what kind of page.

The page kind is declared once, in app.py's page list, and entered before anything is drawn
(enter_page): on a *student* page a coach only looks, so the read-only guard of every write
(Database.write_guard, and ui.action before it) derives from the kind of the page being run,
never from the last page visited.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType

import streamlit as st

from lib import clock, demo, workshop
from lib.db import Database, DatabaseFault, default_path, demo_path, new_id
from lib.students import list_students
from lib.markdown import md_escape

DATASETS = {"mine": "My data", "demo": "Demo cohort"}
ROLES = {"student": "Student", "coach": "Coach"}
PAGE_KINDS = ("student", "coach", "setup")   # student: a student's own pages; setup: welcome, tour, data
WORKSHOP_PARAM = "copy"                      # the URL key that keeps a workshop copy across refreshes
_TOKEN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@st.cache_resource(show_spinner=False)
def database(path: str) -> Database:
    """One Database per file per server process (DuckDB allows one process per file)."""
    return Database(path, origin=workshop.origin_of(path))


@dataclass(frozen=True)
class Context:
    db: Database
    dataset: str
    role: str
    student_id: str | None
    student_name: str | None
    today: date
    now: datetime
    kind: str = "setup"

    @property
    def is_demo(self) -> bool:
        return self.dataset == "demo"

    @property
    def read_only(self) -> bool:
        """A coach looking at a student's pages sees them as the student does, without changing them."""
        return self.role == "coach" and self.kind == "student"


def enter_page(kind: str) -> None:
    """Declare the kind of the page this run draws (app.py, from its page list)."""
    if kind not in PAGE_KINDS:
        raise ValueError(f"unknown page kind {kind!r}")
    st.session_state["_page_kind"] = kind


def _workshop_copy() -> str:
    """Workshop: this browser's private copy of the demo. Its token is kept in the session and
    written into the URL on every run (page changes drop query parameters), so a refresh (a
    new Streamlit session) finds the same copy; Reset is the only way to a new one. A token
    from the URL is checked before it names a file: it comes from the browser."""
    token = st.session_state.get("_workshop_key") or st.query_params.get(WORKSHOP_PARAM)
    if not token or not _TOKEN.match(token):
        token = new_id()
    st.session_state["_workshop_key"] = token
    if st.query_params.get(WORKSHOP_PARAM) != token:
        st.query_params[WORKSHOP_PARAM] = token
    return str(workshop.session_copy(token, 0, clock.today()))


def _dataset_path(dataset: str) -> str:
    if workshop.enabled():   # every browser on its own copy of the demo; nothing else reachable
        return _workshop_copy()
    return str(demo_path() if dataset == "demo" else default_path())


def reset_demo(ctx: "Context") -> None:
    """Workshop: a fresh private copy (a new token in the URL). Otherwise: rebuild the demo file
    (it refuses real data). Run through ui.action, so a read-only viewer is refused."""
    if workshop.enabled():
        workshop.release(st.session_state.get("_workshop_key", ""))   # the old copy: closed and deleted now
        st.session_state["_workshop_key"] = new_id()
    else:
        demo.load(ctx.db, as_of=ctx.today)
    st.session_state.pop("student_id", None)
    st.session_state.pop("_kept_student_id", None)


@dataclass(frozen=True)
class Roster:
    """The students of one file: ids in display order, and their names and labels (a label
    tells apart students who share a name). Shared by every session: never modified."""
    ids: tuple[str, ...]
    names: MappingProxyType
    labels: MappingProxyType


@st.cache_resource(max_entries=64, show_spinner=False)
def _roster(_db: Database, key: tuple) -> Roster:
    # cache_resource, not cache_data: read on every run of every page, so not copied each time
    frame = list_students(_db)
    return Roster(tuple(frame["id"]), MappingProxyType(dict(zip(frame["id"], frame["name"]))),
                  MappingProxyType(dict(zip(frame["id"], frame["label"]))))


def roster(db: Database) -> Roster:
    return _roster(db, db.cache_key())


def demo_available() -> bool:
    return demo_path().is_file()


_first_run_in_process = True


def _leave_legacy_multipage_mode() -> None:
    """Streamlit treats a folder named pages/ the old way (each file its own app, a menu
    listing the files) until the first st.navigation call in the server process. If the
    first visitor of a fresh server opens a deep link such as /network, that page would
    run alone, without app.py, and the old menu would stick for every session. On the
    process's first run, turn the flag off and rerun, so the run goes through app.py.
    Only once: a rerun drops a button click read from its return value. (Private
    Streamlit API, pinned with streamlit==1.67.0; checked by tests/e2e/test_network_browser.py.)"""
    global _first_run_in_process
    if not _first_run_in_process:
        return
    _first_run_in_process = False
    from streamlit.runtime.pages_manager import PagesManager
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


READ_ONLY_MESSAGE = "You are viewing this student's pages as their coach: changes are switched off."


def _coach_guard() -> str | None:
    """Writes are refused while a coach looks at a student's pages (read-only drill-down)."""
    try:
        state = st.session_state
        if state.get("role") == "coach" and state.get("_page_kind") == "student":
            return READ_ONLY_MESSAGE
    except Exception:   # no Streamlit session (the CLI, a test): nothing to guard
        return None
    return None


Database.write_guard = _coach_guard


def context() -> Context:
    """The session's current database, role, student, page kind and 'as of' moment."""
    _leave_legacy_multipage_mode()
    pending = st.session_state.pop("_pending_switch", None)
    if pending:
        st.session_state["dataset"], st.session_state["student_id"], st.session_state["role"] = pending
    _keep_sidebar_choices()
    dataset = "demo" if workshop.enabled() else st.session_state.get("dataset", "mine")
    db = _open(_dataset_path(dataset))
    students = roster(db)
    student_id = st.session_state.get("student_id")
    if student_id not in students.names:
        student_id = students.ids[0] if students.ids else None
    return Context(db=db, dataset=dataset, role=st.session_state.get("role", "student"), student_id=student_id,
                   student_name=students.names.get(student_id), today=clock.today(),
                   now=clock.now().replace(second=0), kind=st.session_state.get("_page_kind", "setup"))


def read_only_banner(ctx: Context) -> None:
    if ctx.read_only:
        st.info(f"Coach view: you see **{md_escape(ctx.student_name)}**'s pages as they do, read-only. "
                "Switch *I am a* to Student to make changes.", icon=":material/visibility:")


def require_student(ctx: Context) -> str:
    """The current student id, or stop the page with a pointer to the welcome form."""
    if ctx.student_id is None:
        st.info("No student profile yet. Create one on the welcome page, or explore the demo cohort.")
        st.stop()
    return ctx.student_id


def _open(path: str) -> Database:
    """database(path); when the file can't be opened (damaged, a folder, in use, a path too
    long...), a banner saying what is wrong and what to do, and the run stops there."""
    try:
        return database(path)
    except DatabaseFault as exc:
        st.error(md_escape(str(exc)), icon=":material/database:")
        st.stop()


def sidebar(ctx: Context) -> None:
    """Data source, role, current student and the 'as of' date."""
    if ctx.db.read_only and ctx.db.read_only_reason:     # a newer or read-only file: shown, never written
        st.warning(md_escape(ctx.db.read_only_reason), icon=":material/lock:")
    from lib.ui.action import Form, action, ask_to_confirm, confirmation, show_flash
    with st.sidebar:
        if workshop.enabled():
            st.info("Workshop mode: you have your own copy of the demo cohort. Click and write freely; "
                    "nobody else sees it and nothing is kept. A refresh keeps your copy; *Reset the demo* "
                    "starts again.", icon=":material/groups:")
        elif demo_available() or ctx.is_demo:
            st.radio("Data", options=list(DATASETS), format_func=DATASETS.get, key="dataset",
                     horizontal=True, on_change=_forget_student,
                     help="The demo cohort is generated data kept in its own database file.")
        st.radio("I am a", options=list(ROLES), format_func=ROLES.get, key="role", horizontal=True)
        students = roster(ctx.db)
        if students.ids:
            st.session_state["student_id"] = ctx.student_id  # keep the widget on a valid student
            st.selectbox("Student", students.ids, key="student_id", format_func=students.labels.get)
        frozen = " (fixed for this session)" if os.environ.get(clock.FROZEN_ENV) else ""
        st.caption(f"As of {ctx.today:%A %d %B %Y}{frozen}")
        if ctx.is_demo:
            if not workshop.enabled():
                st.info("Demo cohort: generated students and contacts, for practice and workshops. "
                        "Nothing here is real.", icon=":material/science:")
            if ctx.read_only:
                return
            st.button("Reset the demo", key="demo_reset", icon=":material/restart_alt:", on_click=ask_to_confirm,
                      args=("reset_demo", None), help="Start again from the generated demo cohort.")
            form = Form("demo", None)
            show_flash(form)
            confirmation("reset_demo", "Reset the demo?", "Every change made to the demo cohort is undone, and it "
                         "starts again as generated.", "Reset",
                         lambda _: action(form, reset_demo, ctx, done="The demo starts again as generated."))


SIDEBAR_KEYS = ("dataset", "role", "student_id")


def _keep_sidebar_choices() -> None:
    """Streamlit may drop a widget's state when the client doesn't send it back with a page
    change (an agent-API client sends only the values it set itself, not ones set in code).
    The sidebar's choices are kept in plain session state too, and restored from there."""
    state = st.session_state
    for key in SIDEBAR_KEYS:
        kept = f"_kept_{key}"
        if key not in state and kept in state:
            state[key] = state[kept]
        if key in state:
            state[kept] = state[key]


def _forget_student() -> None:
    st.session_state.pop("student_id", None)
    st.session_state.pop("_kept_student_id", None)


def switch_dataset(dataset: str, student_id: str | None) -> None:
    """Show another database (and student) from the next run on, starting at the home page.

    The sidebar's widgets were already drawn in this run, so their state can't be set
    now; it is handed over through a pending key that context() applies first thing.
    """
    # st.switch_page from a callback drops the sidebar's widget state: hand the role over too
    st.session_state["_pending_switch"] = (dataset, student_id, st.session_state.get("role", "student"))
    st.switch_page("pages/home.py")

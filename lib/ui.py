"""The one lib module that imports Streamlit: cached database, the session's context,
cached reads and the small widgets every page shares.

Reads are cached per (Database.cache_key, student, date). Every write goes through
Database.write(), which bumps the versions the key is made of, so a write makes the next
read fresh without anyone remembering to clear a cache. A student's pages key on that
student's version: one student's write leaves the others' caches warm. Unchanged workshop
copies of the demo key as the demo itself, so a room of 30 reads each page once.
"""
from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType

import pandas as pd
import streamlit as st

from lib import clock, coaching, demo, followup, linkedin, metrics, prep, workshop
from lib.metrics import definition as doc  # noqa: F401  (pages: hover help from docstrings)
from lib.db import Database, ReadOnlyView, default_path, demo_path, new_id
from lib.models import InvalidInput, InvalidRows, StaleEdit
from lib.students import list_students

DATASETS = {"mine": "My data", "demo": "Demo cohort"}
ROLES = {"student": "Student", "coach": "Coach"}


@st.cache_resource(show_spinner=False)
def database(path: str) -> Database:
    """One Database per file per server process (DuckDB allows one process per file).
    Opening brings the built-in question bank up to date with data/questions.csv."""
    db = Database(path, origin=workshop.origin_of(path))
    prep.sync_question_bank(db, clock.now())
    return db


@dataclass(frozen=True)
class Context:
    db: Database
    dataset: str
    role: str
    student_id: str | None
    student_name: str | None
    today: date
    now: datetime

    read_only: bool = False

    @property
    def is_demo(self) -> bool:
        return self.dataset == "demo"


def _dataset_path(dataset: str) -> str:
    if workshop.enabled():   # every session on its own copy of the demo; nothing else reachable
        key = st.session_state.setdefault("_workshop_key", new_id())
        return str(workshop.session_copy(key, st.session_state.get("_workshop_generation", 0), clock.today()))
    return str(demo_path() if dataset == "demo" else default_path())


def reset_demo(ctx: "Context") -> None:
    """Workshop: a fresh private copy. Otherwise: rebuild the demo file (it refuses real data)."""
    if workshop.enabled():
        st.session_state["_workshop_generation"] = st.session_state.get("_workshop_generation", 0) + 1
    else:
        demo.load(ctx.db, as_of=ctx.today)
    st.session_state.pop("student_id", None)


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


def _coach_guard() -> str | None:
    """Writes are refused while a coach looks at a student's pages (read-only drill-down)."""
    try:
        state = st.session_state
        if state.get("role") == "coach" and state.get("_page_kind") == "student":
            return "You are viewing this student's pages as their coach: changes are switched off."
    except Exception:   # no Streamlit session (the CLI, a test): nothing to guard
        return None
    return None


Database.write_guard = _coach_guard


def context(kind: str | None = None) -> Context:
    """The session's current database, role, student and 'as of' moment. A page says what
    `kind` it is: on a "student" page a coach only looks (read_only)."""
    if kind:
        st.session_state["_page_kind"] = kind
    _leave_legacy_multipage_mode()
    pending = st.session_state.pop("_pending_switch", None)
    if pending:
        st.session_state["dataset"], st.session_state["student_id"], st.session_state["role"] = pending
    _keep_sidebar_choices()
    dataset = "demo" if workshop.enabled() else st.session_state.get("dataset", "mine")
    db = database(_dataset_path(dataset))
    students = roster(db)
    student_id = st.session_state.get("student_id")
    if student_id not in students.names:
        student_id = students.ids[0] if students.ids else None
    name = students.names.get(student_id)
    role = st.session_state.get("role", "student")
    return Context(db=db, dataset=dataset, role=role, student_id=student_id, student_name=name,
                   today=clock.today(), now=clock.now().replace(second=0),
                   read_only=role == "coach" and st.session_state.get("_page_kind") == "student")


def read_only_banner(ctx: Context) -> None:
    if ctx.read_only:
        st.info(f"Coach view: you see **{md_escape(ctx.student_name)}**'s pages as they do, read-only. "
                "Switch *I am a* to Student to make changes.", icon=":material/visibility:")


def sidebar(ctx: Context) -> None:
    """Data source, role, current student and the 'as of' date."""
    with st.sidebar:
        if workshop.enabled():
            st.info("Workshop mode: you have your own copy of the demo cohort. Click and write freely; "
                    "nobody else sees it and nothing is kept.", icon=":material/groups:")
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
            st.button("Reset the demo", key="demo_reset", icon=":material/restart_alt:", on_click=ask_to_confirm,
                      args=("reset_demo", None), help="Start again from the generated demo cohort.")
            confirmation("reset_demo", "Reset the demo?", "Every change made to the demo cohort is undone, and it "
                         "starts again as generated.", "Reset", lambda _: reset_demo(ctx))


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


_MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>:$~=")


def md_escape(text: object) -> str:
    """User text made inert inside Streamlit markdown (no links, colours, LaTeX or HTML)."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIALS else ch for ch in str(text))


def show_invalid(exc) -> None:
    """A bad-input message naming the field; the user's own words are escaped."""
    st.error(f"Please check the field **{md_escape(exc.field)}**: {md_escape(exc.message)}.",
             icon=":material/error:")


def flash(kind: str, markdown: str, slot: str = "page") -> None:
    """A message for the next run (after a callback or st.rerun), shown where show_flash(slot)
    is drawn: next to the form it is about. `markdown` must have user text md_escape'd."""
    st.session_state.setdefault("_flash", []).append((slot, kind, markdown))


def show_flash(slot: str = "page") -> None:
    """Draw this slot's messages. Always draws a container, so that a message appearing
    doesn't shift the elements below it (which would reset open expanders and tabs)."""
    box = st.container()
    pending = st.session_state.get("_flash", [])
    mine = [m for m in pending if m[0] == slot]
    if not mine:
        return
    st.session_state["_flash"] = [m for m in pending if m[0] != slot]
    for _, kind, markdown in mine:
        {"success": box.success, "warning": box.warning, "error": box.error, "info": box.info}[kind](markdown)


def report(exc: Exception, slot: str = "page") -> None:
    """Flash a refused input: each problem names its field or row; the user's words are escaped."""
    problems = getattr(exc, "problems", None) or [exc]
    lines = [f"**{md_escape(p.field)}**: {md_escape(p.message)}" if hasattr(p, "field") else md_escape(p)
             for p in problems]
    flash("error", "Nothing was saved. Please check:\n\n" + "\n".join(f"- {line}" for line in lines), slot)


def attempt(slot: str, action, *args, **kwargs) -> tuple[bool, object]:
    """Run a lib write from a callback: (True, its result), or (False, None) after
    reporting a refused input (naming the field or row) or a stale edit in `slot`."""
    try:
        return True, action(*args, **kwargs)
    except ReadOnlyView as exc:
        flash("info", md_escape(exc), slot)
    except (InvalidInput, InvalidRows) as exc:
        report(exc, slot)
    except StaleEdit as exc:
        flash("error", md_escape(exc), slot)
    return False, None


def ask_to_confirm(name: str, payload: object) -> None:
    """Open the confirmation dialog `name` (drawn by confirmation()) from the next run on."""
    st.session_state["_confirm"] = (name, payload)


def _close_confirmation() -> None:
    st.session_state.pop("_confirm", None)


def _confirmed(action, payload) -> None:
    _close_confirmation()
    action(payload)


def confirmation(name: str, title: str, body: str, confirm_label: str, action) -> None:
    """A modal asking to confirm a destructive step; `action(payload)` runs on confirm.

    The open dialog lives in session state, so any rerun redraws it and a dismissal
    (X, Esc, click outside) forgets it. `body` is markdown with user text escaped.
    """
    pending = st.session_state.get("_confirm")
    if not pending or pending[0] != name:
        return

    @st.dialog(title, on_dismiss=_close_confirmation)
    def dialog() -> None:
        st.markdown(body)
        yes, no = st.columns(2)
        yes.button(confirm_label, key=f"{name}_yes", type="primary", width="stretch",
                   on_click=_confirmed, args=(action, pending[1]))
        no.button("Cancel", key=f"{name}_no", width="stretch", on_click=_close_confirmation)

    dialog()


def editor_rows(base: list[dict], state: dict | None) -> list[tuple[int, dict, bool]]:
    """What an st.data_editor shows after the user's edits, as (row number on screen,
    values, changed?) for each row not deleted. `base` is exactly the list of rows the
    editor was drawn from; `state` its session-state edits."""
    state = state or {}
    edited = {int(k): v for k, v in (state.get("edited_rows") or {}).items()}
    deleted = {int(i) for i in state.get("deleted_rows") or []}
    rows = [(i + 1, {**row, **edited.get(i, {})}, i in edited) for i, row in enumerate(base) if i not in deleted]
    rows += [(len(base) + j + 1, dict(row), True) for j, row in enumerate(state.get("added_rows") or [])]
    return rows


def chosen(key: str) -> str | None:
    """The id picked in a pick() selectbox, also when the browser sent back an old label."""
    value = st.session_state.get(key)
    shown = st.session_state.get(f"_shown_{key}")
    if shown and value is not None and value == shown[1]:
        return shown[0]
    return value


def pick(container, label: str, labels: dict, key: str, **kwargs):
    """A selectbox whose values are ids shown by label.

    Streamlit sends the selected *label* back from the browser. When the label of the
    chosen id changes (the contact was edited, or was asked in the meantime), the browser
    would send the old label, which no longer matches any option. So the label drawn
    last is remembered, mapped back to its id, and the id is reassigned whenever its
    label changes, which updates the browser.
    """
    current = chosen(key)
    if current is not None and current not in labels:
        current = None
    if current is None and kwargs.pop("index", 0) is not None and labels:
        current = next(iter(labels))          # like st.selectbox's index=0: the first option
    if st.session_state.get(key) != current or (
            current is not None and st.session_state.get(f"_shown_{key}") != (current, labels[current])):
        st.session_state[key] = current
    st.session_state[f"_shown_{key}"] = (current, labels.get(current)) if current is not None else None
    kwargs.pop("index", None)                 # the value is set through session state instead
    return container.selectbox(label, list(labels), key=key, format_func=labels.get, **kwargs)


def require_student(ctx: Context) -> str:
    """The current student id, or stop the page with a pointer to the welcome form."""
    if ctx.student_id is None:
        st.info("No student profile yet. Create one on the welcome page, or explore the demo cohort.")
        st.stop()
    return ctx.student_id


# --- cached reads: keyed by Database.cache_key, student and moment --------------------------

def thank_you_hours(db: Database, student_id: str, today: date, now: datetime) -> pd.DataFrame:
    """metrics.thank_you_hours in the shape read_now() takes."""
    return metrics.thank_you_hours(db, student_id, now)


def touch_gaps(db: Database, student_id: str, today: date, now: datetime) -> pd.DataFrame:
    """metrics.touch_gaps in the shape read_now() takes."""
    return metrics.touch_gaps(db, student_id, now)


@st.cache_data(max_entries=4, show_spinner="Reading the file...")
def parse_connections(data: bytes, today: date) -> linkedin.ParsedFile:
    """Parsed once per uploaded file, not on every rerun while the preview is shown."""
    return linkedin.parse(data, today)


def home_data(ctx: Context) -> dict:
    """Everything the home page shows, each part cached on its own: other pages read only
    the part they need (the Outreach page's figures are the summary's)."""
    return {"summary": read_now(ctx, metrics.summary), "pipeline": read_now(ctx, metrics.pipeline),
            "reply_rates": read(ctx, metrics.reply_rates), "thank_you_hours": read_now(ctx, thank_you_hours),
            "touch_gaps": read_now(ctx, touch_gaps), "due": read_now(ctx, followup.week_ahead)}


@st.cache_data(max_entries=512, show_spinner=False)
def _read(reader_name: str, _reader, _db: Database, key: tuple, student_id: str, today: date) -> pd.DataFrame:
    return _reader(_db, student_id, today)


def read(ctx: Context, reader) -> pd.DataFrame:
    """A cached table read: `reader` is a lib function taking (db, student_id, today)."""
    name = f"{reader.__module__}.{reader.__qualname__}"
    return _read(name, reader, ctx.db, ctx.db.cache_key(ctx.student_id), ctx.student_id, ctx.today)


@st.cache_data(max_entries=512, show_spinner=False)
def _read_now(reader_name: str, _reader, _db: Database, key: tuple, student_id: str, today: date,
              now: datetime) -> pd.DataFrame:
    return _reader(_db, student_id, today, now)


def read_now(ctx: Context, reader) -> pd.DataFrame:
    """read() for lib functions that also take the 'as of' moment: (db, student_id, today, now)."""
    name = f"{reader.__module__}.{reader.__qualname__}"
    return _read_now(name, reader, ctx.db, ctx.db.cache_key(ctx.student_id), ctx.student_id, ctx.today, ctx.now)


@st.cache_data(max_entries=32, show_spinner=False)
def _cohort(_db: Database, key: tuple, today: date, now: datetime) -> pd.DataFrame:
    return coaching.cohort_overview(_db, today, now)


def cohort(ctx: Context) -> pd.DataFrame:
    """The cohort overview, cached once per file, write version and moment (not per student)."""
    return _cohort(ctx.db, ctx.db.cache_key(), ctx.today, ctx.now)


def table(frame: pd.DataFrame, empty: str, *, key: str, column_config: dict | None = None,
          height: int | str = "auto") -> None:
    """A read-only table of user data (rendered as text, never HTML), or a friendly empty state."""
    if frame.empty:
        st.caption(empty)
        return
    st.dataframe(frame, hide_index=True, width="stretch", column_config=column_config, key=key,
                 height=height)


def _frame_digest(frame: pd.DataFrame) -> bytes:
    """A figure's input frame, reduced to what its cache key needs. Some frames hold lists
    or arrays in a cell (the gaps between touches), which pandas' row hash refuses: those
    are pickled instead, as Streamlit itself would, but without a warning on every miss."""
    try:
        rows = pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()
    except TypeError:
        rows = pickle.dumps(frame, protocol=5)
    return repr((list(frame.columns), [str(t) for t in frame.dtypes])).encode() + rows


@st.cache_resource(max_entries=512, show_spinner=False, hash_funcs={pd.DataFrame: _frame_digest})
def _figure(name: str, _build, *args, **kwargs):
    return _build(*args, **kwargs)


def titled_chart(title: str, defined_by, key: str, build, *args, **kwargs) -> None:
    """A chart (see plotly()) under a small heading whose (?) says how its figure is counted:
    the docstring of `defined_by`, the lib function that computes it."""
    st.markdown(f"##### {title}", help=doc(defined_by))
    plotly(key, build, *args, **kwargs)


def plotly(key: str, build, *args, **kwargs) -> None:
    """The chart `build(*args, **kwargs)` (a lib.charts function) with the app's chart settings.

    Building a Plotly figure is most of a chart page's rerun, so figures are cached by their
    inputs (hashed, so new data means a new figure) and shared between sessions: nothing
    modifies a figure once built, and st.plotly_chart only reads it."""
    fig = _figure(f"{build.__module__}.{build.__qualname__}", build, *args, **kwargs)
    st.plotly_chart(fig, key=key, width="stretch", theme=None, config={"displaylogo": False,
                                                            "modeBarButtonsToRemove": ["lasso2d", "select2d"]})


def due_table(due: pd.DataFrame, key: str, height: int | str = "auto") -> None:
    """The due queue as a table: when, due date, kind, what."""
    shown = due.assign(kind=due["kind"].map(followup.DUE_KINDS))[["title", "due_on", "status", "kind"]]
    table(shown.rename(columns={"title": "What", "due_on": "Due", "status": "When", "kind": "Kind"}),
          "Nothing due this week.", key=key, height=height,
          column_config={"Due": st.column_config.DateColumn(format="ddd D MMM"),
                         "What": st.column_config.TextColumn(width="large")})

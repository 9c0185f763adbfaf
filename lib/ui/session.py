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

from lib import access, clock, demo, workshop
from lib.access import Viewer
from lib.db import Database, DatabaseFault, default_path, demo_path, new_id
from lib.students import list_students
from lib.markdown import md_escape

DATASETS = {"mine": "My data", "demo": "Demo cohort"}
ROLES = {"student": "Student", "coach": "Coach"}
PAGE_KINDS = ("student", "coach", "setup", "admin")   # student: a student's own pages; setup: welcome, tour, data
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
    viewer: Viewer = Viewer.local()

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




def _coach_guard() -> str | None:
    """Writes allowed by the Viewer only: a coach looks at a student's pages read-only (local
    mode: the role chosen in the sidebar); signed in, a student writes only their own data. The
    viewer and student are the ones this run's context() decided, never a widget's."""
    try:
        state = st.session_state
        viewer = state.get("_viewer") or Viewer.local()
        return viewer.refusal(state.get("_viewer_student"), state.get("_page_kind", "setup"), state.get("role"))
    except Exception:   # no Streamlit session (the CLI, a test): nothing to guard
        return None


Database.write_guard = _coach_guard


# --- who is looking ---------------------------------------------------------------------------

def signed_in_mode() -> bool:
    """Signed-in mode when .streamlit/secrets.toml has an [auth] section; workshop mode never
    signs in (demo copies only)."""
    if workshop.enabled():
        return False
    return "auth" in _secrets()


def _secrets() -> dict:
    try:
        if not st.secrets.load_if_toml_exists():
            return {}
        return st.secrets.to_dict()
    except Exception:        # an unreadable secrets file: no sign-in configured
        return {}


def configured_admins() -> frozenset[str]:
    """The first admins: COFFEECHAT_ADMINS (comma-separated) and admins = [...] under
    [coffeechat] in secrets.toml. Never from the browser."""
    section = _secrets().get("coffeechat") or {}
    return access.admins_from(os.environ.get("COFFEECHAT_ADMINS", "")) | access.admins_from(section.get("admins"))


def _identity() -> tuple[str | None, str | None] | None:
    """(email, name) from the identity provider's ID token, or None before sign-in."""
    user = st.user
    if not user.get("is_logged_in"):
        return None
    return user.get("email"), user.get("name")


def _viewer(db: Database) -> Viewer:
    """Who is looking, from sign-in (or local mode), resolved against the database on every
    run: a changed role or a removed assignment takes effect at the next page."""
    if not signed_in_mode():
        return Viewer.local()
    identity = _identity()
    if identity is None:
        _sign_in_screen()
    email, name = identity
    return access.viewer_for(db, email, name, configured_admins())


def _sign_in_screen() -> None:
    st.title("Coffee Chat Coach")
    st.write("Sign in with your university account to see your coffee chats.")
    st.button("Sign in", key="sign_in", type="primary", icon=":material/login:", on_click=st.login)
    st.stop()


def _no_access(viewer: Viewer) -> None:
    st.title("Coffee Chat Coach")
    st.info(f"You are signed in as {md_escape(viewer.email or 'someone without an email address')}, who has no "
            "access to Coffee Chat Coach yet. Please ask your career centre for access.", icon=":material/lock:")
    st.button("Sign out", key="sign_out", on_click=st.logout)
    st.stop()


def page_allowed(path: str, kind: str, viewer: Viewer) -> bool:
    """Whether the navigation offers this page (app.py's list) to this viewer. Local mode: as
    before sign-in existed (no admin or personal-record pages)."""
    personal = path.endswith("my_record.py")
    if viewer.is_local:
        return kind != "admin" and not personal
    if path.endswith(("welcome.py", "data.py")):     # no first-run welcome; the backup is the admins'
        return path.endswith("data.py") and viewer.is_admin
    if kind == "admin":
        return viewer.is_admin
    if kind == "coach":
        return viewer.role in ("coach", "admin")
    return not personal or viewer.role == "student"


def note_visit(ctx: "Context", page: str) -> None:
    """The access log: someone other than the student viewing a student's record, once per
    session, student and page."""
    viewer, student = ctx.viewer, ctx.student_id
    if viewer.is_local or student is None or student == viewer.own_student or ctx.kind not in ("student", "coach"):
        return
    seen = st.session_state.setdefault("_logged_views", set())
    if (student, page) in seen:
        return
    seen.add((student, page))
    try:
        access.log(ctx.db, viewer, student, "viewed", page, now=ctx.now)
    except (DatabaseFault, access_errors()):
        pass


def access_errors():
    from lib.db import ReadOnlyView
    return ReadOnlyView


def log_export(ctx: "Context", what: str, make):
    """A download button's data function: `make()` builds the file on click, and an export of a
    student's record by someone else (a coach, an admin) is first recorded in the access log.
    The student's own downloads and local mode are not logged, as with views (note_visit).
    Runs when the file is asked for, possibly off the script thread: it reads no session state,
    only what this run's context decided."""
    db, viewer, student = ctx.db, ctx.viewer, ctx.student_id

    def logged():
        if not (viewer.is_local or student is None or student == viewer.own_student):
            try:
                access.log(db, viewer, student, "exported", what, now=clock.now())
            except (DatabaseFault, access_errors()):
                pass
        return make()
    return logged


STUDENT_PARAMS = ("student", "student_id")


def _refuse_asked_by_address(db: Database, viewer: Viewer, students: "Roster", allowed) -> None:
    """The address never chooses a student (nothing reads it for that). A ?student=... that
    names a record this viewer may not see (by id, label or name) is an attempt: ignored, and
    logged as refused once per session."""
    for param in STUDENT_PARAMS:
        asked = st.query_params.get(param)
        if not asked:
            continue
        target = asked if asked in students.names else next(
            (sid for sid in students.ids if asked in (students.labels[sid], students.names[sid])), None)
        seen = st.session_state.setdefault("_refused_params", set())
        if target is None or target in allowed or (param, asked) in seen:
            continue
        seen.add((param, asked))
        try:
            access.log(db, viewer, target, "refused", f"asked for a record that is not theirs in the address (?{param}=)")
        except (DatabaseFault, access_errors()):
            pass


def context() -> Context:
    """The session's current database, role, student, page kind and 'as of' moment."""
    _leave_legacy_multipage_mode()
    pending = st.session_state.pop("_pending_switch", None)
    if pending:
        st.session_state["dataset"], st.session_state["student_id"], st.session_state["role"] = pending
    _keep_sidebar_choices()
    signed_in = signed_in_mode()
    dataset = "demo" if workshop.enabled() else "mine" if signed_in else st.session_state.get("dataset", "mine")
    db = _open(_dataset_path(dataset))
    db.pin_versions()            # read once per run: another process's write shows on this page
    viewer = _viewer(db)
    st.session_state["_viewer"] = viewer          # for the write guard; set here on every run
    if not viewer.known:
        _no_access(viewer)
    students = roster(db)
    allowed = students.ids if viewer.sees_everyone else viewer.visible(students.ids)
    student_id = st.session_state.get("student_id")
    if student_id not in students.names or student_id not in allowed:
        if student_id in students.names and not viewer.is_local:   # someone else's record: refused and logged
            try:
                access.log(db, viewer, student_id, "refused", "asked for a record that is not theirs")
            except (DatabaseFault, access_errors()):
                pass
        student_id = viewer.own_student if viewer.own_student in allowed else allowed[0] if allowed else None
        if signed_in:
            st.session_state["student_id"] = st.session_state["_kept_student_id"] = student_id
    if signed_in:
        _refuse_asked_by_address(db, viewer, students, allowed)
    st.session_state["_viewer_student"] = student_id
    kind = st.session_state.get("_page_kind", "setup")
    return Context(db=db, dataset=dataset, role=viewer.role_for(st.session_state.get("role", "student")),
                   student_id=student_id, student_name=students.names.get(student_id), today=clock.today(),
                   now=clock.now().replace(second=0), kind=kind, viewer=viewer)


def read_only_banner(ctx: Context) -> None:
    """Says whose pages a coach (or an admin) is looking at, read-only, and in local mode how
    to make changes (signed in, there is no role to switch)."""
    if not ctx.read_only:
        return
    who = "Admin view" if ctx.viewer.is_admin else "Coach view"
    how = " Switch *I am a* to Student to make changes." if ctx.viewer.is_local else ""
    st.info(f"{who}: you see **{md_escape(ctx.student_name)}**'s pages as they do, read-only.{how}",
            icon=":material/visibility:")


def require_student(ctx: Context) -> str:
    """The current student id, or stop the page with a pointer to the welcome form."""
    if ctx.student_id is None:
        st.info("No student records to show yet: an admin assigns students to coaches on the Admin page."
                if not ctx.viewer.is_local else
                "No student profile yet. Create one on the welcome page, or explore the demo cohort.")
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
        if not ctx.viewer.is_local:
            _signed_in_sidebar(ctx)
            return
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
        if not workshop.enabled():
            st.caption("Local mode: one person on this computer, no sign-in. The app is served on this "
                       "machine only (localhost).")
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


def _signed_in_sidebar(ctx: Context) -> None:
    """Signed in: who you are, and only the students you may see (no role or data choice)."""
    viewer = ctx.viewer
    st.markdown(f"Signed in as **{md_escape(viewer.name or viewer.email)}**  \n"
                f"{md_escape(viewer.email)} · {ROLE_NAMES.get(viewer.role, '')}")
    st.button("Sign out", key="sign_out", icon=":material/logout:", on_click=st.logout)
    students = roster(ctx.db)
    ids = students.ids if viewer.sees_everyone else viewer.visible(students.ids)
    if viewer.role == "student":
        st.caption(f"Your record: {md_escape(students.labels.get(ctx.student_id, ''))}")
    elif ids:
        st.session_state["student_id"] = ctx.student_id
        st.selectbox("Student", list(ids), key="student_id", format_func=students.labels.get)
    frozen = " (fixed for this session)" if os.environ.get(clock.FROZEN_ENV) else ""
    st.caption(f"As of {ctx.today:%A %d %B %Y}{frozen}")


ROLE_NAMES = {"student": "Student", "coach": "Coach", "admin": "Admin"}
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

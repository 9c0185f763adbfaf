"""The one write path of the pages: forms, editors and dialogs, and what a write leaves behind.

A `Form` names the widgets of one form, editor or picker group *for one student*: every
widget key it hands out is `<form>_<field>@<student id>`, plus `#<generation>` once the form
has been cleared. Clearing a form (after a successful write) moves it to the next
generation, so every widget in it, st.data_editor included, comes back empty: nothing saved
stays on screen to be saved again, and one student's half-filled form never shows on
another student's page.

`action(form, write, ...)` is the only way a page writes: it refuses a read-only view, runs
the lib write (one transaction), and on success clears the form, closes any confirmation
dialog and flashes the confirmation once, next to the form; on failure it keeps the input
and names the field or row at fault. Callbacks rerun the app by themselves; a dialog's
confirm button reruns it explicitly, which also closes the dialog.
"""
from __future__ import annotations

from typing import Any, Callable

import streamlit as st

from lib.db import ConstraintViolation, Database, DatabaseFault, ReadOnlyView
from lib.models import InvalidInput, InvalidRows, StaleEdit
from lib.markdown import md_escape


class Form:
    """The widget keys of one form (or editor, or picker group) for one student."""

    def __init__(self, name: str, student_id: str | None):
        self.name = name
        self.student_id = student_id
        self._generation_key = f"_generation_{name}@{student_id}"
        self.drawn = self.generation          # the generation this run draws (callbacks compare)

    @property
    def fresh(self) -> bool:
        """Still the form that was drawn: False for a click that arrives after the form was
        saved and cleared (a double click), which must do nothing."""
        return self.drawn == self.generation

    def on(self, handler: Callable) -> Callable:
        """A callback for this form's buttons: `handler(*args)` runs only while the form is the
        one the user clicked in. A second click that arrives after the first one saved and
        cleared the form finds a newer form and does nothing: one click, one write."""
        def run(*args, **kwargs):
            if self.fresh:
                handler(*args, **kwargs)
        return run

    @property
    def generation(self) -> int:
        return st.session_state.get(self._generation_key, 0)

    def key(self, field: str = "") -> str:
        return widget_key(self.name, field, self.student_id, self.generation)

    def __getitem__(self, field: str) -> Any:
        return st.session_state.get(self.key(field))

    def get(self, field: str, default: Any = None) -> Any:
        return st.session_state.get(self.key(field), default)

    def __setitem__(self, field: str, value: Any) -> None:
        """Set a widget's value; from callbacks only (before the widget is drawn)."""
        st.session_state[self.key(field)] = value

    def clear(self) -> None:
        """From the next run on, every widget of this form is new: empty, defaults restored."""
        st.session_state[self._generation_key] = self.generation + 1

    @property
    def slot(self) -> str:
        """Where this form's messages are drawn (show_flash(form.slot))."""
        return f"{self.name}@{self.student_id}"

    @property
    def questions(self) -> list:
        """Questions a write asked before it could go ahead (an unsure referral match)."""
        return st.session_state.get(self.key("questions")) or []


def widget_key(form: str, field: str, student_id: str | None, generation: int = 0) -> str:
    """A widget key as Form.key() makes it (tests and load scripts address widgets by it)."""
    return f"{form}_{field}@{student_id}" + (f"#{generation}" if generation else "")


# --- messages ---------------------------------------------------------------------------------

def flash(kind: str, markdown: str, slot: str = "page") -> None:
    """A message for the next run, shown where show_flash(slot) is drawn: next to the form it
    is about. `markdown` must have user text md_escape'd."""
    st.session_state.setdefault("_flash", []).append((slot, kind, markdown))


def show_flash(slot: "str | Form" = "page") -> None:
    """Draw this slot's messages, once. Always draws a container, so that a message appearing
    doesn't shift the elements below it (which would reset open expanders and tabs)."""
    slot = slot.slot if isinstance(slot, Form) else slot
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


def show_invalid(exc) -> None:
    """A bad-input message drawn now, naming the field; the user's own words are escaped."""
    st.error(f"Please check the field **{md_escape(exc.field)}**: {md_escape(exc.message)}.",
             icon=":material/error:")


# --- the write path -------------------------------------------------------------------------

def action(form: Form | None, write: Callable, *args, done: "str | Callable[[Any], str | None] | None" = None,
           clear: bool = True, **kwargs) -> tuple[bool, Any]:
    """Run one lib write for a page: (True, its result) or (False, None).

    Refused first when the viewer may only look (the same guard Database.write applies, so
    writes the lib marks internal, like rebuilding the demo, are guarded too). On success:
    the form is cleared (unless clear=False), a confirmation dialog is closed, and `done`
    (a message, or a function of the result giving one) is flashed once in the form's slot.
    On failure nothing is cleared: the message names the field or row, and questions the
    write asked (exc.questions) are kept for the form to show.
    """
    slot = form.slot if form is not None else "page"
    if form is not None and not form.fresh:      # already saved by the click before this one
        return False, None
    close_dialog()
    refusal = Database.write_guard() if Database.write_guard else None
    try:
        if refusal:
            raise ReadOnlyView(refusal)
        result = write(*args, **kwargs)
    except ReadOnlyView as exc:
        flash("info", md_escape(exc), slot)
    except (InvalidInput, InvalidRows) as exc:
        if form is not None and getattr(exc, "questions", None):
            st.session_state[form.key("questions")] = exc.questions
            flash("warning", md_escape(exc.message), slot)
        else:
            report(exc, slot)
    except StaleEdit as exc:
        flash("error", md_escape(exc), slot)
    except DatabaseFault as exc:       # a full disk, a file that became read-only: nothing was saved
        flash("error", md_escape(exc), slot)
    except ConstraintViolation:        # the database's own rule, where the lib had no check of its own to name
        flash("error", "Nothing was saved: it would have repeated something already saved (perhaps in another "
                       "window a moment ago). Look at the page as it is now, then try again.", slot)
    else:
        if form is not None and clear:
            form.clear()
        message = done(result) if callable(done) else done
        if message:
            flash("success", message, slot)
        return True, result
    return False, None


# --- confirmation dialogs ---------------------------------------------------------------------

def ask_to_confirm(name: str, payload: object) -> None:
    """Open the confirmation dialog `name` (drawn by confirmation()) from the next run on."""
    st.session_state["_confirm"] = (name, payload)


def close_dialog() -> None:
    st.session_state.pop("_confirm", None)


def confirmation(name: str, title: str, body: str, confirm_label: str, run: Callable[[object], Any]) -> None:
    """A modal asking to confirm a destructive step; `run(payload)` (a ui.action) on confirm.

    The open dialog lives in session state, so any rerun redraws it and a dismissal (X, Esc,
    click outside) forgets it. A click inside a dialog reruns only the dialog, so the
    buttons act in the dialog's body and then rerun the whole app: the dialog closes, the
    page behind shows the change, and a second click finds no button to press. `body` is
    markdown with user text escaped.
    """
    pending = st.session_state.get("_confirm")
    if not pending or pending[0] != name:
        return

    @st.dialog(title, on_dismiss=close_dialog)
    def dialog() -> None:
        st.markdown(body)
        yes, no = st.columns(2)
        if yes.button(confirm_label, key=f"{name}_yes", type="primary", width="stretch"):
            close_dialog()
            run(pending[1])
            st.rerun()
        if no.button("Cancel", key=f"{name}_no", width="stretch"):
            close_dialog()
            st.rerun()

    dialog()


# --- editors ----------------------------------------------------------------------------------

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

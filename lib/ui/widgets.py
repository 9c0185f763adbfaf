"""The small widgets every page shares: id pickers, read-only tables, the due table."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import followup, referrals


def chosen(key: str) -> str | None:
    """The id picked in a pick() selectbox, also when the browser sent back an old label."""
    value = st.session_state.get(key)
    shown = st.session_state.get(f"_shown_{key}")
    if shown and value is not None and value == shown[1]:
        return shown[0]
    return value


def pick(container, label: str, labels: dict, key: str, default: str | None = None, **kwargs):
    """A selectbox whose values are ids shown by label; it starts on nothing (its placeholder)
    until the user, or a callback acting for them, chooses a record.

    Streamlit sends the selected *label* back from the browser. When the label of the
    chosen id changes (the contact was edited, or was asked in the meantime), the browser
    would send the old label, which no longer matches any option. So the label drawn
    last is remembered, mapped back to its id, and the id is reassigned whenever its
    label changes, which updates the browser. The value is always set through session
    state, never left to the selectbox's default (which would be the first record). A page
    whose subject is one record (the conversation being prepared) names it as `default`.
    """
    current = chosen(key)
    if current is not None and current not in labels:
        current = None
    if current is None and default in labels:
        current = default
    if key not in st.session_state or st.session_state.get(key) != current or (
            current is not None and st.session_state.get(f"_shown_{key}") != (current, labels[current])):
        st.session_state[key] = current
    st.session_state[f"_shown_{key}"] = (current, labels.get(current)) if current is not None else None
    kwargs.setdefault("placeholder", "Choose...")
    return container.selectbox(label, list(labels), key=key, format_func=labels.get, **kwargs)


EMPTY_CELL = ""      # what a missing value shows in every table and editor (Streamlit's default reads "None")


def table(frame: pd.DataFrame, empty: str, *, key: str, column_config: dict | None = None,
          height: int | str = "auto") -> None:
    """A read-only table of user data (rendered as text, never HTML), or a friendly empty state."""
    if frame.empty:
        st.caption(empty)
        return
    st.dataframe(blank_missing(frame), hide_index=True, width="stretch", column_config=column_config, key=key,
                 height=height, placeholder=EMPTY_CELL)


def blank_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns with nothing in a cell show an empty cell, never the word "None"."""
    text = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype)]
    if not text:
        return frame
    return frame.assign(**{c: frame[c].astype(object).where(frame[c].notna(), "") for c in text})


def due_table(due: pd.DataFrame, key: str, height: int | str = "auto") -> None:
    """The due queue as a table: when, due date, kind, what."""
    # When and Kind first and narrow, so What, When and Kind show without scrolling at 1280 px
    shown = due.assign(kind=due["kind"].map(followup.DUE_KINDS))[["status", "kind", "title", "due_on"]]
    table(shown.rename(columns={"title": "What", "due_on": "Due", "status": "When", "kind": "Kind"}),
          "Nothing due this week.", key=key, height=height,
          column_config={"Due": st.column_config.DateColumn(format="ddd D MMM", width=90),
                         "When": st.column_config.TextColumn(width=75),
                         "Kind": st.column_config.TextColumn(width=110),
                         "What": st.column_config.TextColumn(width="large")})


def referral_questions(form) -> None:
    """When a person someone suggested may already be in the network (an unsure match):
    who is it? One choice per question the write asked (form.questions); asked, never
    guessed. Names are user text: shown with st.text and as plain options, never in a
    label (labels render Markdown)."""
    for question in form.questions:
        options = {c.contact_id: f"The same person: {c.label}" for c in question.candidates}
        options[referrals.NEW_PERSON] = f"Someone new: add {question.name} as a new contact"
        st.text(f"{question.name} may already be in your network. Who is it?")
        st.selectbox(f"Suggested person {question.row}", list(options), key=form.key(f"answer_{question.row}"),
                     format_func=options.get, index=None, placeholder="The same person, or someone new?")

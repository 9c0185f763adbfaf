"""Cached reads and figures. Reads are cached per (Database.cache_key, student, date).

Every write goes through Database.write(), which bumps the versions the key is made of, so a
write makes the next read fresh without anyone remembering to clear a cache. A student's
pages key on that student's version: one student's write leaves the others' caches warm.
Unchanged workshop copies of the demo key as the demo itself, so a room of 30 reads each
page once.
"""
from __future__ import annotations

import pickle
from datetime import date, datetime

import pandas as pd
import streamlit as st

from lib import coaching, followup, insights, linkedin, metrics
from lib.db import Database
from lib.metrics import definition as doc


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


def home_data(ctx) -> dict:
    """Everything the home page shows, each part cached on its own: other pages read only
    the part they need (the Outreach page's figures are the summary's)."""
    return {"summary": read_now(ctx, metrics.summary), "pipeline": read_now(ctx, metrics.pipeline),
            "reply_rates": read(ctx, metrics.reply_rates), "thank_you_hours": read_now(ctx, thank_you_hours),
            "touch_gaps": read_now(ctx, touch_gaps), "due": read_now(ctx, followup.week_ahead)}


@st.cache_data(max_entries=512, show_spinner=False)
def _read(reader_name: str, _reader, _db: Database, key: tuple, student_id: str, today: date) -> pd.DataFrame:
    return _reader(_db, student_id, today)


def read(ctx, reader) -> pd.DataFrame:
    """A cached table read: `reader` is a lib function taking (db, student_id, today)."""
    name = f"{reader.__module__}.{reader.__qualname__}"
    return _read(name, reader, ctx.db, ctx.db.cache_key(ctx.student_id), ctx.student_id, ctx.today)


@st.cache_data(max_entries=512, show_spinner=False)
def _read_now(reader_name: str, _reader, _db: Database, key: tuple, student_id: str, today: date,
              now: datetime) -> pd.DataFrame:
    return _reader(_db, student_id, today, now)


def read_now(ctx, reader) -> pd.DataFrame:
    """read() for lib functions that also take the 'as of' moment: (db, student_id, today, now)."""
    name = f"{reader.__module__}.{reader.__qualname__}"
    return _read_now(name, reader, ctx.db, ctx.db.cache_key(ctx.student_id), ctx.student_id, ctx.today, ctx.now)


@st.cache_data(max_entries=32, show_spinner=False)
def _cohort(_db: Database, key: tuple, today: date, now: datetime) -> pd.DataFrame:
    return coaching.cohort_overview(_db, today, now)


def cohort(ctx) -> pd.DataFrame:
    """The cohort overview of the students this viewer may see, cached per file, write version,
    moment and viewer (a coach's overview holds only their assigned students)."""
    return _cohort_for(ctx.db, ctx.db.cache_key(), ctx.today, ctx.now, ctx.viewer.key, ctx.viewer)


@st.cache_data(max_entries=64, show_spinner=False)
def _cohort_for(_db: Database, key: tuple, today: date, now: datetime, viewer_key: tuple, _viewer) -> pd.DataFrame:
    overview = _cohort(_db, key, today, now)
    if _viewer.sees_everyone:
        return overview
    return overview[overview["id"].isin(_viewer.visible(list(overview["id"])))].reset_index(drop=True)


@st.cache_data(max_entries=16, show_spinner="Reading the cohort's notes...")
def _cohort_learning(_db: Database, key: tuple, ids: tuple[str, ...], today: date) -> dict:
    return insights.cohort_learning(_db, list(ids), today)


def cohort_learning(ctx, ids) -> dict:
    """insights.cohort_learning for these students, cached per file version and date."""
    return _cohort_learning(ctx.db, ctx.db.cache_key(), tuple(ids), ctx.today)


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

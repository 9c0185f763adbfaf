"""Plotly figure builders: a small DataFrame in, a Figure out. No data access here.

One colour-blind-safe palette (Okabe-Ito); warm and cold are always the same two colours.
Every axis is labelled and every rate carries its n.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lib.metrics import PIPELINE_STAGES, SMALL_N

# Okabe & Ito (2008), safe for the common colour-vision deficiencies.
PALETTE = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
           "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "grey": "#6B6B6B"}
WARMTH_COLOURS = {"warm": PALETTE["orange"], "cold": PALETTE["blue"]}
NEUTRAL = PALETTE["grey"]
FONT = "Source Sans Pro, sans-serif"


def _layout(fig: go.Figure, height: int = 340) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=70, r=20, t=50, b=60), font=dict(family=FONT, size=13),
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, title=None),
                      plot_bgcolor="white", paper_bgcolor="white", hoverlabel=dict(font_size=13))
    fig.update_xaxes(showline=True, linecolor="#BBBBBB", automargin=True)
    fig.update_yaxes(gridcolor="#EEEEEE", zeroline=False, automargin=True)
    return fig


def empty_figure(message: str, height: int = 300) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, font=dict(size=14, color=NEUTRAL),
                       xref="paper", yref="paper", x=0.5, y=0.5)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, height)


def pipeline_chart(frame: pd.DataFrame) -> go.Figure:
    """Grouped bars: warm and cold contacts at each stage of the method."""
    fig = go.Figure()
    for warmth in ("warm", "cold"):
        part = frame[frame["warmth"] == warmth].set_index("stage").reindex(PIPELINE_STAGES)
        fig.add_bar(x=list(PIPELINE_STAGES), y=part["contacts"].tolist(), name=warmth.capitalize(),
                    marker_color=WARMTH_COLOURS[warmth], text=part["contacts"].tolist(),
                    textposition="outside", cliponaxis=False,
                    hovertemplate="%{x}: %{y} " + warmth + " contacts<extra></extra>")
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_xaxes(title_text="Stage of the method")
    fig.update_yaxes(title_text="Contacts (people)", rangemode="tozero")
    return _layout(fig)


def reply_rate_chart(frame: pd.DataFrame) -> go.Figure:
    """Two panels of horizontal bars, by warmth and by channel, each labelled 'rate (replied/n)'."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("By warmth", "By channel"), horizontal_spacing=0.22)
    for col, dimension in ((1, "Warmth"), (2, "Channel")):
        part = frame[(frame["dimension"] == dimension) & (frame["n"] > 0)]
        colours = [WARMTH_COLOURS.get(g, NEUTRAL) for g in part["group"]]
        names = [f"{lbl.capitalize()} (n={n}{', small' if n < SMALL_N else ''})"
                 for lbl, n in zip(part["label"], part["n"])]
        fig.add_bar(
            y=names, x=part["rate"].tolist(), orientation="h", marker_color=colours,
            text=[f"{r:.0%}" for r in part["rate"]], textposition="inside", insidetextanchor="start",
            textfont=dict(color="white"), showlegend=False,
            error_x=dict(type="data", symmetric=False, array=(part["high"] - part["rate"]).tolist(),
                         arrayminus=(part["rate"] - part["low"]).tolist(), color="#444444", thickness=1.2),
            customdata=list(zip(part["replied"], part["n"], part["low"], part["high"])),
            hovertemplate=("%{y}: %{x:.0%} replied (%{customdata[0]} of %{customdata[1]} settled requests)"
                           "<br>95% interval %{customdata[2]:.0%} to %{customdata[3]:.0%}<extra></extra>"),
            row=1, col=col)
        fig.update_xaxes(title_text="Reply rate (settled requests)", range=[0, 1.02], tickformat=".0%",
                         tickvals=[0, 0.25, 0.5, 0.75, 1], row=1, col=col)
        fig.update_yaxes(title_text=dimension, autorange="reversed", row=1, col=col)
    return _layout(fig, 300)


def thank_you_chart(frame: pd.DataFrame) -> go.Figure:
    """Hours from each conversation to its thank-you, with the 24- and 48-hour marks."""
    fig = go.Figure()
    for warmth in ("warm", "cold"):
        for sent in (True, False):
            part = frame[(frame["warmth"] == warmth) & (frame["sent"] == sent)]
            if part.empty:
                continue
            fig.add_scatter(
                x=part["ended_at"], y=part["hours"], mode="markers",
                name=f"{warmth.capitalize()} contact" + ("" if sent else ": not sent yet"),
                marker=dict(color=WARMTH_COLOURS[warmth], size=10,
                            symbol="circle" if sent else "x-thin-open", line=dict(width=2, color=WARMTH_COLOURS[warmth])),
                customdata=part["contact"],
                hovertemplate=("%{customdata}<br>%{y:.0f} hours after the conversation"
                               + ("" if sent else " and still not sent") + "<extra></extra>"))
    for hours, label in ((24, "24 h"), (48, "48 h")):
        fig.add_hline(y=hours, line=dict(color=NEUTRAL, dash="dash" if hours == 24 else "dot", width=1),
                      annotation_text=label, annotation_position="top left",
                      annotation_font=dict(color=NEUTRAL, size=11))
    fig.update_xaxes(title_text="Conversation date")
    top = max(60.0, float(frame["hours"].max()) * 1.1) if not frame.empty else 60.0
    fig.update_yaxes(title_text="Hours to thank-you", range=[0, min(top, 24 * 14)])
    return _layout(fig)


def touch_gap_chart(frame: pd.DataFrame) -> go.Figure:
    """Per person met: dots for the days between touches, a diamond for days since the last
    one, and a bar for their keep-in-touch target."""
    fig = go.Figure()
    names = frame["contact"].tolist()
    fig.add_bar(y=names, x=frame["target_days"].tolist(), orientation="h", name="Keep-in-touch target",
                marker_color="#E8E8E8", hovertemplate="%{y}: target every %{x} days<extra></extra>")
    gap_y, gap_x, gap_colour = [], [], []
    for name, warmth, gaps in zip(names, frame["warmth"], frame["gaps"]):
        for gap in list(gaps):
            gap_y.append(name)
            gap_x.append(gap)
            gap_colour.append(WARMTH_COLOURS[warmth])
    fig.add_scatter(y=gap_y, x=gap_x, mode="markers", name="Days between touches",
                    marker=dict(color=gap_colour, size=8, opacity=0.8),
                    hovertemplate="%{y}: %{x:.0f} days between touches<extra></extra>")
    overdue = frame["days_since_last"] > frame["target_days"]
    fig.add_scatter(y=names, x=frame["days_since_last"].tolist(), mode="markers", name="Days since last touch",
                    marker=dict(symbol="diamond", size=11,
                                color=[PALETTE["vermillion"] if o else "white" for o in overdue],
                                line=dict(width=2, color=[WARMTH_COLOURS[w] for w in frame["warmth"]])),
                    hovertemplate="%{y}: %{x:.0f} days since the last touch<extra></extra>")
    fig.update_xaxes(title_text="Days", rangemode="tozero")
    fig.update_yaxes(title_text="Person met", autorange="reversed")
    return _layout(fig, max(280, 150 + 34 * len(names)))

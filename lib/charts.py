"""Plotly figure builders: a small DataFrame in, a Figure out. No data access here.

One colour-blind-safe palette (Okabe-Ito); warm and cold are always the same two colours.
Every axis is labelled and every rate carries its n.
"""
from __future__ import annotations

import html
import math
import textwrap

import pandas as pd
import plotly.graph_objects as go

from lib.method import FOLLOW_UP_BUSINESS_DAYS, SECOND_CONTACT_BUSINESS_DAYS, THANK_YOU_WINDOWS
from lib.metrics import PIPELINE_STAGES, SMALL_N

# Okabe & Ito (2008), safe for the common colour-vision deficiencies.
PALETTE = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
           "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "grey": "#6B6B6B"}
WARMTH_COLOURS = {"warm": PALETTE["orange"], "cold": PALETTE["blue"]}
TEXT_ON = {"warm": "#222222", "cold": "white"}    # readable text on each warmth colour
NEUTRAL = PALETTE["grey"]
FONT = "Source Sans Pro, sans-serif"
MAP_LABEL_LIMIT = 40          # past this many people the map drops name labels (hover still works)
GOLDEN = (math.sqrt(5) - 1) / 2


def plain(value: object) -> str:
    """User text made inert for Plotly, which reads <b>, <a href> and friends as markup.
    Only & < > are escaped: Plotly decodes those entities but shows &quot; literally."""
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    return html.escape(text, quote=False)


# The app's own Plotly template, in place of the default one: the look every chart shares,
# set once, which is far quicker than styling each figure property by property (a chart
# build took 4.5 ms for this alone). A trace with no colour of its own takes the palette.
TEMPLATE = go.layout.Template(layout=dict(
    font=dict(family=FONT, size=13), colorway=list(PALETTE.values()),
    margin=dict(l=70, r=20, t=50, b=60), plot_bgcolor="white", paper_bgcolor="white",
    legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, title=dict(text="")),
    hoverlabel=dict(font=dict(size=13)),
    xaxis=dict(showline=True, linecolor="#BBBBBB", automargin=True),
    yaxis=dict(gridcolor="#EEEEEE", zeroline=False, automargin=True)))


def _layout(fig: go.Figure, height: int = 340) -> go.Figure:
    return fig.update_layout(template=TEMPLATE, height=height)


def _side_by_side(titles: tuple[str, str], spacing: float, shared_y: bool = False) -> go.Figure:
    """Two panels side by side, titled: the layout make_subplots(rows=1, cols=2) builds, set
    directly (make_subplots took 5 ms a chart). The right panel's traces use x2/y2."""
    width = (1 - spacing) / 2
    right_y = dict(anchor="x2", domain=[0.0, 1.0])
    if shared_y:
        right_y.update(matches="y", showticklabels=False)
    return go.Figure(layout=dict(
        xaxis=dict(anchor="y", domain=[0.0, width]), yaxis=dict(anchor="x", domain=[0.0, 1.0]),
        xaxis2=dict(anchor="y2", domain=[1 - width, 1.0]), yaxis2=right_y,
        annotations=[dict(text=title, x=x, y=1.0, xref="paper", yref="paper", xanchor="center",
                          yanchor="bottom", showarrow=False, font=dict(size=16))
                     for title, x in ((titles[0], width / 2), (titles[1], 1 - width / 2))]))


# Where a rule's label sits, as add_hline/add_vline's annotation_position would put it.
_RULE_LABELS = {("y", "top left"): {"x": 0, "xanchor": "left", "yanchor": "bottom"},
                ("x", "top right"): {"y": 1, "xanchor": "left", "yanchor": "top"},
                ("x", "bottom right"): {"y": 0, "xanchor": "left", "yanchor": "bottom"},
                ("x", "top"): {"y": 1, "xanchor": "center", "yanchor": "bottom"}}


def _rules(fig: go.Figure, axis: str, rules: list[tuple], **label_style) -> None:
    """Labelled reference lines across the plot: at value v of `axis` ("x": a vertical line,
    "y": a horizontal one), each (v, line, text, position). What add_vline/add_hline draw,
    set in one layout update: those took ~3 ms a line."""
    other = "y" if axis == "x" else "x"
    shapes = [{"type": "line", "line": line, f"{axis}0": at, f"{axis}1": at, f"{axis}ref": axis,
               f"{other}0": 0, f"{other}1": 1, f"{other}ref": f"{other} domain"} for at, line, _, _ in rules]
    labels = [{"text": text, "showarrow": False, axis: at, f"{axis}ref": axis, f"{other}ref": f"{other} domain",
               **_RULE_LABELS[(axis, position)], **label_style} for at, _, text, position in rules]
    fig.update_layout(shapes=list(fig.layout.shapes) + shapes, annotations=list(fig.layout.annotations) + labels)


EMPTY_LINE_CHARS = 40      # an empty-state message wraps here: Plotly never wraps, and a phone is narrow


def empty_figure(message: str, height: int = 300) -> go.Figure:
    """A chart's empty state: the message centred, wrapped so it is never clipped at 390 px."""
    import textwrap
    fig = go.Figure()
    text = "<br>".join(plain(line) for line in textwrap.wrap(message, EMPTY_LINE_CHARS))
    fig.add_annotation(text=text, showarrow=False, font=dict(size=14, color=NEUTRAL),
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
    """Two panels of horizontal bars, by warmth above and by channel below (stacked, so they
    never overlap on a phone), each bar labelled with its rate and its n."""
    if frame.empty or int(frame["n"].sum()) == 0:          # no empty panels with bare axes
        return empty_figure("No settled requests yet: a reply rate needs requests that were answered or waited "
                            "out their window.")
    parts = {d: frame[(frame["dimension"] == d) & (frame["n"] > 0)] for d in ("Warmth", "Channel")}
    rows = {d: max(len(p), 1) for d, p in parts.items()}
    gap, title = 0.16, 0.08
    share = (1 - gap - title) * rows["Warmth"] / (rows["Warmth"] + rows["Channel"])
    top_domain = [1 - title / 2 - share, 1 - title / 2]
    bottom_domain = [0.0, top_domain[0] - gap]
    fig = go.Figure(layout=dict(
        xaxis=dict(anchor="y", domain=[0, 1], matches="x2"), yaxis=dict(anchor="x", domain=top_domain),
        xaxis2=dict(anchor="y2", domain=[0, 1]), yaxis2=dict(anchor="x2", domain=bottom_domain),
        annotations=[dict(text=text, x=0, y=y, xref="paper", yref="paper", xanchor="left", yanchor="bottom",
                          showarrow=False, font=dict(size=15))
                     for text, y in (("By warmth", top_domain[1]), ("By channel", bottom_domain[1]))]))
    for axis, dimension in (("", "Warmth"), ("2", "Channel")):
        part = parts[dimension]
        colours = [WARMTH_COLOURS.get(g, NEUTRAL) for g in part["group"]]
        names = [(lbl.capitalize() if dimension == "Warmth" else lbl) + f"<br>n={n}{', small' if n < SMALL_N else ''}"
                 for lbl, n in zip(part["label"], part["n"])]   # channel labels as written ('LinkedIn message')
        fig.add_bar(
            y=names, x=part["rate"].tolist(), orientation="h", marker_color=colours,
            text=[f"{r:.0%}" for r in part["rate"]], textposition="inside", insidetextanchor="start",
            textfont=dict(color="white"), showlegend=False,
            error_x=dict(type="data", symmetric=False, array=(part["high"] - part["rate"]).tolist(),
                         arrayminus=(part["rate"] - part["low"]).tolist(), color="#444444", thickness=1.2),
            customdata=list(zip(part["replied"], part["n"], part["low"], part["high"], part["label"])),
            hovertemplate=("%{customdata[4]}: %{x:.0%} replied (%{customdata[0]} of %{customdata[1]} settled "
                           "requests)<br>95% interval %{customdata[2]:.0%} to %{customdata[3]:.0%}<extra></extra>"),
            xaxis=f"x{axis}", yaxis=f"y{axis}")
        fig.update_layout({f"xaxis{axis}": dict(range=[0, 1.02], tickformat=".0%", tickvals=[0, 0.25, 0.5, 0.75, 1]),
                           f"yaxis{axis}": dict(autorange="reversed", automargin=True)})
    fig.update_layout(xaxis2=dict(title=dict(text="Reply rate (settled requests)")), margin=dict(l=10, r=20, t=30))
    return _layout(fig, 160 + 46 * (rows["Warmth"] + rows["Channel"]))


DAY_MS = 86_400_000               # a day on a Plotly date axis
THANK_YOU_AXIS_HOURS = 24 * 14    # the hours axis stops at two weeks; later points sit on its edge, marked


def thank_you_chart(frame: pd.DataFrame) -> go.Figure:
    """Hours from each conversation to its thank-you, with a mark at each window (24 and 48
    hours). Every conversation is drawn: one beyond the axis (two weeks) sits on its top
    edge as a triangle, its real hours in the hover and counted in a note."""
    fig = go.Figure()
    top = max(60.0, float(frame["hours"].max()) * 1.1) if not frame.empty else 60.0
    ceiling = min(top, THANK_YOU_AXIS_HOURS)
    beyond_all = frame["hours"] > ceiling
    for warmth in ("warm", "cold"):
        for sent in (True, False):
            part = frame[(frame["warmth"] == warmth) & (frame["sent"] == sent)]
            if part.empty:
                continue
            beyond = part["hours"] > ceiling
            symbol = "circle" if sent else "x-thin-open"
            fig.add_scatter(
                x=part["ended_at"], y=part["hours"].clip(upper=ceiling).tolist(), mode="markers",
                name=f"{warmth.capitalize()} contact" + ("" if sent else ": not sent yet"), cliponaxis=False,
                marker=dict(color=WARMTH_COLOURS[warmth], size=[13 if b else 10 for b in beyond],
                            symbol=["triangle-up" if b else symbol for b in beyond],
                            line=dict(width=2, color=WARMTH_COLOURS[warmth])),
                customdata=[[plain(c), h, " (beyond the axis)" if b else ""]
                            for c, h, b in zip(part["contact"], part["hours"], beyond)],
                hovertemplate=("%{customdata[0]}<br>%{customdata[1]:.0f} hours after the conversation"
                               + ("" if sent else " and still not sent") + "%{customdata[2]}<extra></extra>"))
    _rules(fig, "y", [(hours, dict(color=NEUTRAL, dash="dash" if i == 0 else "dot", width=1), f"{hours} h", "top left")
                      for i, hours in enumerate(THANK_YOU_WINDOWS)], font=dict(color=NEUTRAL, size=11))
    fig.update_xaxes(title_text="Conversation date")
    if not frame.empty:
        first, last = pd.Timestamp(frame["ended_at"].min()), pd.Timestamp(frame["ended_at"].max())
        if last - first < pd.Timedelta(days=7):     # close together: days around them, never clock times
            middle = first + (last - first) / 2
            fig.update_xaxes(range=[middle - pd.Timedelta(days=4), middle + pd.Timedelta(days=4)],
                             tickformat="%d %b", dtick=DAY_MS)
        elif last - first < pd.Timedelta(days=120):
            fig.update_xaxes(tickformat="%d %b")
    fig.update_yaxes(title_text="Hours to thank-you", range=[0, ceiling])
    if beyond_all.any():
        count = int(beyond_all.sum())
        fig.add_annotation(text=f"▲ {count} beyond {ceiling:.0f} hours (up to {frame['hours'].max():.0f})",
                           xref="paper", yref="paper", x=1, y=1, xanchor="right", yanchor="bottom",
                           showarrow=False, font=dict(color=PALETTE["vermillion"], size=11))
    return _layout(fig)


def touch_gap_chart(frame: pd.DataFrame) -> go.Figure:
    """Per person met: dots for the days between touches, a diamond for days since the last
    one, and a bar for their keep-in-touch target."""
    fig = go.Figure()
    names = [plain(c) for c in (frame["label"] if "label" in frame else frame["contact"])]   # one row per person
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
    fig.update_yaxes(title_text="Person met", autorange="reversed", type="category", categoryorder="array",
                     categoryarray=names)
    return _layout(fig, max(280, 150 + 34 * len(names)))


MAP_UNIT_PX = 80              # pixels per map unit on a 390-px phone, the narrowest the map is drawn at
MAP_TEXT = 10                 # font size of the map's names and category labels
MAP_LABEL_X = 1.1             # category labels stand in two columns just outside the disc...
MAP_X = 2.1                   # ...inside an x range wide enough for 12-character lines at phone width
MAP_WRAP = 12
MAP_LINE = 1.3 * (MAP_TEXT + 1) / MAP_UNIT_PX     # a line of a category label, in map units at phone width
MAP_LABEL_PAD = 0.06


MAP_SPOTS = {"top": "top center", "bottom": "bottom center", "right": "middle right", "left": "middle left"}


def _text_box(x: float, y: float, text: str, where: str, lift: float) -> tuple[float, float, float, float]:
    """The box (x0, y0, x1, y1, in map units at phone width) a one-line label of `text` takes
    above, below, right or left of a point (MAP_SPOTS); `lift` is the marker's radius."""
    width = 0.6 * MAP_TEXT * len(text) / MAP_UNIT_PX
    height = 1.3 * MAP_TEXT / MAP_UNIT_PX
    if where in ("right", "left"):
        x0 = x + lift if where == "right" else x - lift - width
        return x0, y - height / 2, x0 + width, y + height / 2
    y0 = y + lift if where == "top" else y - lift - height
    return x - width / 2, y0, x + width / 2, y0 + height


def _overlaps(box, boxes) -> bool:
    return any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes)


def _side_columns(wanted: list[float], lines: list[int], top: float) -> list[float]:
    """Label heights in one column: as near the wanted heights as they can be, with room for
    each label's lines between neighbours (`wanted` sorted from the top down)."""
    gaps = [(a + b) / 2 * MAP_LINE + MAP_LABEL_PAD for a, b in zip(lines, lines[1:])]
    placed: list[float] = []
    for i, y in enumerate(wanted):
        placed.append(min(y, top, placed[-1] - gaps[i - 1]) if placed else min(y, top))
    if placed and placed[-1] < -top:                    # ran off the bottom: push back up
        placed[-1] = -top
        for i in range(len(placed) - 2, -1, -1):
            placed[i] = max(placed[i], placed[i + 1] + gaps[i])
    return placed


def network_map(nodes: pd.DataFrame, student_name: str, source_labels: dict[str, str]) -> go.Figure:
    """The student at the centre; contacts around them in one wedge per source category
    (warm and most engaged nearest the centre), coloured warm or cold, sized by engagement
    (requests + conversations), with a line from each referrer to the person they introduced.
    Category labels stand in a column either side of the disc, joined to their wedge by a
    thin line, so they never overlap one another or a dot, even on a phone. A person's name
    is shown where it fits without covering another label at phone width (the rest on hover)."""
    if nodes.empty:
        return empty_figure("No contacts yet: map your network to see it here.", 420)
    nodes = nodes.sort_values(["source", "warmth", "engagement"], ascending=[True, False, False],
                              kind="stable").reset_index(drop=True)
    x, y, wedges = _radial_layout(nodes["source"].tolist(), list(source_labels), nodes["warmth"].tolist())
    nodes = nodes.assign(x=x, y=y, size=(7 + 3 * nodes["engagement"].clip(upper=6)))
    fig = go.Figure()
    where = dict(zip(nodes["id"], zip(nodes["x"], nodes["y"])))
    edge_x, edge_y = [], []
    for child, parent in zip(nodes["id"], nodes["referred_by"]):
        if isinstance(parent, str) and parent in where:
            edge_x += [where[parent][0], where[child][0], None]
            edge_y += [where[parent][1], where[child][1], None]
    if edge_x:
        # legend names short enough for one row at 390 px (a four-row legend squeezed the map)
        fig.add_scatter(x=edge_x, y=edge_y, mode="lines", name="Introduced",
                        line=dict(color="#9A9A9A", width=1.2), hoverinfo="skip")
    # the category labels: two columns, each label joined to the outer edge of its wedge's dots
    counts = nodes["source"].value_counts()
    reach = (nodes["x"] ** 2 + nodes["y"] ** 2).pow(0.5).groupby(nodes["source"]).max()
    labels, lead_x, lead_y, top = [], [], [], 1.3
    for side in (1, -1):
        column = sorted(((math.sin(angle), source, angle) for source, angle in wedges
                         if (math.cos(angle) >= 0) == (side == 1)), reverse=True)
        texts = [textwrap.wrap(f"{source_labels.get(source, source)} ({int(counts.get(source, 0))})", MAP_WRAP)
                 for _, source, _ in column]
        heights = _side_columns([1.05 * s for s, _, _ in column], [len(t) for t in texts], 1.3)
        top = max([top, *(abs(h) + len(t) / 2 * MAP_LINE for h, t in zip(heights, texts))])
        for (_, source, angle), height, text in zip(column, heights, texts):
            edge = float(reach.get(source, 1.0)) + 0.06
            lead_x += [edge * math.cos(angle), side * (MAP_LABEL_X - 0.03), None]
            lead_y += [edge * math.sin(angle), height, None]
            labels.append(dict(x=side * MAP_LABEL_X, y=height, showarrow=False, align="left" if side == 1 else "right",
                               xanchor="left" if side == 1 else "right", yanchor="middle",
                               text="<br>".join(plain(line) for line in text), font=dict(size=MAP_TEXT + 1, color=NEUTRAL)))
    fig.add_scatter(x=lead_x, y=lead_y, mode="lines", line=dict(color="#C8C8C8", width=0.8), hoverinfo="skip",
                    showlegend=False)
    # names where they fit: never over another name, the centre or a category label
    taken = [(-0.15, -0.15, 0.15, 0.15)] + [            # the star and every dot
        (px - r, py - r, px + r, py + r) for px, py, r in zip(nodes["x"], nodes["y"], nodes["size"] / 2 / MAP_UNIT_PX)]
    shown = {}
    if len(nodes) <= MAP_LABEL_LIMIT:
        for i, (px, py, name, size) in enumerate(zip(nodes["x"], nodes["y"], nodes["name"], nodes["size"])):
            for spot in MAP_SPOTS:
                box = _text_box(px, py, str(name), spot, size / 2 / MAP_UNIT_PX)
                if not _overlaps(box, taken) and abs(box[0]) < MAP_LABEL_X - 0.05 and abs(box[2]) < MAP_LABEL_X - 0.05:
                    taken.append(box)
                    shown[i] = spot
                    break
    for warmth in ("warm", "cold"):
        part = nodes[nodes["warmth"] == warmth]
        if part.empty:
            continue
        fig.add_scatter(
            x=part["x"].round(3).tolist(), y=part["y"].round(3).tolist(),
            mode="markers+text" if shown else "markers", name=warmth.capitalize(),
            text=[plain(n) if i in shown else "" for i, n in zip(part.index, part["name"])] if shown else None,
            textposition=[MAP_SPOTS[shown.get(i, "top")] for i in part.index] if shown else None,
            textfont=dict(size=MAP_TEXT, color="#333333"),
            marker=dict(color=WARMTH_COLOURS[warmth], size=part["size"].tolist(),
                        line=dict(color="white", width=1), opacity=0.9),
            customdata=[[plain(n), plain(o) or "no organisation", source_labels.get(s, s), int(r), int(c)]
                        for n, o, s, r, c in zip(part["name"], part["organisation"], part["source"],
                                                  part["requests"], part["conversations"])],
            hovertemplate=("<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]}, " + warmth
                           + "<br>%{customdata[3]} requests, %{customdata[4]} conversations<extra></extra>"))
    fig.add_scatter(x=[0], y=[0], mode="markers", text=[plain(student_name)],     # named on hover and in the legend
                    marker=dict(symbol="star", size=22, color=PALETTE["green"], line=dict(color="white", width=1)),
                    name="You", hovertemplate="%{text} (you)<extra></extra>")
    fig = _layout(fig, 460)
    fig.update_layout(annotations=labels, margin=dict(l=4, r=4, t=40, b=10),
                      # constrain="domain": keeping the disc round shrinks the plot area, never widens a
                      # range, which Plotly writes back, so a window made narrower kept a tiny map
                      xaxis=dict(visible=False, range=[-MAP_X, MAP_X], constrain="domain"),
                      yaxis=dict(visible=False, range=[-top, top], scaleanchor="x", constrain="domain"))
    return fig


WARM_RING = (0.2, 0.6)     # warm contacts nearest the centre, as the map promises
COLD_RING = (0.68, 1.0)


def _radial_layout(sources: list[str], order: list[str], warmths: list[str] | None = None
                   ) -> tuple[list[float], list[float], list[tuple]]:
    """Positions on a disc: one wedge per category (width by head-count, with a floor so a
    small category stays visible), people spread by a golden-angle sunflower inside it, warm
    contacts in the inner ring and cold ones in the outer ring."""
    warmths = warmths or ["warm"] * len(sources)
    ring_counts: dict[tuple[str, str], int] = {}
    for source, warmth in zip(sources, warmths):
        ring_counts[(source, warmth)] = ring_counts.get((source, warmth), 0) + 1
    ring_index: dict[tuple[str, str], int] = {}
    counts = {s: sources.count(s) for s in order if s in sources}
    total = sum(counts.values())
    weights = {s: max(n, 0.04 * total) for s, n in counts.items()}
    scale = 2 * math.pi / sum(weights.values())
    x, y, wedges, start = [], [], [], math.pi / 2
    position: dict[str, tuple[float, float, int]] = {}
    for source, weight in weights.items():
        width = weight * scale
        position[source] = (start, width, 0)
        wedges.append((source, start + width / 2))
        start += width
    for source, warmth in zip(sources, warmths):
        begin, width, index = position[source]
        inner, outer = WARM_RING if warmth == "warm" else COLD_RING
        ring = ring_index.get((source, warmth), 0)
        ring_index[(source, warmth)] = ring + 1
        radius = inner + (outer - inner) * math.sqrt((ring + 0.5) / ring_counts[(source, warmth)])
        margin = min(0.08, width * 0.1)
        angle = begin + margin + (width - 2 * margin) * ((index * GOLDEN + 0.5) % 1.0)
        x.append(radius * math.cos(angle))
        y.append(radius * math.sin(angle))
        position[source] = (begin, width, index + 1)
    return x, y, wedges


def warmth_bars(frame: pd.DataFrame, category: str, title: str, order: list[str] | None = None) -> go.Figure:
    """Stacked horizontal bars of warm and cold contacts per category (source or organisation)."""
    if frame.empty:
        return empty_figure("No contacts yet.", 260)
    categories = order or list(dict.fromkeys(frame[category]))
    labels = [plain(_short(c)) for c in categories]
    fig = go.Figure()
    for rank, warmth in enumerate(("warm", "cold")):
        part = frame[frame["warmth"] == warmth].set_index(category)["contacts"].reindex(categories).fillna(0)
        fig.add_bar(y=labels, x=part.astype(int).tolist(), orientation="h", name=warmth.capitalize(),
                    marker_color=WARMTH_COLOURS[warmth], legendrank=rank + 1,
                    customdata=[plain(c) for c in categories],
                    hovertemplate="%{customdata}: %{x} " + warmth + " contacts<extra></extra>")
    fig.update_xaxes(title_text="Contacts (people)", rangemode="tozero")
    fig.update_yaxes(title_text=title, autorange="reversed", gridcolor="rgba(0,0,0,0)", automargin=False)
    fig = _layout(fig, max(260, 110 + 26 * len(categories)))
    # Plotly's automargin can leave the axis title on top of long tick labels: size it ourselves.
    longest = max(len(label) for label in labels)
    fig.update_layout(barmode="stack", bargap=0.3, margin=dict(l=min(300, 48 + 7 * longest)),
                      legend=dict(traceorder="normal"))
    fig.update_yaxes(title_standoff=8)
    return fig


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def reply_rate_week_chart(frame: pd.DataFrame) -> go.Figure:
    """Reply rate by week sent: a bar per week with whiskers for the 95% interval, and the
    week's n (settled requests) in a row above the bars."""
    if frame.empty:
        return empty_figure("No requests sent in the last six months.", 300)
    settled = frame[frame["n"] > 0]
    fig = go.Figure()
    fig.add_bar(
        x=settled["week"], y=settled["rate"].tolist(), name="Reply rate", marker_color=PALETTE["sky"],
        width=[5 * DAY_MS] * len(settled),      # a date axis gives one lone bar a width of 1 ms: set it in days
        error_y=dict(type="data", symmetric=False, array=(settled["high"] - settled["rate"]).tolist(),
                     arrayminus=(settled["rate"] - settled["low"]).tolist(), color="#444444", thickness=1.2),
        customdata=list(zip(settled["replied"], settled["n"], settled["pending"])),
        hovertemplate=("Week of %{x|%d %b}: %{y:.0%} replied (%{customdata[0]} of %{customdata[1]} settled; "
                       "%{customdata[2]} pending)<extra></extra>"))
    fig.add_scatter(x=frame["week"], y=[1.1] * len(frame), mode="text", name="n",
                    text=[str(n) for n in frame["n"]], textfont=dict(size=10, color=NEUTRAL),
                    customdata=frame["pending"], hovertemplate="n=%{text} settled, %{customdata} pending<extra></extra>")
    fig.add_annotation(x=0, xref="paper", xanchor="right", y=1.1, text="n", showarrow=False,
                       font=dict(size=10, color=NEUTRAL))
    fig.update_xaxes(title_text="Week sent", tickformat="%d %b")
    weeks = pd.to_datetime(frame["week"])
    if weeks.max() - weeks.min() < pd.Timedelta(days=28):      # a week or two: show the weeks around them
        fig.update_xaxes(range=[weeks.min() - pd.Timedelta(days=14), weeks.max() + pd.Timedelta(days=14)])
    fig.update_yaxes(title_text="Reply rate (settled requests)", range=[0, 1.16], tickformat=".0%",
                     tickvals=[0, 0.25, 0.5, 0.75, 1])
    fig = _layout(fig, 320)
    fig.update_layout(showlegend=False, bargap=0.25)
    return fig


def latency_chart(frame: pd.DataFrame, cap: int = 10) -> go.Figure:
    """How many replies came after 0, 1, 2... business days, warm and cold, with the 3B7 marks."""
    if frame.empty:
        return empty_figure("No replies yet.", 300)
    days = list(range(0, cap + 1))
    labels = [str(d) if d < cap else f"{cap}+" for d in days]
    fig = go.Figure()
    for warmth in ("warm", "cold"):
        part = frame[frame["warmth"] == warmth].set_index("days")["replies"].reindex(days, fill_value=0)
        fig.add_bar(x=labels, y=part.tolist(), name=f"{warmth.capitalize()} contacts",
                    marker_color=WARMTH_COLOURS[warmth],
                    hovertemplate="%{y} replies after %{x} business days (" + warmth + ")<extra></extra>")
    # each rule's label on two short lines: side by side on one line they ran together at 390 px
    _rules(fig, "x", [(mark + 0.5, dict(color=NEUTRAL, dash="dash", width=1), text, "top right")
                      for mark, text in ((SECOND_CONTACT_BUSINESS_DAYS, f"day {SECOND_CONTACT_BUSINESS_DAYS}:<br>second contact"),
                                         (FOLLOW_UP_BUSINESS_DAYS, f"day {FOLLOW_UP_BUSINESS_DAYS}:<br>follow up"))],
           yshift=-14, font=dict(size=11, color=NEUTRAL))
    fig.update_xaxes(title_text="Business days to reply", type="category")
    fig.update_yaxes(title_text="Replies", rangemode="tozero")
    fig = _layout(fig, 320)
    fig.update_layout(barmode="stack", bargap=0.2, legend=dict(traceorder="normal"))
    return fig


def funnel_chart(frame: pd.DataFrame, stages) -> go.Figure:
    """Two funnels side by side: warm and cold contacts from the network to a conversation,
    each step labelled with the people and the share of the first step."""
    if frame.empty or int(frame["people"].sum()) == 0:
        return empty_figure("No contacts yet: the funnel starts with the people in your network.")
    fig = _side_by_side(("Warm contacts", "Cold contacts"), spacing=0.04, shared_y=True)
    for axis, warmth in (("", "warm"), ("2", "cold")):
        part = frame[frame["warmth"] == warmth].set_index("stage")["people"].reindex(list(stages), fill_value=0)
        fig.add_funnel(y=list(stages), x=part.tolist(), name=f"{warmth.capitalize()} contacts",
                       marker_color=WARMTH_COLOURS[warmth], textinfo="value+percent initial",
                       textposition="auto", showlegend=False, textfont=dict(color=TEXT_ON[warmth]),
                       connector=dict(fillcolor="#EEEEEE"),
                       hovertemplate="%{y}: %{x} " + warmth + " contacts (%{percentInitial} of the first step)"
                                     "<extra></extra>", xaxis=f"x{axis}", yaxis=f"y{axis}")
        fig.update_layout({f"xaxis{axis}": dict(title=dict(text="People"), showticklabels=False)})
    fig.update_layout(yaxis=dict(title=dict(text="Step")))
    return _layout(fig, 320)


STATUS_COLOURS = {"green": PALETTE["green"], "amber": PALETTE["yellow"], "red": PALETTE["vermillion"]}


def cadence_timeline(people: pd.DataFrame, points: pd.DataFrame, today) -> go.Figure:
    """One row per person met: a dot for each touch (warm or cold colour), and a diamond at
    the next touch date coloured by status (green, amber, red), with a line for today."""
    if people.empty:
        return empty_figure("Nobody met yet: the keep-in-touch timeline starts after your first conversation.", 280)
    fig = go.Figure()
    row = "label" if "label" in people else "contact"     # one row per person, same-named people apart
    names = [plain(n) for n in people[row]]
    for warmth in ("warm", "cold"):
        part = points[points["warmth"] == warmth]
        if part.empty:
            continue
        fig.add_scatter(x=part["at"], y=[plain(n) for n in part[row]], mode="markers",
                        name=f"Touch ({warmth})", marker=dict(color=WARMTH_COLOURS[warmth], size=9),
                        customdata=part["kind"], hovertemplate="%{y}: %{customdata} on %{x|%d %b %Y}<extra></extra>")
    for status, label in (("green", "Next touch: on track"), ("amber", "Next touch: due"), ("red", "Next touch: overdue")):
        part = people[people["status"] == status]
        if part.empty:
            continue
        fig.add_scatter(x=part["next_on"], y=[plain(n) for n in part[row]], mode="markers", name=label,
                        marker=dict(symbol="diamond", size=12, color=STATUS_COLOURS[status],
                                    line=dict(color="#333333", width=1)),
                        hovertemplate="%{y}: next touch due %{x|%d %b %Y}<extra></extra>")
    _rules(fig, "x", [(pd.Timestamp(today).timestamp() * 1000, dict(color=NEUTRAL, dash="dot", width=1), "today",
                       "bottom right")])
    fig.update_xaxes(title_text="Date", type="date")
    fig.update_yaxes(title_text="Person met", autorange="reversed", categoryorder="array", categoryarray=names)
    return _layout(fig, max(280, 130 + 32 * len(names)))


def on_time_chart(frame: pd.DataFrame) -> go.Figure:
    """Thank-yous on time by month of the conversation, each bar with its n and interval."""
    if frame.empty:
        return empty_figure("No thank-yous due yet.", 300)
    fig = go.Figure()
    fig.add_bar(x=frame["month"], y=frame["rate"].tolist(), marker_color=PALETTE["green"], name="On time",
                text=[f"n={n}{' (small)' if n < SMALL_N else ''}" for n in frame["n"]], textposition="outside",
                cliponaxis=False,
                error_y=dict(type="data", symmetric=False, array=(frame["high"] - frame["rate"]).tolist(),
                             arrayminus=(frame["rate"] - frame["low"]).tolist(), color="#444444", thickness=1.2),
                customdata=list(zip(frame["on_time"], frame["n"])),
                hovertemplate="%{x|%B %Y}: %{y:.0%} on time (%{customdata[0]} of %{customdata[1]})<extra></extra>")
    fig.update_xaxes(title_text="Month of the conversation", tickformat="%b %Y", dtick="M1")
    fig.update_yaxes(title_text="Thank-yous on time", range=[0, 1.18], tickformat=".0%", tickvals=[0, 0.25, 0.5, 0.75, 1])
    fig = _layout(fig, 300)
    fig.update_layout(showlegend=False)
    return fig


def overdue_chart(frame: pd.DataFrame) -> go.Figure:
    """Overdue items by kind."""
    if frame.empty:
        return empty_figure("Nothing overdue.", 240)
    fig = go.Figure()
    fig.add_bar(y=frame["kind"].tolist(), x=frame["items"].tolist(), orientation="h", marker_color=PALETTE["vermillion"],
                text=frame["items"].tolist(), textposition="outside", cliponaxis=False,
                hovertemplate="%{y}: %{x} overdue<extra></extra>")
    fig.update_xaxes(title_text="Items overdue", rangemode="tozero", tickformat="d",
                     dtick=1 if frame["items"].max() <= 10 else None)
    fig.update_yaxes(title_text="Kind", autorange="reversed")
    return _layout(fig, max(240, 110 + 30 * len(frame)))


def cohort_distribution(frame: pd.DataFrame, column: str, label: str, highlight_id: str | None) -> go.Figure:
    """Every student's value on one figure (a dot each, spread vertically so none hide),
    the cohort median as a line, and the selected student marked."""
    values = frame[["id", "name", column]].dropna()
    if values.empty:
        return empty_figure("No student has this figure yet.", 240)
    rate = column.endswith("rate")
    others = values[values["id"] != highlight_id]
    mine = values[values["id"] == highlight_id]
    fig = go.Figure()
    spread = [((i * GOLDEN) % 1.0) * 0.8 - 0.4 for i in range(len(others))]
    fig.add_scatter(x=others[column].tolist(), y=spread, mode="markers", name="Students",
                    marker=dict(color=NEUTRAL, size=9, opacity=0.65), customdata=[plain(n) for n in others["name"]],
                    hovertemplate="%{customdata}: %{x" + (":.0%" if rate else "") + "}<extra></extra>")
    if not mine.empty:
        fig.add_scatter(x=mine[column].tolist(), y=[0], mode="markers+text", name=plain(mine["name"].iloc[0]),
                        text=[plain(mine["name"].iloc[0])], textposition="top center",
                        marker=dict(color=PALETTE["vermillion"], size=15, symbol="star"),
                        hovertemplate="%{text}: %{x" + (":.0%" if rate else "") + "}<extra></extra>")
    median = float(values[column].median())
    _rules(fig, "x", [(median, dict(color=PALETTE["blue"], dash="dash", width=1.5),
                       f"median {median:.0%}" if rate else f"median {median:g}", "top")],
           font=dict(color=PALETTE["blue"], size=11))
    fig.update_xaxes(title_text=f"{label} (n={len(values)} students)", tickformat=".0%" if rate else None,
                     rangemode="tozero")
    fig.update_yaxes(visible=False, range=[-0.7, 0.8])
    return _layout(fig, 260)


def budget_bar(questions_minutes: float, available: float, length: int) -> go.Figure:
    """The question minutes against the time left for questions, as one bar: blue within the
    budget, orange past it, with a mark where the budget ends."""
    over = questions_minutes > available
    colour = PALETTE["orange"] if over else PALETTE["blue"]
    top = max(questions_minutes, available, 1) * (1.08 if over else 1.22)    # room right of the mark for its label at 390 px
    fig = go.Figure(go.Bar(x=[questions_minutes], y=[""], orientation="h", marker_color=colour,
                           hovertemplate="%{x:.0f} minutes of questions<extra></extra>"))
    fig.add_vline(x=available, line_color="#222222", line_width=2)
    fig.add_annotation(x=available, y=0.5, yref="paper", text=f"{available:.0f} min", showarrow=False,
                       xanchor="right" if over else "left", xshift=-4 if over else 4, font=dict(size=12))
    fig.update_layout(template=TEMPLATE, height=70, margin=dict(l=8, r=8, t=6, b=22), showlegend=False,
                      xaxis=dict(range=[0, top], ticksuffix=" min", fixedrange=True, showgrid=False),
                      yaxis=dict(visible=False, fixedrange=True), bargap=0.35)
    return fig

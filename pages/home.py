"""My progress: the headline figures, the three charts of the method, and what is due."""
import streamlit as st

from lib import charts, metrics, ui

ctx = ui.context()
student_id = ui.require_student(ctx)
data = ui.home_data(ctx)
s = data["summary"]

st.title(f"{ui.md_escape(ctx.student_name)}: progress")
ui.read_only_banner(ctx)
st.caption("Informational interviews, from first contact to keeping in touch. "
           "Hover over a figure or a chart title to see how it is counted.")


def rate(value) -> str:
    return "n/a" if value is None else f"{value:.0%}"


# a row that wraps: each figure as wide as its title, so no title is cut ("Conversations ...")
row = st.container(horizontal=True, gap="large", wrap=True)
kpis = [row] * 6
c, r, t, f = s["contacts"], s["requests"], s["thank_yous"], s["follow_ups_due"]
kpis[0].metric("Warm contacts", c["warm"], help=metrics.definition(metrics.contacts), width="content")
kpis[1].metric("Cold contacts", c["cold"], help=metrics.definition(metrics.contacts), width="content")
kpis[2].metric("Requests sent", r["sent"], help=metrics.definition(metrics.requests),
               delta=f"{r['pending']} pending" if r["pending"] else None, delta_color="off",
               delta_arrow="off", width="content")
kpis[3].metric("Reply rate", rate(r["reply_rate"]), help=metrics.definition(metrics.requests),
               delta=f"{r['replied']} of {r['settled']} settled", delta_color="off", delta_arrow="off",
               width="content")
kpis[4].metric("Conversations held", s["conversations"]["held"], help=metrics.definition(metrics.conversations),
               delta=f"{s['conversations']['scheduled']} coming up", delta_color="off", delta_arrow="off",
               width="content")
settled_thanks = t["settled"]
kpis[5].metric("Thank-yous on time", f"{t['on_time']} of {settled_thanks}",
               help=metrics.definition(metrics.thank_yous),
               delta=f"{t['late']} late, {t['missing']} missing" if settled_thanks else None,
               delta_color="inverse" if t["late"] + t["missing"] else "off", delta_arrow="off", width="content")

# the due list the full width: What, When and Kind read without scrolling at 1280 px
due = data["due"]
st.subheader("Due", help=metrics.definition(metrics.follow_ups_due))
st.markdown(f":red-badge[{f['overdue']} overdue] :orange-badge[{f['today']} today] "
            f":blue-badge[{int((due['status'] == 'upcoming').sum())} this week]")
ui.due_table(due, key="home_due", height=340 if len(due) > 8 else "auto")

st.subheader("Warm and cold contacts through the method", help=metrics.definition(metrics.pipeline))
ui.plotly("chart_pipeline", charts.pipeline_chart, data["pipeline"])

st.subheader("Reply rates", help=metrics.definition(metrics.reply_rates))
rates = data["reply_rates"]
if int(rates["n"].sum()) == 0:
    ui.plotly("chart_reply_rates", charts.empty_figure, "No settled requests yet: a reply rate needs requests "
              "that were answered or waited out their window (hover the title).")
else:
    ui.plotly("chart_reply_rates", charts.reply_rate_chart, rates)
    st.caption("Bars show replied / settled requests; whiskers are 95% intervals, wide when n is small. "
               "Pending requests (still inside their window: hover the title) are left out.")

st.subheader("Follow-up cadence")
thanks_col, touch_col = st.columns(2, gap="large")
with thanks_col:
    st.markdown("**Hours from conversation to thank-you**", help=metrics.definition(metrics.thank_you_hours))
    hours = data["thank_you_hours"]
    if hours.empty:
        ui.plotly("chart_thank_you", charts.empty_figure, "No conversations held yet.")
    else:
        ui.plotly("chart_thank_you", charts.thank_you_chart, hours)
with touch_col:
    st.markdown("**Days between touches, against the keep-in-touch target**",
                help=metrics.definition(metrics.touch_gaps))
    gaps = data["touch_gaps"]
    if gaps.empty:
        ui.plotly("chart_touch_gaps", charts.empty_figure, "Nobody met yet: keep-in-touch starts after a conversation.")
    else:
        ui.plotly("chart_touch_gaps", charts.touch_gap_chart, gaps)

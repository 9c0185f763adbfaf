"""The only Streamlit code in lib: the session (database, viewer, student, page kind), cached
reads and figures, the one write path (ui.action) and the widgets pages share. Pages use it
as `from lib import ui` and call `ui.<name>`; each name lives in one submodule:

- session: database(), context(), enter_page(), sidebar(), roster(), switch_dataset()
- action:  Form, action(), confirmation(), flash()/show_flash(), editor_rows()
- cache:   read(), read_now(), home_data(), cohort(), plotly(), titled_chart()
- widgets: pick(), chosen(), table(), due_table(), EMPTY_CELL (a missing value's text)
- md_escape() comes from lib/markdown.py (the app's one Markdown escaper)
"""
from lib.metrics import definition as doc  # noqa: F401  (pages: hover help from docstrings)
from lib.ui.action import (Form, action, ask_to_confirm, close_dialog, confirmation, editor_rows,  # noqa: F401
                           flash, report, show_flash, show_invalid, widget_key)
from lib.ui.cache import (cohort, cohort_learning, home_data, parse_connections, plotly, read, read_now, thank_you_hours,  # noqa: F401
                          titled_chart, touch_gaps)
from lib.ui.session import (DATASETS, ROLES, Context, Roster, context, database, demo_available,  # noqa: F401
                            enter_page, log_export, note_visit, page_allowed, read_only_banner, require_student,
                            reset_demo, roster, sidebar, signed_in_mode,
                            switch_dataset)
from lib.markdown import md_escape  # noqa: F401
from lib.ui.widgets import EMPTY_CELL, chosen, due_table, pick, referral_questions, table  # noqa: F401

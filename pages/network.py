"""Network: map, add and import a student's contacts, score target organisations (LAMP)
and answer "who are my warm paths into organisation X?". Rules live in lib/network.py
and lib/linkedin.py; this page draws widgets and hands their values over."""
import pandas as pd
import streamlit as st

from lib import charts, linkedin, method, metrics, network, ui
from lib.models import REPLY_BEHAVIOURS, SOURCES, InvalidInput, suggested_warmth
from lib.network import ContactInput, DuplicateContact, OrganisationInput

ss = st.session_state
TABS = ("Contacts", "Map your network", "Target organisations", "Import from LinkedIn", "Network map")
WARMTH_CHOICES = {"suggested": "As the source suggests", "warm": "Warm", "cold": "Cold"}
KEEP_IN_TOUCH = [0, 30, 60, 90, 120, method.DEFAULT_KEEP_IN_TOUCH_DAYS, 365]   # 0: the default (stored as NULL)
FIELDS = ("name", "role", "organisation", "email", "linkedin_url", "phone", "source", "warmth", "how_met",
          "referred_by", "keep_in_touch_days", "notes")
PICK_LIMIT = 500          # the edit picker lists at most this many of the filtered contacts
MAP_BLANK_ROWS = 6


def keep_label(days):
    return "Default: about every 6 months" if not days else f"Every {days} days"


# --- the contact form, shared by "add" and "edit" ------------------------------------------

def contact_fields(form: ui.Form, referrers: pd.DataFrame) -> None:
    """The widgets of one contact form; their values live under form.key(<field>)."""
    k = form.key
    left, right = st.columns(2)
    left.text_input("Name (required)", key=k("name"), max_chars=120)
    right.text_input("Role", key=k("role"), max_chars=160, placeholder="e.g. Product manager")
    left.text_input("Organisation", key=k("organisation"), max_chars=160,
                    help="Matched to an organisation you already have, ignoring case and spacing.")
    right.text_input("Email", key=k("email"), max_chars=254)
    left.text_input("LinkedIn URL", key=k("linkedin_url"), max_chars=300,
                    placeholder="https://www.linkedin.com/in/...")
    right.text_input("Phone", key=k("phone"), max_chars=40)
    left.selectbox("Where they come from", list(SOURCES), key=k("source"), format_func=SOURCES.get)
    right.radio("Warmth", list(WARMTH_CHOICES), key=k("warmth"), format_func=WARMTH_CHOICES.get,
                horizontal=True, help="Warm: you share a connection (family, school, work, an alum, a "
                                      "referral). Cold: you found them. Start with the warm ones.")
    left.text_input("How we met", key=k("how_met"), max_chars=500)
    names = dict(zip(referrers["id"], referrers["label"]))
    current = ui.chosen(k("referred_by"))
    options = list(names) + ([current] if current and current not in names else [])
    ui.pick(right, "Referred by", {cid: names.get(cid, "(an archived contact)") for cid in options},
            key=k("referred_by"), placeholder="Nobody: I found or know them myself",
            help="Who introduced you. Lists your warm contacts and anyone you have contacted.")
    keep = form.get("keep_in_touch_days") or 0
    keep_options = KEEP_IN_TOUCH + ([keep] if keep not in KEEP_IN_TOUCH else [])   # a custom cadence
    left.selectbox("Keep in touch", keep_options, key=k("keep_in_touch_days"), format_func=keep_label)
    st.text_area("Notes", key=k("notes"), max_chars=5000, height=80)


def form_input(form: ui.Form) -> ContactInput:
    values = {f: form[f] for f in FIELDS}
    values["referred_by"] = ui.chosen(form.key("referred_by"))
    values["warmth"] = None if values["warmth"] in (None, "suggested") else values["warmth"]
    values["source"] = values["source"] or "other"
    values["keep_in_touch_days"] = values["keep_in_touch_days"] or None
    return ContactInput(**values)


def fill_form(form: ui.Form, record: dict | None) -> None:
    """Put a contact's values in the form (None: the defaults). Before its widgets are drawn."""
    record = record or {"source": "other", "warmth": "suggested"}
    for f in FIELDS:
        form[f] = record.get(f) if f in ("referred_by", "source", "warmth") else (
            record.get(f) or (0 if f == "keep_in_touch_days" else ""))


def added_message(data: ContactInput) -> str:
    warmth = data.warmth or suggested_warmth(data.source)
    return (f"Added **{ui.md_escape(data.name.strip())}** as a {warmth} contact "
            f"({SOURCES[data.source].lower()}).")


def submit_add(ctx, form: ui.Form, force: bool = False) -> None:
    data = form_input(form)
    form["similar"] = None
    form["duplicate"] = None
    if not force:   # bad fields first; then, before saving, a look for look-alike names
        try:
            network.check_contact(ctx.db, ctx.student_id, data)
        except DuplicateContact as exc:
            ui.report(exc, slot=form.slot)
            form["duplicate"] = (exc.existing_id, exc.existing_name)
            return
        except InvalidInput as exc:
            ui.report(exc, slot=form.slot)
            return
        similar = network.similar_contacts(ctx.db, ctx.student_id, data.name.strip())
        if similar:
            form["similar"] = similar
            return
    ui.action(form, network.add_contact, ctx.db, ctx.student_id, data, ctx.now, done=added_message(data))


def open_contact(ctx, contact_id: str) -> None:
    edit = ui.Form("contact_edit", ctx.student_id)
    edit.clear()
    edit["pick"] = contact_id
    load_contact(ctx, edit)
    ui.Form("contact_add", ctx.student_id).clear()


def load_contact(ctx, form: ui.Form) -> None:
    contact_id = ui.chosen(form.key("pick"))
    record = network.get_contact(ctx.db, ctx.student_id, contact_id) if contact_id else None
    fill_form(form, record)
    form["revision"] = record["revision"] if record else None


def submit_edit(ctx, form: ui.Form) -> None:
    name = (form["name"] or "").strip()
    ok, _ = ui.action(form, network.update_contact, ctx.db, ctx.student_id, ui.chosen(form.key("pick")),
                      form_input(form), ctx.now, revision=form["revision"], clear=False,
                      done=f"Saved **{ui.md_escape(name)}**.")
    if ok:
        load_contact(ctx, form)      # the saved values, and the new revision, stay on screen to edit on


def archive(ctx, contact_id: str) -> None:
    record = network.get_contact(ctx.db, ctx.student_id, contact_id)
    ui.action(ui.Form("contact_edit", ctx.student_id), network.set_archived, ctx.db, ctx.student_id, contact_id,
              ctx.now, True, done=f"Archived **{ui.md_escape(record['name'])}**. Restore them from "
                                  "*Archived contacts* below.")


def restore(ctx, form: ui.Form) -> None:
    contact_id = ui.chosen(form.key("pick"))
    if not contact_id:
        ui.flash("warning", "Choose the contact to restore first.", form.slot)
        return
    ui.action(form, network.set_archived, ctx.db, ctx.student_id, contact_id, ctx.now, False, done="Restored.")


# --- tabs ----------------------------------------------------------------------------------

def contacts_tab(ctx, contacts: pd.DataFrame) -> None:
    ui.show_flash("contacts")
    search, warmth, source, replies = st.columns([2, 1, 1.2, 1.2])
    query = search.text_input("Search", key="contacts_search", placeholder="Name, organisation or role")
    warmth_filter = warmth.segmented_control("Warmth", ["warm", "cold"], key="contacts_warmth",
                                             format_func=str.capitalize)
    source_filter = source.selectbox("Where they come from", list(SOURCES), key="contacts_source", index=None,
                                     format_func=SOURCES.get, placeholder="Any")
    replies_filter = replies.selectbox("How they reply", list(REPLY_BEHAVIOURS.values()), key="contacts_replies",
                                       index=None, placeholder="Anyone", help=ui.doc(metrics.reply_behaviour))
    shown = contacts
    if replies_filter:
        shown = shown[shown["Replies"] == replies_filter]
    if query:
        text = shown[["Name", "Organisation", "Role"]].fillna("").agg(" ".join, axis=1)
        shown = shown[text.str.contains(query, case=False, regex=False)]
    if warmth_filter:
        shown = shown[shown["Warmth"] == warmth_filter]
    if source_filter:
        shown = shown[shown["Source"] == SOURCES[source_filter]]
    ui.table(shown.drop(columns="id"), "No contacts match." if len(contacts) else
             "No contacts yet: start with *Map your network*, add one below, or import from LinkedIn.",
             key="network_contacts", height=380 if len(shown) > 10 else "auto",
             column_config={"LinkedIn": st.column_config.LinkColumn(display_text="Profile"),
                            "Added": st.column_config.DateColumn(format="D MMM YYYY")})
    if len(contacts):
        st.caption(f"{len(shown):,} of {len(contacts):,} contacts shown.")

    if ctx.read_only:
        return
    referrers = ui.read(ctx, network.referrer_choices)
    add = ui.Form("contact_add", ctx.student_id)
    with st.expander("Add a contact", icon=":material/person_add:", expanded=contacts.empty):
        if add.key("source") not in ss:
            fill_form(add, None)
        with st.form(add.key("form"), border=False):
            contact_fields(add, referrers)
            st.form_submit_button("Add contact", type="primary", on_click=add.on(submit_add), args=(ctx, add))
        ui.show_flash(add)
        if add["similar"]:
            names = ", ".join(f"**{ui.md_escape(network.describe(s))}**" for s in add["similar"])
            st.warning(f"You already have someone with a similar name: {names}. Is this a different person?")
            yes, no = st.columns(2)
            yes.button("Yes, add as a new person", key=add.key("anyway"), on_click=add.on(submit_add), args=(ctx, add, True))
            no.button("No, don't add", key=add.key("cancel"), on_click=add.__setitem__, args=("similar", None))
        if add["duplicate"]:
            existing_id, _ = add["duplicate"]
            st.button("Open the contact who has it", key=add.key("open_duplicate"), icon=":material/edit:",
                      on_click=open_contact, args=(ctx, existing_id))

    edit = ui.Form("contact_edit", ctx.student_id)
    picked = ui.chosen(edit.key("pick"))
    ui.show_flash(edit)        # outside the expander: an archive closes it, and its message must still show
    with st.expander("Edit or archive a contact", icon=":material/edit:", expanded=bool(picked)):
        picks = shown.head(PICK_LIMIT)
        names = dict(zip(picks["id"], network.labels(picks.rename(columns=str.lower))))
        if picked and picked not in names:
            record = network.get_contact(ctx.db, ctx.student_id, picked)
            names[picked] = network.describe(record) if record else "(gone)"
        ui.pick(st, "Contact", names, key=edit.key("pick"),
                placeholder="Choose a contact (the search above narrows this list)",
                on_change=load_contact, args=(ctx, edit))
        if len(shown) > PICK_LIMIT:
            st.caption(f"Showing the first {PICK_LIMIT} of {len(shown):,}: search to find others.")
        if picked:
            if edit.key("source") not in ss or edit["revision"] is None:
                load_contact(ctx, edit)
            with st.form(edit.key("form"), border=False):
                contact_fields(edit, referrers)
                st.form_submit_button("Save changes", type="primary", on_click=edit.on(submit_edit), args=(ctx, edit))
            st.button("Archive...", key=edit.key("archive"), icon=":material/archive:",
                      on_click=ui.ask_to_confirm, args=("archive_contact", picked))
            ui.confirmation("archive_contact", "Archive this contact?",
                            f"**{ui.md_escape(edit.get('name', ''))}** leaves your lists, counts and charts of "
                            "what is to come. Their requests, conversations and notes are kept, and you can "
                            "restore them.", "Archive", lambda cid: archive(ctx, cid))

    archived = ui.read(ctx, network.archived_contacts)
    if len(archived):
        restore_form = ui.Form("contact_restore", ctx.student_id)
        with st.expander(f"Archived contacts ({len(archived)})", icon=":material/inventory_2:"):
            ui.pick(st, "Archived contact", dict(zip(archived["id"], archived["Name"])), key=restore_form.key("pick"),
                    placeholder="Choose whom to restore")
            st.button("Restore", key=restore_form.key("restore"), on_click=restore_form.on(restore), args=(ctx, restore_form))
            ui.show_flash(restore_form)


MAP_COLUMNS = ("name", "organisation", "role", "how_met", "email", "linkedin_url")


def save_map(ctx, form: ui.Form, category: str) -> None:
    rows = grid_rows(form, category)         # blanks included: a problem names the row as on screen
    if not typed_rows(form, category):
        ui.flash("warning", "Type at least one name in the table first.", slot=form.slot)
        return
    ok, result = ui.action(form, network.add_many, ctx.db, ctx.student_id, category, rows, ctx.now,
                           done=lambda r: f"Added {r.added} {SOURCES[category].lower()} contact"
                                          f"{'s' if r.added != 1 else ''}. Next: pick another category on the left.")
    if not ok:
        return
    form["category"] = category            # the cleared form stays on the category just filled
    for hint in result.similar:
        others = ", ".join(ui.md_escape(network.describe(s)) for s in hint["similar"])
        ui.flash("warning", f"**{ui.md_escape(hint['name'])}** looks like {others}, already in your network. "
                            "If it's the same person, archive one of them under *Contacts*.", slot=form.slot)


def map_base(form: ui.Form, category: str) -> list[dict]:
    """The rows a category's grid starts from: what was typed there before switching away, then blanks."""
    kept = form[f"kept_{category}"] or []
    return kept + [dict.fromkeys(MAP_COLUMNS, "") for _ in range(max(2, MAP_BLANK_ROWS - len(kept)))]


def grid_rows(form: ui.Form, category: str) -> list[dict]:
    """A category's grid as it stands (rows kept from before included), in screen order."""
    return [values for _, values, _ in ui.editor_rows(map_base(form, category), ss.get(form.key(f"rows_{category}")))]


def typed_rows(form: ui.Form, category: str) -> list[dict]:
    return [row for row in grid_rows(form, category) if any(str(v or "").strip() for v in row.values())]


def keep_typed_rows(form: ui.Form, shown: str) -> None:
    """Switching category: what was typed in the grid left behind is kept for when the student comes
    back (Streamlit forgets a widget that is no longer drawn). Saving the category clears it."""
    form[f"kept_{shown}"] = [{k: (v or "") for k, v in row.items()} for row in typed_rows(form, shown)]


def map_tab(ctx) -> None:
    counts = ui.read(ctx, network.source_counts).set_index("source")["n"]
    st.caption("Brainstorm by category: type a few names per category. Warm contacts first: they "
               "answer more often. Details can wait; you can edit anyone later under *Contacts*.")
    if ctx.read_only:
        ui.table(counts.rename(lambda s: SOURCES[s]).rename("People").reset_index().rename(
            columns={"source": "Category"}), "", key="map_counts")
        return
    form = ui.Form("map", ctx.student_id)
    left, right = st.columns([1, 2.4], gap="large")
    if form["category"] not in SOURCES:
        form["category"] = "family"
    # each category has its own grid: rows typed under one category are never added under another
    shown = form["category"]
    category = left.radio("Think of people you know through...", list(network.MAP_PROMPTS), key=form.key("category"),
                          format_func=lambda s: f"{SOURCES[s]} ({counts[s]})", on_change=keep_typed_rows,
                          args=(form, shown))
    with right:
        warmth = suggested_warmth(category)
        st.markdown(f"##### {SOURCES[category]}")
        st.write(network.MAP_PROMPTS[category])
        st.caption(f"People you add here are {warmth} contacts.")
        kept = form[f"kept_{category}"] or []
        if kept:
            st.caption(f"{len(kept)} name{'s' if len(kept) != 1 else ''} you typed here before are still in the "
                       "table, not yet added.")
        st.data_editor(pd.DataFrame(map_base(form, category), dtype="string"), key=form.key(f"rows_{category}"),
                       num_rows="dynamic", placeholder=ui.EMPTY_CELL,
                       hide_index=True, width="stretch", column_config={
                           "name": st.column_config.TextColumn("Name", max_chars=120),
                           "organisation": st.column_config.TextColumn("Organisation", max_chars=160),
                           "role": st.column_config.TextColumn("Role", max_chars=160),
                           "how_met": st.column_config.TextColumn("How we met", max_chars=500),
                           "email": st.column_config.TextColumn("Email", max_chars=254),
                           "linkedin_url": st.column_config.TextColumn("LinkedIn URL", max_chars=300)})
        st.button("Add these people", key=form.key("save"), type="primary", icon=":material/group_add:",
                  on_click=form.on(save_map), args=(ctx, form, category))
        ui.show_flash(form)


LAMP_COLUMNS = ["Organisation", "Industry", "Motivation", "Postings", "Advocacy", "Warm paths", "Contacts"]


def save_lamp(ctx, form: ui.Form, base: list[dict]) -> None:
    rows = [OrganisationInput(row=number, id=values.get("id"), name=values.get("Organisation"),
                              industry=values.get("Industry"), motivation=values.get("Motivation"),
                              postings=values.get("Postings"), revision=values.get("revision"))
            for number, values, changed in ui.editor_rows(base, ss.get(form.key("editor"))) if changed]
    if not rows:
        ui.flash("info", "No changes to save.", slot=form.slot)
        return
    ui.action(form, network.save_organisations, ctx.db, ctx.student_id, rows, ctx.now,
              done=lambda saved: f"Saved {saved} organisation{'s' if saved != 1 else ''}.")


def remove_from_list(ctx, organisation_id: str) -> None:
    ui.action(ui.Form("orgs", ctx.student_id), network.remove_target, ctx.db, ctx.student_id, organisation_id,
              done="Taken off your list. Its contacts are unchanged.")


def organisations_tab(ctx, lamp: pd.DataFrame) -> None:
    st.caption("Your LAMP list: the organisations you'd like to work for. Score **Motivation** 0-3 (how much "
               "you want to work there) and **Postings** 1-3 (openings for people like you). **Advocacy** "
               "comes from your contacts: a warm contact or alum works there. Work down the list from the top.",
               help=ui.doc(network.organisations_table))
    if ctx.read_only:
        ui.table(lamp[LAMP_COLUMNS], "No target organisations yet.", key="lamp_view")
        warm_paths_section(ctx)
        return
    form = ui.Form("orgs", ctx.student_id)
    base = lamp.astype(object).where(lamp.notna(), None).to_dict("records")
    frame = pd.DataFrame(base, columns=["id", "revision", *LAMP_COLUMNS])
    st.data_editor(
        frame.astype({"Motivation": "Int64", "Postings": "Int64", "Contacts": "Int64"}), key=form.key("editor"),
        num_rows="add", hide_index=True, width="stretch", column_order=LAMP_COLUMNS, placeholder=ui.EMPTY_CELL,
        disabled=["Advocacy", "Warm paths", "Contacts"],
        column_config={
            "Organisation": st.column_config.TextColumn(required=True, max_chars=160),
            "Motivation": st.column_config.NumberColumn(min_value=0, max_value=3, step=1,
                                                        help="0-3: how much you want to work there"),
            "Postings": st.column_config.NumberColumn(min_value=1, max_value=3, step=1,
                                                      help="1-3: openings for people like you"),
            "Advocacy": st.column_config.CheckboxColumn(help="A warm contact or alum works there"),
            "Warm paths": st.column_config.TextColumn(width="large", help="Your warm contacts there"),
            "Contacts": st.column_config.NumberColumn(help="All your contacts there")})
    save, remove = st.columns([1, 3])
    save.button("Save the list", key=form.key("save"), type="primary", on_click=form.on(save_lamp), args=(ctx, form, base))
    ui.show_flash(form)
    if len(lamp):
        with remove.popover("Take one off the list", icon=":material/playlist_remove:"):
            names = dict(zip(lamp["id"], lamp["Organisation"]))
            pick = ui.pick(st, "Organisation", names, key=form.key("remove_pick"), placeholder="Choose one")
            st.button("Take off the list...", key=form.key("remove"), on_click=ui.ask_to_confirm,
                      args=("remove_target", pick), disabled=pick is None)
        ui.confirmation("remove_target", "Take this organisation off your list?",
                        "It leaves your LAMP list; contacts who work there keep their organisation.",
                        "Take it off", lambda oid: remove_from_list(ctx, oid))

    warm_paths_section(ctx)


def warm_paths_section(ctx) -> None:
    st.subheader("Who can get me in?", help=ui.doc(network.warm_paths))
    choices = ui.read(ctx, network.organisation_choices)
    choices = choices[choices["target"] | (choices["warm"] > 0)]
    if choices.empty:
        st.caption("Add organisations to your list, or contacts with their organisation, to see warm paths.")
        return
    labels = dict(zip(choices["id"], choices["name"] + choices["warm"].map(
        lambda n: f" ({n} warm path{'s' if n != 1 else ''})" if n else " (no warm path yet)")))
    org_id = ui.pick(st, "Organisation", labels, key=f"paths_org@{ctx.student_id}",
                     placeholder="Choose an organisation")
    if org_id is None:
        return
    paths = network.warm_paths(ctx.db, ctx.student_id, org_id)
    if paths.empty:
        st.info("No warm path here yet. Ask your warm contacts whom they know there, search your school's "
                "alumni on LinkedIn, or meet someone at an event; a referral makes a cold contact warm.",
                icon=":material/route:")
    else:
        ui.table(paths, "", key="paths_table")


def import_tab(ctx) -> None:
    if ctx.read_only:
        ui.table(ui.read(ctx, linkedin.imports_table), "No imports yet.", key="imports_table")
        return
    st.caption("On LinkedIn: *Me > Settings & Privacy > Data privacy > Get a copy of your data*, choose "
               "*Connections*, and upload the Connections.csv you receive (or the whole .zip). Everyone is "
               "added as a cold LinkedIn contact; people already in your network are left as they are.")
    form = ui.Form("linkedin", ctx.student_id)
    ui.show_flash(form)
    upload = st.file_uploader("Connections.csv", type=["csv", "zip"], key=form.key("file"))
    if upload is not None:
        try:
            parsed = ui.parse_connections(upload.getvalue(), ctx.today)
        except linkedin.NotAConnectionsExport as exc:
            st.error(f"**{ui.md_escape(upload.name)}** can't be imported: {ui.md_escape(exc)}. Nothing was written.",
                     icon=":material/block:")
        else:
            preview_and_commit(ctx, form, upload.name, parsed)
    imports = ui.read(ctx, linkedin.imports_table)
    if len(imports):
        st.markdown("##### Earlier imports")
        ui.table(imports, "", key="imports_table",
                 column_config={"Imported": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm")})


def import_connections(ctx, form: ui.Form, filename: str, parsed: linkedin.ParsedFile, progress) -> None:
    ui.action(form, linkedin.commit, ctx.db, ctx.student_id, parsed, filename=filename, now=ctx.now,
              progress=progress,
              done=lambda result: f"Imported {len(result[1].new):,} new contacts from **{ui.md_escape(filename)}**. "
                                  "Find the warm paths among them under *Target organisations*.")


def preview_and_commit(ctx, form: ui.Form, filename: str, parsed: linkedin.ParsedFile) -> None:
    plan = linkedin.plan(ctx.db, ctx.student_id, parsed)
    figures = plan.summary()
    cols = st.columns(4)
    cols[0].metric("New people", f"{figures['new']:,}")
    cols[1].metric("Already in your network", f"{figures['duplicates']:,}")
    cols[2].metric("Blank rows skipped", f"{figures['skipped_blank']:,}")
    cols[3].metric("Invalid rows", f"{len(figures['invalid']):,}")
    if figures["invalid"]:
        st.markdown("Rows that can't be imported (fix them in the file and upload it again, or go on without them):")
        ui.table(pd.DataFrame(figures["invalid"]).rename(columns={"line": "Line", "reason": "Reason"}), "",
                 key="linkedin_invalid", height=min(300, 40 + 35 * len(figures["invalid"])))
    if figures.get("warnings"):      # the person is imported; one field they had is left out
        st.markdown("Imported without a field that could not be used (check these lines in the file):")
        ui.table(pd.DataFrame(figures["warnings"]).rename(columns={"line": "Line", "reason": "Reason"}), "",
                 key="linkedin_warnings", height=min(300, 40 + 35 * len(figures["warnings"])))
    if parsed.source:                # which Connections.csv of an archive was read
        st.caption(f"Read {ui.md_escape(parsed.source)}.")
    if plan.new:
        with st.expander(f"The {len(plan.new):,} new people", expanded=len(plan.new) <= 20):
            ui.table(pd.DataFrame([{"Line": c.line, "Name": c.name, "Company": c.company, "Position": c.position,
                                    "Connected on": c.connected_on} for c in plan.new[:500]]), "",
                     key="linkedin_new", height=300 if len(plan.new) > 8 else "auto")
            if len(plan.new) > 500:
                st.caption(f"The first 500 of {len(plan.new):,}.")
    if plan.duplicates:
        with st.expander(f"{len(plan.duplicates):,} already in your network (left as they are)"):
            ui.table(pd.DataFrame([{"Line": c.line, "Name": c.name, "Matches": match}
                                   for c, match in plan.duplicates[:500]]), "", key="linkedin_duplicates")
    if st.button(f"Import {len(plan.new):,} new contacts", key=form.key("commit"), type="primary",
                 disabled=not plan.new, icon=":material/upload:"):
        bar = st.progress(0.0, text="Importing...")   # a progress bar needs the run: a button, not a callback
        import_connections(ctx, form, filename, parsed,
                           lambda n, total: bar.progress(n / total, text=f"{n:,} of {total:,}"))
        st.rerun()


def map_charts_tab(ctx) -> None:
    nodes = ui.read(ctx, network.graph)
    st.caption("You at the centre; your contacts grouped by where they come from, warm nearest the centre. "
               "Bigger dots: more requests and conversations. Lines: who introduced you to whom. "
               + (f"Names are hidden past {charts.MAP_LABEL_LIMIT} people: hover a dot." if
                  len(nodes) > charts.MAP_LABEL_LIMIT else "Names show where they fit: hover a dot for the others."))
    ui.plotly("chart_network_map", charts.network_map, nodes, ctx.student_name, SOURCES)
    left, right = st.columns(2)
    with left:
        st.markdown("##### Warm and cold by where they come from")
        by_source = ui.read(ctx, network.warmth_by_source)
        ui.plotly("chart_warmth_source", charts.warmth_bars, by_source, "source", "Where they come from",
                  order=[label for label in SOURCES.values() if label in set(by_source["source"])])
    with right:
        ui.titled_chart("Warm and cold by organisation", network.warmth_by_organisation, "chart_warmth_org",
                        charts.warmth_bars, ui.read(ctx, network.warmth_by_organisation), "organisation",
                        "Organisation")


# --- the page ------------------------------------------------------------------------------

ctx = ui.context()
ui.require_student(ctx)
st.title("Network")
ui.read_only_banner(ctx)
contacts = ui.read(ctx, network.contacts_table)
lamp = ui.read(ctx, network.organisations_table)
warm = int((contacts["Warmth"] == "warm").sum())
kpis = st.columns(4)
kpis[0].metric("Warm contacts", f"{warm:,}", help="Share a connection with you: start with them.")
kpis[1].metric("Cold contacts", f"{len(contacts) - warm:,}")
kpis[2].metric("Target organisations", len(lamp))
kpis[3].metric("Targets with a warm path", f"{int(lamp['Advocacy'].sum())} of {len(lamp)}" if len(lamp) else "0")
# An empty network opens on the prompts. Set once: a default that changed with the data would
# make Streamlit see a new widget and jump tabs after the first person is added.
ss.setdefault("network_tab", TABS[1] if contacts.empty else TABS[0])
tabs = st.tabs(TABS, key="network_tab", on_change="rerun")
sections = (lambda: contacts_tab(ctx, contacts), lambda: map_tab(ctx), lambda: organisations_tab(ctx, lamp),
            lambda: import_tab(ctx), lambda: map_charts_tab(ctx))
for tab, draw in zip(tabs, sections):
    if tab.open is not False:   # None when tabs don't track state (then every tab draws)
        with tab:
            draw()

import datetime as dt
import math

import streamlit as st

from geo.units2025 import UNITS_2023, UNITS_2025
from importer.errors import ImportFileError
from importer.isolation import read_isolated
from importer.pipeline import ImportOptions, analyse
from importer.template import template_workbook
from indicators.published import importable_indicators
from indicators.rounds import conflicts, merge, outside_area
from l10n import fmt, labels
from l10n.importing import describe
from l10n.messages import t, tn
from l10n.text import css_string, plain
from reports.tables import csv_bytes
from services import editing
from storage import rounds
from storage.settings import upload_limit_bytes
from ui.editor_session import require_editor
from ui.streamlit_support import (
    catalogue,
    current_lang,
    engine,
    import_unit_sets,
    require_reference,
    units_2025,
)
from views.importing.import_view import (
    conflict_rows,
    decision_label,
    error_text,
    parse_data_rows,
    parse_header_rows,
    plain_label,
    problem_table,
    report_download,
    report_table,
    rows_needing_decision,
)

lang = current_lang()
user = require_editor(lang)
reference = require_reference(lang)
st.title(t("import.title", lang))
st.markdown(t("import.intro", lang))

indicators = importable_indicators(catalogue())
unit_sets = {index.id: index for index in import_unit_sets()}
templates = st.container(horizontal=True)
templates.download_button(t("import.template", lang), template_workbook(reference.units, indicators),
                          file_name="mau_nhap_lieu_xa_ca_mau.xlsx", icon=":material/download:",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
if UNITS_2025.id in unit_sets:
    templates.download_button(t("import.template_2025", lang), template_workbook(units_2025(), indicators),
                              file_name="mau_nhap_lieu_64_xa_phuong_2025.xlsx", icon=":material/download:",
                              mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
limit_mb = upload_limit_bytes() / (1024 * 1024)
upload = st.file_uploader(t("import.file", lang), type=["xlsx", "csv"], max_upload_size=max(1, math.ceil(limit_mb)))
# Streamlit writes the drop zone's instructions and button ("Upload", a markdown paragraph beside
# the icon) in English only: hide both (the caption below says the limits) and give the button the
# page's language.
st.html(f"""<style>[data-testid="stFileUploaderDropzoneInstructions"]{{display:none}}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]{{display:none}}
[data-testid="stFileUploaderDropzone"] button::after{{content:"{css_string(t("import.file.button", lang))}";
font-size:.9rem;padding-left:.3rem;white-space:nowrap}}
[data-testid="stFileUploaderDeleteBtn"] button::after,[data-testid="stFileChipDeleteBtn"] button::after{{content:none}}
</style>""")
st.caption(t("import.file.limits", lang, size=fmt.number(limit_mb, 1 if limit_mb < 1 else 0, lang)))
if upload is None:
    st.stop()

data = upload.getvalue()
key = f"import_{upload.file_id}"   # decisions belong to one uploaded file

try:
    # In a child process with a memory and time limit: no file can take the server down.
    sheets = read_isolated(data, upload.name, upload_limit_bytes())
except ImportFileError as error:
    st.error(plain(error_text(error, lang)))   # it names the file and may quote its cells
    st.stop()
chosen_units = st.radio(t("import.units", lang), [None, *unit_sets], key=f"{key}_units", horizontal=True,
                        format_func=lambda units: t("import.units.auto", lang) if units is None
                        else labels.label(labels.UNIT_SET, units, lang))
with st.expander(t("import.layout", lang)):
    columns = st.columns(3)
    sheet = columns[0].selectbox(t("import.sheet", lang), [None, *(s.name for s in sheets)], key=f"{key}_sheet",
                                 format_func=lambda name: t("import.sheet.auto", lang) if name is None else name, placeholder=t("widget.choose", lang))
    header_text = columns[1].text_input(t("import.header_rows", lang), key=f"{key}_header")
    data_text = columns[2].text_input(t("import.data_rows", lang), key=f"{key}_data")
try:
    header_rows, data_rows = parse_header_rows(header_text), parse_data_rows(data_text)
except ValueError as bad:
    st.error(t("import.bad_rows", lang, text=str(bad)))
    st.stop()

decisions = st.session_state.setdefault(f"{key}_decisions", {})
mapping_override = st.session_state.setdefault(f"{key}_mapping", {})
options = ImportOptions(
    sheet=sheet or None, header_rows=header_rows, data_rows=data_rows, mapping=mapping_override or None,
    resolutions={row: code for row, code in decisions.items() if code not in (None, "exclude")},
    excluded=frozenset(row for row, code in decisions.items() if code == "exclude"), units=chosen_units)
try:
    analysis = analyse(data, upload.name, unit_sets=list(unit_sets.values()), catalogue=catalogue(),
                       options=options, max_bytes=upload_limit_bytes(), sheets=sheets)
except ImportFileError as error:
    st.error(plain(error_text(error, lang)))   # it names the file and may quote its cells
    st.stop()

layout = analysis.layout
units_frame = reference.units if analysis.units == UNITS_2023.id else units_2025()
unit_names = dict(zip(units_frame["gso_code"], units_frame["name"]))
st.caption(t("import.detected", lang, sheet=plain(layout.sheet), header=", ".join(map(str, layout.header_rows)),
             first=layout.first_data_row, last=layout.last_data_row))
st.info(plain(describe(analysis.detection.message, lang)))
st.markdown(t("import.summary", lang, read=analysis.rows_read, matched=analysis.rows_matched,
              rejected=analysis.rows_rejected, values=len(analysis.figures)))

st.subheader(t("import.mapping", lang))
names = {i.id: i.name[lang] for i in indicators}
for column, suggested in analysis.mapping.items():
    chosen = st.selectbox(plain_label(column), [None, *names], index=([None, *names].index(suggested)),
                          format_func=lambda i: names.get(i, t("import.mapping.none", lang)),
                          key=f"{key}_map_{column}", placeholder=t("widget.choose", lang))
    if chosen != suggested:
        mapping_override[column] = chosen
        st.rerun()

pending = rows_needing_decision(analysis)
if pending:
    st.subheader(t("import.decisions", lang))
    for row in pending:
        choices = [None, *row.candidates, "exclude"]
        label = decision_label(row, lang)
        current = decisions.get(row.row)
        chosen = st.selectbox(label, choices, index=choices.index(current) if current in choices else 0,
                              key=f"{key}_decide_{row.row}",
                              format_func=lambda c: (t("import.decision.choose", lang) if c is None else
                                                     t("import.decision.exclude", lang) if c == "exclude" else
                                                     f"{unit_names[c]} ({c})"), placeholder=t("widget.choose", lang))
        if chosen != current:
            decisions[row.row] = chosen
            st.rerun()

st.subheader(t("import.report", lang))
report = report_table(analysis, unit_names, lang)
st.dataframe(report, hide_index=True, width="stretch")
problems = problem_table(analysis, lang)
if analysis.problems:
    st.subheader(t("import.problems", lang))
    st.dataframe(problems, hide_index=True, width="stretch")
st.download_button(t("import.download_report", lang), csv_bytes(report_download(analysis, unit_names, lang)),
                   file_name=f"doi_chieu_{analysis.sha256[:8]}.csv", mime="text/csv", icon=":material/download:")

if not analysis.valid:
    st.error(tn("import.invalid", len(analysis.errors), lang))
    st.stop()
st.success(t("import.valid", lang))
with engine().connect() as connection:
    open_rounds = [r for r in rounds.list_rounds(connection) if r.status == rounds.OPEN and r.units == analysis.units]
how = st.radio(t("import.how", lang), ["whole", "round"], key=f"{key}_how", horizontal=True,
               format_func=lambda choice: t("import.how.whole", lang) if choice == "whole" else t("import.how.round", lang))
if how == "round":
    if not open_rounds:
        st.info(t("import.round.none", lang))
        st.stop()
    by_id = {r.id: r for r in open_rounds}
    columns = st.columns(3)
    round_id = columns[0].selectbox(t("round.choose", lang), list(by_id), key=f"{key}_round",
                                    format_func=lambda i: t("round.label", lang, id=i, period=by_id[i].period,
                                                            status=labels.label(labels.ROUND_STATE, by_id[i].status, lang)))
    sender = columns[1].text_input(t("round.col.sender", lang), key=f"{key}_sender", max_chars=200,
                                   placeholder=t("import.round.sender_hint", lang))
    districts = (dict(zip(reference.units["district_code"], reference.units["district"]))
                 if analysis.units == UNITS_2023.id else {})
    area = columns[2].selectbox(t("round.col.area", lang), [None, *sorted(districts, key=districts.get)],
                                key=f"{key}_area", format_func=lambda code: districts[code] if code
                                else t("round.whole_province", lang))
    district_of = dict(zip(reference.units["gso_code"], reference.units["district_code"])) if districts else {}
    outside = outside_area({code for code, _, _ in analysis.figures}, area, district_of)
    if outside:
        st.warning(t("import.round.outside", lang, district=districts[area],
                     units=", ".join(unit_names.get(code, code) for code in outside)))
    with engine().connect() as connection:
        found = conflicts(merge(rounds.round_values(connection, round_id)), analysis.figures)
    confirmed = False
    if found:
        st.warning(tn("import.round.conflicts", len(found), lang))
        st.dataframe(conflict_rows(found, unit_names, {i.id: i.name[lang] for i in indicators}, lang),
                     hide_index=True, width="stretch")
        confirmed = st.checkbox(t("import.round.confirm", lang), key=f"{key}_confirm")
    note = st.text_area(t("import.note", lang), key=f"{key}_round_note", max_chars=2000)
    filed = st.session_state.get(f"{key}_filed")      # one file is filed once (a second click would file it again)
    if st.button(t("import.round.submit", lang), type="primary",
                 disabled=filed is not None or (bool(found) and not confirmed)):
        try:
            submission = editing.submit(engine(), analysis, round_id=round_id, sender=sender, area=area,
                                        district_of=district_of, user=user, note=note,
                                        confirm_overwrite=frozenset((c.gso_code, c.indicator) for c in found)
                                        if confirmed else False)
            st.session_state[f"{key}_filed"] = (round_id, submission.sender)
            st.rerun()
        except rounds.RoundError as error:
            st.error(labels.label(labels.ROUND_ERROR, error.kind, lang))
    if filed is not None:
        st.success(t("import.round.filed", lang, round=filed[0], sender=plain(filed[1])))
    st.stop()
with st.form(f"{key}_save"):
    st.subheader(t("import.meta", lang))
    columns = st.columns(3)
    period = columns[0].text_input(t("import.period", lang), value=str(dt.date.today().year - 1), max_chars=40)
    as_of = columns[1].date_input(t("import.as_of", lang), value=dt.date.today(), format="DD/MM/YYYY")
    source = columns[2].text_input(t("import.source", lang), value=t("import.source.default", lang), max_chars=300)
    note = st.text_area(t("import.note", lang), max_chars=2000)
    save = st.form_submit_button(t("import.save", lang))
    save_and_publish = st.form_submit_button(t("import.save_publish", lang), type="primary")
if save or save_and_publish:
    version = editing.import_version(engine(), analysis, period=period.strip() or "?", as_of=as_of,
                                     source=source.strip() or "?", note=note, user=user, publish=save_and_publish)
    st.success(t("import.saved_published", lang, number=version.number) if save_and_publish
               else t("import.saved", lang, number=version.number))

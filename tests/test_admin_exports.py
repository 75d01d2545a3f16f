"""Exports of the current filtered view (CSV and XLSX), read back the way Excel users get them."""
import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

import admin.base
from models import (
    AssessmentRating,
    ChangeLog,
    Group,
    Measure,
    Meeting,
    db,
)
from models.audit import history_disabled
from workflows.spreadsheet import FORMULA_PREFIXES, csv_bytes, neutralize, xlsx_bytes

BOM = b"\xef\xbb\xbf"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULAS = ('=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd")
PLAIN = "Rencontre cordiale, suite = à voir"
DATE_RE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
DATETIME_RE = re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$")


# -- helpers -----------------------------------------------------------------------------
def read_csv(response):
    """The CSV rows as Excel would read them: BOM, UTF-8, `;`."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv"
    body = response.data
    assert body.startswith(BOM)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))


def csv_records(response):
    header, *rows = read_csv(response)
    assert all(len(row) == len(header) for row in rows)
    return [dict(zip(header, row, strict=True)) for row in rows]


def read_xlsx(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == XLSX_MIMETYPE
    return load_workbook(io.BytesIO(response.data)).active


def xlsx_records(sheet):
    header = [cell.value for cell in sheet[1]]
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


def admin_view(app, endpoint):
    return next(view for view in app.extensions["admin"][0]._views
                if getattr(view, "endpoint", None) == endpoint)


def clone(row, **changes):
    """A copy of a network row (new id) with some columns changed."""
    data = {name: value for name, value in row.__data__.items() if name != "id"}
    data.update(changes)
    return type(row).create(**data)


@pytest.fixture
def coordination(as_role):
    return as_role("coordination")


# -- CSV format ----------------------------------------------------------------------------
def test_csv_is_excel_friendly(coordination, network):
    response = coordination.get("/admin/meetings/export/csv/")
    body = response.data
    assert body.startswith(BOM)
    assert body.count(b"\r\n") == 3 and b"\n" not in body.replace(b"\r\n", b"")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"].endswith(".csv")
    header, *rows = read_csv(response)
    assert header == ["Groupe", "Avec qui", "Interlocuteur·rice", "Statut", "Date", "Relance le",
                      "Résultat"]
    assert body.decode("utf-8-sig").splitlines()[0] == ";".join(header)
    assert len(rows) == 2


def test_csv_content_type_names_the_charset_once(coordination, network):
    content_type = coordination.get("/admin/meetings/export/csv/").headers["Content-Type"]
    assert content_type.lower().count("charset") == 1, content_type


def test_csv_meetings_labels_dates_and_names(coordination, network):
    records = csv_records(coordination.get("/admin/meetings/export/csv/"))
    by_group = {r["Groupe"]: r for r in records}
    assert set(by_group) == {"Collectif Transition Lyon", "Alternatiba Évry"}  # names, not ids
    evry = by_group["Alternatiba Évry"]
    assert evry["Statut"] == "Programmé"  # label, not the code "programme"
    assert evry["Avec qui"] == "Maire"
    assert evry["Date"] == "27/11/2026"
    assert evry["Relance le"] == ""
    assert evry["Interlocuteur·rice"] == "M. le Maire"


def test_csv_groups_accents_and_townhall_label(coordination, network):
    Group.update(townhall_relation="opposition").where(Group.id == network.b.group.id).execute()
    records = csv_records(coordination.get("/admin/groups/export/csv/"))
    evry = next(r for r in records if r["Nom"] == "Alternatiba Évry")
    assert evry["Commune"] == "Évry-Courcouronnes"
    assert evry["Relation avec la mairie"] == "Opposition"
    assert evry["Personnes mobilisables"] == "20"
    assert evry["Département"] == "91"
    assert DATETIME_RE.match(evry["Modifié le"]), evry["Modifié le"]
    lyon = next(r for r in records if r["Nom"] == "Collectif Transition Lyon")
    assert lyon["Relation avec la mairie"] == "Neutre"


def test_csv_actions_show_related_names(coordination, network):
    records = csv_records(coordination.get("/admin/actions/export/csv/"))
    evry = next(r for r in records if r["Groupe"] == "Alternatiba Évry")
    assert evry["Intitulé"] == "Vélorution Évry-Courcouronnes"
    assert evry["Type"] == "Vélorution"
    assert evry["Statut"] == "Planifiée"
    assert evry["Date"] == "12/12/2026"
    assert evry["Personnes attendues"] == "40"
    assert evry["Personnes mobilisées"] == ""


@pytest.mark.parametrize("endpoint,column,expected", [
    ("checklist", "Action", "Vélorution Évry-Courcouronnes"),
    ("victories", "Demande", "Piste cyclable Évry-Courcouronnes"),
    ("group_allies", "Allié", "Vélo-cité"),
    ("assessments", "Mesure", "#15 Donner la priorité aux mobilités actives"),
    ("users", "Groupe", "Alternatiba Évry"),
])
def test_csv_foreign_keys_are_names(coordination, network, endpoint, column, expected):
    records = csv_records(coordination.get(f"/admin/{endpoint}/export/csv/"))
    assert expected in [r[column] for r in records]
    assert all(not r[column].isdigit() for r in records)


def test_csv_every_table_exports(coordination, network):
    for endpoint in ("groups", "allies", "group_allies", "campaigns", "assessments", "demands",
                     "meetings", "actions", "checklist", "victories", "themes", "measures",
                     "action_kinds", "checklist_templates", "step_durations", "users", "changelog"):
        for kind in ("csv", "xlsx"):
            response = coordination.get(f"/admin/{endpoint}/export/{kind}/")
            assert response.status_code == 200, (endpoint, kind)
        rows = read_csv(coordination.get(f"/admin/{endpoint}/export/csv/"))
        assert rows and all(DATE_RE.match(cell) or not re.match(r"^\d{4}-\d{2}-\d{2}", cell)
                            for row in rows for cell in row), endpoint  # no ISO dates


def test_negative_numbers_stay_numbers(coordination, network):
    """offset_days = -7 is a number of days, not a formula: no apostrophe in front of it."""
    column = "Jours par rapport à l'action"
    records = csv_records(coordination.get("/admin/checklist_templates/export/csv/"))
    assert [r[column] for r in records] == ["-7"]
    sheet = read_xlsx(coordination.get("/admin/checklist_templates/export/xlsx/"))
    cell = xlsx_records(sheet)[0][column]
    assert cell.value == -7 and cell.data_type == "n"


# -- XLSX format ---------------------------------------------------------------------------
def test_xlsx_meetings(coordination, network):
    sheet = read_xlsx(coordination.get("/admin/meetings/export/xlsx/"))
    assert sheet.title == "Rendez-vous"
    assert [c.value for c in sheet[1]] == ["Groupe", "Avec qui", "Interlocuteur·rice", "Statut", "Date",
                                          "Relance le", "Résultat"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:G3"
    records = {r["Groupe"].value: r for r in xlsx_records(sheet)}
    evry = records["Alternatiba Évry"]
    assert evry["Statut"].value == "Programmé"
    date = evry["Date"]
    assert isinstance(date.value, dt.datetime) and date.value.date() == dt.date(2026, 11, 27)
    assert date.number_format.lower() in ("dd/mm/yyyy", "dd/mm/yy")
    assert evry["Relance le"].value is None


def test_xlsx_numbers_are_numbers(coordination, network):
    sheet = read_xlsx(coordination.get("/admin/actions/export/xlsx/"))
    evry = next(r for r in xlsx_records(sheet) if r["Groupe"].value == "Alternatiba Évry")
    assert evry["Personnes attendues"].value == 40 and evry["Personnes attendues"].data_type == "n"
    assert evry["Difficulté"].value == 1 and evry["Difficulté"].data_type == "n"
    assert evry["Articles de presse"].value == 0
    assert evry["Type"].value == "Vélorution"
    assert evry["Intitulé"].value == "Vélorution Évry-Courcouronnes"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")


def test_xlsx_groups_datetime_and_labels(coordination, network):
    Group.update(townhall_relation="dialogue").where(Group.id == network.b.group.id).execute()
    sheet = read_xlsx(coordination.get("/admin/groups/export/xlsx/"))
    evry = next(r for r in xlsx_records(sheet) if r["Nom"].value == "Alternatiba Évry")
    assert evry["Commune"].value == "Évry-Courcouronnes"
    assert evry["Relation avec la mairie"].value == "Dialogue"
    assert evry["Personnes mobilisables"].value == 20
    updated = evry["Modifié le"]
    assert isinstance(updated.value, dt.datetime)
    assert updated.number_format.lower().startswith("dd/mm/yyyy")


def test_xlsx_export_survives_control_characters(coordination, network):
    """Text pasted from Word can hold a vertical tab (Maj+Entrée): the export must not crash on it."""
    Meeting.update(outcome="Copié de Word\x0bligne 2").where(Meeting.id == network.a.meeting.id).execute()
    assert "Copié de Word" in coordination.get("/admin/meetings/export/csv/").get_data(as_text=True)
    sheet = read_xlsx(coordination.get("/admin/meetings/export/xlsx/"))
    outcomes = [r["Résultat"].value or "" for r in xlsx_records(sheet)]
    assert any(o.startswith("Copié de Word") and o.endswith("ligne 2") for o in outcomes), outcomes


# -- formula neutralisation ----------------------------------------------------------------
def _formula_rows(network, make):
    for i, text in enumerate((*FORMULAS, PLAIN)):
        make(network, i, text)


NEUTRALISED = {
    "meeting outcome": ("meetings", "Résultat", lambda ns, i, t: clone(ns.a.meeting, outcome=t)),
    "meeting contact": ("meetings", "Interlocuteur·rice",
                        lambda ns, i, t: clone(ns.b.meeting, contact_name=t)),
    "demand title": ("demands", "Intitulé", lambda ns, i, t: clone(ns.a.demand, title=t)),
    "group commune": ("groups", "Commune",
                      lambda ns, i, t: clone(ns.a.group, name=f"Groupe {i}", slug=f"g-{i}", commune=t)),
    "group name in a relation": ("meetings", "Groupe", lambda ns, i, t: clone(
        ns.a.meeting, group=clone(ns.a.group, name=t, slug=f"g-{i}"))),
    "action place": ("actions", "Lieu", lambda ns, i, t: clone(ns.b.action, place=t)),
    "victory publicity": ("victories", "Valorisation", lambda ns, i, t: clone(ns.a.victory, publicity=t)),
    "ally name": ("allies", "Nom", lambda ns, i, t: clone(ns.ally, name=t)),
    "campaign note": ("campaigns", "Note", lambda ns, i, t: clone(ns.a.campaign, note=t)),
    "user full name": ("users", "Nom complet", lambda ns, i, t: clone(
        ns.a.referent, email=f"u{i}@example.org", full_name=t)),
}


@pytest.mark.parametrize("case", NEUTRALISED)
def test_csv_formulas_are_neutralised(coordination, network, case):
    endpoint, column, make = NEUTRALISED[case]
    _formula_rows(network, make)
    cells = [r[column] for r in csv_records(coordination.get(f"/admin/{endpoint}/export/csv/"))]
    for text in FORMULAS:
        assert "'" + text in cells, (text, cells)
    assert PLAIN in cells  # ordinary text untouched
    for cell in cells:
        assert not cell.startswith(FORMULA_PREFIXES), cell


@pytest.mark.parametrize("case", NEUTRALISED)
def test_xlsx_formulas_are_neutralised(coordination, network, case):
    endpoint, column, make = NEUTRALISED[case]
    _formula_rows(network, make)
    sheet = read_xlsx(coordination.get(f"/admin/{endpoint}/export/xlsx/"))
    cells = [r[column] for r in xlsx_records(sheet)]
    assert all(c.data_type != "f" for c in cells), [c.value for c in cells if c.data_type == "f"]
    values = [c.value.replace("\r\n", "\r").replace("\n", "\r") if isinstance(c.value, str) else c.value
              for c in cells]  # XML may turn a lone CR into LF
    for text in FORMULAS:
        assert "'" + text in values, (text, values)
    assert PLAIN in values
    for value in values:
        assert not (isinstance(value, str) and value.startswith(FORMULA_PREFIXES)), value


@pytest.mark.parametrize("text", FORMULAS)
def test_neutralize_prefixes_formulas(text):
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize("value", ["Bonjour", "a=b", "Évry", "", " =1", "'déjà", "15 mai", None, 42, -3,
                                   2.5, dt.date(2026, 1, 2), True])
def test_neutralize_leaves_other_values(value):
    assert neutralize(value) == value


def test_csv_bytes_format():
    body = csv_bytes(["Nom", "=Total", "Date"], [
        ["Évry; centre", 3.5, dt.date(2026, 2, 1)],
        ["=1+1", None, dt.datetime(2026, 2, 1, 13, 45)],
        ["ligne\nsuivante", True, False],
        [7, -2, "@x"],
    ])
    assert body.startswith(BOM)
    text = body.decode("utf-8-sig")
    assert text.endswith("\r\n")
    assert text.split("\r\n")[0] == "Nom;'=Total;Date"
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows == [
        ["Nom", "'=Total", "Date"],
        ["Évry; centre", "3,50", "01/02/2026"],
        ["'=1+1", "", "01/02/2026 13:45"],
        ["ligne\nsuivante", "oui", "non"],
        ["7", "-2", "'@x"],
    ]
    # every record ends with CRLF, nothing else ends a line outside quotes
    assert text.count("\r\n") == 5


def test_xlsx_bytes_format():
    body = xlsx_bytes([("Une feuille au titre beaucoup trop long pour Excel", ["Nom", "Quand", "Nb"], [
        ["=1+1", dt.date(2026, 2, 1), 3],
        ["Évry", dt.datetime(2026, 2, 1, 13, 45), 2.5],
        [True, None, -1],
    ])])
    sheet = load_workbook(io.BytesIO(body)).active
    assert len(sheet.title) <= 31
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:C4"
    assert sheet["A2"].value == "'=1+1" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == dt.datetime(2026, 2, 1) and sheet["B2"].number_format == "DD/MM/YYYY"
    assert sheet["B3"].number_format == "DD/MM/YYYY HH:MM"
    assert sheet["C2"].value == 3 and sheet["C3"].value == 2.5 and sheet["C4"].value == -1
    assert sheet["A4"].value == "oui"


# -- the export is the current view --------------------------------------------------------
def test_export_follows_the_search(coordination, network):
    records = csv_records(coordination.get("/admin/meetings/export/csv/?search=evry"))
    assert [r["Groupe"] for r in records] == ["Alternatiba Évry"]
    sheet = read_xlsx(coordination.get("/admin/meetings/export/xlsx/?search=evry"))
    assert [r["Groupe"].value for r in xlsx_records(sheet)] == ["Alternatiba Évry"]
    assert sheet.auto_filter.ref == "A1:G2"


def test_export_follows_the_filters(coordination, network):
    Meeting.update(status="tenu").where(Meeting.id == network.a.meeting.id).execute()
    # filter 0 is the group dropdown, filter 1 the status dropdown (see filter-groups-data)
    by_group = csv_records(coordination.get(f"/admin/meetings/export/csv/?flt0_0={network.a.group.id}"))
    assert [r["Groupe"] for r in by_group] == ["Collectif Transition Lyon"]
    by_status = csv_records(coordination.get("/admin/meetings/export/csv/?flt0_1=programme"))
    assert [(r["Groupe"], r["Statut"]) for r in by_status] == [("Alternatiba Évry", "Programmé")]
    both = csv_records(coordination.get(
        f"/admin/meetings/export/csv/?flt0_0={network.b.group.id}&flt1_1=tenu"))
    assert both == []


def test_export_follows_the_sort(coordination, network):
    Meeting.update(date=dt.date(2026, 1, 1)).where(Meeting.id == network.a.meeting.id).execute()
    # column 4 is "date" in the list; default sort is date descending
    records = csv_records(coordination.get("/admin/meetings/export/csv/"))
    assert [r["Date"] for r in records] == ["27/11/2026", "01/01/2026"]


def test_referent_export_is_limited_to_their_group(as_role, network):
    referent = as_role("referent")
    records = csv_records(referent.get("/admin/meetings/export/csv/"))
    assert [r["Groupe"] for r in records] == ["Collectif Transition Lyon"]
    # another group's id is not one of the referent's filter options: ignored, never widened
    other = csv_records(referent.get(f"/admin/meetings/export/csv/?flt0_0={network.b.group.id}"))
    assert [r["Groupe"] for r in other] == ["Collectif Transition Lyon"]
    assert csv_records(referent.get("/admin/meetings/export/csv/?search=evry")) == []
    sheet = read_xlsx(referent.get("/admin/demands/export/xlsx/"))
    assert [r["Groupe"].value for r in xlsx_records(sheet)] == ["Collectif Transition Lyon"]


def test_observer_export_has_no_contact_details(as_role, network):
    header, *rows = read_csv(as_role("observer").get("/admin/groups/export/csv/"))
    assert "E-mail de contact" not in header and "Téléphone de contact" not in header
    assert len(rows) == 2
    body = as_role("observer").get("/admin/groups/export/xlsx/").data
    sheet = load_workbook(io.BytesIO(body)).active
    assert "E-mail de contact" not in [c.value for c in sheet[1]]


def test_unknown_export_type_is_refused(coordination, network):
    response = coordination.get("/admin/meetings/export/json/")
    assert response.status_code == 302


# -- row cap ---------------------------------------------------------------------------------
def test_default_row_cap():
    assert admin.base.EXPORT_MAX_ROWS == 10_000
    assert admin.base.SecuredModelView.export_max_rows == admin.base.EXPORT_MAX_ROWS


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_row_cap(app, coordination, network, monkeypatch, kind):
    view = admin_view(app, "meetings")
    assert view.export_max_rows == admin.base.EXPORT_MAX_ROWS
    monkeypatch.setattr(view, "export_max_rows", 1)
    response = coordination.get(f"/admin/meetings/export/{kind}/")
    if kind == "csv":
        assert len(read_csv(response)) == 2  # header + one row
    else:
        assert read_xlsx(response).max_row == 2


# -- no N+1 ------------------------------------------------------------------------------------
def _more_assessments(ns, side, i):
    measure = Measure.get_or_none(Measure.number == 1 + i + (i >= 14))
    if measure is None:
        measure = Measure.create(number=1 + i + (i >= 14), title=f"Mesure {i}")
    AssessmentRating.create(group=side.group, measure=measure, rating="en_cours")


MORE_ROWS = {
    "meetings": lambda ns, side, i: clone(side.meeting, outcome=f"Rendez-vous {i}"),
    "actions": lambda ns, side, i: clone(side.action, title=f"Action {i}"),
    "checklist": lambda ns, side, i: clone(side.item, action=clone(side.action, title=f"Action {i}")),
    "demands": lambda ns, side, i: clone(side.demand, title=f"Demande {i}"),
    "victories": lambda ns, side, i: clone(side.victory, title=f"Victoire {i}",
                                           demand=clone(side.demand, title=f"Demande {i}")),
    "group_allies": lambda ns, side, i: clone(
        side.link, ally=clone(ns.ally, name=f"Allié {side.group.id}-{i}")),
    "assessments": _more_assessments,
    "campaigns": lambda ns, side, i: clone(side.campaign, ended_on=dt.date(2026, 1, 1)),
    "users": lambda ns, side, i: clone(side.referent, email=f"r{side.group.id}-{i}@example.org"),
    "changelog": lambda ns, side, i: ChangeLog.record(user=side.referent, table_name="meeting",
                                                      record_id=side.meeting.id, kind="update",
                                                      field="outcome", old={"outcome": ""},
                                                      new={"outcome": str(i)}),
}


@pytest.fixture
def count_queries(monkeypatch, conn):
    """count_queries(client, url) -> (number of SQL statements, the statements) for one request."""
    statements = []
    real = db.obj.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        statements.append(sql)
        return real(sql, params, *args, **kwargs)

    monkeypatch.setattr(db.obj, "execute_sql", counting)

    def count(client, url):
        statements.clear()
        response = client.get(url)
        assert response.status_code == 200, url
        return len(statements), list(statements)

    return count


MEASURED = {}  # (endpoint, kind) -> (queries with the network only, with 60 more rows), for reports


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("endpoint", MORE_ROWS)
def test_export_query_count_does_not_grow_with_rows(coordination, network, count_queries, endpoint, kind):
    url = f"/admin/{endpoint}/export/{kind}/"
    few, _ = count_queries(coordination, url)
    with history_disabled():
        for i in range(30):
            for side in (network.a, network.b):
                MORE_ROWS[endpoint](network, side, i)
    many, statements = count_queries(coordination, url)
    MEASURED[(endpoint, kind)] = (few, many)
    if kind == "csv":
        assert len(read_csv(coordination.get(url))) >= 61
    assert many == few, f"{few} requêtes avec peu de lignes, {many} avec 60 de plus : " + \
        "\n".join(s[:160] for s in statements[-3:])


@pytest.mark.parametrize("endpoint", MORE_ROWS)
def test_list_query_count_does_not_grow_with_rows(coordination, network, count_queries, endpoint):
    url = f"/admin/{endpoint}/"
    few, _ = count_queries(coordination, url)
    with history_disabled():
        for i in range(30):
            for side in (network.a, network.b):
                MORE_ROWS[endpoint](network, side, i)
    many, statements = count_queries(coordination, url)
    assert many == few, f"{few} requêtes avec peu de lignes, {many} avec 60 de plus : " + \
        "\n".join(s[:160] for s in statements[-3:])


def test_meetings_export_query_count_60_rows(coordination, network, count_queries):
    """The brief's case: 60 meetings over the two groups cost as many queries as 2."""
    few, _ = count_queries(coordination, "/admin/meetings/export/csv/")
    for i in range(30):
        Meeting.create(group=network.a.group, status="tenu", date=dt.date(2026, 1, 1) + dt.timedelta(i))
        Meeting.create(group=network.b.group, status="demande", outcome=f"Réponse {i}")
    many, _ = count_queries(coordination, "/admin/meetings/export/csv/")
    assert len(read_csv(coordination.get("/admin/meetings/export/csv/"))) == 63
    assert few == many <= 4


# -- accent-insensitive search ----------------------------------------------------------------
def _listed_ids(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    ids = re.findall(r'<input type="checkbox" name="rowid" class="action-checkbox" value="(\d+)', html)
    return {int(i) for i in ids}


@pytest.mark.parametrize("word", ["evry", "évry", "EVRY", "Évry", "ÉVRY", "courcouronnes",
                                  "Alternatiba évry"])
def test_accent_insensitive_search_groups(coordination, network, word):
    assert _listed_ids(coordination, f"/admin/groups/?search={word}") == {network.b.group.id}
    records = csv_records(coordination.get(f"/admin/groups/export/csv/?search={word}"))
    assert [r["Nom"] for r in records] == ["Alternatiba Évry"]


@pytest.mark.parametrize("word", ["evry", "évry", "EVRY", "Évry", "ÉVRY"])
def test_accent_insensitive_search_meetings(coordination, network, word):
    assert _listed_ids(coordination, f"/admin/meetings/?search={word}") == {network.b.meeting.id}
    records = csv_records(coordination.get(f"/admin/meetings/export/csv/?search={word}"))
    assert [r["Groupe"] for r in records] == ["Alternatiba Évry"]


def test_search_without_match_exports_nothing(coordination, network):
    assert csv_records(coordination.get("/admin/meetings/export/csv/?search=marseille")) == []
    assert _listed_ids(coordination, "/admin/groups/?search=marseille") == set()


def test_search_matches_other_records_too(coordination, network):
    Meeting.update(outcome="Accord pour une rue scolaire").where(
        Meeting.id == network.a.meeting.id).execute()
    assert _listed_ids(coordination, "/admin/meetings/?search=SCOLAIRE") == {network.a.meeting.id}
    assert _listed_ids(coordination, "/admin/meetings/?search=lyon") == {network.a.meeting.id}

"""The weekly follow-up: read back with openpyxl and the csv module, reproducible for past weeks."""
import csv
import datetime as dt
import io
import shutil
import subprocess
import zipfile

import openpyxl
import pytest

from models import (
    ALL_MODELS,
    Campaign,
    CampaignStep,
    ChecklistItem,
    Group,
    Meeting,
    Transition,
    User,
    Victory,
    utcnow,
)
from models.audit import history_disabled
from models.flags import overdue_steps
from seed.demo import load_demo
from seed.reference import load_reference
from workflows.campaign import fire
from workflows.definition import STATE_LABELS
from workflows.flags import overdue_rows
from workflows.followup import GROUP_HEADERS, FollowupError, Week, export_files

SHEETS = ["Groupes", "En retard", "Rendez-vous", "Actions", "Transitions"]
TODAY = dt.date.today()
THIS_WEEK = Week.of(TODAY)
LAST_WEEK = THIS_WEEK.previous()


def workbook(body):
    return openpyxl.load_workbook(io.BytesIO(body))


def values(book):
    """{sheet: [row tuples]} of a workbook, header included."""
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}


def csv_files(body):
    """{file name: [rows]} of the zipped CSV, checking the bytes French Excel needs."""
    out = {}
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        for name in archive.namelist():
            raw = archive.read(name)
            assert raw.startswith(b"\xef\xbb\xbf"), f"{name}: no UTF-8 BOM"
            text = raw.decode("utf-8-sig")
            assert "\r\n" in text and "\n" not in text.replace("\r\n", ""), f"{name}: not CRLF"
            out[name] = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    return out


def export(week, fmt="xlsx"):
    return export_files(week, fmt)


def row_of(book, group_name):
    rows = values(book)["Groupes"]
    return dict(zip(rows[0], next(r for r in rows[1:] if r[0] == group_name), strict=True))


# -- the demo network, this week -------------------------------------------------------------------
@pytest.fixture
def demo(conn):
    load_reference()
    load_demo(TODAY)


def test_cli_writes_the_workbook_and_the_zipped_csv(runner, demo, tmp_path):
    result = runner.invoke(args=["followup", "export", "--week", str(THIS_WEEK), "--format", "both",
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [f"suivi-hebdo-{THIS_WEEK}-csv.zip",
                                                          f"suivi-hebdo-{THIS_WEEK}.xlsx"]
    book = openpyxl.load_workbook(out / f"suivi-hebdo-{THIS_WEEK}.xlsx")
    assert book.sheetnames == SHEETS
    groups = book["Groupes"]
    assert [c.value for c in groups[1]] == GROUP_HEADERS
    assert groups.max_row == Group.select().count() + 1
    for sheet in book:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref.startswith("A1:"), sheet.title
        assert all(sheet.column_dimensions[c].width >= 8 for c in "ABC"), sheet.title
    # The zipped CSV holds the same sheets, one file each, with French dates.
    files = csv_files((out / f"suivi-hebdo-{THIS_WEEK}-csv.zip").read_bytes())
    assert sorted(files) == sorted(f"suivi-hebdo-{THIS_WEEK}-{n}.csv" for n in
                                   ("groupes", "en-retard", "rendez-vous", "actions", "transitions"))
    late_csv = files[f"suivi-hebdo-{THIS_WEEK}-en-retard.csv"]
    late_xlsx = values(book)["En retard"]
    assert len(late_csv) == len(late_xlsx)
    assert late_csv[1][3] == late_xlsx[1][3].strftime("%d/%m/%Y")
    assert late_csv[1][4] == str(late_xlsx[1][4])


def test_default_is_this_week_as_xlsx(runner, demo, tmp_path):
    result = runner.invoke(args=["followup", "export", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == [f"suivi-hebdo-{THIS_WEEK}.xlsx"]


def test_types_dates_numbers_and_highlighted_delays(demo):
    book = workbook(export(THIS_WEEK)[f"suivi-hebdo-{THIS_WEEK}.xlsx"])
    groups = book["Groupes"]
    headers = [c.value for c in groups[1]]
    due, late, days = (headers.index(h) for h in ("Échéance", "Retard (jours)", "Jours dans l'étape"))
    dated = [row[due] for row in groups.iter_rows(min_row=2) if row[due].value is not None]
    assert dated and all(isinstance(c.value, dt.datetime) and c.number_format == "DD/MM/YYYY" for c in dated)
    assert all(isinstance(row[days].value, int) for row in groups.iter_rows(min_row=2)
               if row[days].value is not None)
    late_cells = [row[late] for row in groups.iter_rows(min_row=2) if row[late].value]
    assert late_cells, "the demo has late groups"
    assert all(c.fill.fgColor.rgb.endswith("F4C7C3") and c.font.bold for c in late_cells)
    on_time = [row[late] for row in groups.iter_rows(min_row=2) if not row[late].value]
    assert all(c.fill.fill_type is None for c in on_time)


def test_a_known_group_row_matches_its_records(demo):
    step = overdue_steps(TODAY).first()  # the most overdue demo group
    group = Group.get_by_id(step.campaign.group.id)  # the overdue list reads only its id and name
    row = row_of(workbook(export(THIS_WEEK)[f"suivi-hebdo-{THIS_WEEK}.xlsx"]), group.name)
    assert row["Commune"] == group.commune and row["Département"] == group.departement_code
    assert row["Étape"] == STATE_LABELS[step.campaign.state]
    assert row["Retard (jours)"] == step.days_late
    assert row["Échéance"].date() == step.due_on
    referents = User.select().where(User.group == group.id, User.role == "referent")
    assert all((u.full_name or u.email) in row["Référent·es"] for u in referents)
    assert row["Victoires"] == Victory.select().where(Victory.group == group.id,
                                                      Victory.obtained_on <= THIS_WEEK.sunday).count()
    last = (Meeting.select()
            .where(Meeting.group == group.id, Meeting.date <= TODAY, Meeting.status != "annule")
            .order_by(Meeting.date.desc(), Meeting.id.desc()).first())
    assert (row["Dernier rendez-vous"].date() if row["Dernier rendez-vous"] else None) == (last and last.date)


def test_overdue_sheet_uses_the_same_definition_as_the_flags(demo):
    rows = values(workbook(export(THIS_WEEK)[f"suivi-hebdo-{THIS_WEEK}.xlsx"]))["En retard"][1:]
    expected = overdue_rows(TODAY)
    assert len(rows) == len(expected) > 0
    assert [(r[0], r[1], r[2], r[3].date(), r[4]) for r in rows] == expected
    assert [r[4] for r in rows] == sorted((r[4] for r in rows), reverse=True)


# -- a scenario built in the test: reproducible past weeks, changes since last week ---------------
@pytest.fixture
def aged(network):
    """The two-group network as if it had been there for two months, each campaign at its step."""
    long_ago = utcnow() - dt.timedelta(days=60)
    with history_disabled():
        network.a.old_meeting = Meeting.create(group=network.a.group, status="tenu", outcome="Ancien",
                                               date=LAST_WEEK.monday - dt.timedelta(days=30))
        for model in ALL_MODELS:
            if "created_at" in model._meta.fields:
                model.update(created_at=long_ago, updated_at=long_ago).execute()
        for side in (network.a, network.b):
            CampaignStep.update(opened_on=long_ago.date(), due_on=TODAY + dt.timedelta(days=40)) \
                .where(CampaignStep.id == side.step.id).execute()
            Transition.create(campaign=side.campaign, event="demarrer", from_state=None,
                              to_state="rendez_vous", at=long_ago, comment="")
            Meeting.update(date=LAST_WEEK.monday - dt.timedelta(days=7), status="tenu") \
                .where(Meeting.id == side.meeting.id).execute()
            Victory.update(obtained_on=LAST_WEEK.monday - dt.timedelta(days=20)) \
                .where(Victory.id == side.victory.id).execute()
    return network


def change_things_this_week(ns):
    """Writes a referent would make after last week ended (through the audited models)."""
    meeting = Meeting.get_by_id(ns.b.meeting.id)
    meeting.outcome, meeting.status = "Compte rendu réécrit", "annule"
    meeting.save()
    Meeting.create(group=ns.a.group, status="tenu", date=THIS_WEEK.monday, with_whom="adjoint")
    older = Meeting.get_by_id(ns.a.old_meeting.id)  # now dated after last week's last meeting
    older.date = LAST_WEEK.monday - dt.timedelta(days=3)
    older.save()
    item = ChecklistItem.get_by_id(ns.a.item.id)
    item.done = True
    item.save()
    step = CampaignStep.get_by_id(ns.a.step.id)
    step.due_on = THIS_WEEK.monday - dt.timedelta(days=1)  # late from this Monday on, not last week
    step.save()
    Victory.get_by_id(ns.b.victory.id).delete_instance()
    fire(Campaign.get_by_id(ns.b.campaign.id), "suspendre", comment="Élections")
    group = Group.get_by_id(ns.b.group.id)
    group.name = "Alternatiba Évry renommé"
    group.save()


def test_an_item_late_last_week_and_ticked_since_stays_in_last_weeks_overdue_sheet(aged):
    ChecklistItem.update(due_on=LAST_WEEK.monday, done=False) \
        .where(ChecklistItem.id == aged.a.item.id).execute()
    item = ChecklistItem.get_by_id(aged.a.item.id)
    item.done = True
    item.save()  # ticked this week: nothing of this action is late any more today
    overdue = values(workbook(export(LAST_WEEK, "xlsx")[f"suivi-hebdo-{LAST_WEEK}.xlsx"]))["En retard"]
    assert [tuple(r[1:3]) for r in overdue if r[0] == "Checklist"] == [
        ("Collectif Transition Lyon", f"{aged.a.action.title} — {item.label}")]
    assert values(workbook(export(THIS_WEEK, "xlsx")[f"suivi-hebdo-{THIS_WEEK}.xlsx"]))["En retard"][1:] == []


def test_past_week_is_reproducible(aged):
    before = export(LAST_WEEK, "both")
    change_things_this_week(aged)
    after = export(LAST_WEEK, "both")
    xlsx, zipped = f"suivi-hebdo-{LAST_WEEK}.xlsx", f"suivi-hebdo-{LAST_WEEK}-csv.zip"
    assert values(workbook(after[xlsx])) == values(workbook(before[xlsx]))
    assert after[zipped] == before[zipped]  # byte for byte
    # ...and it really is last week's state, not today's.
    book = workbook(after[xlsx])
    assert row_of(book, "Alternatiba Évry")["Étape"] == "Rendez-vous avec la mairie"
    assert row_of(book, "Alternatiba Évry")["Victoires"] == 1
    evry = row_of(book, "Alternatiba Évry")
    assert evry["Dernier rendez-vous"].date() == LAST_WEEK.monday - dt.timedelta(days=7)
    assert evry["Résultat du rendez-vous"] is None  # the meeting as it was, not its later report
    lyon = row_of(book, "Collectif Transition Lyon")  # its older meeting was re-dated since
    assert (lyon["Dernier rendez-vous"].date(), lyon["Résultat du rendez-vous"]) == (
        LAST_WEEK.monday - dt.timedelta(days=7), None)


def test_changes_since_previous_week(aged):
    change_things_this_week(aged)
    book = workbook(export(THIS_WEEK)[f"suivi-hebdo-{THIS_WEEK}.xlsx"])
    lyon = row_of(book, "Collectif Transition Lyon")
    assert lyon["Retard (jours)"] == (TODAY - THIS_WEEK.monday).days + 1
    assert "1 rendez-vous" in lyon["Changements depuis la semaine précédente"]
    assert "Retard signalé" in lyon["Changements depuis la semaine précédente"]
    evry = row_of(book, "Alternatiba Évry renommé")
    assert "Étape : Rendez-vous avec la mairie → En pause" in evry["Changements depuis la semaine précédente"]
    assert evry["Victoires"] == 0
    transitions = values(book)["Transitions"]
    assert [(r[1], r[2], r[3], r[5]) for r in transitions[1:]] == [
        ("Alternatiba Évry renommé", "Rendez-vous avec la mairie", "En pause", "Élections")]
    meetings = values(book)["Rendez-vous"]
    assert any(r[1] == "Collectif Transition Lyon" and r[2] == "Adjoint·e au maire" for r in meetings[1:])


def test_formula_payloads_are_neutralised(aged):
    payloads = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]
    for payload in payloads:
        Meeting.create(group=aged.a.group, status="tenu", date=THIS_WEEK.monday, outcome=payload)
    files = export(THIS_WEEK, "both")
    cells = [r[5] for r in values(workbook(files[f"suivi-hebdo-{THIS_WEEK}.xlsx"]))["Rendez-vous"][1:]]
    texts = [r[5] for r in csv_files(files[f"suivi-hebdo-{THIS_WEEK}-csv.zip"])[
        f"suivi-hebdo-{THIS_WEEK}-rendez-vous.csv"][1:]]
    for payload in payloads:
        assert "'" + payload in texts
        assert "'" + payload in cells


# -- bad input, permissions ---------------------------------------------------------------------
@pytest.mark.parametrize(("args", "message"), [
    (["--week", "2026-47"], "illisible"),
    (["--week", "2026-W60"], "n'existe pas"),
    (["--week", f"{TODAY.year + 1}-W10"], "pas encore commencé"),
    (["--format", "pdf"], "Format « pdf » inconnu"),
])
def test_unknown_week_or_format_is_a_clear_error(runner, network, tmp_path, args, message):
    result = runner.invoke(args=["followup", "export", "--out", str(tmp_path / "out"), *args])
    assert result.exit_code != 0
    assert message in result.output
    assert not (tmp_path / "out").exists()


def test_week_parse_refuses_garbage():
    with pytest.raises(FollowupError):
        Week.parse("'; DROP TABLE")


@pytest.mark.parametrize(("role", "status"), [("coordination", 200), ("observer", 200), ("referent", 403)])
def test_download_from_the_dashboard(as_role, role, status):
    client = as_role(role)
    response = client.get(f"/suivi-hebdo/?semaine={THIS_WEEK}&format=xlsx")
    assert response.status_code == status
    if status == 200:
        assert workbook(response.data).sheetnames == SHEETS
        assert f"suivi-hebdo-{THIS_WEEK}.xlsx" in response.headers["Content-Disposition"]
        zipped = client.get(f"/suivi-hebdo/?semaine={THIS_WEEK}&format=csv")
        assert zipped.mimetype == "application/zip" and len(csv_files(zipped.data)) == len(SHEETS)
    else:
        assert "Groupes" not in response.get_data(as_text=True)


def test_dashboard_offers_the_download_and_bad_weeks_are_explained(as_role):
    client = as_role("coordination")
    assert 'action="/suivi-hebdo/"' in client.get("/admin/").get_data(as_text=True)
    response = client.get("/suivi-hebdo/?semaine=2026-W99", follow_redirects=True)
    assert response.status_code == 200
    assert "La semaine 99 n&#39;existe pas en 2026." in response.get_data(as_text=True)


def test_anonymous_download_goes_to_login(client, network):
    response = client.get("/suivi-hebdo/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) n'est pas installé ici")
def test_libreoffice_reads_the_workbook(demo, tmp_path):
    path = tmp_path / "suivi.xlsx"
    path.write_bytes(export(THIS_WEEK)[f"suivi-hebdo-{THIS_WEEK}.xlsx"])
    subprocess.run(["soffice", "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):59,34,76",
                    "--outdir", str(tmp_path), str(path)], check=True, timeout=120, capture_output=True)
    text = (tmp_path / "suivi.csv").read_text(encoding="utf-8")
    assert text.startswith("Groupe;Commune") and "Référent·es" in text  # accents intact
    step = overdue_steps(TODAY).first()
    line = next(r for r in csv.reader(io.StringIO(text), delimiter=";") if r[0] == step.campaign.group.name)
    assert step.due_on.strftime("%d/%m/%Y") in line  # a real date, shown dd/mm/yyyy
    assert str(step.days_late) in line

"""Every write path leaves exactly one change-log entry, in the same transaction."""
import json
import re

import pytest
from peewee import IntegrityError

from models import Action, ChangeLog, ChecklistItem, Meeting

from .network import csrf_token, form_data


def _entries(table, record_id):
    return list(ChangeLog.select().where(ChangeLog.table_name == table, ChangeLog.record_id == record_id)
                .order_by(ChangeLog.id))


def test_form_edit_writes_one_entry_with_old_and_new(as_role, network):
    client, meeting = as_role("referent"), network.a.meeting
    data = form_data(client, f"/admin/meetings/edit/?id={meeting.id}")
    data.update(outcome="Accord de principe", status="tenu")
    assert client.post(f"/admin/meetings/edit/?id={meeting.id}", data=data).status_code == 302
    [entry] = _entries("meeting", meeting.id)
    assert entry.kind == "update"
    assert entry.user.email == "referent-a@example.org"
    assert entry.field == "outcome,status"
    assert json.loads(entry.old_value) == {"outcome": "", "status": "programme"}
    assert json.loads(entry.new_value) == {"outcome": "Accord de principe", "status": "tenu"}


def test_inline_cell_edit_writes_one_entry(as_role, network):
    client, meeting = as_role("referent"), network.a.meeting
    response = client.post("/admin/meetings/ajax/update/", data={
        "list_form_pk": f"{meeting.id}:{meeting.version}", "date": "2026-12-01",
        "csrf_token": csrf_token(client, "/admin/meetings/")})
    assert response.status_code == 200, response.get_data(as_text=True)
    [entry] = _entries("meeting", meeting.id)
    assert json.loads(entry.new_value) == {"date": "2026-12-01"}


def test_create_and_delete_write_one_entry_each(as_role, network):
    client = as_role("coordination")
    data = form_data(client, "/admin/meetings/new/")
    data.update(group=str(network.b.group.id), with_whom="adjoint", status="demande",
                contact_name="Adjointe aux mobilités")
    assert client.post("/admin/meetings/new/", data=data).status_code == 302
    meeting = Meeting.get(Meeting.contact_name == "Adjointe aux mobilités")
    [created] = _entries("meeting", meeting.id)
    assert created.kind == "create" and created.user.email == "coordination@example.org"
    response = client.post("/admin/meetings/delete/", data={
        "id": f"{meeting.id}:{meeting.version}", "csrf_token": csrf_token(client, "/admin/meetings/")})
    assert response.status_code == 302
    assert Meeting.get_or_none(Meeting.id == meeting.id) is None
    kinds = [e.kind for e in _entries("meeting", meeting.id)]
    assert kinds == ["create", "delete"]
    deleted = json.loads(_entries("meeting", meeting.id)[1].old_value)
    assert deleted["contact_name"] == "Adjointe aux mobilités"


def test_bulk_delete_writes_one_entry_per_row(as_role, network):
    client = as_role("coordination")
    victories = [network.a.victory, network.b.victory]
    response = client.post("/admin/victories/action/", data={
        "action": "delete", "rowid": [f"{v.id}:{v.version}" for v in victories],
        "csrf_token": csrf_token(client, "/admin/victories/")})
    assert response.status_code == 302
    for victory in victories:
        assert [e.kind for e in _entries("victory", victory.id)] == ["delete"]


def test_delete_with_children_is_refused_and_logged_nowhere(as_role, network):
    client = as_role("coordination")
    action = network.a.action  # has a checklist item
    response = client.post("/admin/actions/delete/", data={
        "id": str(action.id), "csrf_token": csrf_token(client, "/admin/actions/")}, follow_redirects=True)
    assert "Suppression refusée" in response.get_data(as_text=True)
    assert Action.get_or_none(Action.id == action.id) is not None
    assert _entries("action", action.id) == []


def _new_action_with_checklist(client, network, label):
    data = form_data(client, "/admin/actions/new/")
    data.update({"group": str(network.a.group.id), "kind": str(network.kind.id),
                 "title": "Tractage marché", "status": "idee", "difficulty": "1", "energy": "1",
                 "press_articles": "0",
                 "checklist-0-phase": "avant", "checklist-0-label": label,
                 "checklist-0-due_on": "2026-12-01"})
    data.pop("demand", None)
    return client.post("/admin/actions/new/", data=data)


def test_create_with_an_inline_checklist_row(as_role, network):
    client = as_role("referent")
    response = _new_action_with_checklist(client, network, "Imprimer les tracts")
    html = response.get_data(as_text=True)
    assert response.status_code == 302, re.findall(r"(?:invalid-feedback|alert)[^<]*<[^<]*<?[^<]*", html)
    action = Action.get(Action.title == "Tractage marché")
    [item] = action.checklist
    assert item.label == "Imprimer les tracts"
    assert [e.kind for e in _entries("action", action.id)] == ["create"]
    assert [e.kind for e in _entries("checklist_item", item.id)] == ["create"]


def test_failing_inline_row_writes_nothing(as_role, network, monkeypatch):
    client = as_role("referent")
    before = (Action.select().count(), ChecklistItem.select().count(), ChangeLog.select().count())
    real_save = ChecklistItem.save

    def failing_save(self, *args, **kwargs):
        if self.label == "boum":
            raise IntegrityError("simulated failure of a child row")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(ChecklistItem, "save", failing_save)
    response = _new_action_with_checklist(client, network, "boum")
    assert response.status_code == 200  # form shown again with the error
    assert "Enregistrement refusé" in response.get_data(as_text=True)
    after = (Action.select().count(), ChecklistItem.select().count(), ChangeLog.select().count())
    assert after == before


def test_details_page_shows_the_history(as_role, network):
    client, meeting = as_role("referent"), network.a.meeting
    client.post("/admin/meetings/ajax/update/", data={
        "list_form_pk": f"{meeting.id}:{meeting.version}", "status": "tenu",
        "csrf_token": csrf_token(client, "/admin/meetings/")})
    html = client.get(f"/admin/meetings/details/?id={meeting.id}").get_data(as_text=True)
    assert "Historique" in html
    assert "Programmé" in html and "Tenu" in html  # old -> new, as labels
    assert "Référent A" in html


@pytest.mark.parametrize("path", ["edit/?id={id}", "new/", "details/?id={id}"])
def test_the_change_log_cannot_be_edited_from_the_ui(as_role, network, path):
    client = as_role("coordination")
    entry = ChangeLog.record(user=None, table_name="group", record_id=1, kind="update",
                             old={"name": "a"}, new={"name": "b"})
    assert client.get(f"/admin/changelog/{path.format(id=entry.id)}").status_code == 403
    deleted = client.post("/admin/changelog/delete/", data={
        "id": str(entry.id), "csrf_token": csrf_token(client, "/admin/changelog/")})
    assert deleted.status_code == 403
    assert ChangeLog.get_by_id(entry.id).new_value == '{"name": "b"}'


def test_inline_row_cannot_address_another_groups_row(as_role, network):
    # Flask-Admin never copies a submitted inline id onto the row: an unknown id is a new row.
    client, action, foreign = as_role("referent"), network.a.action, network.b.item
    url = f"/admin/actions/edit/?id={action.id}"
    data = form_data(client, url)
    data.update({"checklist-1-id": str(foreign.id), "checklist-1-phase": "apres",
                 "checklist-1-label": "Détourné", "checklist-1-due_on": "2026-12-24"})
    assert client.post(url, data=data).status_code == 302
    untouched = ChecklistItem.get_by_id(foreign.id)
    assert (untouched.action_id, untouched.label) == (network.b.action.id, foreign.label)
    assert [i.label for i in Action.get_by_id(action.id).checklist.order_by(ChecklistItem.id)] == [
        network.a.item.label, "Détourné"]

"""Checklist items get their due dates from the action date, and follow it when it moves."""
import datetime as dt

from models import Action, ChecklistItem, ChecklistTemplate
from models.audit import history_disabled

from .network import csrf_token, form_data


def _templates():
    with history_disabled():
        ChecklistTemplate.create(code="objectif", phase="avant", label="Définir l'objectif", offset_days=-21,
                                 position=0)
        ChecklistTemplate.create(code="photos", phase="pendant", label="Prendre des photos", offset_days=0,
                                 position=2)


def test_new_action_gets_the_template_checklist(as_role, network):
    _templates()
    client = as_role("referent")
    data = form_data(client, "/admin/actions/new/")
    data.update(group=str(network.a.group.id), kind=str(network.kind.id), title="Vélorution de printemps",
                status="planifiee", date="2027-04-10", difficulty="2", energy="3", press_articles="0")
    data.pop("demand", None)
    assert client.post("/admin/actions/new/", data=data).status_code == 302
    action = Action.get(Action.title == "Vélorution de printemps")
    due = {i.label: i.due_on for i in action.checklist}
    assert due["Déclarer en préfecture"] == dt.date(2027, 4, 3)  # 7 days before
    assert due["Définir l'objectif"] == dt.date(2027, 3, 20)
    assert due["Prendre des photos"] == dt.date(2027, 4, 10)


def test_moving_the_action_moves_open_items_only(as_role, network):
    client = as_role("referent")
    action = network.a.action  # dated TODAY + 20, item due TODAY + 13
    with history_disabled():
        done = ChecklistItem.create(action=action, phase="avant", label="Déjà fait", done=True,
                                    due_on=dt.date(2026, 12, 1))
    old_item_due = network.a.item.due_on
    response = client.post("/admin/actions/ajax/update/", data={
        "list_form_pk": f"{action.id}:{action.version}",
        "date": (action.date + dt.timedelta(days=10)).isoformat(),
        "csrf_token": csrf_token(client, "/admin/actions/")})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert ChecklistItem.get_by_id(network.a.item.id).due_on == old_item_due + dt.timedelta(days=10)
    assert ChecklistItem.get_by_id(done.id).due_on == dt.date(2026, 12, 1)

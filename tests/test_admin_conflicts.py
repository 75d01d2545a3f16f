"""No lost updates: the second of two concurrent saves is refused and shown what changed."""
from models import ChangeLog, Meeting

from .network import csrf_token, form_data


def _edit_url(meeting):
    return f"/admin/meetings/edit/?id={meeting.id}"


def test_second_form_save_is_refused_and_the_first_value_stays(as_role, network):
    meeting = network.a.meeting
    first, second = as_role("coordination"), as_role("referent")
    data_first = form_data(first, _edit_url(meeting))
    data_second = form_data(second, _edit_url(meeting))  # both opened the same version
    data_first["outcome"] = "Accord du maire pour la piste cyclable"
    assert first.post(_edit_url(meeting), data=data_first).status_code == 302
    data_second["outcome"] = "Rendez-vous reporté"
    response = second.post(_edit_url(meeting), data=data_second)
    html = response.get_data(as_text=True)
    assert response.status_code == 200  # the form again, with the user's input kept
    assert "Quelqu&#39;un d&#39;autre a modifié cet enregistrement" in html
    assert "Accord du maire pour la piste cyclable" in html  # what the other person saved
    assert "Rendez-vous reporté" in html  # their own input is not lost
    stored = Meeting.get_by_id(meeting.id)
    assert stored.outcome == "Accord du maire pour la piste cyclable"
    assert stored.version == meeting.version + 1


def test_stale_inline_edit_is_refused(as_role, network):
    meeting = network.a.meeting
    first, second = as_role("coordination"), as_role("referent")
    seen = f"{meeting.id}:{meeting.version}"  # both list pages show this version
    ok = first.post("/admin/meetings/ajax/update/", data={
        "list_form_pk": seen, "status": "tenu", "csrf_token": csrf_token(first, "/admin/meetings/")})
    assert ok.status_code == 200, ok.get_data(as_text=True)
    stale = second.post("/admin/meetings/ajax/update/", data={
        "list_form_pk": seen, "status": "annule", "csrf_token": csrf_token(second, "/admin/meetings/")})
    assert stale.status_code == 409
    message = stale.get_data(as_text=True)
    assert "Quelqu'un d'autre a modifié cet enregistrement" in message
    assert "Tenu" in message
    assert Meeting.get_by_id(meeting.id).status == "tenu"


def test_refused_save_writes_no_history(as_role, network):
    meeting = network.a.meeting
    client = as_role("referent")
    before = ChangeLog.select().count()
    stale = client.post("/admin/meetings/ajax/update/", data={
        "list_form_pk": f"{meeting.id}:{meeting.version + 5}", "status": "annule",
        "csrf_token": csrf_token(client, "/admin/meetings/")})
    assert stale.status_code == 409
    assert ChangeLog.select().count() == before
    assert Meeting.get_by_id(meeting.id).status == "programme"


def test_saving_a_deleted_row_is_a_clear_error(as_role, network):
    client = as_role("coordination")
    meeting = network.b.meeting
    data = form_data(client, _edit_url(meeting))
    Meeting.delete().where(Meeting.id == meeting.id).execute()
    response = client.post(_edit_url(meeting), data=data)
    assert response.status_code in (302, 404)
    assert Meeting.get_or_none(Meeting.id == meeting.id) is None

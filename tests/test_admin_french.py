"""The tables speak French, including the messages Flask-Admin's own catalogue misses."""
from .network import form_data


def test_failed_create_message_is_french(as_role, network):
    client = as_role("coordination")
    data = form_data(client, "/admin/meetings/new/")
    data["status"] = "pas-un-statut"
    html = client.post("/admin/meetings/new/", data=data).get_data(as_text=True)
    assert "Impossible de créer l&#39;enregistrement." in html
    assert "Failed to create record" not in html


def test_list_page_is_french(as_role, network):
    html = as_role("observer").get("/admin/meetings/").get_data(as_text=True)
    for text in ("Liste", "Ajouter un filtre", "Rechercher", "Groupe", "Statut", "Programmé"):
        assert text in html


def test_malformed_foreign_key_is_a_form_error(as_role, network):
    from models import Meeting

    client = as_role("coordination")
    before = Meeting.select().count()
    for bad in ("", "abc", "1 OR 1=1", "-5"):
        data = form_data(client, "/admin/meetings/new/")
        data.update(group=bad, status="demande", with_whom="maire")
        response = client.post("/admin/meetings/new/", data=data)
        assert response.status_code == 200, bad
        assert "Impossible de créer l&#39;enregistrement." in response.get_data(as_text=True)
    assert Meeting.select().count() == before

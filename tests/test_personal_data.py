"""Personal data (GDPR): export everything held about a volunteer, or anonymise it.

From the CLI (`flask personal export|anonymise`) and the coordination's page
(/admin/donnees-personnelles/). After anonymising, the person's name, e-mail and phone are
nowhere in the database, the change log still shows that changes were made (and by whom),
and other people's data is untouched. Everyone but the coordination team gets a 403.
"""
import json

import pytest

from models import ALL_MODELS, Ally, ChangeLog, Group, Meeting, Transition, User
from models.audit import acting_as
from models.login_attempt import LoginAttempt
from workflows.personal_data import ANONYMOUS_NAME, ERASED

from .network import PASSWORD, csrf_token, login

EMAIL = "referent-a@example.org"
NAME = "Camille Lumière"
PHONE = "07 11 22 33 44"
PAGE = "/admin/donnees-personnelles/"


@pytest.fixture
def person(conn, network):
    """Referent A with a history: their own details changed, edits they made, a contact role."""
    ns = network
    with acting_as(ns.coordination):
        user = User.get_by_id(ns.a.referent.id)
        user.full_name, user.phone = NAME, PHONE
        user.save()
        group = Group.get_by_id(ns.a.group.id)
        group.contact_email = EMAIL
        group.save()
    with acting_as(user):
        meeting = Meeting.get_by_id(ns.a.meeting.id)
        meeting.outcome = "Le maire nous reçoit en janvier."
        meeting.save()
        ally = Ally.get_by_id(ns.ally.id)  # Paule Rayon is the contact: her data, not Camille's
        ally.contact_phone = "06 39 98 00 09"
        ally.save()
        ns.mine = Ally.create(name="Collectif des Lilas", kind="collectif_citoyen", contact_name=NAME,
                              contact_email=EMAIL.upper(), contact_phone=PHONE)
    Transition.create(campaign=ns.a.campaign, event="ouvrir_rendez_vous", from_state="priorisation",
                      to_state="rendez_vous", actor=user, comment="On y va")
    for ok in (False, True):
        LoginAttempt.create(email=EMAIL, address="192.0.2.7", succeeded=ok)
    LoginAttempt.create(email="referent-b@example.org", address="192.0.2.8")
    ns.user = User.get_by_id(user.id)
    return ns


def snapshot():
    """Every row of every table (what a refused request must leave as it was)."""
    return {m._meta.table_name: list(m.select().order_by(m.id).tuples()) for m in ALL_MODELS}


def everything_as_text():
    return json.dumps(snapshot(), default=str, ensure_ascii=False)


def cli(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["personal", *args], input=input)


# -- export ------------------------------------------------------------------------------------
def test_export_by_email_holds_everything_about_the_person(app, person):
    result = cli(app, "export", "--email", "  Referent-A@Example.org ")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    account = data["compte"]
    assert (account["email"], account["nom"], account["telephone"]) == (EMAIL, NAME, PHONE)
    assert account["role"] == "Référent·e" and account["actif"] is True
    assert data["groupe_refere"]["nom"] == "Collectif Transition Lyon"
    assert [g["groupe"] for g in data["contact_de_groupes"]] == ["Collectif Transition Lyon"]
    assert [(a["allie"], a["nom"]) for a in data["contact_d_allies"]] == [("Collectif des Lilas", NAME)]
    # What was changed about them, and what they changed.
    about = data["historique_les_concernant"]
    assert any(e["table"] == "user" and e["apres"].get("phone") == PHONE for e in about)
    assert any(e["table"] == "group" and e["apres"] == {"contact_email": EMAIL} for e in about)
    made = data["modifications_faites"]
    assert {(e["table"], e["type"]) for e in made} == {("meeting", "update"), ("ally", "update"),
                                                         ("ally", "create")}
    assert [t["commentaire"] for t in data["etapes_de_campagne"]] == ["On y va"]
    assert [a["reussie"] for a in data["tentatives_de_connexion"]] == [False, True]
    # Never secrets, never other people's data (Paule's phone they typed, the other referent).
    text = result.output
    assert person.user.password_hash not in text and person.user.session_token not in text
    assert "password_hash" not in text and "session_token" not in text
    for other in ("06 39 98 00 09", "paule@example.org", "referent-b@example.org", "192.0.2.8"):
        assert other not in text, other


def test_export_by_ally_is_its_contact(app, person):
    result = cli(app, "export", "--ally", str(person.ally.id))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["compte"] is None
    assert data["contact_d_allies"] == [{"allie_id": person.ally.id, "allie": "Vélo-cité",
                                         "nom": "Paule Rayon", "email": "paule@example.org",
                                         "telephone": "06 39 98 00 09"}]
    assert [e["apres"] for e in data["historique_les_concernant"]] == [{"contact_phone": "06 39 98 00 09"}]


def test_export_to_a_file_readable_by_its_owner_only(app, person, tmp_path):
    out = tmp_path / "export.json"
    result = cli(app, "export", "--email", EMAIL, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["compte"]["email"] == EMAIL
    assert out.stat().st_mode & 0o777 == 0o600


# -- anonymise ---------------------------------------------------------------------------------
def test_anonymise_by_email_erases_the_person_everywhere_and_keeps_the_history(app, person):
    entries_before = ChangeLog.select().count()
    kept = {"group_b": snapshot()["group"][1], "referent_b": User.get_by_id(person.b.referent.id).__data__,
            "paule": Ally.get_by_id(person.ally.id).__data__}
    result = cli(app, "anonymise", "--email", EMAIL, "--yes")
    assert result.exit_code == 0, result.output
    assert "Anonymisé" in result.output

    user = User.get_by_id(person.user.id)
    assert (user.full_name, user.phone, user.is_active) == (ANONYMOUS_NAME, "", False)
    assert user.email == f"anonyme-{user.id}@anonyme.invalid"
    assert user.session_token != person.user.session_token and not user.check_password(PASSWORD)
    assert (user.role, user.group_id) == ("referent", person.a.group.id)  # their group keeps its history
    assert Group.get_by_id(person.a.group.id).contact_email == ""
    mine = Ally.get_by_id(person.mine.id)
    assert (mine.contact_name, mine.contact_email, mine.contact_phone) == ("", "", "")
    assert "camille" not in mine.search_text
    # Nowhere in the database any more, the change log included.
    text = everything_as_text()
    for value in (EMAIL, NAME, PHONE, "Camille", "192.0.2.7"):
        assert value.lower() not in text.lower(), value
    # The history keeps every entry (plus the anonymisation), who made it and which fields changed.
    assert ChangeLog.select().count() == entries_before + 3  # account, ally, group
    phone_change = ChangeLog.get(ChangeLog.table_name == "user", ChangeLog.record_id == user.id,
                                 ChangeLog.user == person.coordination)
    assert phone_change.field == "full_name,phone"
    assert json.loads(phone_change.new_value) == {"full_name": ERASED, "phone": ERASED}
    assert ChangeLog.select().where(ChangeLog.user == user).count() == 3  # their edits, still theirs
    last = ChangeLog.select().where(ChangeLog.table_name == "user").order_by(ChangeLog.id.desc()).get()
    assert last.user is None and json.loads(last.new_value)["full_name"] == ANONYMOUS_NAME
    # Other people's data untouched.
    assert snapshot()["group"][1] == kept["group_b"]
    assert User.get_by_id(person.b.referent.id).__data__ == kept["referent_b"]
    assert Ally.get_by_id(person.ally.id).__data__ == kept["paule"]
    assert LoginAttempt.select().where(LoginAttempt.email == "referent-b@example.org").count() == 1
    # The disabled account cannot log in.
    client = app.test_client()
    response = client.post("/connexion", data={"email": EMAIL, "password": PASSWORD,
                                               "csrf_token": csrf_token(client)})
    assert response.status_code != 302


def test_anonymise_ally_contact_keeps_the_ally(app, person):
    result = cli(app, "anonymise", "--ally", str(person.ally.id), "--yes")
    assert result.exit_code == 0, result.output
    ally = Ally.get_by_id(person.ally.id)
    assert (ally.name, ally.kind) == ("Vélo-cité", "association_velo")
    assert (ally.contact_name, ally.contact_email, ally.contact_phone) == ("", "", "")
    text = everything_as_text()
    for value in ("Paule", "paule@example.org", "06 39 98 00 09", "06 39 98 00 01"):
        assert value not in text, value
    edit = ChangeLog.get(ChangeLog.table_name == "ally", ChangeLog.record_id == ally.id,
                         ChangeLog.user == person.user)
    assert json.loads(edit.old_value) == {"contact_phone": ERASED}  # the change is still there
    assert User.get_by_id(person.user.id).full_name == NAME  # the editor is not the contact


@pytest.mark.parametrize("args, message", [
    (["--email", "personne@example.org"], "Aucune donnée personnelle trouvée pour personne@example.org"),
    (["--ally", "999999"], "Aucun allié n° 999999"),
    (["--ally", "abc"], "Aucun allié n° abc"),
    (["--email", EMAIL, "--ally", "1"], "soit une adresse e-mail, soit un allié"),
    ([], "soit une adresse e-mail, soit un allié"),
    (["--email", "coordination@example.org", "--yes"], "dernier compte de coordination actif"),
])
def test_anonymise_refusals_change_nothing(app, person, args, message):
    before = snapshot()
    result = cli(app, "anonymise", *args)
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
    assert snapshot() == before


def test_anonymise_asks_for_confirmation(app, person):
    before = snapshot()
    result = cli(app, "anonymise", "--email", EMAIL, input="n\n")
    assert result.exit_code != 0
    assert "compte désactivé" in result.output and "Abandon : rien n'a été modifié." in result.output
    assert snapshot() == before


# -- the coordination's page ------------------------------------------------------------------
def as_user(app, email):
    return login(app.test_client(), email)


@pytest.mark.parametrize("email", ["observateur@example.org", "referent-a@example.org"])
def test_page_is_coordination_only(app, person, email):
    client = as_user(app, email)
    token = csrf_token(client, "/admin/")
    before = snapshot()
    target = {"email": EMAIL, "ally": "", "csrf_token": token}
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, data=target).status_code == 403
    assert client.post(PAGE + "export", data=target).status_code == 403
    for step in ("", "confirmer"):
        response = client.post(PAGE + "anonymiser", data=target | {"step": step, "confirm": "y"})
        assert response.status_code == 403
        assert NAME not in response.get_data(as_text=True)
    assert snapshot() == before
    # Contact details stay hidden from them in the tables too.
    allies = client.get("/admin/allies/").get_data(as_text=True)
    assert "paule@example.org" not in allies and "Paule Rayon" not in allies


def test_page_needs_login(app, person):
    response = app.test_client().get(PAGE)
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_page_finds_exports_and_anonymises_after_confirmation(app, person):
    client = as_user(app, "coordination@example.org")
    page = client.get(PAGE)
    assert page.status_code == 200 and "Données personnelles" in page.get_data(as_text=True)
    token = csrf_token(client, PAGE)

    found = client.post(PAGE, data={"email": EMAIL, "ally": "", "csrf_token": token})
    body = found.get_data(as_text=True)
    assert found.status_code == 200 and NAME in body and "Télécharger l'export" in body

    export = client.post(PAGE + "export", data={"email": EMAIL, "ally": "", "csrf_token": token})
    assert export.status_code == 200 and export.mimetype == "application/json"
    assert "attachment; filename=donnees-personnelles-referent-a-example-org-" in \
        export.headers["Content-Disposition"]
    assert json.loads(export.get_data(as_text=True))["compte"]["nom"] == NAME

    before = snapshot()
    ask = client.post(PAGE + "anonymiser", data={"email": EMAIL, "ally": "", "csrf_token": token})
    assert ask.status_code == 200 and "définitif" in ask.get_data(as_text=True)
    assert snapshot() == before, "the first step must not change anything"
    unticked = client.post(PAGE + "anonymiser", data={"email": EMAIL, "ally": "", "csrf_token": token,
                                                       "step": "confirmer"})
    assert unticked.status_code == 400 and "Cochez la case" in unticked.get_data(as_text=True)
    assert snapshot() == before

    done = client.post(PAGE + "anonymiser", data={"email": EMAIL, "ally": "", "csrf_token": token,
                                                   "step": "confirmer", "confirm": "y"})
    assert done.status_code == 303
    assert "données anonymisées" in client.get(PAGE).get_data(as_text=True)
    user = User.get_by_id(person.user.id)
    assert (user.full_name, user.is_active) == (ANONYMOUS_NAME, False)
    entry = ChangeLog.select().where(ChangeLog.table_name == "user").order_by(ChangeLog.id.desc()).get()
    assert entry.user_id == person.coordination.id  # the history says who anonymised


def test_page_anonymises_an_ally_contact(app, person):
    client = as_user(app, "coordination@example.org")
    token = csrf_token(client, PAGE)
    assert "Vélo-cité — Paule Rayon" in client.get(PAGE).get_data(as_text=True)
    done = client.post(PAGE + "anonymiser", data={"email": "", "ally": str(person.ally.id),
                                                   "csrf_token": token, "step": "confirmer", "confirm": "y"})
    assert done.status_code == 303
    assert Ally.get_by_id(person.ally.id).contact_name == ""


def test_page_refuses_bad_input_without_changing_anything(app, person):
    client = as_user(app, "coordination@example.org")
    token = csrf_token(client, PAGE)
    before = snapshot()
    both = client.post(PAGE, data={"email": EMAIL, "ally": str(person.ally.id), "csrf_token": token})
    assert both.status_code == 400 and "soit une adresse e-mail, soit un allié" in both.get_data(as_text=True)
    unknown = client.post(PAGE, data={"email": "personne@example.org", "ally": "", "csrf_token": token})
    assert "Aucune donnée personnelle trouvée" in unknown.get_data(as_text=True)
    assert client.post(PAGE, data={"email": "", "ally": "abc", "csrf_token": token}).status_code == 400
    assert client.post(PAGE, data={"email": "x" * 300, "ally": "", "csrf_token": token}).status_code == 400
    # No CSRF token: refused, whatever else is sent.
    for path in ("", "export", "anonymiser"):
        response = client.post(PAGE + path, data={"email": EMAIL, "ally": "", "step": "confirmer",
                                                   "confirm": "y"})
        assert response.status_code == 400, path
    # A target that no longer matches anyone, or a junk ally id.
    for target in ({"email": "personne@example.org", "ally": ""}, {"email": "", "ally": "abc"},
                   {"email": "", "ally": "99999"}):
        response = client.post(PAGE + "anonymiser", data=target | {"csrf_token": token, "step": "confirmer",
                                                                    "confirm": "y"})
        assert response.status_code == 303
    # Oneself: refused (another coordinator must do it).
    me = client.post(PAGE + "anonymiser", data={"email": "coordination@example.org", "ally": "",
                                                 "csrf_token": token, "step": "confirmer", "confirm": "y"},
                     follow_redirects=True)
    assert "votre propre compte" in me.get_data(as_text=True)
    assert client.get(PAGE + "export").status_code == 405
    assert snapshot() == before


def test_menu_shows_the_page_to_the_coordination_team_only(app, person):
    assert PAGE in as_user(app, "coordination@example.org").get("/admin/").get_data(as_text=True)
    for email in ("observateur@example.org", "referent-a@example.org"):
        assert PAGE not in as_user(app, email).get("/admin/").get_data(as_text=True)

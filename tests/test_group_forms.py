"""« Mon groupe »: a referent's home page and short forms, end to end through the test client.

A valid form writes its rows and a change-log entry naming the referent, then goes home with a
French message. Refused input (bad dates, missing fields, another group's ids, no CSRF token,
a stale version, a move the campaign does not allow) answers in French, keeps what was typed,
and leaves every table, the change log included, exactly as it was.
"""
import datetime as dt
import html
import re
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest

from models import (
    ALL_MODELS,
    Action,
    Ally,
    AssessmentRating,
    Campaign,
    CampaignStep,
    ChangeLog,
    ChecklistItem,
    Demand,
    DemandMeasure,
    GroupAlly,
    GroupTheme,
    Measure,
    Meeting,
    ThemeMeasure,
    Transition,
    Victory,
)
from models.audit import history_disabled

from .network import PASSWORD, csrf_token, form_data

FORM_PAGES = ("rendez-vous", "action", "allie", "demande", "victoire", "etat-des-lieux", "campagne")
ERROR_RE = re.compile(r'<span id="([\w-]+)-erreur" class="error">([^<]*)</span>')
VERSIONS_RE = re.compile(r'name="(\w*version)" type="hidden" value="(\d*)"')
MULTIPLE_RE = re.compile(r'<select\b[^>]*\bmultiple\b[^>]*\bname="(\w+)"[^>]*>(.*?)</select>', re.S)
SELECTED_RE = re.compile(r'<option selected value="([^"]*)"')


# -- helpers -------------------------------------------------------------------------------------
def url(group, page="", **query):
    """A « Mon groupe » address: /groupe/<id>/<page>?<query>."""
    address = f"/groupe/{group.id}/{page}"
    return f"{address}?{urlencode(query)}" if query else address


def checklist_url(group, action):
    return f"/groupe/{group.id}/action/{action.id}/checklist"


def text(response):
    """The page as a reader sees it (entities decoded)."""
    return html.unescape(response.get_data(as_text=True))


def fr(day):
    return day.strftime("%d/%m/%Y")


def days(n):
    return dt.date.today() + dt.timedelta(days=n)


def browser_form(client, address):
    """What a browser submits from the page unchanged: as form_data, but a textarea drops the
    newline right after its tag and a multiple select sends each selected option (none: nothing)."""
    data = {name: value.removeprefix("\r\n") for name, value in form_data(client, address).items()}
    for name, options in MULTIPLE_RE.findall(client.get(address).get_data(as_text=True)):
        data[name] = SELECTED_RE.findall(options)
    return data


def submit(client, address, **changes):
    """Load the form at `address`, change some fields, post it."""
    data = browser_form(client, address)
    for name, value in changes.items():
        data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return client.post(address, data=data)


def valid_form(client, network, page):
    """The new form at one of group A's pages, filled in validly (so a refusal is about something else)."""
    filled = {"rendez-vous": {"contact_name": "Mme la Maire"},
              "action": {"title": "Pétition arceaux", "kind": network.kind.id},
              "allie": {"name": "Les Amis de la Terre Lyon"},
              "demande": {"title": "Zone 30 devant les écoles"},
              "victoire": {"title": "Rue scolaire obtenue"},
              "etat-des-lieux": {},
              "campagne": {"event": "clore", "comment": "Bilan de fin de campagne"}}[page]
    return {**browser_form(client, url(network.a.group, page)), **{k: str(v) for k, v in filled.items()}}


def versions_shown(response):
    """The versions a re-rendered form carries (after a conflict: the ones now stored)."""
    return dict(VERSIONS_RE.findall(response.get_data(as_text=True)))


def snapshot():
    """Every row of every table, the change log and the form tokens included."""
    return {model.__name__: list(model.select().order_by(model.id).tuples()) for model in ALL_MODELS}


@contextmanager
def nothing_written():
    before = snapshot()
    yield
    assert snapshot() == before


def field_errors(response):
    """{field name: French message} shown next to the fields."""
    found = ERROR_RE.findall(response.get_data(as_text=True))
    return {name: html.unescape(message) for name, message in found}


def history(model, record_id):
    """(kind, user id) of each change-log entry of one row, oldest first."""
    entries = (ChangeLog.select().where(ChangeLog.table_name == model._meta.table_name,
                                        ChangeLog.record_id == record_id).order_by(ChangeLog.id))
    return [(entry.kind, entry.user_id) for entry in entries]


def assert_saved(client, response, group, message):
    """Back home, where the French confirmation is shown."""
    assert response.status_code == 302, text(response)[:3000]
    assert response.headers["Location"] == url(group)
    assert message in text(client.get(response.headers["Location"]))


def assert_refused(response, status, **errors):
    """Refused with the French message next to each field, and the general notice on top."""
    assert response.status_code == status, text(response)[:3000]
    assert field_errors(response) == errors
    assert "Rien n'a été enregistré" in text(response)


def move_data(client, group, campaign, event, **extra):
    data = {"campaign": campaign.id, "version": campaign.version, "event": event,
            "csrf_token": csrf_token(client, url(group, "campagne"))}
    return {**data, **extra}


# -- fixtures ------------------------------------------------------------------------------------
@pytest.fixture
def a(network):
    return network.a


@pytest.fixture
def referent(as_role):
    """Group A's referent (Lyon), logged in."""
    return as_role("referent")


@pytest.fixture
def measures(network):
    """Group A works on the cycling theme: measures #15 (rated « En cours ») and #16 (not rated)."""
    with history_disabled():
        second = Measure.create(number=16, title="Développer le réseau cyclable")
        for measure in (network.measure, second):
            ThemeMeasure.create(theme=network.theme, measure=measure)
        GroupTheme.create(group=network.a.group, theme=network.theme)
    return network.measure, second


@pytest.fixture
def assessing(a, measures):
    """Group A's campaign is back at its first step, the assessment."""
    Campaign.update(state="etat_des_lieux").where(Campaign.id == a.campaign.id).execute()
    CampaignStep.update(step="etat_des_lieux").where(CampaignStep.id == a.step.id).execute()
    return measures


@pytest.fixture
def new_ally():
    with history_disabled():
        return Ally.create(name="Parents d'élèves de la Croix-Rousse", kind="parents", town="Lyon")


# -- who may open what ---------------------------------------------------------------------------
def test_referent_lands_on_their_groups_home(app, a):
    client = app.test_client()
    response = client.post("/connexion", data={"email": "referent-a@example.org", "password": PASSWORD,
                                               "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == url(a.group)
    page = text(client.get(url(a.group)))
    assert "Collectif Transition Lyon" in page and "Lyon (69)" in page


@pytest.mark.parametrize("page", ("", *FORM_PAGES))
def test_anonymous_is_sent_to_login(client, a, page):
    response = client.get(url(a.group, page))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")


@pytest.mark.parametrize("page", ("", *FORM_PAGES))
def test_referent_cannot_open_another_groups_pages(referent, network, page):
    assert referent.get(url(network.b.group, page)).status_code == 404


@pytest.mark.parametrize("page", FORM_PAGES)
def test_referent_cannot_post_to_another_groups_pages(referent, network, page):
    data = valid_form(referent, network, page)  # a valid form of their own group
    with nothing_written():
        assert referent.post(url(network.b.group, page), data=data).status_code == 404


@pytest.mark.parametrize("page, model, record", [
    ("rendez-vous", Meeting, "meeting"), ("action", Action, "action"), ("demande", Demand, "demand"),
    ("allie", GroupAlly, "link")])
def test_another_groups_record_is_not_found(referent, network, page, model, record):
    address = url(network.a.group, page, id=getattr(network.b, record).id)
    assert referent.get(address).status_code == 404
    with nothing_written():
        assert referent.post(address, data=valid_form(referent, network, page)).status_code == 404


def test_victories_are_not_edited_here(referent, a):
    assert referent.get(url(a.group, "victoire", id=a.victory.id)).status_code == 404


@pytest.mark.parametrize("page", ("", *FORM_PAGES))
def test_coordination_opens_any_groups_pages(as_role, network, page):
    client = as_role("coordination")
    for group in (network.a.group, network.b.group):
        assert client.get(url(group, page)).status_code == 200


def test_observer_reads_the_home_page_without_forms(as_role, a):
    page = text(as_role("observer").get(url(a.group)))
    assert "Rendez-vous avec la mairie" in page and "Vélorution Lyon" in page
    assert "Signaler" not in page and "Faire avancer la campagne" not in page


@pytest.mark.parametrize("page", FORM_PAGES)
def test_observer_cannot_post(as_role, network, page):
    observer = as_role("observer")
    with nothing_written():
        response = observer.post(url(network.a.group, page), data=valid_form(observer, network, page))
    assert response.status_code == 403


def test_observer_cannot_tick_a_checklist(as_role, a):
    observer = as_role("observer")
    data = {"done": [a.item.id], f"v_{a.item.id}": a.item.version,
            "csrf_token": csrf_token(observer, url(a.group, "action", id=a.action.id))}
    with nothing_written():
        assert observer.post(checklist_url(a.group, a.action), data=data).status_code == 403


@pytest.mark.parametrize("page", FORM_PAGES)
def test_missing_csrf_token_is_refused(referent, network, page):
    data = valid_form(referent, network, page)
    token = data.pop("csrf_token")
    with nothing_written():
        response = referent.post(url(network.a.group, page), data=data)
    assert response.status_code == 400
    assert "La page a expiré" in text(response)
    # the token was all that was missing
    assert referent.post(url(network.a.group, page), data={**data, "csrf_token": token}).status_code == 302


# -- the home page -------------------------------------------------------------------------------
def test_home_shows_the_step_its_due_date_and_what_comes_next(referent, a):
    CampaignStep.update(due_on=days(45)).where(CampaignStep.id == a.step.id).execute()
    Meeting.update(date=days(5)).where(Meeting.id == a.meeting.id).execute()
    Action.update(date=days(20)).where(Action.id == a.action.id).execute()
    page = text(referent.get(url(a.group)))
    assert "Étape : Rendez-vous avec la mairie" in re.sub(r"<[^>]+>", "", page)
    assert f"Échéance de l'étape : <strong>{fr(days(45))}</strong>" in page
    assert "dans 45 j" in page
    assert f"<strong>{fr(days(5))}</strong> — Maire (programmé)" in page
    assert f"<strong>{fr(days(20))}</strong>" in page and "Vélorution Lyon" in page
    assert "Rien en retard : bravo !" in page


def test_home_lists_a_requested_meeting_without_a_date(referent, a):
    Meeting.update(date=None, status="demande").where(Meeting.id == a.meeting.id).execute()
    page = text(referent.get(url(a.group)))
    assert "<strong>date à fixer</strong> — Maire (demandé)" in page
    assert "Aucun rendez-vous prévu" not in page


def test_a_refused_date_comes_back_as_typed(referent, a):
    page = text(referent.post(url(a.group, "rendez-vous"), data={
        "csrf_token": csrf_token(referent, url(a.group, "rendez-vous")), "status": "tenu",
        "with_whom": "maire", "date": "31/02/2026"}))
    assert re.search(r'<input[^>]*type="text"[^>]*value="31/02/2026"', page) or \
        re.search(r'<input[^>]*value="31/02/2026"[^>]*type="text"', page)


def test_home_offers_allowed_moves_and_explains_refused_ones(referent, a):
    page = text(referent.get(url(a.group)))
    moves = re.findall(r'<button type="(\w+)" class="button[^"]*"[^>]*>([^<]+)</button>', page)
    assert ("submit", "Clore par un bilan") in moves and ("submit", "Mettre en pause") in moves
    assert ("button", "Passer aux actions de mobilisation") in moves  # disabled, with the reason:
    assert "Aucun rendez-vous tenu avec la mairie" in page
    assert ("button", "Victoire obtenue") in moves
    assert "Marquez d'abord la demande obtenue" in page
    assert url(a.group, "campagne", event="sauter_rendez_vous") in page  # asks for the reason first
    assert url(a.group, "campagne", event="abandonner") in page  # giving up is never a single tap
    assert ("submit", "Abandonner") not in moves


def test_home_lists_overdue_items_with_days_late(referent, a):
    CampaignStep.update(due_on=days(-3)).where(CampaignStep.id == a.step.id).execute()
    Action.update(date=days(3)).where(Action.id == a.action.id).execute()
    ChecklistItem.update(due_on=days(-4)).where(ChecklistItem.id == a.item.id).execute()
    page = text(referent.get(url(a.group)))
    assert "3 j de retard" in page
    assert f"3 j</span> Étape « Rendez-vous avec la mairie » — échéance {fr(days(-3))}" in page
    assert "4 j</span>" in page and "Vélorution Lyon — Déclarer en préfecture" in page
    assert "Rien en retard" not in page


# -- meetings ------------------------------------------------------------------------------------
def test_report_a_held_meeting(referent, a):
    response = submit(referent, url(a.group, "rendez-vous"), with_whom="adjoint", status="tenu",
                      contact_name="Mme l'adjointe aux mobilités", date=fr(days(-2)),
                      outcome="Accord de principe pour la piste cyclable")
    assert_saved(referent, response, a.group, "Rendez-vous enregistré.")
    meeting = Meeting.get(Meeting.contact_name == "Mme l'adjointe aux mobilités")
    assert (meeting.group_id, meeting.status, meeting.date) == (a.group.id, "tenu", days(-2))
    assert meeting.outcome == "Accord de principe pour la piste cyclable"
    assert history(Meeting, meeting.id) == [("create", a.referent.id)]


def test_edit_a_meeting(referent, a):
    address = url(a.group, "rendez-vous", id=a.meeting.id)
    response = submit(referent, address, outcome="Le maire soutient la piste", follow_up_on="15/01/2027")
    assert_saved(referent, response, a.group, "Rendez-vous enregistré.")
    meeting = Meeting.get_by_id(a.meeting.id)
    assert (meeting.outcome, meeting.follow_up_on) == ("Le maire soutient la piste", dt.date(2027, 1, 15))
    assert meeting.version == a.meeting.version + 1
    assert history(Meeting, meeting.id) == [("update", a.referent.id)]


def test_invisible_control_characters_are_dropped_and_the_rest_kept(referent, a):
    """Pasted text with NUL or escape characters (which PostgreSQL or Excel refuse) is saved
    without them; accents, emoji, tabs and line breaks stay."""
    response = submit(referent, url(a.group, "rendez-vous", id=a.meeting.id),
                      outcome="Accord\x00 de\x1b principe 👍\tsuite\r\nà voir", contact_name="Mme\x07 Dupré")
    assert_saved(referent, response, a.group, "Rendez-vous enregistré.")
    meeting = Meeting.get_by_id(a.meeting.id)
    assert meeting.outcome == "Accord de principe 👍\tsuite\r\nà voir"
    assert meeting.contact_name == "Mme Dupré"


@pytest.mark.parametrize("field, value", [("token", "x" * 100_000), ("token", "abc"), ("version", "¹²"),
                                          ("version", "99999999999"), ("version", "-1")])
def test_a_damaged_hidden_field_is_refused_in_french(referent, a, field, value):
    editing = {"id": a.meeting.id} if field == "version" else {}
    address = url(a.group, "rendez-vous", **editing)
    with nothing_written():
        response = submit(referent, address, contact_name="Mme la Maire", **{field: value})
    assert response.status_code == 400
    assert "Le formulaire est abîmé ou incomplet : rechargez la page" in text(response)
    assert "Mme la Maire" in text(response)  # what was typed is still there


@pytest.mark.parametrize("typed", ("22/11/2026", "2026-11-22", " 22/11/2026 "))
def test_dates_typed_or_picked_are_accepted(referent, a, typed):
    response = submit(referent, url(a.group, "rendez-vous", id=a.meeting.id), follow_up_on=typed)
    assert_saved(referent, response, a.group, "Rendez-vous enregistré.")
    assert Meeting.get_by_id(a.meeting.id).follow_up_on == dt.date(2026, 11, 22)


@pytest.mark.parametrize("changes, errors", [
    ({"date": "32/13/2026"},
     {"date": "Date invalide : écrivez-la jj/mm/aaaa, par exemple 22/11/2026."}),
    ({"status": "tenu", "date": fr(days(3))},
     {"date": "Un rendez-vous tenu ne peut pas avoir lieu dans le futur : choisissez « Programmé » "
              "ou corrigez la date."}),
    ({"status": "tenu", "date": ""}, {"date": "Indiquez la date à laquelle le rendez-vous s'est tenu."}),
], ids=["bad-date", "held-in-the-future", "held-without-date"])
def test_invalid_meeting_is_refused(referent, a, changes, errors):
    with nothing_written():
        response = submit(referent, url(a.group, "rendez-vous", id=a.meeting.id),
                          outcome="Compte rendu à garder", **changes)
    assert_refused(response, 400, **errors)
    assert "Compte rendu à garder" in text(response)
    if changes["date"]:
        assert f'value="{changes["date"]}"' in text(response)


def test_prefill_from_a_reminder_link(referent, a):
    data = browser_form(referent, url(a.group, "rendez-vous", id=a.meeting.id, status="tenu"))
    assert data["status"] == "tenu"
    assert data["contact_name"] == "M. le Maire" and data["version"] == str(a.meeting.version)
    assert '<option selected value="tenu">Tenu</option>' in text(
        referent.get(url(a.group, "rendez-vous", id=a.meeting.id, status="tenu")))
    assert browser_form(referent, url(a.group, "rendez-vous", id=a.meeting.id))["status"] == "programme"


def test_stale_meeting_form_shows_the_other_persons_value(referent, a):
    address = url(a.group, "rendez-vous", id=a.meeting.id)
    data = browser_form(referent, address)  # shown at version 1
    meanwhile = Meeting.get_by_id(a.meeting.id)
    meanwhile.outcome = "Accord du maire pour la piste cyclable"
    meanwhile.save()
    data["outcome"] = "Rendez-vous reporté"
    with nothing_written():
        response = referent.post(address, data=data)
    assert response.status_code == 409
    page = text(response)
    assert "Quelqu'un d'autre a enregistré ce formulaire" in page
    assert ("<th scope=\"row\">Compte rendu</th><td>Accord du maire pour la piste cyclable</td>"
            "<td>Rendez-vous reporté</td>") in page
    assert Meeting.get_by_id(a.meeting.id).outcome == "Accord du maire pour la piste cyclable"
    # saving the form shown with the conflict is a deliberate overwrite
    data.update(versions_shown(response))
    assert_saved(referent, referent.post(address, data=data), a.group, "Rendez-vous enregistré.")
    assert Meeting.get_by_id(a.meeting.id).outcome == "Rendez-vous reporté"


# -- one-time tokens -------------------------------------------------------------------------------
def assert_saved_once(client, group, page, data, model):
    """Posting the same create form twice: one row, and the second post writes nothing."""
    address = url(group, page)
    count, first = model.select().count(), client.post(address, data=data)
    assert first.status_code == 302, text(first)[:3000]
    with nothing_written():
        second = client.post(address, data=data)
    assert_saved(client, second, group, "Déjà enregistré (formulaire envoyé deux fois).")
    assert model.select().count() == count + 1


@pytest.mark.parametrize("page, model", [("rendez-vous", Meeting), ("action", Action), ("demande", Demand),
                                         ("allie", Ally), ("victoire", Victory)])
def test_double_submit_creates_one_row(referent, network, page, model):
    assert_saved_once(referent, network.a.group, page, valid_form(referent, network, page), model)


def test_double_submit_links_a_known_ally_once(referent, network, new_ally):
    data = {**browser_form(referent, url(network.a.group, "allie")), "ally": str(new_ally.id)}
    assert_saved_once(referent, network.a.group, "allie", data, GroupAlly)


# -- actions and their checklists ------------------------------------------------------------------
def test_plan_an_action_with_its_checklist(referent, network, a):
    response = submit(referent, url(a.group, "action"), title="Vélorution des écoles", kind=network.kind.id,
                      demand=a.demand.id, date=fr(days(30)), place="Place Bellecour", people_expected=60)
    assert_saved(referent, response, a.group, "Action enregistrée.")
    action = Action.get(Action.title == "Vélorution des écoles")
    assert (action.group_id, action.demand_id, action.date, action.people_expected) == (
        a.group.id, a.demand.id, days(30), 60)
    assert [(i.label, i.due_on) for i in action.checklist] == [("Déclarer en préfecture", days(23))]
    assert history(Action, action.id) == [("create", a.referent.id)]


def test_moving_an_action_moves_its_open_checklist(referent, a):
    old_date = a.action.date
    response = submit(referent, url(a.group, "action", id=a.action.id),
                      date=fr(old_date + dt.timedelta(days=7)), people_expected=80)
    assert_saved(referent, response, a.group, "Action enregistrée.")
    action = Action.get_by_id(a.action.id)
    assert (action.date, action.people_expected) == (old_date + dt.timedelta(days=7), 80)
    assert ChecklistItem.get_by_id(a.item.id).due_on == a.item.due_on + dt.timedelta(days=7)
    assert history(Action, action.id) == [("update", a.referent.id)]
    assert history(ChecklistItem, a.item.id) == [("update", a.referent.id)]


@pytest.mark.parametrize("changes, errors", [
    ({"title": ""}, {"title": "Donnez un nom à l'action."}),
    ({"people_mobilised": "-3"}, {"people_mobilised": "Indiquez un nombre positif ou nul."}),
    ({"date": "32/13/2026"}, {"date": "Date invalide : écrivez-la jj/mm/aaaa, par exemple 22/11/2026."}),
    ({"status": "realisee", "date": fr(days(10))},
     {"date": "Une action réalisée ne peut pas être datée dans le futur."}),
    ({"demand": "{other_demand}"}, {"demand": "N'est pas un choix valide."}),
], ids=["no-title", "negative-turnout", "bad-date", "done-in-the-future", "other-groups-demand"])
def test_invalid_action_is_refused(referent, network, a, changes, errors):
    changes = {k: v.format(other_demand=network.b.demand.id) for k, v in changes.items()}
    with nothing_written():
        response = submit(referent, url(a.group, "action", id=a.action.id), place="Parvis de la mairie",
                          **changes)
    assert_refused(response, 400, **errors)
    assert 'value="Parvis de la mairie"' in text(response)


def test_values_are_kept_on_error(referent, network, a):
    with nothing_written():
        response = submit(referent, url(a.group, "action"), title="Pique-nique à vélo", kind=network.kind.id,
                          place="Parc de la Tête d'Or", people_mobilised="-3",
                          press_notes="Article dans Le Progrès")
    assert response.status_code == 400
    form = text(response)
    assert 'value="Pique-nique à vélo"' in form and 'value="Parc de la Tête d\'Or"' in form
    assert 'value="-3"' in form and "Article dans Le Progrès</textarea>" in form
    assert f'<option selected value="{network.kind.id}">Vélorution</option>' in form


def test_tick_a_checklist_item(referent, a):
    data = {"done": [a.item.id], f"v_{a.item.id}": a.item.version,
            "csrf_token": csrf_token(referent, url(a.group, "action", id=a.action.id))}
    response = referent.post(checklist_url(a.group, a.action), data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == url(a.group, "action", id=a.action.id)
    page = text(referent.get(response.headers["Location"]))
    assert "Checklist enregistrée (1 changement(s))." in page
    assert f'name="done" value="{a.item.id}" checked' in page
    item = ChecklistItem.get_by_id(a.item.id)
    assert item.done and item.done_at is not None
    assert history(ChecklistItem, item.id) == [("update", a.referent.id)]


def test_checklist_of_another_groups_action_is_not_found(referent, network, a):
    b = network.b
    data = {"done": [b.item.id], f"v_{b.item.id}": b.item.version,
            "csrf_token": csrf_token(referent, url(a.group, "action", id=a.action.id))}
    with nothing_written():
        assert referent.post(checklist_url(a.group, b.action), data=data).status_code == 404
        assert referent.post(checklist_url(b.group, b.action), data=data).status_code == 404
        # an item of group B smuggled into group A's checklist is ignored
        assert referent.post(checklist_url(a.group, a.action), data=data).status_code == 302


def test_checklist_without_csrf_token_is_refused(referent, a):
    with nothing_written():
        response = referent.post(checklist_url(a.group, a.action), data={"done": [a.item.id]})
    assert response.status_code == 400


def test_stale_checklist_is_refused(referent, a):
    data = {"done": [a.item.id], f"v_{a.item.id}": a.item.version,
            "csrf_token": csrf_token(referent, url(a.group, "action", id=a.action.id))}
    item = ChecklistItem.get_by_id(a.item.id)
    item.label = "Déclarer en préfecture (avec le parcours)"
    item.save()
    with nothing_written():
        response = referent.post(checklist_url(a.group, a.action), data=data)
    assert response.status_code == 409
    assert "Quelqu'un d'autre a modifié cette checklist" in text(referent.get(response.headers["Location"]))
    assert not ChecklistItem.get_by_id(a.item.id).done


# -- allies --------------------------------------------------------------------------------------
def test_add_a_new_ally(referent, a):
    response = submit(referent, url(a.group, "allie"), name="AMAP de la Guillotière", kind="agriculture",
                      town="Lyon", contact_email="amap@example.org", status="contacte",
                      note="Peut prêter une salle")
    assert_saved(referent, response, a.group, "Allié enregistré.")
    ally = Ally.get(Ally.name == "AMAP de la Guillotière")
    link = GroupAlly.get(GroupAlly.ally == ally.id)
    assert (ally.kind, ally.contact_email) == ("agriculture", "amap@example.org")
    assert (link.group_id, link.status, link.note) == (a.group.id, "contacte", "Peut prêter une salle")
    assert history(Ally, ally.id) == [("create", a.referent.id)]
    assert history(GroupAlly, link.id) == [("create", a.referent.id)]


def test_add_an_ally_known_to_the_network(referent, a, new_ally):
    allies = Ally.select().count()
    response = submit(referent, url(a.group, "allie"), ally=new_ally.id, status="rencontre")
    assert_saved(referent, response, a.group, "Allié enregistré.")
    link = GroupAlly.get(GroupAlly.group == a.group.id, GroupAlly.ally == new_ally.id)
    assert link.status == "rencontre"
    assert Ally.select().count() == allies and history(Ally, new_ally.id) == []
    assert history(GroupAlly, link.id) == [("create", a.referent.id)]


def test_edit_an_ally_and_the_relationship(referent, a, network):
    address = url(a.group, "allie", id=a.link.id)
    assert browser_form(referent, address)["contact_name"] == "Paule Rayon"
    response = submit(referent, address, status="engage", note="Co-organise la vélorution",
                      contact_phone="06 39 98 00 02")
    assert_saved(referent, response, a.group, "Allié enregistré.")
    link, ally = GroupAlly.get_by_id(a.link.id), Ally.get_by_id(network.ally.id)
    assert (link.status, link.note, ally.contact_phone) == ("engage", "Co-organise la vélorution",
                                                            "06 39 98 00 02")
    assert history(GroupAlly, link.id) == [("update", a.referent.id)]
    assert history(Ally, ally.id) == [("update", a.referent.id)]
    assert GroupAlly.get_by_id(network.b.link.id).status == "contacte"  # group B's relationship


@pytest.mark.parametrize("changes, errors", [
    ({}, {"name": "Choisissez un allié existant ou donnez le nom d'un nouvel allié."}),
    ({"name": "Vélo-cité"}, {"name": "Un allié porte déjà ce nom : choisissez-le dans la liste."}),
    ({"name": "Alternatiba Lyon", "contact_email": "pas-une-adresse"},
     {"contact_email": "Adresse e-mail invalide."}),
    ({"ally": "{linked}"}, {"ally": "N'est pas un choix valide."}),
], ids=["nobody", "name-taken", "bad-email", "already-linked"])
def test_invalid_ally_is_refused(referent, network, a, changes, errors):
    changes = {k: v.format(linked=network.ally.id) for k, v in changes.items()}
    with nothing_written():
        response = submit(referent, url(a.group, "allie"), town="Villeurbanne", **changes)
    assert_refused(response, 400, **errors)
    assert 'value="Villeurbanne"' in text(response)


def test_stale_ally_form_then_deliberate_overwrite(referent, a, network):
    address = url(a.group, "allie", id=a.link.id)
    data = browser_form(referent, address)
    meanwhile = Ally.get_by_id(network.ally.id)
    meanwhile.contact_phone = "07 00 00 00 00"
    meanwhile.save()
    data["contact_phone"] = "06 11 11 11 11"
    with nothing_written():
        response = referent.post(address, data=data)
    assert response.status_code == 409
    assert "<td>07 00 00 00 00</td><td>06 11 11 11 11</td>" in text(response)
    data.update(versions_shown(response))
    assert_saved(referent, referent.post(address, data=data), a.group, "Allié enregistré.")
    assert Ally.get_by_id(network.ally.id).contact_phone == "06 11 11 11 11"


# -- assessment ----------------------------------------------------------------------------------
def rating_fields(measure, rating, ambition="", note=""):
    return {f"rating_{measure.id}": rating, f"ambition_{measure.id}": ambition, f"note_{measure.id}": note}


def test_rate_the_commune(referent, a, measures):
    first, second = measures
    response = submit(referent, url(a.group, "etat-des-lieux"), **rating_fields(first, "atteint", "2"),
                      **rating_fields(second, "insuffisant", "3", "Trois tronçons seulement"))
    assert_saved(referent, response, a.group, "État des lieux enregistré (2 mesure(s) modifiée(s)).")
    ratings = {r.measure_id: (r.rating, r.ambition_level, r.note)
               for r in AssessmentRating.select().where(AssessmentRating.group == a.group.id)}
    assert ratings == {first.id: ("atteint", 2, ""),
                       second.id: ("insuffisant", 3, "Trois tronçons seulement")}
    assert history(AssessmentRating, a.rating.id) == [("update", a.referent.id)]
    new = AssessmentRating.get(AssessmentRating.measure == second.id)
    assert history(AssessmentRating, new.id) == [("create", a.referent.id)]


@pytest.mark.parametrize("rating, ambition, message", [
    ("excellent", "", "Choisissez un avancement dans la liste."),
    ("atteint", "7", "Le niveau d'ambition va de 1 à 3."),
])
def test_invalid_rating_is_refused(referent, a, measures, rating, ambition, message):
    first, second = measures
    with nothing_written():
        response = submit(referent, url(a.group, "etat-des-lieux"),
                          **rating_fields(first, "atteint", "3", "Note gardée"),
                          **rating_fields(second, rating, ambition))
    assert response.status_code == 400
    page = text(response)
    assert f'<span class="error">{message}</span>' in page
    assert "Rien n'a été enregistré : corrigez les mesures signalées." in page
    assert "Note gardée</textarea>" in page


def test_stale_assessment_is_refused(referent, a, measures):
    first, _ = measures
    address = url(a.group, "etat-des-lieux")
    data = browser_form(referent, address)
    meanwhile = AssessmentRating.get_by_id(a.rating.id)
    meanwhile.rating = "atteint"
    meanwhile.save()
    data.update(rating_fields(first, "rien", "1"))
    with nothing_written():
        response = referent.post(address, data=data)
    assert response.status_code == 409
    page = text(response)
    assert "Quelqu'un d'autre a modifié l'état des lieux" in page
    assert '<option value="atteint" selected>Atteint</option>' in page  # the value now stored
    assert AssessmentRating.get_by_id(a.rating.id).rating == "atteint"


def test_rating_added_meanwhile_is_not_overwritten(referent, as_role, a, measures):
    _, unrated = measures
    address = url(a.group, "etat-des-lieux")
    data = {**browser_form(referent, address), **rating_fields(unrated, "rien", "1")}
    coordination = as_role("coordination")
    assert submit(coordination, address, **rating_fields(unrated, "atteint", "3")).status_code == 302
    with nothing_written():
        assert referent.post(address, data=data).status_code == 409
    stored = AssessmentRating.get(AssessmentRating.measure == unrated.id)
    assert (stored.rating, stored.ambition_level) == ("atteint", 3)


# -- demands and victories -----------------------------------------------------------------------
def test_propose_a_demand_with_measures(referent, a, measures):
    response = submit(referent, url(a.group, "demande"), title="Arceaux vélo devant les écoles",
                      measures=[m.id for m in measures], horizon="semaines", target_date="15/03/2027")
    assert_saved(referent, response, a.group, "Demande enregistrée.")
    demand = Demand.get(Demand.title == "Arceaux vélo devant les écoles")
    assert (demand.group_id, demand.target_date, demand.status) == (a.group.id, dt.date(2027, 3, 15),
                                                                    "proposee")
    assert {link.measure_id for link in demand.measure_links} == {m.id for m in measures}
    assert history(Demand, demand.id) == [("create", a.referent.id)]
    for link in demand.measure_links:
        assert history(DemandMeasure, link.id) == [("create", a.referent.id)]


def test_edit_a_demands_measures(referent, a, measures):
    first, second = measures
    address = url(a.group, "demande", id=a.demand.id)
    assert browser_form(referent, address)["measures"] == [str(first.id)]
    response = submit(referent, address, measures=[second.id], status="portee")
    assert_saved(referent, response, a.group, "Demande enregistrée.")
    demand = Demand.get_by_id(a.demand.id)
    assert demand.status == "portee"
    assert [link.measure_id for link in demand.measure_links] == [second.id]
    assert history(Demand, demand.id) == [("update", a.referent.id)]


@pytest.mark.parametrize("changes, errors", [
    ({"title": ""}, {"title": "Formulez la demande en une phrase."}),
    ({"target_date": "32/13/2026"},
     {"target_date": "Date invalide : écrivez-la jj/mm/aaaa, par exemple 22/11/2026."}),
    ({"measures": "999"}, {"measures": "«\xa0999\xa0» n'est pas un choix valide pour ce champ."}),
], ids=["no-title", "bad-date", "unknown-measure"])
def test_invalid_demand_is_refused(referent, a, changes, errors):
    with nothing_written():
        response = submit(referent, url(a.group, "demande"), text="Détails gardés",
                          **{"title": "Demande gardée", **changes})
    assert_refused(response, 400, **errors)
    assert "Détails gardés</textarea>" in text(response)


def test_record_a_victory_on_a_demand(referent, a):
    response = submit(referent, url(a.group, "victoire"), title="Piste cyclable votée",
                      demand=a.demand.id, obtained_on=fr(days(-1)), publicity="Communiqué de presse")
    assert_saved(referent, response, a.group, "Bravo ! Victoire enregistrée.")
    victory = Victory.get(Victory.title == "Piste cyclable votée")
    assert (victory.group_id, victory.demand_id, victory.obtained_on) == (a.group.id, a.demand.id, days(-1))
    assert Demand.get_by_id(a.demand.id).status == "obtenue"
    assert history(Victory, victory.id) == [("create", a.referent.id)]
    assert history(Demand, a.demand.id) == [("update", a.referent.id)]


@pytest.mark.parametrize("changes, errors", [
    ({"obtained_on": ""}, {"obtained_on": "Indiquez la date."}),
    ({"obtained_on": "32/13/2026"},
     {"obtained_on": "Date invalide : écrivez-la jj/mm/aaaa, par exemple 22/11/2026."}),
    ({"obtained_on": "{tomorrow}"}, {"obtained_on": "Une victoire ne peut pas être datée dans le futur."}),
    ({"title": ""}, {"title": "Décrivez la victoire en une phrase."}),
    ({"demand": "{other_demand}"}, {"demand": "N'est pas un choix valide."}),
], ids=["no-date", "bad-date", "future", "no-title", "other-groups-demand"])
def test_invalid_victory_is_refused(referent, network, a, changes, errors):
    changes = {k: v.format(tomorrow=fr(days(1)), other_demand=network.b.demand.id)
               for k, v in changes.items()}
    with nothing_written():
        response = submit(referent, url(a.group, "victoire"), publicity="Valorisation gardée",
                          **{"title": "Victoire gardée", **changes})
    assert_refused(response, 400, **errors)
    assert "Valorisation gardée</textarea>" in text(response)


# -- moving the campaign -------------------------------------------------------------------------
def test_refused_move_gives_the_guards_reason(referent, a, assessing):
    reason = "État des lieux incomplet : mesure(s) #16 à évaluer."
    assert reason in text(referent.get(url(a.group)))
    with nothing_written():
        response = referent.post(url(a.group, "campagne"),
                                 data=move_data(referent, a.group, a.campaign, "avancer"))
    assert response.status_code == 409
    assert reason in text(response)
    assert Transition.select().count() == 0


def test_assessment_done_lets_the_campaign_move_on(referent, a, assessing):
    _, unrated = assessing
    rated = submit(referent, url(a.group, "etat-des-lieux"), **rating_fields(unrated, "rien", "1"))
    assert rated.status_code == 302
    data = move_data(referent, a.group, a.campaign, "avancer", comment="Fait en réunion")
    response = referent.post(url(a.group, "campagne"), data=data)
    assert_saved(referent, response, a.group, "Campagne passée à l'étape « Priorisation des demandes ».")
    transition = Transition.get(Transition.campaign == a.campaign.id)
    assert (transition.from_state, transition.to_state, transition.actor_id, transition.comment) == (
        "etat_des_lieux", "priorisation", a.referent.id, "Fait en réunion")
    assert history(Campaign, a.campaign.id) == [("update", a.referent.id)]


def test_skipping_the_town_hall_needs_a_reason(referent, a):
    address = url(a.group, "campagne", event="sauter_rendez_vous")
    assert 'value="sauter_rendez_vous" checked' in text(referent.get(address))
    with nothing_written():
        response = referent.post(address, data=move_data(referent, a.group, a.campaign, "sauter_rendez_vous"))
    assert response.status_code == 409
    assert "Indiquez pourquoi le rendez-vous n'a pas lieu" in text(response)

    response = referent.post(address, data=move_data(referent, a.group, a.campaign, "sauter_rendez_vous",
                                                     skip_reason="refus_maire"))
    assert_saved(referent, response, a.group, "Campagne passée à l'étape « Actions de mobilisation ».")
    assert CampaignStep.get_by_id(a.step.id).skip_reason == "refus_maire"
    assert Transition.get(Transition.campaign == a.campaign.id).actor_id == a.referent.id
    assert history(Campaign, a.campaign.id) == [("update", a.referent.id)]
    page = text(referent.get(url(a.group)))
    assert "Étape : <strong>Actions de mobilisation</strong>" in page
    assert f"Échéance de l'étape : <strong>{fr(days(90))}</strong>" in page


def test_held_meeting_opens_the_way_to_mobilisation(referent, a):
    held = submit(referent, url(a.group, "rendez-vous", id=a.meeting.id), status="tenu", date=fr(days(-1)))
    assert held.status_code == 302
    page = text(referent.get(url(a.group)))
    assert '<button type="submit" class="button primary">Passer aux actions de mobilisation</button>' in page
    campaign = Campaign.get_by_id(a.campaign.id)
    response = referent.post(url(a.group, "campagne"), data=move_data(referent, a.group, campaign, "avancer"))
    assert_saved(referent, response, a.group, "Campagne passée à l'étape « Actions de mobilisation ».")
    assert Campaign.get_by_id(a.campaign.id).state == "mobilisation"


def test_stale_move_is_refused(referent, a):
    data = move_data(referent, a.group, a.campaign, "clore")
    Campaign.update(note="Changé ailleurs", version=Campaign.version + 1).where(
        Campaign.id == a.campaign.id).execute()
    with nothing_written():
        response = referent.post(url(a.group, "campagne"), data=data)
    assert response.status_code == 409
    assert "La campagne a été modifiée entre-temps" in text(response)


def test_another_groups_campaign_is_refused(referent, network, a):
    with nothing_written():
        response = referent.post(url(a.group, "campagne"),
                                 data=move_data(referent, a.group, network.b.campaign, "clore"))
    assert response.status_code == 400
    assert "Cette campagne n'est pas celle du groupe." in text(response)

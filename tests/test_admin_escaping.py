"""Stored text never becomes markup, and no write goes through without a valid CSRF token."""
from html.parser import HTMLParser

import pytest
from markupsafe import escape
from wtforms.widgets import Select

from admin.converters import FastSelect
from admin.list_table import safe
from models import (
    ALL_MODELS,
    Action,
    ActionKind,
    Ally,
    AssessmentRating,
    Campaign,
    ChecklistItem,
    ChecklistTemplate,
    Demand,
    Group,
    GroupAlly,
    Measure,
    Meeting,
    StepDuration,
    Theme,
    User,
    Victory,
)

from .network import csrf_token, login

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = '"><script>alert(1)</script>'
RAW_MARKERS = ("<img src=x onerror", "<script>alert(1)")
ENDPOINTS = ("groups", "allies", "group_allies", "campaigns", "assessments", "demands", "meetings",
             "actions", "checklist", "victories", "themes", "measures", "action_kinds",
             "checklist_templates", "step_durations", "users", "changelog")


def payload(tag):
    """Both payloads, tagged with the field they were stored in (and unique where columns must be)."""
    return f"{IMG}{SCRIPT} {tag}"


def escaped(tag):
    return str(escape(payload(tag)))


def assert_no_raw_payload(html, where):
    for marker in RAW_MARKERS:
        assert marker not in html, f"{marker!r} non échappé dans {where} : " + \
            html[max(0, html.find(marker) - 300):html.find(marker) + 100]


# -- reading forms back like a browser -----------------------------------------------------
class _FormReader(HTMLParser):
    """The fields of the Flask-Admin form (class admin-form) of a page, as a browser would send them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields, self._in_form, self._select, self._options, self._textarea = {}, False, None, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "admin-form" in (attrs.get("class") or ""):
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value") or "y"
            else:
                self.fields[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select:
            self._options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select:
            chosen = [v for v, selected in self._options if selected] or [v for v, _ in self._options[:1]]
            if chosen:
                self.fields[self._select] = chosen[0]
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields[self._textarea] = self.fields[self._textarea].removeprefix("\r\n").removeprefix("\n")
            self._textarea = None


def form_fields(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    reader = _FormReader()
    reader.feed(response.get_data(as_text=True))
    assert reader.fields, f"no admin form on {url}"
    return reader.fields


# -- the poisoned network ------------------------------------------------------------------
def _poison(model, row_id, **fields):
    assert model.update(**fields).where(model.id == row_id).execute() == 1


@pytest.fixture
def poisoned(network):
    """Every user text field of the network holds both payloads (tag: "<key>.<field>")."""
    ns = network
    for key in ("a", "b"):
        side = getattr(ns, key)
        _poison(Group, side.group.id, name=payload(f"{key}.group.name"), notes=payload(f"{key}.group.notes"),
                commune=payload(f"{key}.group.commune"), region=payload(f"{key}.group.region"))
        _poison(Meeting, side.meeting.id, outcome=payload(f"{key}.meeting.outcome"),
                contact_name=payload(f"{key}.meeting.contact_name"))
        _poison(Action, side.action.id, title=payload(f"{key}.action.title"),
                place=payload(f"{key}.action.place"), press_notes=payload(f"{key}.action.press_notes"))
        _poison(Demand, side.demand.id, title=payload(f"{key}.demand.title"),
                text=payload(f"{key}.demand.text"))
        _poison(Victory, side.victory.id, title=payload(f"{key}.victory.title"),
                publicity=payload(f"{key}.victory.publicity"))
        _poison(ChecklistItem, side.item.id, label=payload(f"{key}.item.label"))
        _poison(User, side.referent.id, full_name=payload(f"{key}.referent.full_name"))
        _poison(Campaign, side.campaign.id, note=payload(f"{key}.campaign.note"))
        _poison(GroupAlly, side.link.id, note=payload(f"{key}.link.note"))
        _poison(AssessmentRating, side.rating.id, note=payload(f"{key}.rating.note"))
    _poison(Ally, ns.ally.id, name=payload("ally.name"), contact_name=payload("ally.contact_name"),
            notes=payload("ally.notes"), town=payload("ally.town"))
    _poison(User, ns.coordination.id, full_name=payload("coordination.full_name"))
    _poison(User, ns.observer.id, full_name=payload("observer.full_name"))
    _poison(Theme, ns.theme.id, name=payload("theme.name"))
    _poison(Measure, ns.measure.id, title=payload("measure.title"))
    _poison(ActionKind, ns.kind.id, label=payload("kind.label"))
    _poison(ChecklistTemplate, ns.template.id, label=payload("template.label"),
            help_text=payload("template.help_text"))
    return ns


def _row_ids(ns):
    """endpoint -> ids of its rows in the network."""
    return {
        "groups": [ns.a.group.id, ns.b.group.id], "allies": [ns.ally.id],
        "group_allies": [ns.a.link.id, ns.b.link.id], "campaigns": [ns.a.campaign.id, ns.b.campaign.id],
        "assessments": [ns.a.rating.id, ns.b.rating.id], "demands": [ns.a.demand.id, ns.b.demand.id],
        "meetings": [ns.a.meeting.id, ns.b.meeting.id], "actions": [ns.a.action.id, ns.b.action.id],
        "checklist": [ns.a.item.id, ns.b.item.id], "victories": [ns.a.victory.id, ns.b.victory.id],
        "themes": [ns.theme.id], "measures": [ns.measure.id], "action_kinds": [ns.kind.id],
        "checklist_templates": [ns.template.id], "step_durations": [StepDuration.get().id],
        "users": [ns.a.referent.id, ns.coordination.id],
    }


# Text that must be shown (escaped) on the list / details / edit page of each table, row of group A.
SHOWN = {
    "groups": ("a.group.name", "a.group.notes", "a.group.name"),
    "allies": ("ally.contact_name", "ally.notes", "ally.notes"),
    "group_allies": ("a.link.note", "a.link.note", "a.link.note"),
    "campaigns": ("a.campaign.note", "a.campaign.note", "a.campaign.note"),
    "assessments": ("measure.title", "a.rating.note", "a.rating.note"),
    "demands": ("a.demand.title", "a.demand.text", "a.demand.text"),
    "meetings": ("a.meeting.outcome", "a.meeting.contact_name", "a.meeting.outcome"),
    "actions": ("kind.label", "a.action.press_notes", "a.item.label"),
    "checklist": ("a.action.title", "a.item.label", "a.item.label"),
    "victories": ("a.demand.title", "a.victory.publicity", "a.victory.publicity"),
    "themes": ("theme.name", "theme.name", "theme.name"),
    "measures": ("measure.title", "measure.title", "measure.title"),
    "action_kinds": ("kind.label", "kind.label", "kind.label"),
    "checklist_templates": ("template.label", "template.label", "template.help_text"),
    "users": ("a.referent.full_name", "a.referent.full_name", "a.referent.full_name"),
    "step_durations": (None, None, None),
    "changelog": (None, None, None),
}


@pytest.fixture
def coordination(as_role):
    return as_role("coordination")


@pytest.fixture
def with_history(coordination, poisoned):
    """Changes made through the UI (form and inline edit) so the details pages show payload history."""
    ns = poisoned
    # a form edit of meeting A: old and new outcome are both payloads
    url = f"/admin/meetings/edit/?id={ns.a.meeting.id}"
    fields = form_fields(coordination, url)
    assert fields["outcome"] == payload("a.meeting.outcome")
    fields["outcome"] = payload("a.meeting.outcome via formulaire")
    response = coordination.post(url, data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    assert Meeting.get_by_id(ns.a.meeting.id).outcome == payload("a.meeting.outcome via formulaire")
    # a form edit of group A's notes
    url = f"/admin/groups/edit/?id={ns.a.group.id}"
    fields = form_fields(coordination, url)
    fields["notes"] = payload("a.group.notes via formulaire")
    response = coordination.post(url, data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    # inline edits of campaign A's note and of action A's status
    token = csrf_token(coordination, "/admin/campaigns/")
    campaign = Campaign.get_by_id(ns.a.campaign.id)
    response = coordination.post("/admin/campaigns/ajax/update/", data={
        "list_form_pk": f"{campaign.id}:{campaign.version}", "note": payload("a.campaign.note via ajax"),
        "csrf_token": token})
    assert response.status_code == 200, response.get_data(as_text=True)
    action = Action.get_by_id(ns.a.action.id)
    response = coordination.post("/admin/actions/ajax/update/", data={
        "list_form_pk": f"{action.id}:{action.version}", "status": "realisee",
        "csrf_token": csrf_token(coordination, "/admin/actions/")})
    assert response.status_code == 200, response.get_data(as_text=True)
    return ns


# -- every page, escaped ------------------------------------------------------------------
@pytest.mark.parametrize("char", ["&", "<", ">", '"', "'"])
def test_a_cell_text_with_any_html_character_is_escaped(char):
    """Cells skip escaping texts without &<>"' (most of them): any one of the five is escaped."""
    text = f"Collectif {char} Écho"
    assert str(safe(text)) == str(escape(text)) != text
    assert safe("Collectif l Écho") == "Collectif l Écho"  # nothing to escape: the same text
    assert safe(escape(IMG)) == escape(IMG)  # already HTML: not escaped twice
    assert safe(42) == 42


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_list_page_escapes_stored_text(coordination, with_history, endpoint):
    response = coordination.get(f"/admin/{endpoint}/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert_no_raw_payload(html, f"/admin/{endpoint}/")
    assert "&lt;img src=x onerror" in html
    if SHOWN[endpoint][0]:
        assert escaped(SHOWN[endpoint][0]) in html


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e != "changelog"])
def test_details_page_escapes_stored_text_and_history(coordination, with_history, endpoint):
    for row_id in _row_ids(with_history)[endpoint]:
        url = f"/admin/{endpoint}/details/?id={row_id}"
        response = coordination.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert_no_raw_payload(html, url)
        assert "Historique" in html
        assert "&lt;img src=x onerror" in html
    html = coordination.get(f"/admin/{endpoint}/details/?id={_row_ids(with_history)[endpoint][0]}") \
        .get_data(as_text=True)
    if SHOWN[endpoint][1]:
        assert escaped(SHOWN[endpoint][1]) in html


@pytest.mark.parametrize("endpoint,tags", [
    ("meetings", ("a.meeting.outcome", "a.meeting.outcome via formulaire", "coordination.full_name")),
    ("groups", ("a.group.notes", "a.group.notes via formulaire")),
    ("campaigns", ("a.campaign.note", "a.campaign.note via ajax")),
])
def test_history_shows_payloads_escaped(coordination, with_history, endpoint, tags):
    row_id = _row_ids(with_history)[endpoint][0]
    html = coordination.get(f"/admin/{endpoint}/details/?id={row_id}").get_data(as_text=True)
    history = html[html.index("Historique"):]
    assert "Aucune modification enregistrée" not in history
    assert_no_raw_payload(history, f"historique {endpoint}")
    for tag in tags:
        assert escaped(tag) in history, tag


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e != "changelog"])
def test_edit_page_escapes_stored_text(coordination, with_history, endpoint):
    for row_id in _row_ids(with_history)[endpoint]:
        url = f"/admin/{endpoint}/edit/?id={row_id}"
        response = coordination.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert_no_raw_payload(html, url)
        assert "&lt;img src=x onerror" in html
    html = coordination.get(f"/admin/{endpoint}/edit/?id={_row_ids(with_history)[endpoint][0]}") \
        .get_data(as_text=True)
    if SHOWN[endpoint][2]:
        assert escaped(SHOWN[endpoint][2]) in html


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e not in ("campaigns", "step_durations",
                                                                      "changelog")])
def test_create_page_escapes_stored_text(coordination, poisoned, endpoint):
    response = coordination.get(f"/admin/{endpoint}/new/")
    assert response.status_code == 200
    assert_no_raw_payload(response.get_data(as_text=True), f"/admin/{endpoint}/new/")


@pytest.mark.parametrize("role", ["referent", "observer"])
def test_other_roles_pages_escape_stored_text(as_role, poisoned, role):
    client = as_role(role)
    for endpoint in ENDPOINTS:
        response = client.get(f"/admin/{endpoint}/")
        if response.status_code == 403:
            continue
        assert response.status_code == 200
        assert_no_raw_payload(response.get_data(as_text=True), f"{role} /admin/{endpoint}/")
    for endpoint, row_id in (("meetings", poisoned.a.meeting.id), ("groups", poisoned.a.group.id),
                             ("actions", poisoned.a.action.id)):
        html = client.get(f"/admin/{endpoint}/details/?id={row_id}").get_data(as_text=True)
        assert_no_raw_payload(html, f"{role} details {endpoint}")
    html = client.get("/admin/").get_data(as_text=True)
    assert_no_raw_payload(html, f"{role} /admin/")
    assert "&lt;img src=x onerror" in html


def test_search_and_filters_echo_escaped(coordination, poisoned):
    response = coordination.get(f"/admin/meetings/?search={IMG}{SCRIPT}")
    assert response.status_code == 200
    assert_no_raw_payload(response.get_data(as_text=True), "search box")
    response = coordination.get(f"/admin/meetings/?flt0_1={IMG}{SCRIPT}")
    assert response.status_code == 200
    assert_no_raw_payload(response.get_data(as_text=True), "filter value")


def test_refusal_message_naming_a_record_is_escaped(coordination, poisoned):
    """Linking action A to group B's demand is refused with a message quoting the demand's title."""
    url = f"/admin/actions/edit/?id={poisoned.a.action.id}"
    fields = form_fields(coordination, url)
    fields["demand"] = str(poisoned.b.demand.id)
    response = coordination.post(url, data=fields, follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "appartient à un autre groupe" in html
    assert_no_raw_payload(html, "flash message")
    assert escaped("b.demand.title") in html
    assert Action.get_by_id(poisoned.a.action.id).demand_id == poisoned.a.demand.id


def test_conflict_message_is_escaped(app, coordination, poisoned):
    url = f"/admin/meetings/edit/?id={poisoned.a.meeting.id}"
    fields = form_fields(coordination, url)
    other = login(app.test_client(), "coordination@example.org")
    theirs = form_fields(other, url)
    theirs["outcome"] = payload("saisie concurrente")
    assert other.post(url, data=theirs).status_code == 302
    fields["outcome"] = payload("ma saisie")
    response = coordination.post(url, data=fields, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "autre a modifié cet enregistrement" in html
    assert_no_raw_payload(html, "conflict message")
    assert escaped("saisie concurrente") in html
    assert Meeting.get_by_id(poisoned.a.meeting.id).outcome == payload("saisie concurrente")


def test_inline_conflict_answer_is_not_html(coordination, poisoned):
    """The inline-edit refusal quotes stored values: it must not be served as raw HTML."""
    campaign = Campaign.get_by_id(poisoned.a.campaign.id)
    token = csrf_token(coordination, "/admin/campaigns/")
    first = coordination.post("/admin/campaigns/ajax/update/", data={
        "list_form_pk": f"{campaign.id}:{campaign.version}", "note": payload("première"),
        "csrf_token": token})
    assert first.status_code == 200
    stale = coordination.post("/admin/campaigns/ajax/update/", data={
        "list_form_pk": f"{campaign.id}:{campaign.version}", "note": payload("seconde"),
        "csrf_token": token})
    assert stale.status_code == 409
    body = stale.get_data(as_text=True)
    assert "Quelqu'un d'autre a modifié" in body
    if stale.mimetype == "text/html":
        assert_no_raw_payload(body, "réponse 409 de l'édition en ligne (text/html)")
    assert Campaign.get_by_id(campaign.id).note == payload("première")


# -- CSRF on every write -----------------------------------------------------------------
def snapshot():
    """Every row of every table."""
    return {m._meta.table_name: list(m.select().order_by(m.id).dicts()) for m in ALL_MODELS}


def _meeting_create(client, ns, token):
    fields = form_fields(client, "/admin/meetings/new/")
    fields.update(group=str(ns.a.group.id), with_whom="adjoint", status="demande",
                  contact_name="Mme l'adjointe", outcome="Nouveau rendez-vous", date="2026-12-01")
    return "/admin/meetings/new/", fields


def _meeting_edit(client, ns, token):
    url = f"/admin/meetings/edit/?id={ns.a.meeting.id}"
    fields = form_fields(client, url)
    fields["outcome"] = "Modifié par le formulaire"
    return url, fields


def _meeting_delete(client, ns, token):
    meeting = Meeting.get_by_id(ns.a.meeting.id)
    return "/admin/meetings/delete/", {"id": f"{meeting.id}:{meeting.version}", "url": "/admin/meetings/"}


def _meeting_bulk_delete(client, ns, token):
    meeting = Meeting.get_by_id(ns.a.meeting.id)
    return "/admin/meetings/action/", {"action": "delete", "rowid": f"{meeting.id}:{meeting.version}",
                                       "url": "/admin/meetings/"}


def _meeting_ajax(client, ns, token):
    meeting = Meeting.get_by_id(ns.a.meeting.id)
    return "/admin/meetings/ajax/update/", {"list_form_pk": f"{meeting.id}:{meeting.version}",
                                            "status": "tenu"}


def _user_ajax(client, ns, token):
    user = User.get_by_id(ns.a.referent.id)
    return "/admin/users/ajax/update/", {"list_form_pk": f"{user.id}:{user.version}", "is_active": ""}


def _group_edit(client, ns, token):
    url = f"/admin/groups/edit/?id={ns.b.group.id}"
    fields = form_fields(client, url)
    fields["mobilisable_count"] = "99"
    return url, fields


def _ally_delete(client, ns, token):
    ally = Ally.create(name="Allié sans lien", kind="association_velo")
    return "/admin/allies/delete/", {"id": f"{ally.id}:{ally.version}", "url": "/admin/allies/"}


WRITES = {
    "create": _meeting_create,
    "edit": _meeting_edit,
    "delete": _meeting_delete,
    "bulk action": _meeting_bulk_delete,
    "ajax update": _meeting_ajax,
    "ajax update of an account": _user_ajax,
    "edit of a group": _group_edit,
    "delete of an ally": _ally_delete,
}


@pytest.mark.parametrize("token_kind", ["missing", "empty", "other session", "tampered"])
@pytest.mark.parametrize("write", WRITES)
def test_writes_without_valid_csrf_are_refused(app, coordination, network, write, token_kind):
    url, data = WRITES[write](coordination, network, None)
    data.pop("csrf_token", None)
    if token_kind == "empty":
        data["csrf_token"] = ""
    elif token_kind == "other session":
        other = login(app.test_client(), "coordination@example.org")
        data["csrf_token"] = csrf_token(other, "/admin/meetings/")
    elif token_kind == "tampered":
        token = csrf_token(coordination, "/admin/meetings/")
        data["csrf_token"] = token[:-4] + ("0000" if not token.endswith("0000") else "1111")
    before = snapshot()
    response = coordination.post(url, data=data)
    assert response.status_code < 500, response.get_data(as_text=True)[:1000]
    assert snapshot() == before, f"{write} accepted without a valid CSRF token ({response.status_code})"
    if write.startswith("ajax"):
        assert response.status_code >= 400


@pytest.mark.parametrize("write", WRITES)
def test_writes_with_a_valid_csrf_token_succeed(coordination, network, write):
    """The same requests with the token do change the database: the refusals above are meaningful."""
    url, data = WRITES[write](coordination, network, None)
    data["csrf_token"] = csrf_token(coordination, "/admin/meetings/")
    before = snapshot()
    response = coordination.post(url, data=data)
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:1000]
    assert snapshot() != before, f"{write} with a valid token changed nothing"


@pytest.mark.parametrize("value, label, selected", [
    (3, '<script>alert("x")</script> & Cie', True), ("__None", "", False), (7, "Évry", False),
    ('"><img src=x>', "l'étang", True)])
def test_fast_dropdown_options_are_wtforms_options(value, label, selected):
    """The foreign-key dropdowns write their options themselves (5,000 groups): the same HTML as
    WTForms, escaped the same way."""
    assert FastSelect.render_option(value, label, selected) == Select.render_option(value, label, selected)
    assert "<script>" not in FastSelect.render_option(value, label, selected)

"""Permission matrix of the admin tables: every role x every table x every path.

Roles: coordination, a referent of group A aiming at group B's rows ("referent"), the same
referent on their own group's rows ("referent_own", group-owned tables only), an observer,
and an anonymous visitor. Each cell sends one request (POSTs carry a valid CSRF token, so a
refusal is about permissions, not CSRF) and checks both sides: an allowed write really
changes the database and is journaled; a refused request never answers 500, never shows the
row, and leaves every table (change log included) exactly as it was.

Then the leaks a scoped view could still have: group B's rows in a referent's list, count
and exports, other groups in form dropdowns, writes into group B through a form, contact
details shown to observers.
"""
import csv
import datetime as dt
import io
import re
import shutil
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import unquote

import openpyxl
import pytest

from models import (
    ALL_MODELS,
    Action,
    ActionKind,
    Ally,
    AssessmentRating,
    Campaign,
    ChangeLog,
    ChecklistItem,
    ChecklistTemplate,
    Demand,
    Group,
    GroupAlly,
    LoginAttempt,
    Measure,
    Meeting,
    StepDuration,
    Theme,
    User,
    Victory,
    db,
)
from models.audit import history_disabled
from models.database import database_from_url
from models.ownership import rows_for_group

from .conftest import make_app
from .network import PASSWORD, TODAY, build_network, csrf_token


# -- one app per module (templates compiled once), a fresh network per test -----------------
@pytest.fixture(scope="module")
def shared_app(backend, migrated_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("permissions_app")
    return make_app(f"sqlite:///{path / 'unused.sqlite3'}", path)


TABLES = [model._meta.table_name for model in ALL_MODELS]  # parents first
SAVED = "permissions_network"  # PostgreSQL schema holding a copy of the network's rows
EMPTY_SQL = ";".join(f'DELETE FROM "{t}"' for t in reversed(TABLES))


def _restart_sequence(table):
    return (f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM \"{table}\"), false)")


RESTORE_SQL = ";".join([EMPTY_SQL, *(f'INSERT INTO "{t}" SELECT * FROM {SAVED}."{t}"' for t in TABLES),
                        *map(_restart_sequence, TABLES)])


@pytest.fixture(scope="module")
def saved_network(shared_app, backend, migrated_template, tmp_path_factory):
    """The network, built once: (SQLite file or None, namespace). On PostgreSQL its rows are kept
    in a schema and copied back for each test (conftest's TRUNCATE and a rebuild cost 0.4 s a test)."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("permissions_network") / "network.sqlite3"
        shutil.copy(migrated_template, path)
        db.initialize(database_from_url(f"sqlite:///{path}"))
        with db.connection_context():
            network = add_spare_rows(build_network())
        yield path, network
        return
    db.initialize(database_from_url(migrated_template))
    with db.connection_context():
        db.execute_sql(f"{EMPTY_SQL}; DROP SCHEMA IF EXISTS {SAVED} CASCADE; CREATE SCHEMA {SAVED}")
        with db.atomic():
            network = add_spare_rows(build_network())
        db.execute_sql(";".join(f'CREATE TABLE {SAVED}."{t}" AS SELECT * FROM "{t}"' for t in TABLES))
    yield None, network
    db.initialize(database_from_url(migrated_template))
    with db.connection_context():
        db.execute_sql(f"DROP SCHEMA {SAVED} CASCADE")


@pytest.fixture
def database_url(backend, migrated_template, saved_network, tmp_path):
    """Overrides conftest's: this test's own copy of the saved network."""
    if backend == "sqlite":
        shutil.copy(saved_network[0], tmp_path / "test.sqlite3")
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    db.initialize(database_from_url(migrated_template))
    with db.connection_context():
        db.execute_sql(RESTORE_SQL)
    return migrated_template


@pytest.fixture
def app(shared_app, database_url):
    """Overrides conftest's `app`: same configuration, rebound to this test's database."""
    db.initialize(database_from_url(database_url))
    yield shared_app
    if not db.is_closed():
        db.close()


# -- the tables ------------------------------------------------------------------------------
GROUP_OWNED = ("groups", "group_allies", "campaigns", "assessments", "demands", "meetings", "actions",
               "checklist", "victories")
REFERENCE = ("allies", "themes", "measures", "action_kinds", "checklist_templates", "step_durations")
ADMIN_ONLY = ("users", "changelog")
ENDPOINTS = GROUP_OWNED + REFERENCE + ADMIN_ONLY
MODEL = {
    "groups": Group, "group_allies": GroupAlly, "campaigns": Campaign, "assessments": AssessmentRating,
    "demands": Demand, "meetings": Meeting, "actions": Action, "checklist": ChecklistItem,
    "victories": Victory, "allies": Ally, "themes": Theme, "measures": Measure,
    "action_kinds": ActionKind, "checklist_templates": ChecklistTemplate,
    "step_durations": StepDuration, "users": User, "changelog": ChangeLog,
}
NO_CREATE_DELETE = ("campaigns", "step_durations")
MARKER = "Modifié par le test de permissions"
NO_CHOICE = "__None"  # what a browser posts for the blank option of an optional dropdown

# The row each path aims at (side = the group namespace, ns.a or ns.b).
ROW = {
    "groups": lambda ns, s: s.group, "group_allies": lambda ns, s: s.link,
    "campaigns": lambda ns, s: s.campaign, "assessments": lambda ns, s: s.rating,
    "demands": lambda ns, s: s.demand, "meetings": lambda ns, s: s.meeting,
    "actions": lambda ns, s: s.action, "checklist": lambda ns, s: s.item,
    "victories": lambda ns, s: s.victory, "allies": lambda ns, s: ns.ally,
    "themes": lambda ns, s: ns.theme, "measures": lambda ns, s: ns.measure,
    "action_kinds": lambda ns, s: ns.kind, "checklist_templates": lambda ns, s: ns.template,
    "step_durations": lambda ns, s: ns.duration, "users": lambda ns, s: s.referent,
    "changelog": lambda ns, s: ns.entry,
}
# Deletes aim at rows nothing depends on, so an allowed delete really deletes (ON DELETE RESTRICT).
DELETE_ROW = ROW | {
    "groups": lambda ns, s: ns.spare.group if s is ns.b else s.group,
    "demands": lambda ns, s: s.spare_demand, "actions": lambda ns, s: s.spare_action,
    "allies": lambda ns, s: ns.spare.ally, "measures": lambda ns, s: ns.spare.measure,
    "action_kinds": lambda ns, s: ns.spare.kind, "checklist_templates": lambda ns, s: ns.spare.template,
}
# Edit form: (field, posted value, stored value).
EDIT = {ep: (field, MARKER, MARKER) for ep, field in {
    "groups": "notes", "allies": "notes", "group_allies": "note", "campaigns": "note",
    "assessments": "note", "demands": "text", "meetings": "outcome", "actions": "press_notes",
    "checklist": "label", "victories": "publicity", "themes": "name", "measures": "source",
    "action_kinds": "label", "checklist_templates": "help_text", "users": "full_name",
    "changelog": "field"}.items()} | {"step_durations": ("days", "99", 99)}
# Inline (ajax) edit: (column, posted value, stored value); tables without editable columns last.
AJAX = {
    "groups": ("mobilisable_count", "33", 33), "group_allies": ("status", "engage", "engage"),
    "campaigns": ("note", MARKER, MARKER), "assessments": ("ambition_level", "3", 3),
    "demands": ("target_date", "2027-01-15", dt.date(2027, 1, 15)),
    "meetings": ("status", "tenu", "tenu"), "actions": ("people_expected", "55", 55),
    "checklist": ("done", "y", True), "victories": ("obtained_on", "2026-11-01", dt.date(2026, 11, 1)),
    "themes": ("position", "7", 7), "step_durations": ("days", "30", 30),
    "users": ("is_active", "", False),
    "allies": ("name", MARKER, MARKER), "measures": ("title", MARKER, MARKER),
    "action_kinds": ("label", MARKER, MARKER), "checklist_templates": ("label", MARKER, MARKER),
    "changelog": ("field", MARKER, MARKER),
}
INLINE_EDITABLE = ("groups", "group_allies", "campaigns", "assessments", "demands", "meetings",
                   "actions", "checklist", "victories", "themes", "step_durations", "users")
# Create form fields (on top of the form's defaults), with the side's ids.
CREATE = {
    "groups": lambda ns, s: {"name": "Groupe du test", "slug": "groupe-test", "commune": "Nantes",
                             "departement_code": "44", "region": "Pays de la Loire"},
    "allies": lambda ns, s: {"name": MARKER},
    "group_allies": lambda ns, s: {"group": s.group.id, "ally": ns.spare.ally.id, "note": MARKER},
    "campaigns": lambda ns, s: {"group": s.group.id, "note": MARKER},
    "assessments": lambda ns, s: {"group": s.group.id, "measure": ns.spare.measure.id, "note": MARKER},
    "demands": lambda ns, s: {"group": s.group.id, "title": MARKER},
    "meetings": lambda ns, s: {"group": s.group.id, "outcome": MARKER},
    "actions": lambda ns, s: {"group": s.group.id, "kind": ns.kind.id, "demand": s.demand.id,
                              "title": MARKER},
    "checklist": lambda ns, s: {"action": s.action.id, "label": MARKER},
    "victories": lambda ns, s: {"group": s.group.id, "demand": s.demand.id, "title": MARKER,
                                "obtained_on": "2026-11-20"},
    "themes": lambda ns, s: {"code": "theme-test", "name": MARKER},
    "measures": lambda ns, s: {"number": 17, "title": MARKER},
    "action_kinds": lambda ns, s: {"code": "type-test", "label": MARKER},
    "checklist_templates": lambda ns, s: {"code": "modele-test", "label": MARKER},
    "step_durations": lambda ns, s: {"step": "cloture", "days": 10},
    "users": lambda ns, s: {"email": "cree@example.org", "role": "observer", "group": NO_CHOICE},
    "changelog": lambda ns, s: {"table_name": "meeting", "record_id": 1, "kind": "create"},
}

PATHS = ("list", "details", "edit_get", "edit_post", "create_get", "create_post", "delete",
         "action_delete", "ajax_update", "ajax_lookup", "export_csv", "export_xlsx")
READS = ("list", "details", "ajax_lookup", "export_csv", "export_xlsx")
WRITES = ("edit_post", "create_post", "delete", "action_delete", "ajax_update")
DELETES = ("delete", "action_delete")
ROLES = ("coordination", "referent", "referent_own", "observer", "anonymous")


def allowed(role, endpoint, path):
    """The expected rules (from the specification, not from the code)."""
    if role == "anonymous":
        return False
    if path == "ajax_update" and endpoint not in INLINE_EDITABLE:
        return False  # no inline editing on this table, whoever asks
    if endpoint in ADMIN_ONLY:
        if endpoint == "changelog":  # read-only journal without details pages
            return role == "coordination" and path in ("list", "ajax_lookup", "export_csv", "export_xlsx")
        return role == "coordination"
    if path in ("create_get", "create_post", *DELETES) and endpoint in NO_CREATE_DELETE:
        return False
    if role == "referent" and endpoint in GROUP_OWNED:
        # group B's rows are out of reach; lists and exports are scoped (see the leak tests)
        return path in ("list", "ajax_lookup", "export_csv", "export_xlsx") or (
            path == "create_get" and endpoint != "groups")
    if path in READS or role == "coordination":
        return True
    if role == "observer":
        return False
    if endpoint == "allies":  # shared, but referents maintain it (without deleting)
        return path not in DELETES
    if endpoint in REFERENCE:
        return False
    if endpoint == "groups":  # their own group: edit only
        return path not in ("create_get", "create_post", *DELETES)
    return True  # referent_own on their group's rows


MATRIX = [pytest.param(role, ep, path, id=f"{role}-{ep}-{path}")
          for role in ROLES for ep in ENDPOINTS for path in PATHS
          if role != "referent_own" or ep in GROUP_OWNED]


# -- the network, with a few rows nothing depends on ------------------------------------------
def add_spare_rows(network):
    with history_disabled():
        network.duration = StepDuration.get()
        network.spare = SimpleNamespace(
            group=Group.create(name="Groupe sans données", slug="c-vide", commune="Nantes",
                               departement_code="44", region="Région"),
            ally=Ally.create(name="Allié sans relation", kind="association_velo"),
            measure=Measure.create(number=16, title="Mesure sans état des lieux"),
            kind=ActionKind.create(code="spare", label="Type sans action"),
            template=ChecklistTemplate.create(code="spare", phase="avant", label="Modèle inutilisé"),
        )
        for side in (network.a, network.b):
            side.spare_demand = Demand.create(group=side.group, title=f"Demande en réserve {side.group.id}")
            side.spare_action = Action.create(group=side.group, kind=network.kind, title="Action en réserve",
                                              date=TODAY)
    network.entry = ChangeLog.record(user=network.coordination, table_name="ally", record_id=network.ally.id,
                                     kind="update", field="contact_email",
                                     old={"contact_email": "ancien@example.org"},
                                     new={"contact_email": "paule@example.org"})
    return network


@pytest.fixture
def ns(app, saved_network):
    """The two-group network plus spare rows (read-only: tests re-read rows from the database)."""
    return saved_network[1]


EMAILS = {"coordination": "coordination@example.org", "observer": "observateur@example.org",
          "referent": "referent-a@example.org", "referent_own": "referent-a@example.org"}


@pytest.fixture
def actor(app, ns):
    """actor(role): a client logged in as `role` (or anonymous), its CSRF token, the group it aims at."""
    def make(role):
        client = app.test_client()
        token = csrf_token(client)  # the login page's token: bound to the session, valid after login
        if role != "anonymous":
            response = client.post("/connexion", data={"email": EMAILS[role], "password": PASSWORD,
                                                       "csrf_token": token})
            assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return SimpleNamespace(client=client, token=token, role=role,
                               side=ns.a if role == "referent_own" else ns.b)
    return make


# -- helpers --------------------------------------------------------------------------------
SKIPPED_COLUMNS = {User: ("last_login_at", "password_hash")}  # logins touch them
SKIPPED_TABLES = (LoginAttempt,)  # logins write one row each
SNAPSHOT_SQL = {
    model.__name__: 'SELECT {} FROM "{}" ORDER BY id'.format(
        ", ".join(f'"{f.column_name}"' for f in model._meta.sorted_fields
                  if f.name not in SKIPPED_COLUMNS.get(model, ())),
        model._meta.table_name)
    for model in ALL_MODELS if model not in SKIPPED_TABLES
}


def snapshot():
    """Every row of every table (the change log included), as the database stores them."""
    return {name: db.execute_sql(sql).fetchall() for name, sql in SNAPSHOT_SQL.items()}


def pk(row):
    """The key a list page carries: id:version for versioned rows."""
    row = type(row).get_by_id(row.id)
    version = getattr(row, "version", None)
    return f"{row.id}:{version}" if version is not None else str(row.id)


class FormParser(HTMLParser):
    """The fields a browser would submit from the page's admin form."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields, self.selects = {}, {}
        self._in_form = False
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "admin-form" in (a.get("class") or ""):
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.fields[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a["name"]
            self.selects[self._select] = []
        elif tag == "option" and self._select:
            options = self.selects[self._select]
            options.append(a.get("value", ""))
            if "selected" in a or len(options) == 1:
                self.fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self.fields[self._textarea] = self.fields[self._textarea].removeprefix("\r\n").removeprefix("\n")
            self._textarea = None


def parse_form(html):
    parser = FormParser()
    parser.feed(html)
    return parser


def text(response):
    """The body as text (exports are binary: undecodable bytes are replaced)."""
    return response.get_data().decode("utf-8", errors="replace")


def form_data(source, url, changes):
    """What a browser would post from the form at `url` (read by `source`), with `changes`."""
    response = source.get(url)
    fields = parse_form(response.get_data(as_text=True)).fields if response.status_code == 200 else {}
    fields.pop("csrf_token", None)
    return fields | {k: str(v) for k, v in changes.items()}


def send(who, actor, ns, endpoint, path):
    """One request by `who` on one path of one table; returns the response."""
    base, client, side, token = f"/admin/{endpoint}/", who.client, who.side, who.token
    row = (DELETE_ROW if path in DELETES else ROW)[endpoint](ns, side)
    if path == "list":
        return client.get(base)
    if path == "details":
        return client.get(f"{base}details/?id={pk(row)}")
    if path == "edit_get":
        return client.get(f"{base}edit/?id={pk(row)}")
    if path == "create_get":
        return client.get(f"{base}new/")
    if path == "ajax_lookup":
        return client.get(f"{base}ajax/lookup/?name=group&query=a")
    if path.startswith("export_"):
        return client.get(f"{base}export/{path.removeprefix('export_')}/")
    # Forms are read by coordination (who sees every row), then posted by `who`.
    source = client if who.role == "coordination" else actor("coordination").client
    if path == "edit_post":
        field, value, _ = EDIT[endpoint]
        data = form_data(source, f"{base}edit/?id={pk(row)}", {field: value})
        return client.post(f"{base}edit/?id={pk(row)}", data=data | {"csrf_token": token})
    if path == "create_post":
        data = form_data(source, f"{base}new/", CREATE[endpoint](ns, side))
        return client.post(f"{base}new/", data=data | {"csrf_token": token})
    if path == "delete":
        return client.post(f"{base}delete/", data={"id": pk(row), "csrf_token": token})
    if path == "action_delete":
        return client.post(f"{base}action/", data={"action": "delete", "rowid": pk(row),
                                                   "csrf_token": token})
    column, value, _ = AJAX[endpoint]
    return client.post(f"{base}ajax/update/", data={"list_form_pk": pk(row), column: value,
                                                    "csrf_token": token})


def journal(model, kind):
    return ChangeLog.select().where(ChangeLog.table_name == model._meta.table_name,
                                    ChangeLog.kind == kind).count()


def assert_allowed(response, endpoint, path, row, before, counts):
    """The request went through and did what it says."""
    body = text(response)
    model = MODEL[endpoint]
    if path == "ajax_lookup":  # reached the view: no lookup is configured on any table
        assert response.status_code == 404, body[:300]
    elif path in ("list", "details", "edit_get", "create_get", "export_csv", "export_xlsx"):
        assert response.status_code == 200, body[:300]
        if path in ("edit_get", "create_get"):
            assert "admin-form" in body
        if path == "export_csv":
            assert response.mimetype == "text/csv"
        if path == "export_xlsx":
            assert response.mimetype.endswith("spreadsheetml.sheet")
    if path not in WRITES:
        assert snapshot() == before, "a read changed the database"
        return
    if path == "ajax_update":
        assert response.status_code == 200 and body == "Enregistré.", body[:300]
        column, _, stored = AJAX[endpoint]
        assert getattr(model.get_by_id(row.id), column) == stored
    else:
        assert response.status_code == 302, body[:500]
    if path == "edit_post":
        field, _, stored = EDIT[endpoint]
        assert getattr(model.get_by_id(row.id), field) == stored
    if path == "create_post":
        assert model.select().count() == counts[0] + 1
    if path in DELETES:
        assert model.get_or_none(model.id == row.id) is None
    kind = {"create_post": "create", "delete": "delete", "action_delete": "delete"}.get(path, "update")
    assert journal(model, kind) == counts[1 + ("create", "update", "delete").index(kind)] + 1


def refusal(role, endpoint, path):
    """How a refusal answers: the login page, 403 (not for this role), or, when only the row is
    out of reach (group B's row, which the referent could handle in their own group), 404 like an
    unknown id; a create naming group B gets its form back with the reason; a bulk delete skips
    the rows it cannot reach and goes back to the list."""
    if role == "anonymous":
        return "login"
    if role == "referent" and endpoint in GROUP_OWNED and allowed("referent_own", endpoint, path):
        return {"create_post": "form", "action_delete": "list"}.get(path, 404)
    return 403


def assert_refused(response, role, endpoint, path, before):
    """Refused cleanly: no 500, the expected answer, nothing written, nothing journaled."""
    status, body = response.status_code, text(response)
    location = response.headers.get("Location", "")
    assert status != 500, body[:500]
    after = snapshot()
    assert after["ChangeLog"] == before["ChangeLog"], "a refused request was journaled"
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"a refused request changed {changed}"
    expected = refusal(role, endpoint, path)
    if expected == "login":
        assert status == 302 and location.startswith("/connexion?next="), (status, location)
        assert unquote(location).startswith(f"/connexion?next=/admin/{endpoint}/"), location
    elif expected == "list":
        assert status == 302 and location == f"/admin/{endpoint}/", (status, location)
    elif expected == "form":
        assert status == 200 and "admin-form" in body and "alert-danger" in body, (status, body[:300])
    else:
        assert status == expected, (status, location or body[:300])
        if path == "ajax_update" and expected == 404:
            assert "introuvable" in body


@pytest.mark.parametrize(("role", "endpoint", "path"), MATRIX)
def test_permission_matrix(role, endpoint, path, ns, actor):
    who = actor(role)
    row = (DELETE_ROW if path in DELETES else ROW)[endpoint](ns, who.side)
    model = MODEL[endpoint]
    counts = (model.select().count(), journal(model, "create"), journal(model, "update"),
              journal(model, "delete"))
    before = snapshot()
    response = send(who, actor, ns, endpoint, path)
    if allowed(role, endpoint, path):
        assert_allowed(response, endpoint, path, row, before, counts)
    else:
        assert_refused(response, role, endpoint, path, before)


# -- what a referent's lists, counts, exports and dropdowns show ----------------------------------
GROUP_B_TEXT = ("Alternatiba", "Évry", "Evry", "contact-b@example.org")
LIST_COUNT = re.compile(r"Liste \((\d+)\)")


def exported(response, kind):
    """(all the text of an export, its number of data rows)."""
    assert response.status_code == 200, text(response)[:300]
    if kind == "csv":
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
        rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    return "\n".join(";".join(row) for row in rows), len(rows) - 1


def own_ids(model, group):
    return {row.id for row in rows_for_group(model, group.id)}


@pytest.mark.parametrize("query", ["", "?search=Evry", "?search=Alternatiba", "?sort=0&desc=1",
                                   "?page_size=500"])
@pytest.mark.parametrize("endpoint", GROUP_OWNED)
def test_referent_list_shows_only_own_group(endpoint, query, ns, actor):
    response = actor("referent").client.get(f"/admin/{endpoint}/{query}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body[:300]
    searched = query.partition("search=")[2]  # echoed back in the search box
    leaked = [t for t in GROUP_B_TEXT if t in body and t != searched]
    assert not leaked, f"group B shown to group A's referent: {leaked}"
    expected = own_ids(MODEL[endpoint], ns.a.group)
    shown = {int(i) for i in re.findall(rf"/admin/{endpoint}/details/\?id=(\d+)", body)}
    assert shown <= expected
    if not query.startswith("?search"):
        assert shown == expected and expected
        assert [int(n) for n in LIST_COUNT.findall(body)] == [len(expected)]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("endpoint", GROUP_OWNED)
def test_referent_export_shows_only_own_group(endpoint, kind, ns, actor):
    content, count = exported(actor("referent").client.get(f"/admin/{endpoint}/export/{kind}/"), kind)
    leaked = [t for t in GROUP_B_TEXT if t in content]
    assert not leaked, f"group B exported to group A's referent: {leaked}"
    assert "Lyon" in content
    assert count == len(own_ids(MODEL[endpoint], ns.a.group))


FK_SELECTS = {"group": Group, "demand": Demand, "action": Action}
FORMS = [(ep, form) for ep in GROUP_OWNED for form in ("new", "edit")
         if ep not in ("groups", "campaigns")]  # their forms have no group-owned dropdown


@pytest.mark.parametrize(("endpoint", "form"), FORMS)
def test_referent_dropdowns_offer_only_own_group(endpoint, form, ns, actor):
    own_row = ROW[endpoint](ns, ns.a)
    url = f"/admin/{endpoint}/new/" if form == "new" else f"/admin/{endpoint}/edit/?id={pk(own_row)}"
    response = actor("referent").client.get(url)
    assert response.status_code == 200
    selects = parse_form(response.get_data(as_text=True)).selects
    checked = [name for name in FK_SELECTS if name in selects]
    assert checked, f"no group-owned dropdown in {url}: {sorted(selects)}"
    for name in checked:
        offered = {int(v) for v in selects[name] if v not in ("", "__None")}
        expected = own_ids(FK_SELECTS[name], ns.a.group)
        assert offered == expected, f"{name}: offers {offered}, group A has {expected}"


# -- writing into group B through a form that looks like one's own ----------------------------------
def post_form(who, url, changes):
    """Post the form at `url` as `who` would see it, with `changes`."""
    return who.client.post(url, data=form_data(who.client, url, changes) | {"csrf_token": who.token})


def assert_form_refused(response, before):
    """Nothing written, and the form comes back with the reason (or the row is out of reach)."""
    assert response.status_code != 500, text(response)[:500]
    assert snapshot() == before
    assert response.status_code in (200, 403, 404), response.status_code
    if response.status_code == 200:
        assert "alert-danger" in text(response)


CROSS_GROUP_CREATES = {  # a row of group B, or of group A pointing into group B
    "meetings-in-b": ("meetings", lambda ns: {"group": ns.b.group.id, "outcome": MARKER}),
    "demand-in-b": ("demands", lambda ns: {"group": ns.b.group.id, "title": MARKER}),
    "action-on-b-demand": ("actions", lambda ns: {"group": ns.a.group.id, "kind": ns.kind.id,
                                                  "demand": ns.b.demand.id, "title": MARKER}),
    "victory-on-b-demand": ("victories", lambda ns: {"group": ns.a.group.id, "demand": ns.b.demand.id,
                                                     "title": MARKER, "obtained_on": "2026-11-20"}),
    "item-on-b-action": ("checklist", lambda ns: {"action": ns.b.action.id, "label": MARKER}),
    "ally-link-in-b": ("group_allies", lambda ns: {"group": ns.b.group.id, "ally": ns.spare.ally.id}),
    "rating-in-b": ("assessments", lambda ns: {"group": ns.b.group.id, "measure": ns.spare.measure.id}),
}


# Rows linked together must belong to the same group, whoever writes them.
EVERYONE = ("action-on-b-demand", "victory-on-b-demand")


def cases(table):
    return [pytest.param(role, case, id=f"{role}-{case}") for role in ("referent", "coordination")
            for case in table if role == "referent" or case in EVERYONE]


@pytest.mark.parametrize(("role", "case"), cases(CROSS_GROUP_CREATES))
def test_cannot_create_into_group_b(role, case, ns, actor):
    endpoint, fields = CROSS_GROUP_CREATES[case]
    who = actor(role)
    before = snapshot()
    response = post_form(who, f"/admin/{endpoint}/new/", fields(ns))
    assert_form_refused(response, before)


def test_referent_creates_meeting_in_own_group(ns, actor):
    """The allowed side of the test above."""
    who = actor("referent")
    response = post_form(who, "/admin/meetings/new/", {"group": ns.a.group.id, "outcome": MARKER})
    assert response.status_code == 302
    created = Meeting.get(Meeting.outcome == MARKER)
    assert created.group_id == ns.a.group.id
    assert ChangeLog.get(ChangeLog.table_name == "meeting", ChangeLog.record_id == created.id).user_id \
        == ns.a.referent.id


CROSS_GROUP_MOVES = {  # group A's row, edited to point into group B
    "meeting-to-b": ("meetings", "meeting", lambda ns: {"group": ns.b.group.id}),
    "demand-to-b": ("demands", "demand", lambda ns: {"group": ns.b.group.id}),
    "action-to-b": ("actions", "action", lambda ns: {"group": ns.b.group.id, "demand": NO_CHOICE}),
    "action-on-b-demand": ("actions", "action", lambda ns: {"demand": ns.b.demand.id}),
    "victory-to-b": ("victories", "victory", lambda ns: {"group": ns.b.group.id, "demand": NO_CHOICE}),
    "item-to-b-action": ("checklist", "item", lambda ns: {"action": ns.b.action.id}),
    "link-to-b": ("group_allies", "link", lambda ns: {"group": ns.b.group.id}),
    "rating-to-b": ("assessments", "rating", lambda ns: {"group": ns.b.group.id}),
}


@pytest.mark.parametrize(("role", "case"), cases(CROSS_GROUP_MOVES))
def test_cannot_move_own_row_into_group_b(role, case, ns, actor):
    endpoint, attr, fields = CROSS_GROUP_MOVES[case]
    who = actor(role)
    url = f"/admin/{endpoint}/edit/?id={pk(getattr(ns.a, attr))}"
    before = snapshot()
    response = post_form(who, url, fields(ns) | {EDIT[endpoint][0]: MARKER})
    assert_form_refused(response, before)


@pytest.mark.parametrize("column", ["group", "group_id"])
def test_referent_cannot_move_own_meeting_inline(column, ns, actor):
    """Inline edits only take editable columns: a smuggled group is not saved, nor is anything else."""
    who = actor("referent")
    before = snapshot()
    response = who.client.post("/admin/meetings/ajax/update/", data={
        "list_form_pk": pk(ns.a.meeting), column: ns.b.group.id, "csrf_token": who.token})
    assert response.status_code != 500, text(response)[:300]
    assert Meeting.get_by_id(ns.a.meeting.id).group_id == ns.a.group.id
    after = snapshot()
    assert after["Meeting"] == before["Meeting"], (response.status_code, text(response))


def test_referent_inline_edit_of_own_meeting(ns, actor):
    """The allowed side: status=tenu with the list's id:version, saved and journaled."""
    who = actor("referent")
    response = who.client.post("/admin/meetings/ajax/update/", data={
        "list_form_pk": pk(ns.a.meeting), "status": "tenu", "csrf_token": who.token})
    assert response.status_code == 200 and response.get_data(as_text=True) == "Enregistré."
    meeting = Meeting.get_by_id(ns.a.meeting.id)
    assert (meeting.status, meeting.version) == ("tenu", 2)
    entry = ChangeLog.get(ChangeLog.table_name == "meeting", ChangeLog.record_id == meeting.id)
    assert (entry.kind, entry.field, entry.user_id) == ("update", "status", ns.a.referent.id)
    refused = who.client.post("/admin/meetings/ajax/update/", data={
        "list_form_pk": pk(ns.b.meeting), "status": "tenu", "csrf_token": who.token})
    assert refused.status_code == 404 and "introuvable" in refused.get_data(as_text=True)
    assert Meeting.get_by_id(ns.b.meeting.id).status == "programme"


# -- contact details: never shown to observers ---------------------------------------------------
CONTACT_LABELS = ("E-mail de contact", "Téléphone de contact")


def contact_values(ns, endpoint, view):
    """The contact details a page or export of `endpoint` would show to someone allowed to see them."""
    if endpoint == "groups":
        groups = [ns.b.group] if view == "details" else [ns.a.group, ns.b.group]
        return [v for g in groups for v in (g.contact_email, g.contact_phone)]
    ally = ns.ally
    history = ["ancien@example.org"] if view == "details" else []  # the record's change log
    return [ally.contact_name, ally.contact_email, ally.contact_phone, *history]


@pytest.mark.parametrize("view", ["list", "details", "csv", "xlsx"])
@pytest.mark.parametrize("endpoint", ["groups", "allies"])
@pytest.mark.parametrize("role", ["observer", "coordination"])
def test_contact_columns_hidden_from_observers(role, endpoint, view, ns, actor):
    client = actor(role).client
    if view in ("csv", "xlsx"):
        content, _ = exported(client.get(f"/admin/{endpoint}/export/{view}/"), view)
    else:
        row = ns.b.group if endpoint == "groups" else ns.ally
        response = client.get(f"/admin/{endpoint}/" + (f"details/?id={pk(row)}" if view == "details" else ""))
        assert response.status_code == 200
        content = text(response)
    expected = [*contact_values(ns, endpoint, view), *CONTACT_LABELS]
    shown = [c for c in expected if c in content]
    if role == "observer":
        assert not shown, f"contact details shown to an observer: {shown}"
    else:
        assert shown == expected  # the coordination team sees them (and the test can find them)


# -- junk a client can send: refused or ignored, never a 500 --------------------------------------
JUNK = {
    "fk-empty": ("post", "meetings/new/", lambda ns: {"group": "", "outcome": MARKER}),
    "fk-text": ("post", "meetings/new/", lambda ns: {"group": "abc", "outcome": MARKER}),
    # an empty optional dropdown may also be taken for "none" (SQLite does): then no demand is set
    "optional-fk-empty": ("post", "actions/new/", lambda ns: {"group": ns.a.group.id, "kind": ns.kind.id,
                                                              "demand": "", "title": MARKER}),
    "optional-fk-text": ("post", "victories/new/", lambda ns: {"group": ns.a.group.id, "demand": "x",
                                                               "title": MARKER, "obtained_on": "2026-11-20"}),
    "details-id-text": ("get", "meetings/details/?id=abc", None),
    "edit-id-negative": ("get", "meetings/edit/?id=-1", None),
    "delete-id-text": ("post", "meetings/delete/", lambda ns: {"id": "abc"}),
    "bulk-rowid-text": ("post", "meetings/action/", lambda ns: {"action": "delete", "rowid": "1 OR 1=1"}),
    "ajax-pk-text": ("post", "meetings/ajax/update/", lambda ns: {"list_form_pk": "abc", "status": "tenu"}),
    "ajax-bad-choice": ("post", "meetings/ajax/update/", lambda ns: {"list_form_pk": pk(ns.a.meeting),
                                                                     "status": "n-importe-quoi"}),
    "filter-group-text": ("get", "meetings/?flt0_0=abc", None),
    "page-negative": ("get", "meetings/?page=-3", None),
    "sort-out-of-range": ("get", "meetings/?sort=99&desc=1", None),
}


@pytest.mark.parametrize("role", ["coordination", "referent"])
@pytest.mark.parametrize("case", JUNK)
def test_junk_input_never_answers_500(case, role, ns, actor):
    method, url, fields = JUNK[case]
    who = actor(role)
    before = snapshot()
    if method == "get":
        response = who.client.get(f"/admin/{url}")
    elif url.endswith("/new/"):
        response = post_form(who, f"/admin/{url}", fields(ns))
    else:
        response = who.client.post(f"/admin/{url}", data=fields(ns) | {"csrf_token": who.token})
    assert response.status_code != 500, text(response)[:300]
    assert response.status_code in (200, 302, 400, 403, 404)
    if case == "optional-fk-empty" and Action.get_or_none(Action.title == MARKER):
        assert Action.get(Action.title == MARKER).demand_id is None
        return
    assert snapshot() == before



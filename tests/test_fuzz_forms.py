"""Odd input on every form and inline edit: never a 500, never a partial write.

Hypothesis fills a few fields of each form with what people (and robots) really send: control
characters and NUL, 100,000-character strings, right-to-left marks, combining accents, emoji,
malformed dates and numbers (superscript and full-width digits, 1e309, 2**63), repeated or
missing fields, odd ids. After every request, either nothing changed in any table (a refusal,
whatever its wording), or the answer is a success and every row written is complete and would
fit PostgreSQL (lengths, choices, integers, no NUL) with its change-log entry.
"""
import datetime as dt
import uuid
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from peewee import AutoField, BigIntegerField, CharField, IntegerField

from models import (
    ALL_MODELS,
    Campaign,
    ChangeLog,
    ChecklistItem,
    GroupTheme,
    Measure,
    StepDuration,
    ThemeMeasure,
    db,
)
from models.audit import history_disabled

from .network import csrf_token, form_data

# Bounded for the suite's time (both databases, ~2 min in all); no shrinking: a failure is
# reported at once, as generated (seconds, not minutes). The database is not reset between
# examples, so values that must be unique are salted.
FUZZ = settings(max_examples=20, deadline=None, database=None, print_blob=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
AJAX_FUZZ = settings(FUZZ, max_examples=25)

# -- what is sent --------------------------------------------------------------------------------
DROP = object()  # the field is left out of the request
UNIQUE = ("token", "name", "slug")  # a one-time token, names that must be unique


class Huge(str):
    """A long string that shows as its length in a failure report."""

    def __repr__(self):
        return f"Huge({self[:3]!r} × {len(self)})"


CONTROLS = st.text(st.sampled_from("\x00\x01\x08\x0b\x0c\x1b\x7f\x85\u2028\u2029\ufeff\u200b\u202e\u202d"
                                   "\u0301\r\n\t "), min_size=1, max_size=8)
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)  # every code point but surrogates
ODD = st.sampled_from([
    "\u202eelbaçrec\u202c", "مرحبا بالعالم", "שלום", "e\u0301\u0301\u0301", "Z̷̢̛a̵̧l̶g̴o̷",
    "👩🏽‍🚒🏳️‍🌈", "🇫🇷", "\ufeffBOM", "NUL\x00au milieu", "<script>alert(1)</script>",
    "'; DROP TABLE meeting; --", "=1+1", "%s%n", "../../etc/passwd", "None", "null", "undefined",
])
HUGE = st.sampled_from(["x" * 100_000, "é" * 100_000, "👩🏽‍🚒" * 25_000, "\u202e" * 100_000,
                        "a\x00" * 50_000, "9" * 100_000]).map(Huge)
DATES = st.sampled_from([
    "31/02/2026", "2026-02-30", "00/00/0000", "32/13/2026", "2026-13-01", "1/1/1", "0001-01-01",
    "9999-12-31", "10000-01-01", "22/11/26", "22-11-2026", "2026/11/22", "22/11/2026 12:00",
    " 22/11/2026 ", "２２/１１/２０２６", "22/11/2026\x00", "٢٢/١١/٢٠٢٦", "-2026-11-22", "aujourd'hui",
])
NUMBERS = st.sampled_from([
    "-1", "0", "-0", "1e309", "1e3", "NaN", "inf", "-inf", "2147483648", "-2147483649",
    "9223372036854775808", "99999999999999999999999", "0x10", " 12 ", "１２", "٣", "²", "¹²³",
    "1_000", "+5", "1.5", "1,5", "1 000", "12abc",
])
NASTY = st.one_of(ANY_TEXT, CONTROLS, ODD, HUGE, DATES, NUMBERS,
                  st.lists(st.one_of(ANY_TEXT, CONTROLS, ODD, DATES, NUMBERS), min_size=2, max_size=4)
                  .map("".join))
VALUE = st.one_of(NASTY, NASTY, NASTY, st.just(DROP), st.lists(NASTY, min_size=2, max_size=3))


def fuzzed(data, base, names):
    """`base` with one to three of `names` replaced by odd values, repeated, or left out.

    `names` must not depend on what earlier examples wrote (Hypothesis replays draws).
    """
    out = dict(base)
    for name in data.draw(st.sets(st.sampled_from(sorted(names)), min_size=1, max_size=3), label="fields"):
        value = data.draw(VALUE, label=name)
        if value is DROP:
            out.pop(name, None)
        elif name in UNIQUE:  # the same odd value, never already taken by an earlier example
            salt = uuid.uuid4().hex[:8]
            out[name] = [v + salt for v in value] if isinstance(value, list) else value + salt
        else:
            out[name] = value
    return out


def odd_id(data, good):
    """Usually the real id, sometimes something else."""
    return data.draw(st.one_of(st.just(str(good)), st.just(str(good)), NUMBERS, ODD, CONTROLS), label="id")


# -- what must hold ------------------------------------------------------------------------------
INT32 = (-(2**31), 2**31 - 1)
NOT_CHANGES = {"version", "updated_at", "search_text"}


def snapshot():
    """Every row of every table, as stored ({model: {id: {column: value}}}), in one plain query each."""
    tables = {}
    for model in ALL_MODELS:
        cursor = db.execute_sql(f'SELECT * FROM "{model._meta.table_name}"')
        columns = [c[0] for c in cursor.description]
        tables[model] = {row[columns.index("id")]: dict(zip(columns, row, strict=True))
                         for row in cursor.fetchall()}
    return tables


def row_problems(model, row):
    """What in a stored row PostgreSQL would refuse or the app could not show back."""
    problems = []
    for field in model._meta.sorted_fields:
        value = row[field.column_name]
        where = f"{model.__name__}.{field.name}"
        if value is None:
            if not field.null and not isinstance(field, AutoField):
                problems.append(f"{where} vide")
            continue
        if isinstance(value, str):
            if "\x00" in value:
                problems.append(f"{where} contient NUL")
            if isinstance(field, CharField) and len(value) > field.max_length:
                problems.append(f"{where} : {len(value)} caractères > {field.max_length}")
        if field.choices and value not in dict(field.choices):
            problems.append(f"{where} = {value!r} hors des choix")
        if isinstance(field, IntegerField) and not isinstance(field, BigIntegerField) \
                and isinstance(value, int) and not INT32[0] <= value <= INT32[1]:
            problems.append(f"{where} = {value} hors des entiers 32 bits")
    return problems


def check(response, before, succeeded):
    """No 500; a change only with a success answer, made of complete rows and their history."""
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    after = snapshot()
    changed = {}
    for model in ALL_MODELS:
        old, new = before[model], after[model]
        ids = {i for i in new if old.get(i) != new[i]} | (set(old) - set(new))
        if ids:
            changed[model] = ids
    if not changed:
        return
    status = response.status_code
    assert succeeded(response), (
        f"refusé ({status}) mais écrit : {({m.__name__: sorted(ids) for m, ids in changed.items()})}\n"
        + response.get_data(as_text=True)[:1500])
    logged = {(after[ChangeLog][i]["table_name"], after[ChangeLog][i]["record_id"])
              for i in changed.get(ChangeLog, ())}
    problems = []
    for model, ids in changed.items():
        for row_id in ids:
            row = after[model].get(row_id)
            if row is None:
                continue  # a link replaced on purpose (a demand's measures)
            problems += row_problems(model, row)
            old = before[model].get(row_id) or {}
            real = {k for k in row if row[k] != old.get(k)} - NOT_CHANGES
            if model.audited and real and (model._meta.table_name, row_id) not in logged:
                problems.append(f"{model.__name__} {row_id} écrit sans entrée au journal")
    assert not problems, "\n".join(problems)


def redirected(response):
    return response.status_code == 302


def saved_inline(response):
    return response.status_code == 200 and response.get_data(as_text=True) == "Enregistré."


# -- who posts: one logged-in client per test (Hypothesis runs every example in the same test) ----
class Poster:
    """A logged-in client, its CSRF token, and the field names of each form it first saw."""

    def __init__(self, client, token):
        self.client, self.token, self.fields = client, token, {}

    def field_names(self, address, form):
        """The names to fuzz at `address`, fixed by the first example (rows added later, such as
        an action's checklist, must not change what Hypothesis draws from)."""
        return self.fields.setdefault(address, sorted(set(form) - {"csrf_token"}))


@pytest.fixture
def referent(as_role, network):
    client = as_role("referent")
    return Poster(client, csrf_token(client, f"/groupe/{network.a.group.id}/rendez-vous"))


@pytest.fixture
def coordination(as_role):
    client = as_role("coordination")
    return Poster(client, csrf_token(client, "/admin/meetings/"))


# -- the « Mon groupe » forms (group A's referent) ------------------------------------------------
@pytest.fixture
def rated(network):
    """Group A works on the cycling theme: two measures to rate on its assessment page."""
    with history_disabled():
        second = Measure.create(number=16, title="Développer le réseau cyclable")
        for measure in (network.measure, second):
            ThemeMeasure.create(theme=network.theme, measure=measure)
        GroupTheme.create(group=network.a.group, theme=network.theme)
    return network


def group_form(ns, page):
    """(address, valid values to add to the page's own form) for one « Mon groupe » form."""
    a, base = ns.a, f"/groupe/{ns.a.group.id}/"
    paused = Campaign.get_by_id(a.campaign.id).state == "en_pause"
    return {
        "rendez-vous": (base + "rendez-vous", {"contact_name": "Mme la Maire"}),
        "rendez-vous-edit": (base + f"rendez-vous?id={a.meeting.id}", {}),
        "action": (base + "action", {"title": "Pétition arceaux", "kind": str(ns.kind.id)}),
        "action-edit": (base + f"action?id={a.action.id}", {}),
        "allie": (base + "allie", {"name": f"Amis de la Terre {uuid.uuid4().hex[:6]}"}),
        "allie-edit": (base + f"allie?id={a.link.id}", {}),
        "demande": (base + "demande", {"title": "Zone 30 devant les écoles"}),
        "demande-edit": (base + f"demande?id={a.demand.id}", {}),
        "victoire": (base + "victoire", {"title": "Rue scolaire obtenue"}),
        "etat-des-lieux": (base + "etat-des-lieux", {}),
        "campagne": (base + "campagne", {"comment": "Point d'étape",
                                         "event": "reprendre" if paused else "suspendre"}),
    }[page]


@pytest.mark.parametrize("page", ["rendez-vous", "rendez-vous-edit", "action", "action-edit", "allie",
                                  "allie-edit", "demande", "demande-edit", "victoire", "etat-des-lieux",
                                  "campagne"])
@FUZZ
@given(data=st.data())
def test_group_forms_never_fail_nor_write_halfway(referent, rated, page, data):
    client = referent.client
    address, filled = group_form(rated, page)
    form = {**form_data(client, address), **filled}
    posted = fuzzed(data, form, referent.field_names(address, form))
    if "?id=" in address and data.draw(st.booleans(), label="odd id"):
        address = address.split("?id=")[0] + "?id=" + quote(odd_id(data, address.split("?id=")[1]))
    before = snapshot()
    check(client.post(address, data=posted), before, redirected)


@FUZZ
@given(data=st.data())
def test_checklist_ticks_never_fail_nor_write_halfway(referent, network, data):
    client, a = referent.client, network.a
    item = ChecklistItem.get_by_id(a.item.id)
    form = {"csrf_token": referent.token, "done": str(item.id),
            f"v_{item.id}": str(item.version)}
    posted = fuzzed(data, form, {"done", f"v_{item.id}", f"v_{odd_id(data, item.id)}"})
    before = snapshot()
    check(client.post(f"/groupe/{a.group.id}/action/{a.action.id}/checklist", data=posted), before,
          redirected)


# -- the tables' create and edit forms (coordination) ---------------------------------------------
def admin_form(ns, table):
    """Valid values for a new row of `table` (added to the page's own form) and the row to edit."""
    a = ns.a
    return {
        "meetings": ({"group": a.group.id, "with_whom": "maire", "status": "demande",
                      "contact_name": "M. le Maire"}, a.meeting),
        "actions": ({"group": a.group.id, "title": "Vélorution", "kind": ns.kind.id, "status": "planifiee",
                     "difficulty": 1, "energy": 1, "press_articles": 0}, a.action),
        "demands": ({"group": a.group.id, "title": "Piste cyclable", "horizon": "mois",
                     "status": "proposee"}, a.demand),
        "groups": ({"name": f"Groupe {uuid.uuid4().hex[:8]}", "slug": f"g-{uuid.uuid4().hex[:8]}",
                    "commune": "Paris", "departement_code": "75", "region": "Île-de-France",
                    "mobilisable_count": 10, "townhall_relation": "neutre"}, a.group),
        "allies": ({"name": f"Allié {uuid.uuid4().hex[:8]}", "kind": "association_velo"}, ns.ally),
    }[table]


@pytest.mark.parametrize("table", ["meetings", "actions", "demands", "groups", "allies"])
@pytest.mark.parametrize("mode", ["new", "edit"])
@FUZZ
@given(data=st.data())
def test_table_forms_never_fail_nor_write_halfway(coordination, network, table, mode, data):
    client = coordination.client
    filled, row = admin_form(network, table)
    address = f"/admin/{table}/new/" if mode == "new" else f"/admin/{table}/edit/?id={row.id}"
    form = form_data(client, address)
    if mode == "new":
        form.update({k: str(v) for k, v in filled.items()})
    posted = fuzzed(data, form, coordination.field_names(address, form))
    if mode == "edit" and data.draw(st.booleans(), label="odd id"):
        address = f"/admin/{table}/edit/?id={quote(odd_id(data, row.id))}"
    before = snapshot()
    check(client.post(address, data=posted), before, redirected)


@pytest.mark.parametrize("field", ["demand", "difficulty", "status", "press_articles"])
def test_blank_text_in_a_dropdown_or_a_number_is_no_value(coordination, network, field):
    """Found by the fuzzer: spaces and a line break in a dropdown passed the form as a value."""
    client = coordination.client
    filled, _ = admin_form(network, "actions")
    form = {**form_data(client, "/admin/actions/new/"), **{k: str(v) for k, v in filled.items()},
            field: " \n\x01"}
    before = snapshot()
    check(client.post("/admin/actions/new/", data=form), before, redirected)


# -- inline cell edits, every editable column (coordination) --------------------------------------
def inline_cases(ns):
    """table -> (row, {column: a valid value})."""
    a = ns.a
    return {
        "groups": (a.group, {"townhall_relation": "dialogue", "mobilisable_count": "30"}),
        "group_allies": (a.link, {"status": "engage"}),
        "meetings": (a.meeting, {"status": "programme", "date": "2026-12-01", "follow_up_on": "2026-12-15"}),
        "actions": (a.action, {"status": "planifiee", "date": "2026-12-20", "people_expected": "50",
                               "people_mobilised": "10", "press_articles": "2"}),
        "checklist": (a.item, {"due_on": "2026-12-10", "done": "y"}),
        "demands": (a.demand, {"status": "retenue", "target_date": "2027-01-31"}),
        "assessments": (a.rating, {"rating": "en_cours", "ambition_level": "2"}),
        "victories": (a.victory, {"obtained_on": "2026-11-01"}),
        "campaigns": (a.campaign, {"note": "À relancer en janvier"}),
        "campaign_steps": (a.step, {"due_on": "2027-01-05"}),
        "users": (ns.b.referent, {"is_active": "y"}),
        "themes": (ns.theme, {"in_campaign": "y", "position": "3"}),
        "step_durations": (StepDuration.get(StepDuration.step == "mobilisation"), {"days": "40"}),
    }


def list_pk(row):
    row = type(row).get_by_id(row.id)
    version = getattr(row, "version", None)
    return f"{row.id}:{version}" if version is not None else str(row.id)


INLINE_TABLES = ["groups", "group_allies", "meetings", "actions", "checklist", "demands", "assessments",
                 "victories", "campaigns", "campaign_steps", "users", "themes", "step_durations"]


@pytest.mark.parametrize("table", INLINE_TABLES)
def test_valid_inline_edits_are_saved(coordination, network, table):
    """The fuzz starts from values the tables accept: each column alone is saved."""
    row, values = inline_cases(network)[table]
    for column, value in values.items():
        response = coordination.client.post(f"/admin/{table}/ajax/update/", data={
            "list_form_pk": list_pk(row), column: value, "csrf_token": coordination.token})
        assert saved_inline(response), (column, response.status_code, response.get_data(as_text=True))


@pytest.mark.parametrize("table", INLINE_TABLES)
@AJAX_FUZZ
@given(data=st.data())
def test_inline_edits_never_fail_nor_write_halfway(coordination, network, table, data):
    row, values = inline_cases(network)[table]
    column = data.draw(st.sampled_from(sorted(values)), label="column")
    posted = {"list_form_pk": list_pk(row), column: values[column], "csrf_token": coordination.token}
    odd_pk = data.draw(st.booleans(), label="odd list_form_pk")
    posted = fuzzed(data, posted, {column, "list_form_pk"} if odd_pk else {column})
    before = snapshot()
    check(coordination.client.post(f"/admin/{table}/ajax/update/", data=posted), before, saved_inline)


def test_the_fuzz_reaches_the_database(coordination, network):
    """A sanity check of the harness: a valid post is seen as a change with its history."""
    before = snapshot()
    response = coordination.client.post("/admin/meetings/ajax/update/", data={
        "list_form_pk": list_pk(network.a.meeting), "follow_up_on": dt.date(2027, 2, 1).isoformat(),
        "csrf_token": coordination.token})
    check(response, before, saved_inline)
    with pytest.raises(AssertionError, match="refusé"):
        check(response, before, lambda r: False)

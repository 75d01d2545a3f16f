"""Reference data (idempotent, checked) and the demo network (believable, deterministic)."""
import datetime as dt

import pytest

from models import (
    ALL_MODELS,
    ActionKind,
    AssessmentRating,
    Campaign,
    CampaignStep,
    ChecklistTemplate,
    FormSubmission,
    Group,
    LoginAttempt,
    Measure,
    StepDuration,
    Theme,
    User,
    Victory,
    db,
)
from models.campaign import CAMPAIGN_STATES
from seed.demo import DEMO_PASSWORD, load_demo
from seed.reference import REFERENCE_FILE, ReferenceDataError, load_reference

from .conftest import make_app

TODAY = dt.date(2026, 11, 22)


def _reference_counts():
    return {m.__name__: m.select().count()
            for m in (Theme, Measure, ActionKind, ChecklistTemplate, StepDuration)}


def test_reference_data_is_complete(conn):
    load_reference()
    assert [m.number for m in Measure.select().order_by(Measure.number)] == list(range(1, 33))
    assert Measure.get(Measure.number == 15).title.startswith("Donner la priorité aux mobilités actives")
    unknown = {17, 19, 21, 22, 23, 26, 27, 30, 32}
    flagged = {m.number for m in Measure.select().where(Measure.to_confirm)}
    assert unknown <= flagged
    assert 3 not in flagged
    velo = Theme.get(Theme.code == "velo")
    assert sorted(link.measure.number for link in velo.measure_links) == [15, 16]
    artif = Theme.get(Theme.code == "artificialisation")
    assert sorted(link.measure.number for link in artif.measure_links) == [6, 8, 9, 13]
    phases = {t.phase for t in ChecklistTemplate.select()}
    assert phases == {"avant", "pendant", "apres"}
    prefecture = ChecklistTemplate.get(ChecklistTemplate.code == "prefecture")
    assert prefecture.offset_days < 0
    assert {d.step for d in StepDuration.select()} == {
        "etat_des_lieux", "priorisation", "rendez_vous", "mobilisation"}


def test_reference_seed_is_idempotent_and_keeps_edits(conn, runner):
    first = runner.invoke(args=["seed", "reference"])
    assert first.exit_code == 0, first.output
    counts = _reference_counts()
    duration = StepDuration.get(StepDuration.step == "priorisation")
    duration.days = 21  # edited by the coordination team
    duration.save()
    second = runner.invoke(args=["seed", "reference"])
    assert second.exit_code == 0
    assert "measures +0" in second.output
    assert _reference_counts() == counts
    assert StepDuration.get(StepDuration.step == "priorisation").days == 21


def test_measure_number_out_of_range_in_the_data_file(conn, tmp_path):
    bad = REFERENCE_FILE.read_text(encoding="utf-8").replace("number = 32\n", "number = 33\n")
    path = tmp_path / "reference.toml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="hors limites"):
        load_reference(path)
    assert Theme.select().count() == 0 and Measure.select().count() == 0


def test_missing_measure_in_the_data_file(conn, tmp_path):
    text = REFERENCE_FILE.read_text(encoding="utf-8").replace("number = 32\n", "number = 31\n")
    path = tmp_path / "reference.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"manquantes : \[32\]"):
        load_reference(path)
    assert Measure.select().count() == 0


def test_demo_network_is_believable(conn):
    load_reference()
    load_demo(TODAY)
    groups = list(Group.select())
    assert len(groups) == 50
    assert len({g.departement_code for g in groups}) >= 40
    assert Group.get(Group.slug == "evry-courcouronnes").commune == "Évry-Courcouronnes"
    for group in groups:
        referents = list(group.users)
        assert 1 <= len(referents) <= 3
        assert all(u.role == "referent" for u in referents)
        assert f"referent-{group.slug}@example.org" in {u.email for u in referents}
    states = {c.state for c in Campaign.select()}
    assert states == {code for code, _ in CAMPAIGN_STATES}
    overdue = (CampaignStep.select()
               .where(CampaignStep.closed_on.is_null(), CampaignStep.due_on < TODAY).count())
    assert 3 <= overdue <= 25
    stale_cutoff = dt.datetime.combine(TODAY - dt.timedelta(days=45), dt.time())
    stale = Group.select().where(Group.updated_at < stale_cutoff).count()
    assert 3 <= stale <= 10
    assert 3 <= Victory.select().count() <= 15
    assert AssessmentRating.select().count() > 50
    # Every open campaign has exactly one open step; finished ones have none.
    for campaign in Campaign.select():
        open_steps = campaign.steps.where(CampaignStep.closed_on.is_null()).count()
        assert open_steps == (1 if campaign.ended_on is None else 0), campaign.state
    # Every table of the domain gets rows (form tokens and login attempts only come from use).
    assert all(m.select().exists() for m in ALL_MODELS if m not in (FormSubmission, LoginAttempt))


def test_demo_accounts_log_in_with_the_documented_password(conn):
    load_reference()
    load_demo(TODAY)
    for email, role in [("coordination@example.org", "coordination"),
                        ("observateur@example.org", "observer"),
                        ("referent-lyon@example.org", "referent")]:
        user = User.get(User.email == email)
        assert user.role == role
        assert user.check_password(DEMO_PASSWORD)


def _dump():
    # Hashes are salted; reference rows carry the time they were loaded, not demo data.
    skip = {"password_hash", "session_token"}
    out = {}
    for model in ALL_MODELS:
        fields = [f for f in model._meta.sorted_fields if f.name not in skip
                  and not (model is StepDuration and f.name in ("created_at", "updated_at"))]
        out[model.__name__] = list(model.select(*fields).order_by(model.id).tuples())
    return out


def test_demo_is_deterministic(database_url, empty_database_url, tmp_path):
    from models.migrate import upgrade

    dumps = []
    for url in (database_url, empty_database_url):
        make_app(url, tmp_path)
        with db.connection_context():
            upgrade()
            load_reference()
            load_demo(TODAY)
            dumps.append(_dump())
    assert dumps[0] == dumps[1]


def test_demo_command_only_on_an_empty_database(conn, runner):
    created = runner.invoke(args=["seed", "demo", "--today", "2026-11-22"])
    assert created.exit_code == 0, created.output
    assert "coordination@example.org" in created.output
    assert "victoires-demo" in created.output
    again = runner.invoke(args=["seed", "demo"])
    assert again.exit_code == 0
    assert "déjà chargé" in again.output
    assert Group.select().count() == 50


def test_demo_refuses_a_database_with_real_groups(conn, runner):
    Group.create(name="Vrai groupe", slug="vrai", commune="Arles", departement_code="13",
                 region="Provence-Alpes-Côte d'Azur")
    refused = runner.invoke(args=["seed", "demo"])
    assert refused.exit_code == 1
    assert "base vide" in refused.output
    skipped = runner.invoke(args=["seed", "demo", "--if-empty"])
    assert skipped.exit_code == 0
    assert Group.select().count() == 1
    assert not User.select().where(User.email == "coordination@example.org").exists()

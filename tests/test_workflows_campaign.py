"""The campaign engine: every (state, event) pair, guards, due dates, pause arithmetic, conflicts."""
import datetime as dt

import pytest

from models import Campaign, CampaignStep, Demand, GroupTheme, Meeting, Transition
from models.audit import history_disabled
from models.campaign import CAMPAIGN_STATES
from workflows.campaign import TransitionConflict, TransitionError, fire, start_campaign
from workflows.definition import TRANSITIONS, find, mermaid, validate_definition

TODAY = dt.date(2026, 11, 22)
EVENTS = sorted({t.event for t in TRANSITIONS})
STATES = [code for code, _ in CAMPAIGN_STATES]


def test_definition_is_sound():
    assert validate_definition() == []


def test_graph_is_mermaid_with_the_current_step():
    text = mermaid("rendez_vous")
    assert text.startswith("stateDiagram-v2")
    # one arrow per pair of states, carrying every event between them
    assert ("rendez_vous --> mobilisation : Passer aux actions de mobilisation / "
            "Passer à l'action sans rendez-vous") in text
    assert text.count("rendez_vous --> mobilisation") == 1
    assert "class rendez_vous current" in text


def _satisfy_every_guard(group):
    """Make every guard pass for the group (theme rated, dated demand, held meeting, obtained demand)."""
    from models import AssessmentRating, Measure, Theme, ThemeMeasure

    with history_disabled():
        theme = Theme.get_or_create(code="eau", defaults={"name": "Eau"})[0]
        measure = Measure.get_or_create(number=10, defaults={"title": "Eau bien commun"})[0]
        ThemeMeasure.get_or_create(theme=theme, measure=measure)
        GroupTheme.get_or_create(group=group, theme=theme)
        AssessmentRating.get_or_create(group=group, measure=measure, defaults={"rating": "en_cours"})
        Demand.create(group=group, title="Fontaines", target_date=TODAY, status="obtenue")
        Meeting.create(group=group, status="tenu", date=TODAY)


def _campaign_in(network, state):
    campaign = network.a.campaign
    Campaign.update(state=state, paused_step="priorisation" if state == "en_pause" else None,
                    paused_on=TODAY - dt.timedelta(days=10) if state == "en_pause" else None) \
        .where(Campaign.id == campaign.id).execute()
    return Campaign.get_by_id(campaign.id)


def _snapshot():
    return (list(Campaign.select().order_by(Campaign.id).tuples()),
            list(CampaignStep.select().order_by(CampaignStep.id).tuples()),
            Transition.select().count())


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("event", EVENTS)
def test_every_state_event_pair(conn, network, state, event):
    _satisfy_every_guard(network.a.group)
    campaign = _campaign_in(network, state)
    transition = find(state, event)
    if transition is None:
        before = _snapshot()
        with pytest.raises(TransitionError, match="n'est pas possible depuis l'étape"):
            fire(campaign, event, today=TODAY, skip_reason="opposition")
        assert _snapshot() == before
        return
    moved = fire(campaign, event, actor=network.coordination, comment="ok", today=TODAY,
                 skip_reason="opposition")
    expected = "priorisation" if event == "reprendre" else transition.target
    assert Campaign.get_by_id(campaign.id).state == moved.state == expected
    log = Transition.select().where(Transition.campaign == campaign.id).order_by(Transition.id.desc()).get()
    assert (log.event, log.from_state, log.to_state, log.actor_id, log.comment) == (
        event, state, expected, network.coordination.id, "ok")


def test_leaving_assessment_needs_the_chosen_themes_rated(conn, network):
    campaign = _campaign_in(network, "etat_des_lieux")
    with pytest.raises(TransitionError, match="Choisissez d'abord les thèmes"):
        fire(campaign, "avancer", today=TODAY)
    GroupTheme.create(group=network.a.group, theme=network.theme)
    from models import Measure, ThemeMeasure
    ThemeMeasure.create(theme=network.theme, measure=network.measure)
    ThemeMeasure.create(theme=network.theme, measure=Measure.create(number=16, title="Voitures"))
    with pytest.raises(TransitionError, match=r"mesure\(s\) #16 à évaluer"):
        fire(campaign, "avancer", today=TODAY)


def test_leaving_prioritisation_needs_a_dated_demand(conn, network):
    campaign = _campaign_in(network, "priorisation")
    Demand.update(target_date=None).execute()
    with pytest.raises(TransitionError, match="demande avec une date visée"):
        fire(campaign, "avancer", today=TODAY)
    Demand.update(target_date=TODAY).where(Demand.id == network.a.demand.id).execute()
    assert fire(campaign, "avancer", today=TODAY).state == "rendez_vous"


def test_leaving_the_town_hall_step_needs_a_held_meeting_or_a_reason(conn, network):
    campaign = _campaign_in(network, "rendez_vous")
    with pytest.raises(TransitionError, match="Aucun rendez-vous tenu"):
        fire(campaign, "avancer", today=TODAY)
    with pytest.raises(TransitionError, match="Indiquez pourquoi"):
        fire(campaign, "sauter_rendez_vous", today=TODAY)
    moved = fire(campaign, "sauter_rendez_vous", today=TODAY, skip_reason="refus_maire")
    skipped = CampaignStep.get(CampaignStep.campaign == campaign.id, CampaignStep.step == "rendez_vous")
    assert (moved.state, skipped.skip_reason, skipped.closed_on) == ("mobilisation", "refus_maire", TODAY)


def test_victory_needs_an_obtained_demand(conn, network):
    campaign = _campaign_in(network, "mobilisation")
    with pytest.raises(TransitionError, match="Obtenue"):
        fire(campaign, "gagner", today=TODAY)
    Demand.update(status="obtenue").where(Demand.id == network.a.demand.id).execute()
    won = fire(campaign, "gagner", today=TODAY)
    assert (won.state, won.ended_on) == ("victoire", TODAY)
    assert not CampaignStep.select().where(CampaignStep.campaign == campaign.id,
                                           CampaignStep.closed_on.is_null()).exists()


def test_new_step_gets_its_default_due_date(conn, network):
    Meeting.update(status="tenu").where(Meeting.id == network.a.meeting.id).execute()
    campaign = _campaign_in(network, "rendez_vous")
    fire(campaign, "avancer", today=TODAY)
    step = CampaignStep.get(CampaignStep.campaign == campaign.id, CampaignStep.step == "mobilisation")
    assert (step.opened_on, step.due_on, step.closed_on) == (TODAY, TODAY + dt.timedelta(days=90), None)
    old = CampaignStep.get_by_id(network.a.step.id)
    assert old.closed_on == TODAY


def test_resuming_moves_the_due_date_by_the_pause(conn, network):
    campaign = network.a.campaign  # in rendez_vous, step due TODAY + 45
    paused = fire(campaign, "suspendre", today=TODAY)
    assert (paused.state, paused.paused_step, paused.paused_on) == ("en_pause", "rendez_vous", TODAY)
    later = TODAY + dt.timedelta(days=17)
    resumed = fire(paused, "reprendre", today=later)
    step = CampaignStep.get_by_id(network.a.step.id)
    assert resumed.state == "rendez_vous" and resumed.paused_on is None
    assert step.due_on == TODAY + dt.timedelta(days=45 + 17)
    assert step.closed_on is None


def test_a_stale_campaign_cannot_move(conn, network):
    campaign = network.a.campaign
    first = Campaign.get_by_id(campaign.id)
    second = Campaign.get_by_id(campaign.id)
    fire(first, "suspendre", today=TODAY)
    with pytest.raises(TransitionConflict, match="modifiée entre-temps"):
        fire(second, "abandonner", today=TODAY)
    assert Campaign.get_by_id(campaign.id).state == "en_pause"
    assert Transition.select().where(Transition.campaign == campaign.id).count() == 1


def test_start_campaign_opens_the_first_step(conn, network):
    campaign = start_campaign(network.b.group, actor=network.coordination, today=TODAY)
    [step] = campaign.steps
    assert (step.step, step.due_on) == ("etat_des_lieux", TODAY + dt.timedelta(days=60))
    assert campaign.transitions.get().to_state == "etat_des_lieux"

"""Moving a campaign: guard, state with version check, step rows, due dates, log — one transaction."""
import datetime as dt

from models import Campaign, CampaignStep, StepDuration, Transition, utcnow
from models.base import StaleRecordError
from models.database import write_transaction

from .definition import FINAL_STATES, RESUME, STATE_LABELS, STEP_CODES, TRANSITIONS, find, transitions_from


class TransitionError(ValueError):
    """A move that is not allowed; the message tells the user (in French) what is missing."""


class TransitionConflict(TransitionError):
    """Someone else moved or edited the campaign since it was read."""


EVENT_LABELS = {t.event: t.label for t in TRANSITIONS}


def step_duration(step):
    """Default number of days for a step (editable by the coordination team)."""
    row = StepDuration.get_or_none(StepDuration.step == step)
    if row is None:
        raise TransitionError(
            f"Durée de l'étape « {STATE_LABELS[step]} » non définie : chargez les données de référence."
        )
    return row.days


def start_campaign(group, *, actor=None, today=None):
    """Open a group's campaign at the first step, with its due date and a log row."""
    today = today or dt.date.today()
    with write_transaction():
        campaign = Campaign.create(group=group, state="etat_des_lieux", started_on=today)
        CampaignStep.create(campaign=campaign, step="etat_des_lieux", opened_on=today,
                            due_on=today + dt.timedelta(days=step_duration("etat_des_lieux")))
        Transition.create(campaign=campaign, event="demarrer", from_state=None, to_state="etat_des_lieux",
                          actor=actor, at=utcnow(), comment="")
    return campaign


def available_moves(campaign, today=None, skip_reason=None):
    """[(transition, None or the reason it is refused now)] for the campaign's current state."""
    context = {"today": today or dt.date.today(), "skip_reason": skip_reason}
    moves = []
    for t in transitions_from(campaign.state):
        reason = t.guard(campaign, context) if t.guard and not t.needs_reason else None
        moves.append((t, reason))
    return moves


def fire(campaign, event, *, actor=None, comment="", today=None, skip_reason=None,
         expected_version=None):
    """Apply `event` to the campaign; raises TransitionError (French message) and changes nothing
    when the move is not allowed, TransitionConflict when the campaign changed meanwhile."""
    today = today or dt.date.today()
    version = campaign.version if expected_version is None else expected_version
    try:
        with write_transaction():
            current = Campaign.get_or_none(Campaign.id == campaign.id)
            if current is None:
                raise TransitionError("Cette campagne n'existe plus.")
            if current.version != version:
                raise StaleRecordError(current, current.__data__)
            transition = find(current.state, event)
            if transition is None:
                label = EVENT_LABELS.get(event, event)
                raise TransitionError(
                    f"« {label} » n'est pas possible depuis l'étape « {STATE_LABELS[current.state]} »."
                )
            if transition.guard:
                reason = transition.guard(current, {"today": today, "skip_reason": skip_reason})
                if reason:
                    raise TransitionError(reason)
            source = current.state
            target = current.paused_step if transition.target == RESUME else transition.target
            _move_steps(current, transition, target, today, skip_reason)
            current.state = target
            current.save()
            Transition.create(campaign=current, event=event, from_state=source, to_state=target,
                              actor=actor, at=utcnow(), comment=comment or "")
    except StaleRecordError:
        raise TransitionConflict(
            "La campagne a été modifiée entre-temps par quelqu'un d'autre : rechargez la page "
            "pour voir son étape actuelle."
        ) from None
    return current


def _move_steps(campaign, transition, target, today, skip_reason):
    """Close, open or shift step rows and the pause fields for one move."""
    open_step = (CampaignStep.select().where(CampaignStep.campaign == campaign.id,
                                             CampaignStep.closed_on.is_null())
                 .order_by(CampaignStep.id.desc()).first())
    if transition.event == "suspendre":
        campaign.paused_step, campaign.paused_on = campaign.state, today
        return  # the step stays open; its due date moves when the campaign resumes
    if transition.event == "reprendre":
        if open_step is not None and open_step.due_on is not None:
            open_step.due_on += today - campaign.paused_on
            open_step.save()
        campaign.paused_step = campaign.paused_on = None
        return
    if open_step is not None:
        open_step.closed_on = today
        if transition.needs_reason:
            open_step.skip_reason = skip_reason
        open_step.save()
    if target in STEP_CODES:
        CampaignStep.create(campaign=campaign, step=target, opened_on=today,
                            due_on=today + dt.timedelta(days=step_duration(target)))
    if target in FINAL_STATES:
        campaign.ended_on = today
        campaign.paused_step = campaign.paused_on = None

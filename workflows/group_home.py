"""What a referent's home page shows: where the campaign stands and what comes next."""
import datetime as dt

from peewee import JOIN

from models import Action, Campaign, CampaignStep, ChecklistItem, Meeting

from .campaign import available_moves
from .definition import STATE_LABELS
from .flags import group_flags

UPCOMING_LIMIT = 10


def current_campaign(group):
    """The group's running (or latest) campaign, or None."""
    return (Campaign.select().where(Campaign.group == group.id)
            .order_by(Campaign.ended_on.is_null(False), Campaign.id.desc()).first())


def group_home(group, today=None):
    """Campaign step, next due date, flags, moves allowed now, upcoming meetings and actions,
    open checklist items."""
    today = today or dt.date.today()
    step = CampaignStep.alias("open_step")
    # current_campaign and its open step (the latest, if several) in one query
    campaign = (Campaign.select(Campaign, step).where(Campaign.group == group.id)
                .join(step, JOIN.LEFT_OUTER, on=((step.campaign == Campaign.id) & step.closed_on.is_null()),
                      attr="open_step")
                .order_by(Campaign.ended_on.is_null(False), Campaign.id.desc(), step.id.desc()).first())
    open_step = getattr(campaign, "open_step", None)
    if open_step is not None and open_step.id is None:
        open_step = None
    # requested meetings without a date yet are shown too (last): the group is waiting on them
    meetings = list(Meeting.select().where(Meeting.group == group.id,
                                           (Meeting.date >= today) | Meeting.date.is_null(),
                                           Meeting.status.in_(("demande", "programme")))
                    .order_by(Meeting.date.is_null(), Meeting.date, Meeting.id).limit(UPCOMING_LIMIT))
    actions = list(Action.select().where(Action.group == group.id, Action.date >= today)
                   .order_by(Action.date).limit(UPCOMING_LIMIT))
    items = list(ChecklistItem.select(ChecklistItem, Action).join(Action)
                 .where(Action.group == group.id, ChecklistItem.done == False,  # noqa: E712
                        Action.date >= today - dt.timedelta(days=30))
                 .order_by(ChecklistItem.due_on, ChecklistItem.id).limit(3 * UPCOMING_LIMIT))
    return {
        "campaign": campaign,
        "state_label": STATE_LABELS[campaign.state] if campaign else None,
        "open_step": open_step,
        "days_left": (open_step.due_on - today).days if open_step and open_step.due_on else None,
        "flags": group_flags(group.id, today),
        "moves": available_moves(campaign, today) if campaign else [],
        "meetings": meetings,
        "actions": actions,
        "checklist": items,
    }

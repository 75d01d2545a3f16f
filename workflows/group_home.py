"""What a referent's home page shows: where the campaign stands and what comes next."""
import datetime as dt

from peewee import JOIN

from models import Action, Campaign, CampaignStep, ChecklistItem, Meeting
from models.prepared import Prepared

from .campaign import available_moves
from .definition import STATE_LABELS
from .flags import group_flags

UPCOMING_LIMIT = 10


# The page's queries, with their SQL written once (models/prepared.py): writing it was ~40% of
# their time, and this page is a quarter of all requests.
_CAMPAIGN = Prepared(lambda group_id: _campaign_with_open_step(group_id).limit(1))
_MEETINGS = Prepared(lambda group_id, today: (
    Meeting.select().where(Meeting.group == group_id, (Meeting.date >= today) | Meeting.date.is_null(),
                           Meeting.status.in_(("demande", "programme")))
    .order_by(Meeting.date.is_null(), Meeting.date, Meeting.id).limit(UPCOMING_LIMIT)))
_ACTIONS = Prepared(lambda group_id, today: (
    Action.select().where(Action.group == group_id, Action.date >= today)
    .order_by(Action.date).limit(UPCOMING_LIMIT)))
_ITEMS = Prepared(lambda group_id, since: (
    ChecklistItem.select(ChecklistItem, Action).join(Action)
    .where(Action.group == group_id, ChecklistItem.done == False, Action.date >= since)  # noqa: E712
    .order_by(ChecklistItem.due_on, ChecklistItem.id).limit(3 * UPCOMING_LIMIT)))


def _campaign_with_open_step(group_id):
    """The group's campaigns, running first then latest, each with its open step (the latest)."""
    step = CampaignStep.alias("open_step")
    return (Campaign.select(Campaign, step).where(Campaign.group == group_id)
            .join(step, JOIN.LEFT_OUTER, on=((step.campaign == Campaign.id) & step.closed_on.is_null()),
                  attr="open_step")
            .order_by(Campaign.ended_on.is_null(False), Campaign.id.desc(), step.id.desc()))


def current_campaign(group):
    """The group's running (or latest) campaign with its open step (`open_step`, the latest), or None."""
    return _CAMPAIGN.first(group.id)


def group_home(group, today=None):
    """Campaign step, next due date, flags, moves allowed now, upcoming meetings and actions,
    open checklist items."""
    today = today or dt.date.today()
    campaign = current_campaign(group)
    open_step = getattr(campaign, "open_step", None)
    if open_step is not None and open_step.id is None:
        open_step = None
    # requested meetings without a date yet are shown too (last): the group is waiting on them
    meetings = _MEETINGS(group.id, today)
    actions = _ACTIONS(group.id, today)
    items = _ITEMS(group.id, today - dt.timedelta(days=30))
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

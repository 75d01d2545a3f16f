"""The kanban board: a column per state, a card per campaign (two queries for the whole board)."""
import datetime as dt

from peewee import JOIN

from models import Campaign, CampaignStep, Group

from .definition import RESUME, STATE_LABELS, STATES, transitions_from


def board_columns(today, group_id=None):
    """[{state, label, cards}] with each card's group, due date, days late and possible moves."""
    open_step = CampaignStep.alias("open_step")
    query = (Campaign.select(Campaign, Group, open_step)
             .join(Group)
             .switch(Campaign)
             .join(open_step, JOIN.LEFT_OUTER,
                   on=((open_step.campaign == Campaign.id) & open_step.closed_on.is_null()),
                   attr="open_step")
             .order_by(Group.name))
    if group_id is not None:
        query = query.where(Campaign.group == group_id)
    columns = {state: [] for state in STATES}
    for campaign in query:
        step = getattr(campaign, "open_step", None)
        due = step.due_on if step is not None and step.id is not None else None
        running = campaign.ended_on is None and campaign.state != "en_pause"
        columns[campaign.state].append({
            "campaign": campaign,
            "group": campaign.group,
            "due_on": due,
            "days_late": (today - due).days if running and due and due < today else None,
            "moves": [{
                "event": t.event, "label": t.label, "needs_reason": t.needs_reason,
                "target": campaign.paused_step if t.target == RESUME else t.target,
            } for t in transitions_from(campaign.state)],
        })
    return [{"state": s, "label": STATE_LABELS[s], "cards": columns[s]} for s in STATES]


def default_today():
    return dt.date.today()

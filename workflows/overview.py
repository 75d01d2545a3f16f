"""A group's campaigns at a glance: steps with due dates, the transition log, the graph."""
import datetime as dt

from peewee import JOIN

from models import Campaign, CampaignStep, Transition, User
from models.campaign import SKIP_REASONS

from .definition import STATE_LABELS, mermaid
from .graph import graph_svg_data


def campaign_overview(group, today=None):
    """[{campaign, state_label, steps, transitions, graph}] for the group's campaigns, newest first."""
    today = today or dt.date.today()
    campaigns = list(Campaign.select().where(Campaign.group == group.id).order_by(Campaign.id.desc()))
    ids = [c.id for c in campaigns]
    steps = list(CampaignStep.select().where(CampaignStep.campaign.in_(ids)).order_by(CampaignStep.id)) \
        if ids else []
    moves = list(Transition.select(Transition, User).join(User, JOIN.LEFT_OUTER)
                 .where(Transition.campaign.in_(ids)).order_by(Transition.at, Transition.id)) if ids else []
    reasons = dict(SKIP_REASONS)
    out = []
    for campaign in campaigns:
        running = campaign.ended_on is None and campaign.state != "en_pause"
        out.append({
            "campaign": campaign,
            "state_label": STATE_LABELS[campaign.state],
            "steps": [{
                "label": STATE_LABELS[s.step], "opened_on": s.opened_on, "due_on": s.due_on,
                "closed_on": s.closed_on, "skip_reason": reasons.get(s.skip_reason),
                "days_late": (today - s.due_on).days
                if running and s.closed_on is None and s.due_on and s.due_on < today else None,
            } for s in steps if s.campaign_id == campaign.id],
            "transitions": [{
                "at": t.at, "actor": t.actor, "from": STATE_LABELS.get(t.from_state, "—"),
                "to": STATE_LABELS[t.to_state], "comment": t.comment,
            } for t in moves if t.campaign_id == campaign.id],
            "graph": mermaid(campaign.state),
            "graph_svg": graph_svg_data(campaign.state),
        })
    return out

"""The kanban board: a column per state, a card per campaign (three queries for the whole board).

A column shows at most CARDS_PER_COLUMN cards (by group name) and says how many campaigns it
holds: in a national network a column of 1,500 cards is neither readable nor fast (5,000 cards
took about a second to read and render); the campaigns list, filtered on the step, has them all.
"""
import datetime as dt

from peewee import JOIN, fn

from models import Campaign, CampaignStep, Group

from .definition import RESUME, STATE_LABELS, STATES, transitions_from

CARDS_PER_COLUMN = 60


def _first_of_each_column(group_id):
    """Subquery: ids of the first CARDS_PER_COLUMN campaigns of each state, by group name."""
    rank = fn.ROW_NUMBER().over(partition_by=[Campaign.state], order_by=[Group.name, Campaign.id])
    ranked = Campaign.select(Campaign.id, rank.alias("rank")).join(Group)
    if group_id is not None:
        ranked = ranked.where(Campaign.group == group_id)
    ranked = ranked.alias("ranked")
    return Campaign.select(ranked.c.id).from_(ranked).where(ranked.c.rank <= CARDS_PER_COLUMN)


def board_columns(today, group_id=None):
    """[{state, label, total, cards}] with each card's group, due date, days late and possible moves."""
    open_step = CampaignStep.alias("open_step")
    # Only what a card shows or decides on: whole rows of three tables (a group's notes and
    # search text...) were ~40% of the board's time at 5,000 groups.
    query = (Campaign.select(Campaign.id, Campaign.version, Campaign.state, Campaign.ended_on,
                             Campaign.paused_step, Group.id, Group.name, open_step.id, open_step.due_on)
             .join(Group)
             .switch(Campaign)
             .join(open_step, JOIN.LEFT_OUTER,
                   on=((open_step.campaign == Campaign.id) & open_step.closed_on.is_null()),
                   attr="open_step")
             .where(Campaign.id.in_(_first_of_each_column(group_id)))
             .order_by(Group.name, Campaign.id))
    totals = Campaign.select(Campaign.state, fn.COUNT(Campaign.id).alias("n")).group_by(Campaign.state)
    if group_id is not None:
        query = query.where(Campaign.group == group_id)
        totals = totals.where(Campaign.group == group_id)
    totals = {row.state: row.n for row in totals}
    columns = {state: [] for state in STATES}
    moves_of = {}  # (state, paused step) -> its moves: one list shared by the cards that have them
    for campaign in query:
        step = getattr(campaign, "open_step", None)
        due = step.due_on if step is not None and step.id is not None else None
        running = campaign.ended_on is None and campaign.state != "en_pause"
        columns[campaign.state].append({
            "campaign": campaign,
            "group": campaign.group,
            "due_on": due,
            "days_late": (today - due).days if running and due and due < today else None,
            "moves": _moves(moves_of, campaign.state, campaign.paused_step),
        })
    return [{"state": s, "label": STATE_LABELS[s], "total": totals.get(s, 0), "cards": columns[s]}
            for s in STATES]


def _moves(found, state, paused_step):
    key = (state, paused_step)
    if key not in found:
        found[key] = [{"event": t.event, "label": t.label, "needs_reason": t.needs_reason,
                       "target": paused_step if t.target == RESUME else t.target}
                      for t in transitions_from(state)]
    return found[key]


def default_today():
    return dt.date.today()

"""Overdue and stale: one SQL query each, used by lists, dashboard, board, CLI and export.

- overdue: an open step of a running (not paused) campaign, or a checklist item not
  done, whose due date is before `today`; days late = today - due date;
- stale: a group none of whose records changed during the last `days` days.
"""
import datetime as dt

from peewee import SQL, Cast, NodeList, Value, fn

from .action import Action, ChecklistItem
from .ally import GroupAlly
from .assessment import AssessmentRating
from .base import db
from .campaign import Campaign, CampaignStep
from .database import is_sqlite
from .demand import Demand
from .group import Group
from .meeting import Meeting
from .victory import Victory

STALE_DAYS = 45


def days_late(today, column):
    """Whole days from `column` (a date) to `today`, computed by the database."""
    if is_sqlite():
        return Cast(fn.julianday(Value(today.isoformat())) - fn.julianday(column), "INTEGER")
    return NodeList((Cast(Value(today.isoformat()), "date"), SQL("-"), column))


# Overdue lists read only what they show (a step and its campaign's state, an item and its
# action's title, the group's name): not every column of three tables, about 4x faster.
GROUP_COLUMNS = (Group.id, Group.name, Group.slug)


def overdue_steps(today):
    """Open steps past their due date, latest first, with campaign and group (id, name, slug)."""
    late = days_late(today, CampaignStep.due_on)
    return (CampaignStep.select(CampaignStep.id, CampaignStep.campaign, CampaignStep.step,
                                CampaignStep.opened_on, CampaignStep.due_on, Campaign.id, Campaign.group,
                                Campaign.state, *GROUP_COLUMNS, late.alias("days_late"))
            .join(Campaign).join(Group)
            .where(CampaignStep.closed_on.is_null(), CampaignStep.due_on < today,
                   Campaign.state != "en_pause", Campaign.ended_on.is_null())
            .order_by(late.desc(), Group.name))


def overdue_items(today):
    """Checklist items not done and past their due date, with action (id, title, date) and group."""
    late = days_late(today, ChecklistItem.due_on)
    return (ChecklistItem.select(ChecklistItem, Action.id, Action.group, Action.title, Action.date,
                                 *GROUP_COLUMNS, late.alias("days_late"))
            .join(Action).join(Group)
            .where(~ChecklistItem.done, ChecklistItem.due_on < today)  # as the open-items index says
            .order_by(late.desc(), Group.name))


def overdue_step_rows(today):
    """overdue_steps as (group name, step, due date, days late) tuples, for a whole-network list."""
    late = days_late(today, CampaignStep.due_on)
    return overdue_steps(today).select(Group.name, CampaignStep.step, CampaignStep.due_on, late).tuples()


def overdue_item_rows(today):
    """overdue_items as (group name, action title, item label, due date, days late) tuples: a
    whole-network list of tens of thousands of items, ~10x faster than building three models a row."""
    late = days_late(today, ChecklistItem.due_on)
    return (overdue_items(today)
            .select(Group.name, Action.title, ChecklistItem.label, ChecklistItem.due_on, late).tuples())


def overdue_days_of(today, campaign_id=None, group_id=None):
    """Correlated scalar subquery: days late of the most overdue open step of a campaign or group.

    Used as an extra column of list queries (one query for the whole page). Written as
    "steps of (the row's running campaigns)" so that both databases look the campaigns up by
    group, then their open steps by campaign (as a join, SQLite without statistics scanned
    every open step for each row: 64 ms instead of 0.1 ms for a page of 5,000 groups).
    """
    step, campaign = _LATE
    running = campaign.select(campaign.id).where(campaign.state != "en_pause", campaign.ended_on.is_null())
    if campaign_id is not None:
        running = running.where(campaign.id == campaign_id)
    if group_id is not None:
        running = running.where(campaign.group == group_id)
    return (step.select(fn.MAX(days_late(today, step.due_on)))
            .where(step.closed_on.is_null(), step.due_on < today, step.campaign.in_(running)))


class _Aliased:
    """A table alias whose columns are made once: peewee makes a new class for each column of an
    alias each time one is named (7 a list page)."""

    def __init__(self, model, name):
        self._alias = model.alias(name)
        self.select = self._alias.select

    def __getattr__(self, name):
        column = getattr(self._alias, name)
        setattr(self, name, column)
        return column


_LATE = (_Aliased(CampaignStep, "late_step"), _Aliased(Campaign, "late_campaign"))


def _latest(model, owner):
    """Correlated subquery: latest `updated_at` of `model`'s rows whose `owner` column is the row's
    group (one lookup in the (owner, updated_at) index)."""
    return model.select(fn.MAX(model.updated_at)).where(owner == Group.id)


def last_activity():
    """Expression: when the group or any of its records last changed (group.updated_at at least).

    Each table answers through its (group, updated_at) index, and checklist items through their
    action's (action, updated_at) index, so the cost does not grow with the number of records.
    """
    item = ChecklistItem.alias("latest_item")
    action = Action.alias("latest_action")
    items = (action.select(fn.MAX(item.select(fn.MAX(item.updated_at)).where(item.action == action.id)))
             .where(action.group == Group.id))
    parts = [_latest(model, model.group) for model in
             (Meeting, Action, Demand, AssessmentRating, GroupAlly, Victory, Campaign)] + [items]
    latest = fn.MAX if is_sqlite() else fn.GREATEST  # SQLite's max() of several values is GREATEST
    return latest(Group.updated_at, *[fn.COALESCE(part, Group.updated_at) for part in parts])


def stale_groups(today, days=STALE_DAYS):
    """Groups with no change for `days` days, least recently active first (with `last_at`)."""
    cutoff = dt.datetime.combine(today - dt.timedelta(days=days), dt.time())
    # A group changed since the cutoff is not stale, whatever its records say: not even looked at.
    activity = (Group.select(Group.id.alias("group_id"), last_activity().alias("last_at"))
                .where(Group.updated_at < cutoff).alias("activity"))
    return (Group.select(Group, activity.c.last_at.alias("last_at"))
            .join(activity, on=(activity.c.group_id == Group.id))
            .where(activity.c.last_at < cutoff)
            .order_by(activity.c.last_at, Group.name)
            .objects())


__all__ = ["STALE_DAYS", "db", "days_late", "last_activity", "overdue_days_of",
           "overdue_items", "overdue_steps", "stale_groups"]

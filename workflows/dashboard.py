"""What the coordination team sees first: steps, overdue, stale, what is coming, victories, activity."""
import datetime as dt

from peewee import SQL, fn

from models import Action, Campaign, Group, Meeting, Transition, Victory
from models.flags import STALE_DAYS, overdue_steps, stale_groups

from .definition import STATE_LABELS, STATES

WEEKS = 12
UPCOMING_DAYS = 14


def campaigns_per_state():
    """[(state label, count)] in workflow order, zeros included."""
    counts = dict(Campaign.select(Campaign.state, fn.COUNT(Campaign.id)).group_by(Campaign.state).tuples())
    return [(STATE_LABELS[s], counts.get(s, 0)) for s in STATES]


def _week_start(day):
    return day - dt.timedelta(days=day.weekday())


def activity_per_week(today, weeks=WEEKS):
    """[(monday, meetings + actions dated that week + campaign moves that week)] for the last weeks."""
    first = _week_start(today) - dt.timedelta(weeks=weeks - 1)
    counts = {first + dt.timedelta(weeks=i): 0 for i in range(weeks)}
    per_day = []  # (date, how many): meetings and actions counted per day by the database
    for model in (Meeting, Action):
        per_day.extend(model.select(model.date, fn.COUNT(model.id)).where(model.date.between(first, today))
                       .group_by(model.date).tuples())
    start = dt.datetime.combine(first, dt.time())
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time())
    per_day += [(t.date(), 1) for (t,) in Transition.select(Transition.at)
                .where(Transition.at >= start, Transition.at < end).tuples()]
    for day, n in per_day:
        counts[_week_start(day)] += n
    return sorted(counts.items())


LISTED = 30  # rows of each dashboard list (only the columns shown are read); its heading gives the total


def first_rows(query):
    """(the first LISTED rows, how many rows the query has) in one query."""
    rows = list(query.select_extend(fn.COUNT(SQL("*")).over().alias("total_rows")).limit(LISTED))
    return rows, rows[0].total_rows if rows else 0


def dashboard(today, stale_days=STALE_DAYS):
    """Everything the dashboard shows, as plain data."""
    horizon = today + dt.timedelta(days=UPCOMING_DAYS)
    activity = activity_per_week(today)
    overdue, overdue_total = first_rows(overdue_steps(today))
    stale, stale_total = first_rows(stale_groups(today, stale_days))
    meetings, meetings_total = first_rows(
        Meeting.select(Meeting.id, Meeting.date, Meeting.with_whom, Meeting.contact_name, Meeting.group,
                       Group.id, Group.name).join(Group)
        .where(Meeting.date.between(today, horizon), Meeting.status != "annule")
        .order_by(Meeting.date, Group.name))
    actions, actions_total = first_rows(
        Action.select(Action.id, Action.date, Action.title, Action.group, Group.id, Group.name).join(Group)
        .where(Action.date.between(today, horizon)).order_by(Action.date, Group.name))
    victories, victories_total = first_rows(
        Victory.select(Victory.id, Victory.obtained_on, Victory.title, Victory.group, Group.id, Group.name)
        .join(Group).order_by(Victory.obtained_on.desc(), Victory.id.desc()))
    return {
        "today": today,
        "per_state": campaigns_per_state(),
        "listed": LISTED,
        "overdue": overdue, "overdue_total": overdue_total,
        "stale": stale, "stale_total": stale_total,
        "stale_days": stale_days,
        "meetings": meetings, "meetings_total": meetings_total,
        "actions": actions, "actions_total": actions_total,
        "victories": victories, "victories_total": victories_total,
        "activity": activity,
        "activity_chart": [(f"sem. du {monday:%d/%m}", n) for monday, n in activity],
    }

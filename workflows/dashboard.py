"""What the coordination team sees first: steps, overdue, stale, what is coming, victories, activity."""
import datetime as dt

from peewee import fn

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
    dated = [d for (d,) in Meeting.select(Meeting.date).where(Meeting.date.between(first, today)).tuples()]
    dated += [d for (d,) in Action.select(Action.date).where(Action.date.between(first, today)).tuples()]
    start = dt.datetime.combine(first, dt.time())
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time())
    dated += [t.date() for (t,) in Transition.select(Transition.at)
              .where(Transition.at >= start, Transition.at < end).tuples()]
    for day in dated:
        counts[_week_start(day)] += 1
    return sorted(counts.items())


def dashboard(today, stale_days=STALE_DAYS):
    """Everything the dashboard shows, as plain data."""
    horizon = today + dt.timedelta(days=UPCOMING_DAYS)
    activity = activity_per_week(today)
    return {
        "today": today,
        "per_state": campaigns_per_state(),
        "overdue": list(overdue_steps(today).limit(30)),
        "stale": list(stale_groups(today, stale_days)),
        "stale_days": stale_days,
        "meetings": list(Meeting.select(Meeting, Group).join(Group)
                         .where(Meeting.date.between(today, horizon), Meeting.status != "annule")
                         .order_by(Meeting.date, Group.name)),
        "actions": list(Action.select(Action, Group).join(Group)
                        .where(Action.date.between(today, horizon)).order_by(Action.date, Group.name)),
        "victories": list(Victory.select(Victory, Group).join(Group).order_by(Victory.obtained_on.desc())),
        "activity": activity,
        "activity_chart": [(f"sem. du {monday:%d/%m}", n) for monday, n in activity],
    }

"""Overdue rows as one list, the same for the CLI, the dashboard and the weekly export."""
from models import Group
from models.campaign import STEPS
from models.flags import overdue_items, overdue_steps

OVERDUE_HEADERS = ["Type", "Groupe", "Quoi", "Échéance", "Jours de retard"]
STEP_LABELS = dict(STEPS)


def overdue_rows(today):
    """[(kind, group name, what, due date, days late)] for steps and checklist items, most late first."""
    rows = [("Étape", s.campaign.group.name, STEP_LABELS[s.step], s.due_on, s.days_late)
            for s in overdue_steps(today)]
    rows += [("Checklist", i.action.group.name, f"{i.action.title} — {i.label}", i.due_on, i.days_late)
             for i in overdue_items(today)]
    return sorted(rows, key=lambda r: (-r[4], r[1], r[2]))


def group_flags(group_id, today):
    """A referent's own flags: overdue steps and checklist items of their group."""
    return {
        "steps": list(overdue_steps(today).where(Group.id == group_id)),
        "checklist": list(overdue_items(today).where(Group.id == group_id)),
    }

"""Overdue rows as one list, the same for the CLI, the dashboard and the weekly export."""
from models import Group
from models.campaign import STEPS
from models.flags import overdue_item_rows, overdue_items, overdue_step_rows, overdue_steps
from models.prepared import Prepared

OVERDUE_HEADERS = ["Type", "Groupe", "Quoi", "Échéance", "Jours de retard"]
STEP_LABELS = dict(STEPS)


def overdue_rows(today):
    """[(kind, group name, what, due date, days late)] for steps and checklist items, most late first."""
    rows = [("Étape", group, STEP_LABELS[step], due_on, late)
            for group, step, due_on, late in overdue_step_rows(today)]
    rows += [("Checklist", group, f"{title} — {label}", due_on, late)
             for group, title, label, due_on, late in overdue_item_rows(today)]
    return sorted(rows, key=lambda r: (-r[4], r[1], r[2]))


# A group's flags are on its home page (a quarter of all requests): SQL written once.
_GROUP_STEPS = Prepared(lambda group_id, today: overdue_steps(today).where(Group.id == group_id))
_GROUP_ITEMS = Prepared(lambda group_id, today: overdue_items(today).where(Group.id == group_id))


def group_flags(group_id, today):
    """A referent's own flags: overdue steps and checklist items of their group."""
    return {"steps": _GROUP_STEPS(group_id, today), "checklist": _GROUP_ITEMS(group_id, today)}

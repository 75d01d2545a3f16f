"""Actions' checklists: copied from the templates, due dates following the action date."""
import datetime as dt

from models import ChecklistItem, ChecklistTemplate


def sync_checklist(action, previous_date=None):
    """Give a new action the template checklist; when its date moves, move the open items too."""
    items = list(action.checklist)
    if not items:
        for template in ChecklistTemplate.select().order_by(ChecklistTemplate.position):
            ChecklistItem.create(
                action=action, template=template, phase=template.phase, label=template.label,
                position=template.position,
                due_on=action.date + dt.timedelta(days=template.offset_days) if action.date else None,
            )
        return
    if action.date is None or previous_date == action.date:
        return
    offsets = {t.id: t.offset_days for t in ChecklistTemplate.select()}
    for item in items:
        if item.done:
            continue
        if item.due_on is not None and previous_date is not None:
            due = item.due_on + (action.date - previous_date)
        elif item.template_id in offsets:
            due = action.date + dt.timedelta(days=offsets[item.template_id])
        else:
            continue
        if due != item.due_on:
            item.due_on = due
            item.save()

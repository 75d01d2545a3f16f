"""Mobilisation actions and their before / during / after checklists."""
from peewee import (
    BooleanField,
    CharField,
    Check,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .base import VersionedModel
from .demand import Demand
from .group import Group
from .reference import CHECKLIST_PHASES, ActionKind, ChecklistTemplate

ACTION_STATUSES = (
    ("idee", "Idée"),
    ("planifiee", "Planifiée"),
    ("declaree", "Déclarée"),
    ("realisee", "Réalisée"),
    ("debriefee", "Débriefée"),
)


class Action(VersionedModel):
    """An action backing a demand: rally, petition, vélorution..."""

    label_field = "title"  # what str() shows: dropdowns read only this column (admin/converters.py)

    group = ForeignKeyField(Group, backref="actions", on_delete="RESTRICT")
    kind = ForeignKeyField(ActionKind, backref="actions", on_delete="RESTRICT")
    demand = ForeignKeyField(Demand, null=True, backref="actions", on_delete="RESTRICT")
    title = CharField(max_length=200)
    date = DateField(null=True)
    place = CharField(max_length=200, default="")
    difficulty = IntegerField(default=1, constraints=[Check("difficulty BETWEEN 1 AND 3")])
    energy = IntegerField(default=1, constraints=[Check("energy BETWEEN 1 AND 3")])
    people_expected = IntegerField(null=True, constraints=[Check("people_expected >= 0")])
    people_mobilised = IntegerField(null=True, constraints=[Check("people_mobilised >= 0")])
    status = CharField(max_length=10, choices=ACTION_STATUSES, default="idee", index=True)
    press_articles = IntegerField(default=0, constraints=[Check("press_articles >= 0")])
    press_notes = TextField(default="")

    class Meta:
        # (date, id): the list's default order, straight from the index (migration 0006)
        indexes = ((("group", "date"), False), (("group", "updated_at"), False), (("date", "id"), False))

    def __str__(self):
        return self.title


class ChecklistItem(VersionedModel):
    """One line of an action's checklist, with its own due date."""

    action = ForeignKeyField(Action, backref="checklist", on_delete="RESTRICT")
    template = ForeignKeyField(ChecklistTemplate, null=True, on_delete="RESTRICT")
    phase = CharField(max_length=10, choices=CHECKLIST_PHASES)
    label = CharField(max_length=200)
    position = IntegerField(default=0)
    due_on = DateField(null=True)
    done = BooleanField(default=False)  # no index: "not done" is most rows, and it misled SQLite
    done_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("action", "updated_at"), False), (("due_on", "id"), False))  # see migration 0006

    def __str__(self):
        return self.label


# Late items are open items past their due date: an index on the due dates of open items only
# (most items are done) answers "the oldest late items" without reading the done ones.
ChecklistItem.add_index(ChecklistItem.index(ChecklistItem.due_on, name="checklist_item_open_due_on",
                                            where=~ChecklistItem.done))

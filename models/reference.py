"""Shared reference data: themes, Pacte measures, action kinds, templates, durations."""
from peewee import (
    BooleanField,
    CharField,
    Check,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .base import BaseModel, VersionedModel

MEASURE_COUNT = 32

CHECKLIST_PHASES = (
    ("avant", "Avant l'action"),
    ("pendant", "Pendant l'action"),
    ("apres", "Après l'action"),
)


class Theme(BaseModel):
    """A subject a group works on (Alimentation, Eau, Place du vélo...)."""

    code = CharField(max_length=40, unique=True)
    name = CharField(max_length=120, unique=True)
    in_campaign = BooleanField(default=False)
    position = IntegerField(default=0)

    def __str__(self):
        return self.name


class Measure(BaseModel):
    """One of the 32 measures of the Pacte pour la Transition."""

    number = IntegerField(
        unique=True,
        constraints=[Check(f"number BETWEEN 1 AND {MEASURE_COUNT}")],
    )
    title = TextField()
    to_confirm = BooleanField(default=False)
    ambition_levels = IntegerField(
        default=3, constraints=[Check("ambition_levels BETWEEN 1 AND 3")]
    )
    source = CharField(max_length=200, default="")

    @property
    def code(self):
        return f"#{self.number:02d}"

    def __str__(self):
        return f"{self.code} {self.title}"


class ThemeMeasure(BaseModel):
    """Which measures a theme covers (a measure can serve several themes)."""

    theme = ForeignKeyField(Theme, backref="measure_links", on_delete="RESTRICT")
    measure = ForeignKeyField(Measure, backref="theme_links", on_delete="RESTRICT")

    class Meta:
        indexes = ((("theme", "measure"), True),)


class ActionKind(BaseModel):
    """A kind of mobilisation action (rassemblement, pétition, vélorution...)."""

    code = CharField(max_length=40, unique=True)
    label = CharField(max_length=120, unique=True)
    difficulty = IntegerField(default=1, constraints=[Check("difficulty BETWEEN 1 AND 3")])
    energy = IntegerField(default=1, constraints=[Check("energy BETWEEN 1 AND 3")])
    position = IntegerField(default=0)

    def __str__(self):
        return self.label


class ChecklistTemplate(BaseModel):
    """A default checklist line copied onto each new action."""

    code = CharField(max_length=60, unique=True)
    phase = CharField(max_length=10, choices=CHECKLIST_PHASES)
    label = CharField(max_length=200)
    help_text = TextField(default="")
    offset_days = IntegerField(default=0)  # due date = action date + offset
    position = IntegerField(default=0)

    def __str__(self):
        return self.label


class StepDuration(VersionedModel):
    """Default number of days a campaign step should take (editable)."""

    step = CharField(max_length=40, unique=True)
    days = IntegerField(constraints=[Check("days > 0")])

    def __str__(self):
        return f"{self.step}: {self.days} j"

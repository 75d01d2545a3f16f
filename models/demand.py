"""Demands a group carries to its town hall."""
from peewee import CharField, DateField, ForeignKeyField, TextField

from .base import BaseModel, VersionedModel
from .group import Group
from .reference import Measure

HORIZONS = (
    ("semaines", "Quelques semaines"),
    ("mois", "Quelques mois"),
    ("plus_d_un_an", "Plus d'un an"),
)

DEMAND_STATUSES = (
    ("proposee", "Proposée"),
    ("retenue", "Retenue"),
    ("portee", "Portée auprès de la mairie"),
    ("obtenue", "Obtenue"),
    ("refusee", "Refusée"),
    ("abandonnee", "Abandonnée"),
)


class Demand(VersionedModel):
    """A realistic, precise, time-bound demand linked to Pacte measures."""

    label_field = "title"  # what str() shows: dropdowns read only this column (admin/converters.py)

    group = ForeignKeyField(Group, backref="demands", on_delete="RESTRICT")
    title = CharField(max_length=200)
    text = TextField(default="")
    horizon = CharField(max_length=14, choices=HORIZONS, default="mois")
    target_date = DateField(null=True, index=True)
    status = CharField(max_length=12, choices=DEMAND_STATUSES, default="proposee", index=True)

    class Meta:
        indexes = ((("group", "updated_at"), False),)

    def __str__(self):
        return self.title


class DemandMeasure(BaseModel):
    """A Pacte measure a demand relates to."""

    demand = ForeignKeyField(Demand, backref="measure_links", on_delete="RESTRICT")
    measure = ForeignKeyField(Measure, backref="demand_links", on_delete="RESTRICT")

    class Meta:
        indexes = ((("demand", "measure"), True),)

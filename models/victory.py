"""Victories: the "petites victoires" a group obtained."""
from peewee import CharField, DateField, ForeignKeyField, TextField

from .base import VersionedModel
from .demand import Demand
from .group import Group


class Victory(VersionedModel):
    """A demand obtained from the town hall, when, and how it was made known."""

    group = ForeignKeyField(Group, backref="victories", on_delete="RESTRICT")
    demand = ForeignKeyField(Demand, null=True, backref="victories", on_delete="RESTRICT")
    title = CharField(max_length=200)
    obtained_on = DateField(index=True)
    publicity = TextField(default="")

    class Meta:
        indexes = ((("group", "updated_at"), False),)

    def __str__(self):
        return self.title

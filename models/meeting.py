"""Meetings with the town hall."""
from peewee import CharField, DateField, ForeignKeyField, TextField

from .base import VersionedModel
from .group import Group

MEETING_WITH = (
    ("maire", "Maire"),
    ("adjoint", "Adjoint·e au maire"),
    ("services", "Services techniques"),
    ("autre_elu", "Autre élu·e"),
)

MEETING_STATUSES = (
    ("demande", "Demandé"),
    ("programme", "Programmé"),
    ("tenu", "Tenu"),
    ("annule", "Annulé"),
)


class Meeting(VersionedModel):
    """A meeting requested, scheduled, held or cancelled with the town hall."""

    group = ForeignKeyField(Group, backref="meetings", on_delete="RESTRICT")
    with_whom = CharField(max_length=10, choices=MEETING_WITH, default="maire")
    contact_name = CharField(max_length=160, default="")
    status = CharField(max_length=10, choices=MEETING_STATUSES, default="demande", index=True)
    requested_on = DateField(null=True)
    date = DateField(null=True)
    outcome = TextField(default="")
    follow_up_on = DateField(null=True, index=True)

    class Meta:
        # (date, id): the list's default order, straight from the index (migration 0006)
        indexes = ((("group", "date"), False), (("group", "updated_at"), False), (("date", "id"), False))

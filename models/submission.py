"""Form submissions already taken: a second click on "Enregistrer" does not create a second row."""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField

from .base import BaseModel, utcnow
from .user import User


class FormSubmission(BaseModel):
    """The one-time token a create form carried, and the row it created."""

    audited = False  # bookkeeping, not a change to the group's data

    token = CharField(max_length=64, unique=True)
    user = ForeignKeyField(User, null=True, backref="submissions", on_delete="RESTRICT")
    table_name = CharField(max_length=60)
    record_id = IntegerField()
    at = DateTimeField(default=utcnow, index=True)

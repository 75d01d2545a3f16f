"""Append-only log of every change: who, when, which record, old and new values."""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from . import audit
from .base import BaseModel, utcnow
from .user import User

CHANGE_KINDS = (
    ("create", "Création"),
    ("update", "Modification"),
    ("delete", "Suppression"),
)


class AppendOnlyError(RuntimeError):
    """Raised when code tries to rewrite or delete a change-log entry."""


class ChangeLog(BaseModel):
    """One write to one record: `field` lists the changed columns, values are JSON objects."""

    audited = False

    at = DateTimeField(default=utcnow, index=True)
    user = ForeignKeyField(User, null=True, backref="changes", on_delete="RESTRICT")
    table_name = CharField(max_length=60)
    record_id = IntegerField()
    kind = CharField(max_length=6, choices=CHANGE_KINDS)
    field = CharField(max_length=60, default="")
    old_value = TextField(null=True)
    new_value = TextField(null=True)

    class Meta:
        indexes = ((("table_name", "record_id"), False),)

    def save(self, force_insert=False, only=None):
        if self.id is not None and not force_insert:
            raise AppendOnlyError("Le journal des modifications ne peut pas être modifié.")
        return super().save(force_insert=force_insert, only=only)

    def delete_instance(self, *args, **kwargs):
        raise AppendOnlyError("Le journal des modifications ne peut pas être supprimé.")

    @classmethod
    def record(cls, *, user, table_name, record_id, kind, field="", old=None, new=None, at=None):
        """Append one entry by hand (old/new: dicts of column values)."""
        return cls.create(
            user=user,
            table_name=table_name,
            record_id=record_id,
            kind=kind,
            field=field,
            old_value=None if old is None else audit.dump(old),
            new_value=None if new is None else audit.dump(new),
            at=at or utcnow(),
        )

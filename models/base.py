"""Database handle, base model and the rules every table shares.

- every write (create, update, delete) appends one change-log entry, in the
  same transaction, naming the current actor (models.audit);
- rows edited by several people carry a `version`: saving a row loaded (or
  submitted) at an older version is refused with StaleRecordError;
- accent-insensitive search goes through a folded `search_text` column.
"""
import datetime
import re
import unicodedata
from contextlib import nullcontext

from peewee import (
    AutoField,
    DatabaseProxy,
    DateTimeField,
    IntegerField,
    Model,
    TextField,
)

from . import audit

# Bound in models.init_app(); nothing connects at import time.
db = DatabaseProxy()


def utcnow():
    """Current UTC time without tzinfo (stored the same way on both databases)."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


MAX_ID = 2**31 - 1  # ids and versions are 32-bit integers on PostgreSQL
_ID_RE = re.compile(r"[0-9]{1,10}")


def parse_id(value):
    """An id or a version typed in a URL or a form ("12") as an int; None for anything else.

    Only ASCII digits within the database's integer range: "¹²", "１２", "-1", "1e3" or
    "99999999999" are None, never a ValueError or an out-of-range query (a 500).
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value <= MAX_ID else None
    text = str(value) if value is not None else ""
    if not _ID_RE.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def fold(text):
    """Lowercase without accents, so "Évry" and "evry" compare equal on every database."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class RecordGoneError(LookupError):
    """The row was deleted by someone else meanwhile."""

    def __init__(self, model):
        super().__init__("Cet enregistrement a été supprimé entre-temps.")
        self.model = model


class StaleRecordError(RuntimeError):
    """Someone else saved the row since it was read; nothing was written."""

    def __init__(self, model, current):
        self.model = model
        self.current = current  # column values now in the database
        super().__init__(
            "Quelqu'un d'autre a modifié cet enregistrement pendant que vous l'éditiez : "
            "vos modifications n'ont pas été enregistrées."
        )

    def differences(self):
        """(field name, value now in the database, value you tried to save) for each conflict."""
        out = []
        for field in self.model._meta.sorted_fields:
            if field.name in ("version", "updated_at", "created_at", "search_text"):
                continue
            mine = field.db_value(self.model.__data__.get(field.name))
            theirs = self.current.get(field.name)
            if field.name in self.current and mine != field.db_value(theirs):
                out.append((field, theirs, self.model.__data__.get(field.name)))
        return out


def _snapshot(model_class, pk):
    return (model_class.select()
            .where(model_class._meta.primary_key == pk)
            .dicts()
            .get_or_none())


class BaseModel(Model):
    """Every table: integer id, explicit snake_case table names, audited writes."""

    id = AutoField()
    audited = True

    class Meta:
        database = db
        legacy_table_names = False

    def _record(self, kind, old=None, new=None, fields=""):
        if not (self.audited and audit.history_enabled()):
            return
        from .changelog import ChangeLog

        ChangeLog.create(
            user=audit.current_actor(),
            table_name=self._meta.table_name,
            record_id=self.id,
            kind=kind,
            field=fields,
            old_value=None if old is None else audit.dump(old),
            new_value=None if new is None else audit.dump(new),
        )

    def _before_update(self, old):
        """Hook for subclasses: called with the stored values before an update."""

    def save(self, force_insert=False, only=None):
        creating = force_insert or self._pk is None
        with _transaction(self._meta.database):
            if creating:
                result = super().save(force_insert=force_insert, only=only)
                self._record("create", new=self.__data__)
                return result
            old = _snapshot(type(self), self._pk)
            if old is None:
                raise RecordGoneError(self)
            self._before_update(old)
            result = super().save(only=only)
            self._after_update(result, old)
            changed = {
                name: value for name, value in self.__data__.items()
                if name in old and type(self)._meta.fields[name].db_value(value)
                != type(self)._meta.fields[name].db_value(old[name])
                and name not in ("updated_at", "version", "search_text")
            }
            if changed:
                self._record("update", old={k: old[k] for k in changed}, new=changed,
                             fields=",".join(sorted(changed)))
            return result

    def _after_update(self, rows, old):
        """Hook for subclasses: rows is the number of rows the UPDATE touched."""

    def delete_instance(self, recursive=False, delete_nullable=False):
        # Never cascade: children keep the parent (ON DELETE RESTRICT does the refusing).
        with self._meta.database.atomic():
            old = _snapshot(type(self), self._pk)
            rows = super().delete_instance(recursive=False)
            if old is not None:
                self._record("delete", old=old)
            return rows


def _transaction(database):
    """A transaction for a row and its history entry, or none inside the caller's: a savepoint per
    save cost two round trips (an inline edit ran four). Every caller that catches a database
    error does so outside its whole transaction, which is then rolled back."""
    return nullcontext() if database.in_transaction() else database.atomic()


class TimestampedModel(BaseModel):
    """Rows that record when they were created and last changed."""

    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow, index=True)

    def _before_update(self, old):
        super()._before_update(old)
        self.updated_at = utcnow()


class VersionedModel(TimestampedModel):
    """Rows edited by several people: a save made on an older `version` is refused."""

    version = IntegerField(default=1)
    _expected_version = None

    def _pk_expr(self):
        expr = super()._pk_expr()
        if self._expected_version is not None:
            expr &= type(self).version == self._expected_version
        return expr

    def _before_update(self, old):
        super()._before_update(old)
        if self.version != old["version"]:
            raise StaleRecordError(self, old)
        self._expected_version = old["version"]
        self.version = old["version"] + 1

    def _after_update(self, rows, old):
        self._expected_version = None
        if rows == 0:  # changed between our read and our write
            self.version = old["version"]
            raise StaleRecordError(self, _snapshot(type(self), self._pk) or old)


class SearchableMixin:
    """Keeps `search_text` (accent- and case-folded copy of `search_fields`) up to date."""

    search_fields = ()

    def refresh_search_text(self):
        self.search_text = fold(" ".join(str(getattr(self, f) or "") for f in self.search_fields))

    def save(self, *args, **kwargs):
        self.refresh_search_text()
        return super().save(*args, **kwargs)


def search_text_field():
    """The column SearchableMixin fills (indexed for prefix and equality lookups)."""
    return TextField(default="", index=True)

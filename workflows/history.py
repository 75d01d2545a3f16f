"""Rows as they were at a past moment, rebuilt from today's rows and the change log.

Every write through the models appends a change-log entry (old and new values), so undoing the
entries made after a moment gives the rows as they stood then: updates are reversed, rows created
later disappear, rows deleted later come back. Rows written with history switched off (seeds) are
taken as they are, except those created after the moment.
"""
import datetime as dt
import json

from peewee import DateField, DateTimeField

from models import ChangeLog

CHUNK = 500


def _python(model, name, value):
    """A value read back from the change log's JSON, with the column's Python type."""
    field = model._meta.fields.get(name)
    if value is None or field is None:
        return value
    if isinstance(field, DateTimeField):
        return dt.datetime.fromisoformat(value)
    if isinstance(field, DateField):
        return dt.date.fromisoformat(value)
    return value


def _values(model, text):
    data = json.loads(text) if text else {}
    out = {}
    for name, value in data.items():
        field = model._meta.fields.get(name)
        if field is not None:
            out[field.name] = _python(model, field.name, value)
    return out


def changed_since(model, moment):
    """Subquery: ids of the rows of `model` written since `moment`."""
    return ChangeLog.select(ChangeLog.record_id).where(ChangeLog.table_name == model._meta.table_name,
                                                       ChangeLog.at > moment)


def rows_as_of(model, moment, prefilter=None, keep=None, ids=None, columns=None):
    """{id: {column: value}} of `model` as they stood at `moment` (a naive UTC datetime).

    `prefilter` (an SQL expression) or `ids` narrow the rows read; rows changed since `moment`
    are read whatever they say, and `keep(row)` (the same test, in Python) is applied after
    rebuilding, so a row that only matched the filter before its later change is still found.
    `columns` (field names) reads only those (with id and created_at); a row rebuilt from a
    deletion has them all.
    """
    fields = [model._meta.fields[name] for name in ("id", "created_at", *(columns or ()))
              if name in model._meta.fields] if columns else []
    table = model._meta.table_name
    entries = list(ChangeLog.select().where(ChangeLog.table_name == table, ChangeLog.at > moment)
                   .order_by(ChangeLog.at.desc(), ChangeLog.id.desc()))
    touched = {e.record_id for e in entries}
    rows = {}
    if ids is None:
        query = model.select(*fields).dicts()
        for row in query.where(prefilter) if prefilter is not None else query:
            rows[row["id"]] = row
    wanted = sorted(touched | set(ids or ()))
    for start in range(0, len(wanted), CHUNK):
        for row in model.select(*fields).where(model.id.in_(wanted[start:start + CHUNK])).dicts():
            rows[row["id"]] = row
    for entry in entries:  # newest first: undo each change
        if entry.kind == "create":
            rows.pop(entry.record_id, None)
        elif entry.kind == "update" and entry.record_id in rows:
            rows[entry.record_id].update(_values(model, entry.old_value))
        elif entry.kind == "delete":
            rows[entry.record_id] = _values(model, entry.old_value)
    created = model._meta.fields.get("created_at")
    return {
        pk: row for pk, row in rows.items()
        if (ids is None or pk in ids or pk in touched)
        and (created is None or row.get("created_at") is None or row["created_at"] <= moment)
        and (keep is None or keep(row))
    }

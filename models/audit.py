"""Who is acting, and whether writes are recorded in the change log.

The web layer sets the actor for each request; seeds switch history off for
bulk loads. Models read this state in BaseModel.save/delete_instance, so every
write path (tables, inline edits, forms, workflows) records its change the same way.
"""
import datetime as dt
import json
from contextlib import contextmanager
from contextvars import ContextVar

_actor = ContextVar("pv_actor", default=None)
_history = ContextVar("pv_history", default=True)


def set_actor(user):
    """Record `user` as the author of the writes that follow (None: system)."""
    _actor.set(user)


def current_actor():
    return _actor.get()


def history_enabled():
    return _history.get()


@contextmanager
def acting_as(user):
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


@contextmanager
def history_disabled():
    """Bulk loads (reference data, demo network) that are not user changes."""
    token = _history.set(False)
    try:
        yield
    finally:
        _history.reset(token)


def to_text(value):
    """A JSON-friendly rendering of a column value."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def dump(values):
    return json.dumps({k: to_text(v) for k, v in values.items()}, ensure_ascii=False, sort_keys=True)

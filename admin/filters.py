"""Filters shared by the tables: dropdowns for choices and groups, ranges for dates."""
import time
import weakref

from flask import g, has_request_context
from flask_admin.contrib.peewee.filters import (
    BooleanEqualFilter,
    DateBetweenFilter,
    DateGreaterFilter,
    DateSmallerFilter,
    FilterEqual,
)
from flask_login import current_user
from peewee import SQL, fn

from models import Group, db
from models.base import fold
from models.prepared import Prepared


class OptionFilter(FilterEqual):
    """Equality on a dropdown; a value that is not one of the options is ignored, not an error."""

    def validate(self, value):
        options = self.get_options(None) or []
        return str(value) in {str(code) for code, _ in options}


DROPDOWN_LIMIT = 300  # beyond this many groups, a dropdown is useless: the group filter becomes a search
LARGE_NETWORK_SECONDS = 60  # how long a process trusts "too many groups" before counting again
_large_until = weakref.WeakKeyDictionary()  # database -> until when its network is known too large


def group_options():
    """Groups the current user may filter on (a referent: their own); None when there are too many
    for a dropdown. Read once per request."""
    if not has_request_context():
        return []  # Flask-Admin asks once at start-up; the real list is built per request
    if "pv_group_options" not in g:
        g.pv_group_options = _read_group_options()
    return g.pv_group_options


# Every list page asks (the « Groupe » filter): SQL written once (models.prepared).
_OWN_GROUP = Prepared(lambda group_id: Group.select(Group.id, Group.name)
                      .where(Group.id == group_id).tuples())
# One query that reads the names only when they fit in a dropdown (reading 301 names of a national
# network for nothing cost ~4 ms a page): no row means "too many", or no group.
_CAPPED = Group.alias().select(SQL("1")).limit(DROPDOWN_LIMIT + 1)
_COUNT_CAPPED = Group.select(fn.COUNT(SQL("*"))).from_(_CAPPED.alias("capped"))
_FEW_GROUPS = Prepared(lambda: Group.select(Group.id, Group.name).where(_COUNT_CAPPED <= DROPDOWN_LIMIT)
                       .order_by(Group.name).tuples())


def _read_group_options():
    referent = current_user.is_authenticated and current_user.role == "referent"
    if referent:
        return [(str(pk), name) for pk, name in _OWN_GROUP(current_user.group_id)] or None
    # A network known to be too large less than LARGE_NETWORK_SECONDS ago is not counted again on
    # every page (it does not shrink below the limit in a minute; if it does, the dropdown comes
    # back a minute later).
    if time.monotonic() < _large_until.get(db.obj, 0):
        return None
    options = [(str(pk), name) for pk, name in _FEW_GROUPS()]
    if options:
        return options
    if _CAPPED.count() > DROPDOWN_LIMIT:
        _large_until[db.obj] = time.monotonic() + LARGE_NETWORK_SECONDS
    return None


class GroupFilter(FilterEqual):
    """The group of a row: a dropdown of the groups, or in a national network (more than
    DROPDOWN_LIMIT groups) a search on the group's name, commune, département or region."""

    def get_options(self, view):
        return group_options()

    def operation(self):
        return "égal à" if group_options() is not None else "nom ou commune contient"

    def validate(self, value):
        options = group_options()
        if options is not None:
            return str(value) in {code for code, _ in options}
        return 0 < len(value.strip()) <= 200

    def apply(self, query, value):
        if group_options() is not None:
            return query.where(self.column == int(value))
        matching = Group.select(Group.id).where(Group.search_text.contains(fold(value.strip())))
        return query.where(self.column.in_(matching))


def group_filter(column, name="Groupe"):
    return GroupFilter(column, name)


def choice_filter(column, name):
    return OptionFilter(column, name, options=list(column.choices))


def date_filters(column, name):
    return [
        DateBetweenFilter(column, name),
        DateGreaterFilter(column, name),
        DateSmallerFilter(column, name),
    ]


def related_filter(column, name, model, label_field):
    """A dropdown on a shared reference table (themes, action kinds, measures...)."""
    def options():
        if not has_request_context():
            return []
        return [(str(r.id), str(r)) for r in model.select().order_by(label_field)]
    return OptionFilter(column, name, options=options)


def bool_filter(column, name):
    return BooleanEqualFilter(column, name)

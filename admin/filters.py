"""Filters shared by the tables: dropdowns for choices and groups, ranges for dates."""
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

from models import Group
from models.base import fold


class OptionFilter(FilterEqual):
    """Equality on a dropdown; a value that is not one of the options is ignored, not an error."""

    def validate(self, value):
        options = self.get_options(None) or []
        return str(value) in {str(code) for code, _ in options}


DROPDOWN_LIMIT = 300  # beyond this many groups, a dropdown is useless: the group filter becomes a search


def group_options():
    """Groups the current user may filter on (a referent: their own); None when there are too many
    for a dropdown. Read once per request."""
    if not has_request_context():
        return []  # Flask-Admin asks once at start-up; the real list is built per request
    if "pv_group_options" not in g:
        referent = current_user.is_authenticated and current_user.role == "referent"

        def mine(model):
            return model.id == current_user.group_id if referent else True

        # One query that reads the names only when they fit in a dropdown (reading 301 names of
        # a national network for nothing cost ~4 ms a page): no row means "too many" (or none).
        other = Group.alias()
        counted = other.select(SQL("1")).where(mine(other)).limit(DROPDOWN_LIMIT + 1)
        few = Group.select(fn.COUNT(SQL("*"))).from_(counted.alias("capped"))
        rows = (Group.select(Group.id, Group.name).where(mine(Group), few <= DROPDOWN_LIMIT)
                .order_by(Group.name))
        g.pv_group_options = [(str(pk), name) for pk, name in rows.tuples()] or None
    return g.pv_group_options


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

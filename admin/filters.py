"""Filters shared by the tables: dropdowns for choices and groups, ranges for dates."""
from flask import has_request_context
from flask_admin.contrib.peewee.filters import (
    BooleanEqualFilter,
    DateBetweenFilter,
    DateGreaterFilter,
    DateSmallerFilter,
    FilterEqual,
)
from flask_login import current_user

from models import Group


class OptionFilter(FilterEqual):
    """Equality on a dropdown; a value that is not one of the options is ignored, not an error."""

    def validate(self, value):
        options = self.get_options(None) or []
        return str(value) in {str(code) for code, _ in options}


def group_options():
    """Groups the current user may filter on (a referent: their own)."""
    if not has_request_context():
        return []  # Flask-Admin asks once at start-up; the real list is built per request
    query = Group.select(Group.id, Group.name).order_by(Group.name)
    if current_user.is_authenticated and current_user.role == "referent":
        query = query.where(Group.id == current_user.group_id)
    return [(str(g.id), g.name) for g in query]


def group_filter(column, name="Groupe"):
    return OptionFilter(column, name, options=group_options)


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

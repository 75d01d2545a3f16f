"""The overdue flag in lists: a "Retard" column and an "En retard" filter, from models.flags."""
import datetime as dt

from flask_admin.contrib.peewee.filters import BasePeeweeFilter
from markupsafe import Markup
from peewee import fn


class OverdueFilter(BasePeeweeFilter):
    """Rows whose campaign step is past its due date today."""

    def __init__(self, column, subquery_for, name="En retard"):
        super().__init__(column, name, options=(("1", "Oui"), ("0", "Non")))
        self.subquery_for = subquery_for

    def validate(self, value):
        return value in ("0", "1")

    def apply(self, query, value):
        late = fn.COALESCE(self.subquery_for(dt.date.today()), 0)
        return query.where(late > 0 if value == "1" else late == 0)

    def operation(self):
        return "est"


def days_late_formatter(view, context, model, name):
    days = getattr(model, "days_late", None)
    if not days:
        return ""
    return Markup(f'<span class="badge badge-danger">{int(days)} j de retard</span>')


def days_late_export(view, context, model, name):
    return getattr(model, "days_late", None)

"""Fixes to Flask-Admin's form building: inline rows without ids, safe dropdowns, numbers that fit."""

from flask_admin.contrib.peewee.form import CustomModelConverter
from markupsafe import Markup, escape
from peewee import AutoField, ForeignKeyField, IntegerField
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError
from wtforms.widgets import Select
from wtfpeewee.fields import ModelSelectField, wtf_choice

from models.base import MAX_ID, parse_id


class FastSelect(Select):
    """WTForms' dropdown, each plain option written by one f-string: the same HTML, without a
    dictionary and html_params per option (a dropdown of 5,000 groups took ~25 ms to write)."""

    @classmethod
    def render_option(cls, value, label, selected, **kwargs):
        if kwargs or value is True:
            return super().render_option(value, label, selected, **kwargs)
        value = value if type(value) is int else escape(value)  # an id needs no escaping
        return Markup(f'<option {"selected " if selected else ""}value="{value}">{escape(label)}</option>')


class SafeModelSelectField(ModelSelectField):
    """A foreign-key dropdown that treats a non-numeric submission as "not a valid choice".

    wtf-peewee looks the submitted value up as is; on PostgreSQL "" or "abc" compared to an
    integer id is a database error (a 500) instead of a form error.
    """

    widget = FastSelect()

    def get_model(self, pk):
        if parse_id(pk) is None:
            return None
        return super().get_model(pk)

    def process_formdata(self, valuelist):
        # Blank (spaces, a line break) is "no choice", as the empty option is; otherwise the
        # field's Optional validator would let the blank text through to the query.
        if valuelist and isinstance(valuelist[0], str) and not valuelist[0].strip():
            self.data = None
            return
        super().process_formdata(valuelist)

    def iter_choices(self):
        """The options read only the id and the label column when the model names it
        (`label_field`): building 5,000 whole groups for one dropdown took ~100 ms a page."""
        label_field = getattr(self.model, "label_field", None)
        if label_field is None:
            yield from super().iter_choices()
            return
        if self.allow_blank:
            yield wtf_choice("__None", self.blank_text, self.data is None)
        chosen = self.data.id if isinstance(self.data, self.model) else None
        pk = self.model._meta.primary_key
        # The rows as the driver returns them (an id and a text need no conversion): peewee's row
        # wrapper took half the time of a 5,000-option dropdown.
        options = self.query.clone().select(pk, getattr(self.model, label_field))
        for value, label in self.model._meta.database.execute(options).fetchall():
            yield wtf_choice(value, label, value == chosen)

    def pre_validate(self, form):
        # A value assigned after processing (not looked up yet) is checked here, before any query.
        data = self.data
        if data is not None and not isinstance(data, self.model) and parse_id(data) is None:
            raise ValidationError(self.gettext("Not a valid choice."))
        super().pre_validate(form)


def _blank_is_none(value):
    return None if isinstance(value, str) and not value.strip() else value


class ModelConverter(CustomModelConverter):
    """New inline rows may have no id yet (AutoField like PrimaryKeyField); safe FK dropdowns."""

    def __init__(self, view, additional=None):
        super().__init__(view, additional)
        self.converters[AutoField] = self.handle_pk

    def convert(self, model, field, field_args):
        """Two limits wtf-peewee leaves out, so that the database never refuses what the form accepted.

        - A blank choice (spaces, a line break) is no choice, NULL; and a list of choices with a
          default (never NULL) must get one of its choices: wtf-peewee makes such a field
          optional, and a blank submission then stores "" or "  " (not in the list).
        - A whole number must fit the column (32 bits): a larger one is a database error, a 500.
        """
        info = super().convert(model, field, field_args)
        _, unbound = info
        if unbound is None or "validators" not in unbound.kwargs:
            return info
        if field.choices:
            unbound.kwargs["filters"] = [*unbound.kwargs.get("filters", ()), _blank_is_none]
        if field.choices and not field.null:
            kept = [v for v in unbound.kwargs["validators"] if not isinstance(v, Optional)]
            unbound.kwargs["validators"] = [DataRequired("Choisissez une valeur dans la liste."), *kept]
        if isinstance(field, IntegerField) and not isinstance(field, AutoField | ForeignKeyField):
            unbound.kwargs["validators"] = [*unbound.kwargs["validators"], NumberRange(
                min=-MAX_ID, max=MAX_ID, message=f"Nombre hors limites : entre -{MAX_ID} et {MAX_ID}.")]
        return info

    def handle_foreign_key(self, model, field, **kwargs):
        info = super().handle_foreign_key(model, field, **kwargs)
        if info is not None and info[1].field_class is ModelSelectField:
            info[1].field_class = SafeModelSelectField
        return info

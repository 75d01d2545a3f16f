"""Base forms: CSRF tied to the session (the same mechanism the tables use), and typed text cleaned.

Every submitted value loses its invisible control characters (NUL, escape, backspace…) before any
field sees it: PostgreSQL refuses NUL in text, spreadsheets refuse most of the others, and nobody
types them on purpose. Tabs and line breaks stay. The project's own forms and the tables'
(Flask-Admin, inline edits included) share this one rule.
"""
import re

from flask_admin.form import SecureForm
from werkzeug.datastructures import MultiDict

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value):
    """`value` without control characters other than tab, line feed and carriage return."""
    return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value


class CleanInputMeta:
    """WTForms meta options: submitted values are cleaned (see the module's docstring)."""

    locales = ("fr_FR", "fr")

    def wrap_formdata(self, form, formdata):
        formdata = super().wrap_formdata(form, formdata)
        if formdata is None:
            return None
        return MultiDict((key, clean_text(value)) for key, value in formdata.items(multi=True))


class Form(SecureForm):
    """Every form of the project: CSRF-protected, French messages, clean text."""

    Meta = CleanInputMeta

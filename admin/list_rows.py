"""The rows of a list page, written in one pass.

Flask-Admin renders each row through Jinja macros (three row-action buttons, each building its
URLs) and builds a WTForms form per row for the inline-edit cells: with 50 rows that was about
two thirds of a list page's time. Here what is the same on every row (URLs, labels, the CSRF
token, each editor's type and choices) is computed once per page, and a row only fills in its
id, values and text. The HTML keeps Flask-Admin's classes and data-* attributes, so its scripts
(x-editable, bulk actions) and static/csp.js work on it unchanged.
"""
import datetime as dt

from flask_admin.babel import gettext
from flask_admin.model.widgets import XEditableWidget
from markupsafe import Markup, escape
from wtforms.widgets import html_params

PK = "__pk__"  # stands for the row id in URLs built once per page


def editor_value(field_type, value):
    """What an inline editor starts from: the stored value ("2026-07-27", "tenu"), not the
    French text the cell shows ("27/07/2026", "Tenu"), which the date picker cannot parse nor
    the dropdown match."""
    if field_type == "BooleanField":
        return "1" if value else ""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class _Editor:
    """An editable column: x-editable's attributes for its field type, computed once."""

    def __init__(self, field, csrf):
        attrs = XEditableWidget().get_kwargs(field, {})
        attrs.pop("data-value", None)
        attrs.setdefault("data-role", "x-editable")
        self.field_type = field.type
        # data-name, not a repeated id: x-editable takes the field's name from either.
        self.attrs = html_params(**{"data-csrf": csrf, "data-emptytext": "—", "data-name": field.name,
                                    "data-url": "./ajax/update/", "href": "#", "name": field.name,
                                    **attrs})

    def cell(self, pk, value, text):
        return (f'<a {self.attrs} data-pk="{pk}" data-value="{escape(editor_value(self.field_type, value))}">'
                f"{escape(text)}</a>")


class RowWriter:
    """Writes the cells of one list page's rows; built by the view for each page."""

    def __init__(self, view, list_columns, return_url, with_checkbox):
        self.view = view
        self.columns = [name for name, _ in list_columns]
        self.with_checkbox = with_checkbox
        editable = [name for name in self.columns if name in (view.column_editable_list or ())]
        form = view.list_form() if editable and view.can_edit else None
        if form is None and view.can_delete:
            form = view.delete_form()
        csrf = form.csrf_token._value() if form is not None else ""  # the same for every form of the page
        self.editors = {name: _Editor(form[name], csrf) for name in editable} if view.can_edit else {}
        self.checkbox_title = escape(gettext("Select record"))
        self.actions = self._actions(return_url, csrf)

    def _actions(self, return_url, csrf):
        """The row buttons as text with PK in place of the row id."""
        view, parts = self.view, []
        if view.can_view_details:
            parts.append(self._link(view.get_url(".details_view", id=PK, url=return_url),
                                    gettext("View Record"), "fa-eye glyphicon glyphicon-eye-open"))
        if view.can_edit:
            parts.append(self._link(view.get_url(".edit_view", id=PK, url=return_url),
                                    gettext("Edit Record"), "fa-pencil glyphicon glyphicon-pencil"))
        if view.can_delete:
            parts.append(Markup(
                '<form class="icon" method="POST" action="{}">'
                '<input name="id" type="hidden" value="' + PK + '">'
                '<input name="url" type="hidden" value="{}">'
                '<input name="csrf_token" type="hidden" value="{}">'
                '<button data-confirm="{}" title="{}"><span class="fa fa-trash glyphicon '
                'glyphicon-trash"></span></button></form>').format(
                view.get_url(".delete_view"), return_url, csrf,
                gettext("Are you sure you want to delete this record?"), gettext("Delete Record")))
        return str(Markup("").join(parts))

    @staticmethod
    def _link(url, title, icon):
        return Markup('<a class="icon" href="{}" title="{}"><span class="fa {}"></span></a>').format(
            url, title, icon)

    def __call__(self, row):
        view = self.view
        pk = escape(view.get_pk_value(row))
        out = []
        if self.with_checkbox:
            out.append(f'<td><input type="checkbox" name="rowid" class="action-checkbox" value="{pk}" '
                       f'title="{self.checkbox_title}"></td>')
        if self.actions:
            out.append(f'<td class="list-buttons-column">{self.actions.replace(PK, pk)}</td>')
        for name in self.columns:
            text = view._get_list_value(None, row, name, view.column_formatters, view.column_type_formatters)
            editor = self.editors.get(name)
            cell = editor.cell(pk, view._get_field_value(row, name), text) if editor else escape(text)
            out.append(f'<td class="col-{name}">{cell}</td>')
        return Markup("".join(out))

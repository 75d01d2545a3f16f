"""The table of a list page (header, rows, pager), written in one pass.

Flask-Admin renders each row through a scoped Jinja block and macros (three row-action buttons,
each building its URLs) and builds a WTForms form per row for the inline-edit cells: with 50 rows
that was about two thirds of a list page's time. Here what is the same on every row (URLs, labels,
the CSRF token, each editor's type and choices) is computed once per page, and a row only fills in
its id, values and text. The HTML keeps Flask-Admin's classes and data-* attributes, so its
scripts (x-editable, bulk actions, filters) and static/csp.js work on it unchanged.
"""
import copy
import datetime as dt
import re

from flask import request
from flask_admin.babel import gettext
from flask_admin.model.widgets import XEditableWidget
from markupsafe import Markup, escape
from wtforms.widgets import html_params

PK = "__pk__"  # stands for the row id in URLs built once per page
CSRF = "__csrf__"  # stands for the page's CSRF token in row buttons made once per view
ACTIONS_KEPT = 64
NUMBER = 918273645  # stands for a page or column number in list URLs built once per page


_NEEDS_ESCAPE = re.compile(r"[&<>\"']").search


def safe(value):
    """The HTML of a cell's value: a number, or a text with none of &<>"', as is (most cells:
    escaping makes a Markup object each time, ~0.4 µs, 700 times a page); anything else escaped."""
    kind = type(value)
    if kind is int or (kind is str and _NEEDS_ESCAPE(value) is None):
        return value
    return escape(value)


def numbered(url_for_number, name):
    """url_for_number(n) for any n, from one URL built with NUMBER in the `name` argument
    (building a URL costs more than the rest of a header or pager link)."""
    marker = f"{name}={NUMBER}"
    parts = url_for_number(NUMBER).split(marker)
    if len(parts) != 2:  # not found once: build each URL
        return url_for_number
    before, after = parts
    return lambda number: f"{before}{name}={number}{after}"


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

    def for_page(self, csrf):
        """This editor with the page's CSRF token in place of CSRF."""
        page = copy.copy(self)
        page.attrs = self.attrs.replace(CSRF, csrf)
        return page

    def cell(self, pk, value, text):
        return (f'<a {self.attrs} data-pk="{pk}" data-value="{safe(editor_value(self.field_type, value))}">'
                f"{safe(text)}</a>")


class TableWriter:
    """Writes one list page's table and pager from the arguments of Flask-Admin's index_view."""

    def __init__(self, view, page):
        self.view, self.page = view, page
        self.columns = [name for name, _ in page["list_columns"]]
        self.with_checkbox = bool(page["actions"])
        self.with_buttons = view.column_display_actions
        return_url = page["return_url"]
        editable = [name for name in self.columns if name in (view.column_editable_list or ())]
        editable = editable if view.can_edit else []
        csrf = self._csrf(bool(editable))
        self.editors = {name: editor.for_page(csrf) for name, editor in self._editors(editable).items()}
        self.cells = [(name, view.cell_text(name, view.column_formatters, view.column_type_formatters),
                       self.editors.get(name), view.field_getter(name)) for name in self.columns]
        self.checkbox_title = escape(gettext("Select record"))
        self.actions = self._actions(return_url, csrf)

    def _csrf(self, needed):
        """The page's CSRF token (the same for every form of the page), from a form Flask-Admin's
        list view built anyway; an inline-edit form is built only when it built none."""
        form = self.page.get("delete_form")
        form = self.page.get("action_form") if form is None else form
        if form is None and needed:
            form = self.view.list_form()
        return form.csrf_token._value() if form is not None else ""

    def _editors(self, editable):
        """The editors of the view's editable columns, with CSRF in place of the token: made once
        per view from its inline-edit form (field types and fixed choices do not change), or per
        page when a column's choices are read from the database."""
        made = self.view.__dict__.get("_editors")
        if made is None and editable:
            form = self.view.list_form()
            made = {name: _Editor(form[name], CSRF) for name in self.view.column_editable_list}
            if not any(hasattr(form[name], "query") for name in made):
                self.view.__dict__["_editors"] = made
        return {name: made[name] for name in editable}

    def _actions(self, return_url, csrf):
        """The row buttons as text with PK in place of the row id, made once per view, return URL
        and permissions (four URLs to build), then given this page's CSRF token."""
        view = self.view
        key = (return_url, request.script_root, view.can_view_details, view.can_edit, view.can_delete)
        made = view.__dict__.setdefault("_row_actions", {})
        if key not in made:
            if len(made) >= ACTIONS_KEPT:  # return URLs carry searches and filters: keep a few
                made.clear()
            made[key] = self._make_actions(return_url)
        return made[key].replace(CSRF, csrf)

    def _make_actions(self, return_url):
        view, parts, csrf = self.view, [], CSRF
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

    def __call__(self):
        rows = [self.row(row) for row in self.page["data"]] or [
            f'<tr><td colspan="999"><div class="text-center">{escape(self.view.get_empty_list_message())}'
            "</div></td></tr>"]
        return Markup(
            '<div class="table-responsive"><table class="table table-striped table-bordered table-hover '
            f'model-list"><thead><tr>{self.header()}</tr></thead>\n{"".join(rows)}</table></div>\n'
            f"{self.pager()}")

    def header(self):
        view, page, out = self.view, self.page, []
        if self.with_checkbox:
            out.append('<th class="list-checkbox-column"><input type="checkbox" name="rowtoggle" '
                       f'class="action-rowtoggle" title="{escape(gettext("Select all records"))}"></th>')
        if self.with_buttons:
            out.append('<th class="">&nbsp;</th>')
        sort_url = numbered(page["sort_url"], "sort")
        for index, (name, label) in enumerate(page["list_columns"]):
            text = escape(label)
            if view.is_sortable(name):
                title = escape(gettext("Sort by %(name)s", name=label))
                if page["sort_column"] == index:
                    icon = "fa-chevron-{0} glyphicon glyphicon-chevron-{0}".format(
                        "down" if page["sort_desc"] else "up")
                    text = (f'<a href="{escape(page["sort_url"](index, True))}" title="{title}">{text} '
                            f'<span class="fa {icon}"></span></a>')
                else:
                    text = f'<a href="{escape(sort_url(index))}" title="{title}">{text}</a>'
            description = (view.column_descriptions or {}).get(name)
            if description:
                text += (f' <a class="fa fa-question-circle glyphicon glyphicon-question-sign" title="'
                         f'{escape(description)}" href="javascript:void(0)" data-role="tooltip"></a>')
            out.append(f'<th class="column-header col-{name.replace(".", "-")}">{text}</th>')
        return "".join(out)

    def row(self, row):
        pk = safe(self.view.get_pk_value(row))
        out = ["<tr>"]
        if self.with_checkbox:
            out.append(f'<td><input type="checkbox" name="rowid" class="action-checkbox" value="{pk}" '
                       f'title="{self.checkbox_title}"></td>')
        if self.with_buttons:
            out.append(f'<td class="list-buttons-column">{self.actions.replace(PK, pk)}</td>')
        for name, text, editor, value in self.cells:
            if editor:
                cell = editor.cell(pk, value(row), text(row))
            else:
                cell = safe(text(row))
            out.append(f'<td class="col-{name}">{cell}</td>')
        out.append("</tr>\n")
        return "".join(out)

    def pager(self):
        """Flask-Admin's pager: first, previous, up to 7 pages around this one, next, last; a page
        of None is a disabled link, "here" the current page."""
        page, pages = self.page["page"], self.page["num_pages"]
        if pages is None:  # simple pager: the total is not counted
            has_next = len(self.page["data"]) == self.page["page_size"]
            links = [("&lt;", page - 1 if page > 0 else None), ("&gt;", page + 1 if has_next else None)]
        elif pages > 1:
            low, high = page - 3, page + 4
            if low < 0:
                high -= low
            if high >= pages:
                low -= high - pages
            low, high = max(low, 0), min(high, pages)
            links = [("&laquo;", 0 if low > 0 else None), ("&lt;", page - 1 if page > 0 else None)]
            links += [(str(p + 1), "here" if p == page else p) for p in range(low, high)]
            links += [("&gt;", page + 1 if page + 1 < pages else None),
                      ("&raquo;", pages - 1 if high < pages else None)]
        else:
            return ""
        out, url = [], numbered(self.page["pager_url"], "page")
        for text, target in links:
            if target is None or target == "here":
                state, href = (" disabled" if target is None else " active"), "javascript:void(0)"
            else:
                state, href = "", escape(url(target) if target else self.page["pager_url"](0))
            out.append(f'<li class="page-item{state}"><a class="page-link" href="{href}">{text}</a></li>')
        return f'<ul class="pagination">{"".join(out)}</ul>'

"""One secured base for every table: roles, row scope on every path, conflicts, history, exports.

Flask-Admin protects nothing by itself; each path it offers (list, count,
details, edit, create, delete, bulk actions, inline update, lookups, FK
dropdowns, export) goes through the hooks overridden here, so a table view
only declares its columns and who may write.
"""
import datetime as dt
import json
from collections import OrderedDict
from functools import cached_property

from flask import Response, abort, flash, g, has_request_context, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.peewee import ModelView
from flask_admin.contrib.peewee.form import save_inline
from flask_admin.helpers import get_redirect_target
from flask_login import current_user
from markupsafe import Markup, escape
from peewee import JOIN, SQL, Field, IntegrityError, Select, fn
from wtforms import IntegerField, SelectField
from wtforms.validators import ValidationError
from wtforms.widgets import HiddenInput

from forms.base import Form
from models import ChangeLog, User, db
from models.base import RecordGoneError, StaleRecordError, fold, parse_id
from models.ownership import (
    OWNERSHIP,
    is_group_owned,
    join_to_group,
    owner_group_id,
    scope_to_group,
)
from models.prepared import SqlMemo
from workflows.spreadsheet import csv_bytes, xlsx_bytes

from .converters import ModelConverter
from .filters import group_options
from .list_table import TableWriter

ALL_ROLES = ("coordination", "referent", "observer")
EXPORT_MAX_ROWS = 10_000
NOT_YOUR_GROUP = "Vous ne pouvez enregistrer que des données de votre groupe."


class VersionField(IntegerField):
    """The version the form was opened at, sent back to detect conflicting saves."""

    widget = HiddenInput()


def _plain(message, status):
    """Inline-edit answers are shown as text by the editor: never served as HTML."""
    return Response(message, status=status, mimetype="text/plain")


def _none_if_empty(value):
    return value or None


def format_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _date_formatter(view, value, name):
    return value.strftime("%d/%m/%Y")


def _datetime_formatter(view, value, name):
    return value.strftime("%d/%m/%Y %H:%M")


def _bool_formatter(view, value, name):
    return "oui" if value else "non"


COUNT_CAP = 10_000
# A list page's two queries (rows, count), written once per view, user scope, day and request
# arguments: writing their SQL was ~10% of a list page.
_LIST_SQL = SqlMemo()


class AtLeast(int):
    """A row count that stopped at COUNT_CAP: a number for the pager, « plus de 10 000 » on the page."""

    def __str__(self):
        return f"plus de {COUNT_CAP:,}".replace(",", "\u202f")


def capped_count(query, model, memo_key=None):
    """Rows of a list query, counting at most COUNT_CAP + 1 of them: the cost of a page does not grow
    with the table (counting 770,000 checklist items took 60 ms on SQLite, a capped count 1 ms).

    A list query joins its rows' group (and action, campaign) only through foreign keys, which
    neither drop nor repeat a row: with no condition, it has as many rows as `model`'s table, and
    counting the table alone skips 10,000 join lookups (actions at 55,000 rows: ~4.8 -> ~0.8 ms).
    With `memo_key` (see SecuredModelView.list_memo_key), the SQL is written once per key."""
    if query._where is None and query._group_by is None and not query._distinct:
        query = model.select()
    # What peewee's count() runs (rows counted without reading their columns), SQL kept per key.
    wrapped = query.limit(COUNT_CAP + 1).order_by().alias("_wrapped")
    if wrapped._count_can_project_one():
        wrapped = wrapped.select(SQL("1"))
    counting = Select([wrapped], [fn.COUNT(SQL("1"))])
    cursor = db.execute(counting) if memo_key is None else _LIST_SQL.execute(("count", *memo_key), counting)
    count = cursor.fetchone()[0]
    return AtLeast(count) if count > COUNT_CAP else count


class SecuredModelView(ModelView):
    """Deny by default; referents limited to their group's rows on every path."""

    form_base_class = Form  # CSRF, and control characters dropped from what is typed
    model_form_converter = ModelConverter
    read_roles = ALL_ROLES
    write_roles = ("coordination",)
    create_roles = None  # defaults to write_roles
    delete_roles = None  # defaults to write_roles
    contact_columns = ()  # personal contact details: never shown to observers
    extra_joins = ()  # FKs whose related row is shown in the list (fetched in the same query)
    computed_columns = ()  # columns get_query computes per row (a subquery), never sorted on
    # columns of the listed table no list or export shows: long texts, and when a row was created
    list_omitted = ("search_text", "notes", "created_at")
    search_columns = ()  # raw text columns searched case-insensitively
    folded_search_columns = ()  # columns holding fold()ed text (search_text)
    can_view_details = True
    can_export = True
    can_set_page_size = True
    page_size = 50
    export_types = ["csv", "xlsx"]
    export_max_rows = EXPORT_MAX_ROWS
    details_template = "admin/details_history.html"
    form_overrides = {}
    column_type_formatters = {dt.datetime: _datetime_formatter, dt.date: _date_formatter,
                              bool: _bool_formatter, type(None): lambda v, x, n: ""}
    column_type_formatters_detail = column_type_formatters
    column_type_formatters_export = {}

    def __init__(self, model, *args, **kwargs):
        # Choice columns: labels in lists, dropdown filters, and a plain SelectField in forms
        # (the default converter's field crashes inline editing).
        choice_fields = [f for f in model._meta.sorted_fields if f.choices]
        self.column_choices = {f.name: list(f.choices) for f in choice_fields} | dict(
            self.column_choices or {})
        self.form_overrides = {f.name: SelectField for f in choice_fields} | dict(self.form_overrides)
        self.form_args = {
            f.name: {"choices": ([("", "—")] if f.null else []) + list(f.choices),
                     "coerce": _none_if_empty if f.null else str}
            for f in choice_fields
        } | dict(self.form_args or {})
        # Forms use the same French labels as the columns.
        for name, label in (self.column_labels or {}).items():
            if name in model._meta.fields:
                self.form_args[name] = {"label": label} | self.form_args.get(name, {})
        if "version" in model._meta.fields:
            self.form_overrides = dict(self.form_overrides, version=VersionField)
            if self.form_columns is not None and "version" not in self.form_columns:
                self.form_columns = [*self.form_columns, "version"]
        self.form_excluded_columns = [*(self.form_excluded_columns or ()), "created_at",
                                      "updated_at", "search_text"]
        super().__init__(model, *args, **kwargs)
        if self.column_searchable_list is None and (self.search_columns or self.folded_search_columns):
            self._search_supported = True

    def get_list_form(self):
        """Inline-edit form: validators plus the choices of choice columns (Flask-Admin drops them)."""
        keep = ("validators", "choices", "coerce")
        args = {name: {k: v for k, v in (self.form_args or {}).get(name, {}).items() if k in keep}
                for name in self.column_editable_list}
        return self.scaffold_list_form(validators=args)

    def list_form(self, obj=None):
        """The inline-edit form, checked on each edit; the list page does not build one per row
        (list_table.TableWriter writes the editable cells)."""
        return None if obj is not None else super().list_form()

    def render(self, template, **kwargs):
        if template == self.list_template and "list_columns" in kwargs:
            kwargs["list_table"] = TableWriter(self, kwargs)
        return super().render(template, **kwargs)

    # -- who may do what ---------------------------------------------------------------
    @property
    def role(self):
        user = current_user._get_current_object()  # one context lookup, not two (~25 a page)
        return user.role if user.is_authenticated else None

    def is_accessible(self):
        return current_user.is_authenticated and current_user.is_active and self.role in self.read_roles

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        abort(403)

    # Each Flask-Admin endpoint and the permission it needs beyond reading.
    ENDPOINT_PERMISSIONS = {
        "create_view": "can_create",
        "edit_view": "can_edit",
        "delete_view": "can_delete",
        "action_view": "may_write",
        "details_view": "can_view_details",
        "export": "can_export",
    }

    def _handle_view(self, name, **kwargs):
        response = super()._handle_view(name, **kwargs)
        if response is not None:
            return response
        permission = self.ENDPOINT_PERMISSIONS.get(name)
        if permission and not getattr(self, permission):
            abort(403)
        if name == "action_view" and request.method == "POST" \
                and not self.is_action_allowed(request.form.get("action", "")):
            abort(403)
        # Another group's row (or none at all): the same 404, so nothing leaks its existence.
        if name in ("edit_view", "details_view") and self.get_one(request.args.get("id")) is None:
            abort(404)
        deleting = name == "delete_view" and request.method == "POST"
        if deleting and self.get_one(request.form.get("id")) is None:
            abort(404)
        return None

    @property
    def may_write(self):
        return self.role in self.write_roles

    @property
    def can_create(self):
        return self.role in (self.create_roles or self.write_roles)

    @property
    def can_edit(self):
        return self.may_write

    @property
    def can_delete(self):
        return self.role in (self.delete_roles or self.write_roles)

    @property
    def scoped_group_id(self):
        """The group a referent is limited to, or None (sees every group)."""
        if self.role == "referent" and is_group_owned(self.model):
            return current_user.group_id
        return None

    def may_see_contacts(self, model=None):
        if self.role == "coordination":
            return True
        if self.role == "referent":
            return is_group_owned(self.model)
        return False

    def _visible(self, columns):
        if self.may_see_contacts():
            return columns
        return [c for c in columns if (c[0] if isinstance(c, tuple) else c) not in self.contact_columns]

    # Column lists computed once by Flask-Admin, filtered per request.
    @property
    def _list_columns(self):
        return self._visible(self._all_list_columns)

    @_list_columns.setter
    def _list_columns(self, value):
        self._all_list_columns = value

    @property
    def _details_columns(self):
        return self._visible(self._all_details_columns)

    @_details_columns.setter
    def _details_columns(self, value):
        self._all_details_columns = value

    @property
    def _export_columns(self):
        return self._visible(self._all_export_columns)

    @_export_columns.setter
    def _export_columns(self, value):
        self._all_export_columns = value

    # -- reading: one scoped query for list, count, pager, details, edit, delete, export --
    def _joined_fks(self):
        """The whole ownership chain (so the group is fetched with each row) plus extra joins."""
        fks = []
        for fk in (*OWNERSHIP.get(self.model, ()), *self.extra_joins):
            # identity checks: peewee overloads == on fields, so `in` would always be true
            if not any(fk is seen for seen in fks):
                fks.append(fk)
        return fks

    def get_query(self):
        fks = self._joined_fks()
        query = self.model.select(self.model, *[fk.rel_model for fk in fks])
        for fk in fks:
            kind = JOIN.LEFT_OUTER if fk.null else JOIN.INNER
            query = query.join_from(fk.model, fk.rel_model, kind, on=fk)
        if self.scoped_group_id is not None:
            query = scope_to_group(query, self.model, self.scoped_group_id)
        return query

    def _handle_join(self, query, field, joins):
        model_class = getattr(field, "model", None)
        if model_class is self.model or model_class in {fk.rel_model for fk in self._joined_fks()}:
            return query
        return super()._handle_join(query, field, joins)

    def get_pk_value(self, model):
        # The list carries the version each row was shown at: a stale inline edit is refused.
        version = getattr(model, "version", None)
        return f"{model.id}:{version}" if version is not None else str(model.id)

    @staticmethod
    def parse_pk(value):
        """'12:3' -> (12, 3); '12' -> (12, None); anything else -> (None, None)."""
        head, _, tail = str(value or "").partition(":")
        pk, version = parse_id(head), parse_id(tail) if tail else None
        if pk is None or (tail and version is None):
            return None, None
        return pk, version

    def get_one(self, id):
        pk, _ = self.parse_pk(id)
        if pk is None:
            return None
        if not has_request_context():
            return self.get_query().where(self.model.id == pk).first()
        # Read once per request: the 404 check (_handle_view), then Flask-Admin's view.
        read = g.setdefault("pv_rows", {})
        if (self.endpoint, pk) not in read:
            read[(self.endpoint, pk)] = self.get_query().where(self.model.id == pk).first()
        return read[(self.endpoint, pk)]

    def lean(self, query):
        """The query without what a list and its export never show: of a joined table that has a
        label (a group, an action...), only its id and label, what its cell shows; of the listed
        table, not the columns it never shows (list_omitted). A meeting's group was its 15
        columns, notes and search text included; the details page and forms read whole rows
        (get_query)."""
        kept = []
        for column in query.selected_columns:
            model, name = getattr(column, "model", None), getattr(column, "name", None)
            if not isinstance(column, Field):
                kept.append(column)
            elif model is self.model:
                if name not in self.list_omitted or name in self._shown_columns:
                    kept.append(column)
            elif getattr(model, "label_field", None) is None or name in ("id", model.label_field):
                kept.append(column)
        return query.select(*kept)

    @cached_property
    def _shown_columns(self):
        return {name for name, _ in (*self._list_columns, *self._export_columns)}

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        """Flask-Admin's list query, with our search, on the scoped query (lean: lean())."""
        # The key first: a query built just after midnight is then never kept under the next day.
        memo_key = (self.list_memo_key(page, sort_column, sort_desc, search, filters, page_size)
                    if execute else None)
        query, joins = self.lean(self.get_query()), set()
        if search:
            query = self._apply_search(query, search)
        for index, _name, value in filters or ():
            flt = self._filters[index]
            query = self._handle_join(query, flt.column, joins)
            query = flt.apply(query, flt.clean(value))
        count = capped_count(query, self.model, memo_key) if not self.simple_list_pager else None
        if sort_column is not None:
            order = [(self._sortable_columns[sort_column], sort_desc)]
        else:
            order = self._get_default_order() or []
        query, joins = self._order_by(query, joins, order)
        query = query.order_by_extend(self.model.id.desc() if sort_desc else self.model.id)
        page_size = self.page_size if page_size is None else page_size
        if page_size and page and page > 0 and self.computed_columns:
            # The database computes a per-row column (days late) for every row it skips too:
            # page 81 of the groups ran 4,050 subqueries for 50 rows. The page's ids come first.
            ids = query.select(self.model.id).limit(page_size).offset(page * page_size)
            query = query.where(self.model.id.in_(ids))
        elif page_size:
            query = query.limit(page_size)
            if page and page > 0:
                query = query.offset(page * page_size)
        if not execute:
            return count, query
        return count, list(query._get_cursor_wrapper(_LIST_SQL.execute(("rows", *memo_key), query)))

    def list_memo_key(self, page, sort_column, sort_desc, search, filters, page_size):
        """Everything a list page's queries are built from, besides the view's own settings: the
        role (columns shown), the referent's group (scope), the day (days late), the request's
        arguments and, when filtering, whether the group filter is a dropdown or a search."""
        mode = group_options() is None if filters else None
        return (type(self), self.endpoint, self.role, self.scoped_group_id, dt.date.today(), page,
                sort_column, sort_desc, search, tuple(tuple(f) for f in filters or ()), page_size, mode)

    def search_placeholder(self):
        return "Rechercher (groupe, commune, texte…)"

    def init_search(self):
        return bool(self.search_columns or self.folded_search_columns)

    def _apply_search(self, query, search):
        """Every word must match: folded columns ignore accents and case, the others case."""
        for word in search.split():
            clauses = [col.contains(fold(word)) for col in self.folded_search_columns]
            clauses += [col ** f"%{word}%" for col in self.search_columns]
            if not clauses:
                return query
            condition = clauses[0]
            for clause in clauses[1:]:
                condition |= clause
            query = query.where(condition)
        return query

    def _get_filter_groups(self):
        """Filter dropdowns built per request (a referent's group list is their own group)."""
        if not self._filters:
            return None
        groups = OrderedDict()
        for i, flt in enumerate(self._filters):
            groups.setdefault(str(flt.name), []).append({
                "index": i,
                "arg": self.get_filter_arg(i, flt),
                "operation": str(flt.operation()),
                "options": flt.get_options(self) or None,
                "type": flt.data_type,
            })
        return groups

    # -- forms: every FK dropdown offers only what the user may link to ------------------
    def _limit_choices(self, form):
        group_id = current_user.group_id if self.role == "referent" else None
        for field in form:
            rel = getattr(getattr(field, "query", None), "model", None)
            if rel is None or group_id is None or not is_group_owned(rel):
                continue
            query = join_to_group(rel.select(rel), rel)
            field.query = scope_to_group(query, rel, group_id)
        return form

    def create_form(self, obj=None):
        form = self._limit_choices(super().create_form(obj))
        if hasattr(form, "version"):
            del form.version
        return form

    def edit_form(self, obj=None):
        return self._limit_choices(super().edit_form(obj))

    def on_model_change(self, form, model, is_created):
        """A referent can neither create nor move a row into another group."""
        if self.role == "referent" and is_group_owned(self.model):
            if owner_group_id(model) != current_user.group_id:
                raise ValidationError(NOT_YOUR_GROUP)
        # Rows linked together must belong to the same group (for everyone).
        owner = owner_group_id(model)
        for field in self.model._meta.refs:
            related_id = model.__data__.get(field.name)
            if related_id is None or not is_group_owned(field.rel_model) or field.rel_model is type(model):
                continue
            if owner is None or any(field is fk for fk in OWNERSHIP.get(self.model, ())):
                continue  # the owning chain itself (a meeting's group): nothing to compare, no query
            related = field.rel_model.get_or_none(field.rel_model.id == related_id)
            if related is not None and owner_group_id(related) != owner:
                raise ValidationError(
                    f"« {related} » appartient à un autre groupe que cet enregistrement."
                )

    # -- writing: one transaction, conflicts and errors explained in French --------------
    def _write(self, form, model, is_created):
        """Populate, check, save with inline rows; returns an error message or None."""
        before = dict(model.__data__)
        try:
            with db.atomic():
                form.populate_obj(model)
                if is_created and "version" in model._meta.fields:
                    model.version = 1
                self._on_model_change(form, model, is_created)
                model.save(force_insert=is_created)
                save_inline(form, model)
                self.after_save(model, is_created, before)
        except StaleRecordError as exc:
            return self.conflict_message(exc)
        except RecordGoneError as exc:
            return str(exc)
        except ValidationError as exc:
            return str(exc)
        except IntegrityError:
            return ("Enregistrement refusé : une valeur existe déjà ou une donnée liée est "
                    "invalide. Rien n'a été modifié.")
        return None

    def after_save(self, model, is_created, before):
        """Follow-up writes in the same transaction (a view calls one workflow function here)."""

    def conflict_message(self, exc):
        labels = self.column_labels or {}
        changes = [
            f"{labels.get(field.name, field.name)} : « {format_value(self._display(field, now))} » "
            f"(votre saisie : « {format_value(self._display(field, mine))} »)"
            for field, now, mine in exc.differences()
        ]
        detail = " ; ".join(changes) if changes else "aucun champ en commun"
        return f"{exc} Valeurs enregistrées entre-temps — {detail}."

    def _display(self, field, value):
        choices = dict(field.choices or ())
        return choices.get(value, value)

    def create_model(self, form):
        model = self.model()
        error = self._write(form, model, True)
        if error:
            flash(error, "error")
            return False
        self.after_model_change(form, model, True)
        return model

    def update_model(self, form, model):
        error = self._write(form, model, False)
        if error:
            flash(error, "error")
            return False
        self.after_model_change(form, model, False)
        return True

    def delete_model(self, model):
        try:
            self.on_model_delete(model)
            model.delete_instance()
        except IntegrityError:
            flash("Suppression refusée : d'autres données dépendent de cet enregistrement "
                  "(supprimez-les ou modifiez-les d'abord).", "error")
            return False
        self.after_model_delete(model)
        return True

    @action("delete", "Supprimer", "Supprimer les enregistrements sélectionnés ?")
    def action_delete(self, ids):
        """Bulk delete through the same scoped query and per-row checks as single deletes."""
        pks = [pk for pk, _ in map(self.parse_pk, ids) if pk is not None]
        rows = list(self.get_query().where(self.model.id.in_(pks))) if pks else []
        deleted = 0
        try:
            with db.atomic():
                for row in rows:
                    self.on_model_delete(row)
                    row.delete_instance()
                    deleted += 1
        except IntegrityError:
            flash("Suppression refusée : d'autres données dépendent d'un des enregistrements "
                  "sélectionnés. Rien n'a été supprimé.", "error")
            return
        flash(f"{deleted} enregistrement(s) supprimé(s).", "success")

    def is_action_allowed(self, name):
        if name == "delete":
            return self.can_delete
        return super().is_action_allowed(name)

    @expose("/ajax/update/", methods=("POST",))
    def ajax_update(self):
        """Inline cell edit: same scope, checks, conflict detection and history as the form."""
        if not self.column_editable_list or not self.can_edit:
            return _plain("Modification non autorisée.", 403)
        form = self.list_form()
        for field in list(form):
            if field.name not in request.form and field.name not in ("csrf_token", "list_form_pk"):
                form.__delitem__(field.name)
        if not any(name in self.column_editable_list for name in request.form):
            return _plain("Aucune colonne modifiable dans la demande.", 400)
        if not self.validate_form(form):
            errors = [str(e) for errors in form.errors.values() for e in errors]
            return _plain(" ".join(errors) or "Saisie invalide.", 400)
        pk, seen_version = self.parse_pk(form.list_form_pk.data)
        record = self.get_one(str(pk)) if pk is not None else None
        if record is None:
            return _plain("Enregistrement introuvable ou hors de votre groupe.", 404)
        if seen_version is not None and hasattr(record, "version"):
            record.version = seen_version
        error = self._write(form, record, False)
        if error:
            return _plain(error, 409)
        return _plain("Enregistré.", 200)

    # -- exports of the current filtered view ---------------------------------------------
    @expose("/export/<export_type>/")
    def export(self, export_type):
        return_url = get_redirect_target() or self.get_url(".index_view")
        if not self.can_export or export_type not in self.export_types:
            flash("Format d'export non disponible.", "error")
            return redirect(return_url)
        _, rows = self._export_data()
        headers = [str(label) for _, label in self._export_columns]
        values = [[self.get_export_value(row, name) for name, _ in self._export_columns]
                  for row in rows]
        stamp = dt.datetime.now().strftime("%Y-%m-%d_%H%M")
        filename = f"{self.endpoint}_{stamp}.{export_type}"
        if export_type == "csv":
            body, mimetype = csv_bytes(headers, values), "text/csv"
        else:
            body = xlsx_bytes([(str(self.name), headers, values)])
            mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(body, mimetype=mimetype,
                        headers={"Content-Disposition": f"attachment; filename={filename}"})

    def _get_list_value(self, context, model, name, column_formatters, column_type_formatters):
        return self.cell_text(name, column_formatters, column_type_formatters)(model, context)

    def field_getter(self, name):
        """A function row -> the value of column `name` (_get_field_value's, without splitting the
        name on dots for every cell when the column is a plain attribute and the view keeps
        Flask-Admin's rule)."""
        if "." in name or type(self)._get_field_value is not SecuredModelView._get_field_value:
            return lambda model: self._get_field_value(model, name)
        return lambda model: getattr(model, name, None)

    def cell_text(self, name, column_formatters, column_type_formatters):
        """A function (row, context) -> the text of column `name`, by Flask-Admin's rule (the
        column's formatter or the attribute, then the choice's label or the type's formatter),
        worked out once per column rather than for every cell; an empty value is blank, not "None"."""
        key = (name, id(column_formatters), id(column_type_formatters))
        found = self.__dict__.setdefault("_cell_text_found", {})
        if key in found:
            return found[key]
        formatter = column_formatters.get(name)
        field_value = self.field_getter(name)
        choices = self._column_choices_map.get(name)
        by_type = {}

        def text(model, context=None):
            value = formatter(self, context, model, name) if formatter else field_value(model)
            if choices:
                value = choices.get(value) or value
            else:
                kind = type(value)
                if kind not in by_type:
                    by_type[kind] = next((f for base, f in column_type_formatters.items()
                                          if issubclass(kind, base)), None)
                if by_type[kind] is not None:
                    value = by_type[kind](self, value, name)
            return "" if value is None else value

        found[key] = text
        return text

    def get_export_value(self, model, name):
        """Raw values (dates stay dates), choices as their French label, relations as text."""
        formatter = (self.column_formatters_export or {}).get(name)
        if formatter is not None:
            return formatter(self, None, model, name)
        value = self._get_field_value(model, name)
        choices = self._column_choices_map.get(name, {})
        if choices:
            return choices.get(value, value)
        if isinstance(value, (str, int, float, bool, dt.date)) or value is None:
            return value
        return str(value)

    # -- history on the details page --------------------------------------------------------
    def history(self, model):
        """The record's change-log entries, newest first, with authors fetched in the same query."""
        entries = (ChangeLog.select(ChangeLog, User)
                   .join(User, JOIN.LEFT_OUTER, on=ChangeLog.user)
                   .where(ChangeLog.table_name == self.model._meta.table_name,
                          ChangeLog.record_id == model.id)
                   .order_by(ChangeLog.at.desc(), ChangeLog.id.desc()))
        hidden = set() if self.may_see_contacts(model) else set(self.contact_columns)
        out = []
        for entry in entries:
            old = json.loads(entry.old_value or "{}")
            new = json.loads(entry.new_value or "{}")
            names = sorted((set(old) | set(new)) - hidden - {"id", "created_at", "updated_at",
                                                              "version", "search_text", "password_hash",
                                                              "session_token"})
            changes = [(self._label(n), self._history_value(n, old.get(n)),
                        self._history_value(n, new.get(n))) for n in names]
            out.append({"at": entry.at, "user": entry.user, "kind": entry.kind, "changes": changes})
        return out

    def _label(self, name):
        return (self.column_labels or {}).get(name, name)

    def _history_value(self, name, value):
        field = self.model._meta.fields.get(name)
        if field is not None and field.choices:
            value = dict(field.choices).get(value, value)
        if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            try:
                return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
            except ValueError:
                pass
        return "" if value is None else value


def link_to(endpoint, obj):
    """A safe link to a related row's details page."""
    if obj is None:
        return ""
    return Markup('<a href="{}">{}</a>').format(url_for(endpoint, id=obj.id), escape(str(obj)))

"""Personal data (GDPR), for the coordination team: what is held about a person, export, anonymise.

Thin views over workflows.personal_data. Every route is POST after the first page (no e-mail
address in URLs or server logs) and CSRF-protected; anonymising asks for a confirmation first.
Anyone else than an active coordination account gets a 403 and nothing is read or written.
"""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_admin.menu import MenuLink
from flask_login import current_user

from forms.personal_data import AnonymiseForm, PersonForm, TargetForm
from models import Ally
from workflows.personal_data import (
    PersonalDataError,
    anonymise_person,
    anonymise_preview,
    export_filename,
    export_json,
    export_person,
    find_person,
)

from .auth import login_manager

bp = Blueprint("personal_data", __name__, url_prefix="/admin/donnees-personnelles")


def may_use():
    return current_user.is_authenticated and current_user.is_active and current_user.role == "coordination"


class CoordinationLink(MenuLink):
    """A menu entry shown to the coordination team only."""

    def is_accessible(self):
        return may_use()


def menu_link():
    """The entry in the tables' « Administration » menu (admin.add_link(personal_data.menu_link()))."""
    return CoordinationLink(name="Données personnelles", endpoint="personal_data.index",
                            category="Administration")


@bp.before_request
def _coordination_only():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not may_use():
        abort(403)
    return None


def _ally_choices():
    with_contact = (Ally.contact_name != "") | (Ally.contact_email != "") | (Ally.contact_phone != "")
    allies = Ally.select(Ally.id, Ally.name, Ally.contact_name).where(with_contact).order_by(Ally.name)
    return [("", "—")] + [(str(a.id), f"{a.name} — {a.contact_name or 'contact sans nom'}") for a in allies]


def _target(form):
    """The person a TargetForm names, or a redirect back to the search with the reason."""
    try:
        return find_person(email=form.email.data, ally_id=form.ally.data)
    except PersonalDataError as exc:
        flash(str(exc), "error")
        return None


@bp.route("/", methods=["GET", "POST"])
def index():
    form = PersonForm(request.form)
    form.ally.choices = _ally_choices()
    person = summary = None
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                person = find_person(email=form.email.data, ally_id=form.ally.data)
                summary = export_person(person)
            except PersonalDataError as exc:
                form.form_errors.append(str(exc))
        else:
            status = 400
    target = TargetForm(data={"email": person.email, "ally": person.ally_id or ""}) if person else None
    return render_template("personal/index.html", form=form, person=person, summary=summary,
                           target=target, preview=anonymise_preview(person) if person else None), status


@bp.route("/export", methods=["POST"])
def export():
    form = TargetForm(request.form)
    if not form.validate():
        abort(400)
    person = _target(form)
    if person is None:
        return redirect(url_for(".index")), 303
    return Response(export_json(person) + "\n", mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename={export_filename(person)}",
                             "Cache-Control": "no-store"})


@bp.route("/anonymiser", methods=["POST"])
def anonymise():
    form = AnonymiseForm(request.form)
    if not form.validate():
        abort(400)
    person = _target(form)
    if person is None:
        return redirect(url_for(".index")), 303
    status = 200
    if form.step.data == "confirmer":
        if form.confirm.data:
            try:
                done = anonymise_person(person, actor=current_user)
            except PersonalDataError as exc:
                flash(str(exc), "error")
                return redirect(url_for(".index")), 303
            flash(f"{person.label} : données anonymisées ({done['entrees_historique']} entrée(s) "
                  "d'historique réécrite(s)).", "ok")
            return redirect(url_for(".index")), 303
        form.confirm.errors = ["Cochez la case pour confirmer l'anonymisation."]
        status = 400
    form.step.data = "confirmer"
    return render_template("personal/confirm.html", form=form, person=person,
                           preview=anonymise_preview(person)), status


def init_app(app):
    app.register_blueprint(bp)

"""« Mon groupe »: a referent's home page and short forms, built for phones.

Views stay thin: they pick the group (a referent only ever reaches their own, anything else is
a 404), fill the forms' choices, and hand the data to workflows.records / workflows.campaign,
which hold the rules, the history and the permission checks on every id.
"""
import datetime as dt
import uuid
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from forms.base import Form, clean_text
from forms.campaign import MoveCampaignForm
from forms.group import ActionForm, AllyForm, DemandForm, MeetingForm, VictoryForm
from models import Action, ActionKind, Ally, Demand, Group, GroupAlly, Measure, Meeting
from models.assessment import RATINGS
from models.base import StaleRecordError, parse_id
from models.campaign import SKIP_REASONS, STEPS
from models.meeting import MEETING_STATUSES, MEETING_WITH
from models.prepared import Prepared
from workflows import records
from workflows.campaign import TransitionError, fire
from workflows.definition import STATE_LABELS
from workflows.group_home import current_campaign, group_home

from .auth import login_manager

bp = Blueprint("mon_groupe", __name__, url_prefix="/groupe")
WRITERS = ("coordination", "referent")
READERS = (*WRITERS, "observer")
TEXT_FIELDS = ("StringField", "TextAreaField", "EmailField")
ALREADY_SAVED = "Déjà enregistré (formulaire envoyé deux fois)."


# -- which group, for whom ---------------------------------------------------------------------
@bp.before_request
def _logged_in():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in READERS:
        abort(403)
    if request.method == "POST" and current_user.role not in WRITERS:
        abort(403)
    return None


_GROUP = Prepared(lambda group_id: Group.select().where(Group.id == group_id))  # every group page


def _group(group_id, write=False):
    """The group at this URL if the user may work on it: a referent's own group only (404 else)."""
    if write and current_user.role not in WRITERS:
        abort(403)
    if current_user.role == "referent" and current_user.group_id != group_id:
        abort(404)
    group = _GROUP.first(group_id)
    if group is None:
        abort(404)
    return group


@bp.route("/")
def mine():
    if current_user.role == "referent" and current_user.group_id:
        return redirect(url_for(".home", group_id=current_user.group_id))
    return redirect(url_for("groups.index_view"))


@bp.route("/<int:group_id>/")
def home(group_id):
    group = _group(group_id)
    data = group_home(group, dt.date.today())
    return render_template("group/home.html", group=group, d=data, step_labels=dict(STEPS),
                           can_write=current_user.role in WRITERS, move_form=MoveCampaignForm(),
                           meeting_with=dict(MEETING_WITH), meeting_status=dict(MEETING_STATUSES))


# -- one pattern for every record form -----------------------------------------------------------
@dataclass(frozen=True)
class Page:
    """A record form: its model, form class, title, and how to save it."""

    model: type
    form: type
    title: str
    new_title: str
    save: object  # save(group, form, record) -> (row, created)
    choices: object = None  # choices(form, group, record)
    done: str = "Enregistré."


def _values(form, names):
    """The fields' data; an absent text field is an empty text, never NULL."""
    values = {name: form[name].data for name in names if name in form}
    return {name: "" if value is None and form[name].type in TEXT_FIELDS else value
            for name, value in values.items()}


def _version(form):
    return parse_id(form.version.data)


def _prefill(form):
    """Fields named in the query string start with that value (links in reminders)."""
    query = MultiDict((k, v) for k, v in request.args.items(multi=True) if k in form and k not in (
        "csrf_token", "token", "version"))
    for name in set(query):
        form[name].process(query)


def record_page(group, page, template="group/form.html", **context):
    record = None
    if request.args.get("id"):
        try:
            record = records.owned(page.model, request.args["id"], group)
        except records.RecordError:
            abort(404)
    posted = request.method == "POST"
    form = page.form(request.form if posted else None, obj=record)
    if page.choices:
        page.choices(form, group, record)
    if posted and record is None and records.already_submitted(form.token.data):
        # before validating: the first submit changed the choices (an ally is now linked)
        flash(ALREADY_SAVED, "success")
        return redirect(url_for(".home", group_id=group.id))
    if not posted:
        _prefill(form)
        form.token.data = "" if record else uuid.uuid4().hex
        form.version.data = record.version if record else ""
    conflict, status = None, 200
    if posted and form.validate():
        try:
            row, created = page.save(group, form, record)
        except records.RecordError as exc:
            _field_error(form, exc)
            status = 400
        except StaleRecordError as exc:
            conflict, status = _conflict(form, exc), 409
        else:
            flash(page.done if created or record else ALREADY_SAVED, "success")
            return redirect(url_for(".home", group_id=group.id))
    elif posted:
        status = 400
    title = page.title if record else page.new_title
    return render_template(template, group=group, form=form, title=title, record=record,
                           conflict=conflict, **context), status


def _field_error(form, exc):
    if exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


def _conflict(form, exc):
    """What the other person changed: [(label, their value, yours)]; the form keeps your values
    and now carries the current version, so saving again is a deliberate overwrite."""
    shown = form.ally_version if isinstance(exc.model, Ally) else form.version  # the row that changed
    shown.data = exc.current.get("version", "")
    rows = []
    for field, theirs, mine in exc.differences():
        label = form[field.name].label.text if field.name in form else field.name
        choices = dict(field.choices or ())
        rows.append((label, choices.get(theirs, _show(theirs)), choices.get(mine, _show(mine))))
    return rows


def _show(value):
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return "—" if value in (None, "") else str(value)


# -- the forms ----------------------------------------------------------------------------------
def _demand_choices(form, group, record=None):
    demands = Demand.select().where(Demand.group == group.id).order_by(Demand.title)
    form.demand.choices = [(None, "— aucune —"), *[(d.id, d.title) for d in demands]]


def _action_choices(form, group, record):
    form.kind.choices = [(None, "— choisir —"), *[(k.id, k.label) for k in
                                                  ActionKind.select().order_by(ActionKind.label)]]
    _demand_choices(form, group)


def _ally_choices(form, group, record):
    linked = GroupAlly.select(GroupAlly.ally).where(GroupAlly.group == group.id)
    if record is not None:
        linked = linked.where(GroupAlly.id != record.id)  # the ally being edited stays a valid choice
    allies = Ally.select(Ally.id, Ally.name, Ally.town).where(Ally.id.not_in(linked)).order_by(Ally.name)
    form.ally.choices = [(None, "— nouvel allié —"), *[(a.id, f"{a.name} ({a.town})" if a.town else a.name)
                                                       for a in allies]]
    if record is not None and request.method != "POST":
        for name in records.ALLY_FIELDS:
            form[name].data = getattr(record.ally, name)
        form.ally_version.data = record.ally.version


def _demand_form_choices(form, group, record):
    form.measures.choices = [(m.id, f"#{m.number:02d} {m.title}")
                             for m in Measure.select().order_by(Measure.number)]
    if record is not None and request.method != "POST":
        form.measures.data = [link.measure_id for link in record.measure_links]


MEETING = Page(Meeting, MeetingForm, "Modifier le rendez-vous", "Signaler un rendez-vous",
               lambda group, form, record: records.save_meeting(
                   group, _values(form, records.MEETING_FIELDS), meeting_id=record and record.id,
                   version=_version(form), token=form.token.data),
               done="Rendez-vous enregistré.")
ACTION = Page(Action, ActionForm, "Modifier l'action", "Prévoir une action",
              lambda group, form, record: records.save_action(
                  group, _values(form, records.ACTION_FIELDS), action_id=record and record.id,
                  version=_version(form), token=form.token.data),
              choices=_action_choices, done="Action enregistrée.")
ALLY = Page(GroupAlly, AllyForm, "Modifier l'allié", "Ajouter un allié",
            lambda group, form, record: records.save_ally(
                group, _values(form, records.ALLY_FIELDS) if (record or not form.ally.data) else {},
                _values(form, ("status", "note")), ally_id=form.ally.data, link_id=record and record.id,
                ally_version=parse_id(form.ally_version.data),
                link_version=_version(form), token=form.token.data),
            choices=_ally_choices, done="Allié enregistré.")
DEMAND = Page(Demand, DemandForm, "Modifier la demande", "Proposer une demande",
              lambda group, form, record: records.save_demand(
                  group, _values(form, records.DEMAND_FIELDS), form.measures.data or [],
                  demand_id=record and record.id, version=_version(form), token=form.token.data),
              choices=_demand_form_choices, done="Demande enregistrée.")
VICTORY = Page(Demand, VictoryForm, "Victoire", "Enregistrer une victoire",
               lambda group, form, record: records.record_victory(
                   group, _values(form, ("title", "demand", "obtained_on", "publicity")),
                   token=form.token.data),
               choices=_demand_choices, done="Bravo ! Victoire enregistrée.")


@bp.route("/<int:group_id>/rendez-vous", methods=("GET", "POST"))
def meeting(group_id):
    return record_page(_group(group_id), MEETING)


@bp.route("/<int:group_id>/action", methods=("GET", "POST"))
def action(group_id):
    group = _group(group_id)
    items, checklist_form = [], None
    action_id = parse_id(request.args.get("id"))
    if action_id is not None:
        found = Action.get_or_none(Action.id == action_id, Action.group == group.id)
        if found is not None:
            items, checklist_form = list(found.checklist.order_by("position", "id")), Form()
    return record_page(group, ACTION, "group/action.html", items=items, checklist_form=checklist_form)


@bp.route("/<int:group_id>/action/<int:action_id>/checklist", methods=("POST",))
def checklist(group_id, action_id):
    group = _group(group_id, write=True)
    form = Form(request.form)
    back = url_for(".action", group_id=group.id, id=action_id)
    if not form.validate():
        flash("La page a expiré : rechargez-la puis réessayez.", "error")
        return redirect(back), 400
    done = [i for i in map(parse_id, request.form.getlist("done")) if i is not None]
    versions = {}
    for key, value in request.form.items():
        item_id, version = parse_id(key.removeprefix("v_")), parse_id(value)
        if key.startswith("v_") and item_id is not None and version is not None:
            versions[item_id] = version
    try:
        changed = records.tick_checklist(group, action_id, done, versions)
    except records.RecordError:
        abort(404)
    except StaleRecordError:
        flash("Quelqu'un d'autre a modifié cette checklist entre-temps : voici son état actuel, "
              "cochez à nouveau.", "error")
        return redirect(back), 409
    flash(f"Checklist enregistrée ({changed} changement(s)).", "success")
    return redirect(back)


@bp.route("/<int:group_id>/allie", methods=("GET", "POST"))
def ally(group_id):
    return record_page(_group(group_id), ALLY)


@bp.route("/<int:group_id>/demande", methods=("GET", "POST"))
def demand(group_id):
    return record_page(_group(group_id), DEMAND)


@bp.route("/<int:group_id>/victoire", methods=("GET", "POST"))
def victory(group_id):
    if request.args.get("id"):
        abort(404)  # victories are recorded here, corrected in the tables
    return record_page(_group(group_id), VICTORY)


@bp.route("/<int:group_id>/etat-des-lieux", methods=("GET", "POST"))
def assessment(group_id):
    """Rate the commune on every measure of the group's themes, in one page."""
    group = _group(group_id)
    measures = records.assessment_measures(group)
    current = {r.measure_id: r for r in group.assessment}
    form = Form(request.form if request.method == "POST" else None)
    errors, conflict, status = {}, False, 200
    if request.method == "POST":
        ratings, errors = _read_ratings(measures)
        if not form.validate():
            errors[None] = "La page a expiré : rechargez-la puis réessayez."
        if errors:
            status = 400
        else:
            try:
                changed = records.save_assessment(group, ratings)
            except records.RecordError as exc:
                errors[None], status = str(exc), 400
            except StaleRecordError:
                conflict, status = True, 409
                current = {r.measure_id: r for r in group.assessment}
            else:
                flash(f"État des lieux enregistré ({changed} mesure(s) modifiée(s)).", "success")
                return redirect(url_for(".home", group_id=group.id))
    rows = [_rating_row(m, current.get(m.id), request.form if request.method == "POST" and not conflict
                        else None) for m in measures]
    return render_template("group/assessment.html", group=group, form=form, rows=rows, ratings=RATINGS,
                           errors=errors, conflict=conflict, title="État des lieux de la commune"), status


NOTE_MAX = 5000


def _read_ratings(measures):
    ratings, errors, known = {}, {}, dict(RATINGS)
    for m in measures:
        rating = request.form.get(f"rating_{m.id}", "non_evalue")
        ambition = request.form.get(f"ambition_{m.id}", "")
        version = request.form.get(f"version_{m.id}", "")
        if rating not in known:
            errors[m.id] = "Choisissez un avancement dans la liste."
        if ambition not in ("", "1", "2", "3"):
            errors[m.id] = "Le niveau d'ambition va de 1 à 3."
        note = clean_text(request.form.get(f"note_{m.id}", "")).strip()
        if len(note) > NOTE_MAX:
            errors[m.id] = f"La note dépasse {NOTE_MAX} caractères ({len(note)}) : raccourcissez-la."
        ratings[m.id] = (rating, int(ambition) if ambition in ("1", "2", "3") else None, note,
                         parse_id(version))
    return ratings, errors


def _rating_row(measure, rating, posted):
    if posted is not None:
        values = {k: posted.get(f"{k}_{measure.id}", "") for k in ("rating", "ambition", "note", "version")}
    else:
        values = {"rating": rating.rating if rating else "non_evalue",
                  "ambition": str(rating.ambition_level or "") if rating else "",
                  "note": rating.note if rating else "", "version": rating.version if rating else ""}
    return {"measure": measure, **values}


@bp.route("/<int:group_id>/campagne", methods=("GET", "POST"))
def move(group_id):
    """Move the campaign: the transitions allowed now, with a comment; skipping asks for the reason."""
    group = _group(group_id)
    campaign = current_campaign(group)
    if campaign is None:
        abort(404)
    form = MoveCampaignForm(request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.validate() and form.campaign.data == campaign.id:
            try:
                moved = fire(campaign, form.event.data, actor=current_user._get_current_object(),
                             comment=form.comment.data or "", skip_reason=form.skip_reason.data or None,
                             expected_version=form.version.data)
            except TransitionError as exc:
                form.form_errors.append(str(exc))
                status = 409
            else:
                flash(f"Campagne passée à l'étape « {STATE_LABELS[moved.state]} ».", "success")
                return redirect(url_for(".home", group_id=group.id))
        else:
            status = 400
            if form.campaign.data != campaign.id and not form.errors:
                form.form_errors.append("Cette campagne n'est pas celle du groupe.")
    event = request.values.get("event", "")
    data = group_home(group, dt.date.today())
    return render_template("group/move.html", group=group, form=form, d=data, event=event,
                           skip_reasons=SKIP_REASONS, title="Faire avancer la campagne"), status


def init_app(app):
    app.register_blueprint(bp)

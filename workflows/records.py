"""What a referent reports about their group, written with the same rules as the tables.

Every function here takes the group the writer acts for and checks on the server that each id
it is given (the record, a demand, an action, a checklist item) belongs to that group. Writes
go through the audited models (one change-log entry per change, the current actor) inside one
transaction; a record saved from a stale form raises StaleRecordError and writes nothing.
Create forms carry a one-time token: posting the same form twice returns the first row.
"""
import datetime as dt

from peewee import IntegrityError

from models import (
    Action,
    Ally,
    AssessmentRating,
    ChecklistItem,
    Demand,
    DemandMeasure,
    FormSubmission,
    GroupAlly,
    Measure,
    Meeting,
    ThemeMeasure,
    Victory,
    utcnow,
)
from models.audit import current_actor
from models.base import StaleRecordError, parse_id
from models.database import write_transaction
from models.group import GroupTheme
from models.ownership import owner_group_id

from .actions import sync_checklist


class RecordError(ValueError):
    """Refused input; `field` names the form field the French message belongs to (or None)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


NOT_FOUND = "Introuvable dans votre groupe : la page a peut-être été ouverte pour un autre groupe."


def owned(model, record_id, group):
    """The row of `model` with this id if it belongs to `group`, else RecordError."""
    record_id = parse_id(record_id)
    row = model.get_or_none(model.id == record_id) if record_id is not None else None
    if row is None or owner_group_id(row) != group.id:
        raise RecordError(NOT_FOUND)
    return row


# -- the domain rules of what referents report (the tables call the same functions) ----------
def meeting_problems(status, date, today):
    """[(field, French message)] wrong with a meeting's status and date."""
    if status == "tenu" and date is None:
        return [("date", "Indiquez la date à laquelle le rendez-vous s'est tenu.")]
    if status == "tenu" and date > today:
        return [("date", "Un rendez-vous tenu ne peut pas avoir lieu dans le futur : "
                         "choisissez « Programmé » ou corrigez la date.")]
    return []


def action_problems(status, date, people_mobilised, today):
    """[(field, French message)] wrong with an action's status, date and turnout."""
    problems = []
    if status in ("realisee", "debriefee") and date is not None and date > today:
        problems.append(("date", "Une action réalisée ne peut pas être datée dans le futur."))
    if people_mobilised is not None and people_mobilised < 0:
        problems.append(("people_mobilised", "Le nombre de personnes mobilisées ne peut pas être négatif."))
    return problems


def _refuse(problems):
    if problems:
        field, message = problems[0]
        raise RecordError(message, field)


# -- one save path for every form --------------------------------------------------------------
def already_submitted(token):
    """Whether a create form carrying this one-time token was saved already."""
    return bool(token) and FormSubmission.select().where(FormSubmission.token == token).exists()


def _already_submitted(model, token):
    if not token:
        return None
    done = FormSubmission.get_or_none(FormSubmission.token == token)
    if done is None:
        return None
    return model.get_or_none(model.id == done.record_id)


def _save(model, group, values, record_id=None, version=None, token=None, after=None, before=None):
    """Create (record_id None) or update one group-owned row; returns (row, created).

    `before(row)` and `after(row, previous values)` run in the same transaction (a new ally,
    checklists, linked measures).
    """
    previous = _already_submitted(model, token)
    if previous is not None:
        return previous, False
    try:
        with write_transaction():
            if record_id is None:
                row = model(group=group, **values)
            else:
                row = owned(model, record_id, group)
                stored = dict(row.__data__)
                if version is not None:
                    row.version = version  # the version the form was shown at
                for name, value in values.items():
                    setattr(row, name, value)
            if before is not None:
                before(row)
            row.save()
            if after is not None:
                after(row, None if record_id is None else stored)
            if record_id is None and token:
                actor = current_actor()
                FormSubmission.create(token=token, user=actor.id if actor else None,
                                      table_name=model._meta.table_name, record_id=row.id)
    except IntegrityError:
        # The same form posted twice at once: the other request won and holds the row.
        previous = _already_submitted(model, token)
        if previous is not None:
            return previous, False
        raise RecordError("Enregistrement refusé : une valeur est en double ou hors limites.") from None
    return row, record_id is None


def _check_same_group(group, model, record_id, field):
    if record_id is not None:
        try:
            owned(model, record_id, group)
        except RecordError:
            raise RecordError("Choisissez une entrée de votre groupe.", field) from None


# -- the records -------------------------------------------------------------------------------
MEETING_FIELDS = ("with_whom", "contact_name", "status", "requested_on", "date", "outcome", "follow_up_on")


def save_meeting(group, values, *, meeting_id=None, version=None, token=None, today=None):
    """Report a meeting requested, held or cancelled (with whom, date, outcome, follow-up)."""
    values = {k: values[k] for k in MEETING_FIELDS if k in values}
    _refuse(meeting_problems(values.get("status"), values.get("date"), today or dt.date.today()))
    return _save(Meeting, group, values, meeting_id, version, token)


ACTION_FIELDS = ("kind", "title", "status", "date", "place", "difficulty", "energy", "people_expected",
                 "people_mobilised", "press_articles", "press_notes", "demand")


def save_action(group, values, *, action_id=None, version=None, token=None, today=None):
    """Plan or report an action; its checklist is created, then follows the action's date."""
    values = {k: values[k] for k in ACTION_FIELDS if k in values}
    if "press_articles" in values and values["press_articles"] is None:
        values["press_articles"] = 0
    _refuse(action_problems(values.get("status"), values.get("date"), values.get("people_mobilised"),
                            today or dt.date.today()))
    _check_same_group(group, Demand, values.get("demand"), "demand")

    def checklist(row, before):
        sync_checklist(row, previous_date=(before or {}).get("date"))

    return _save(Action, group, values, action_id, version, token, after=checklist)


def tick_checklist(group, action_id, done_ids, versions):
    """Set each item of the action done or not; `versions` maps item id to the version shown."""
    action = owned(Action, action_id, group)
    done_ids = set(done_ids)
    changed = 0
    with write_transaction():
        for item in ChecklistItem.select().where(ChecklistItem.action == action.id):
            done = item.id in done_ids
            if done == item.done:
                continue
            if item.id in versions and versions[item.id] != item.version:
                raise StaleRecordError(item, dict(item.__data__))
            item.done, item.done_at = done, utcnow() if done else None
            item.save()
            changed += 1
    return changed


ALLY_FIELDS = ("name", "kind", "town", "website", "contact_name", "contact_email", "contact_phone")


def save_ally(group, ally_values, link_values, *, ally_id=None, link_id=None, ally_version=None,
              link_version=None, token=None):
    """Add an ally to the group (an existing one or a new one), or update an ally and where the
    group stands with it. Allies are shared by the network; the relationship is the group's."""
    previous = _already_submitted(GroupAlly, token)
    if previous is not None:
        return previous, False  # before the checks below, which the first submit now fails
    ally_values = {k: ally_values[k] for k in ALLY_FIELDS if k in ally_values}
    link_values = {k: link_values[k] for k in ("status", "note") if k in link_values}
    if link_id is not None:
        link = owned(GroupAlly, link_id, group)
        ally_id = link.ally_id
    elif ally_id is not None:
        if Ally.get_or_none(Ally.id == ally_id) is None:
            raise RecordError("Allié introuvable.", "ally")
        if GroupAlly.get_or_none(GroupAlly.group == group.id, GroupAlly.ally == ally_id) is not None:
            raise RecordError("Cet allié est déjà parmi ceux du groupe : modifiez la relation existante.",
                              "ally")
    elif not ally_values.get("name"):
        raise RecordError("Choisissez un allié existant ou donnez le nom d'un nouvel allié.", "name")
    elif Ally.get_or_none(Ally.name == ally_values["name"]) is not None:
        raise RecordError("Un allié porte déjà ce nom : choisissez-le dans la liste.", "name")

    def ally_first(row):
        if link_id is None and ally_id is None:
            row.ally = Ally.create(**ally_values)
        elif link_id is not None and ally_values:
            ally = Ally.get_by_id(ally_id)
            if ally_version is not None:
                ally.version = ally_version
            for name, value in ally_values.items():
                setattr(ally, name, value)
            ally.save()

    if link_id is None and ally_id is not None:
        link_values["ally"] = ally_id
    return _save(GroupAlly, group, link_values, link_id, link_version, token, before=ally_first)


def assessment_measures(group):
    """The Pacte measures of the group's themes, in number order."""
    themes = GroupTheme.select(GroupTheme.theme).where(GroupTheme.group == group.id)
    return list(Measure.select().distinct().join(ThemeMeasure)
                .where(ThemeMeasure.theme.in_(themes)).order_by(Measure.number))


def save_assessment(group, ratings):
    """Rate the commune on several measures at once: {measure_id: (rating, ambition, note, version)}.

    All or nothing: a rating changed by someone else since the page was shown refuses the whole page.
    """
    allowed = {m.id for m in assessment_measures(group)}
    existing = {r.measure_id: r for r in AssessmentRating.select().where(AssessmentRating.group == group.id)}
    changed = 0
    with write_transaction():
        for measure_id, (rating, ambition, note, version) in sorted(ratings.items()):
            if measure_id not in allowed:
                raise RecordError("Cette mesure ne fait pas partie des thèmes du groupe.")
            row = existing.get(measure_id)
            if row is None:
                if rating == "non_evalue" and ambition is None and not note:
                    continue
                row = AssessmentRating(group=group.id, measure=measure_id)
            elif (row.rating, row.ambition_level, row.note) == (rating, ambition, note):
                continue
            elif version is None:  # the page showed it unrated: someone rated it meanwhile
                raise StaleRecordError(row, dict(row.__data__))
            else:
                row.version = version
            row.rating, row.ambition_level, row.note = rating, ambition, note
            row.save()
            changed += 1
    return changed


DEMAND_FIELDS = ("title", "text", "horizon", "target_date", "status")


def save_demand(group, values, measure_ids, *, demand_id=None, version=None, token=None):
    """Propose or update a demand and the Pacte measures it relates to."""
    values = {k: values[k] for k in DEMAND_FIELDS if k in values}
    measure_ids = set(measure_ids)
    known = Measure.select().where(Measure.id.in_(measure_ids)).count() if measure_ids else 0
    if known != len(measure_ids):
        raise RecordError("Mesure du Pacte inconnue.", "measures")

    def measures(row, before):
        links = {link.measure_id: link for link in row.measure_links}
        for measure_id in measure_ids - set(links):
            DemandMeasure.create(demand=row, measure=measure_id)
        for measure_id in set(links) - measure_ids:
            links[measure_id].delete_instance()

    return _save(Demand, group, values, demand_id, version, token, after=measures)


def record_victory(group, values, *, token=None, today=None):
    """A victory, optionally on one of the group's demands (then marked obtained)."""
    values = {k: values[k] for k in ("title", "demand", "obtained_on", "publicity") if k in values}
    if values.get("obtained_on") and values["obtained_on"] > (today or dt.date.today()):
        raise RecordError("Une victoire ne peut pas être datée dans le futur.", "obtained_on")
    _check_same_group(group, Demand, values.get("demand"), "demand")

    def obtained(row, before):
        if row.demand_id is not None:
            demand = Demand.get_by_id(row.demand_id)
            if demand.status != "obtenue":
                demand.status = "obtenue"
                demand.save()

    return _save(Victory, group, values, None, None, token, after=obtained)

"""Personal data of volunteers (accounts, ally contacts): export everything held, or anonymise it.

A person is found by e-mail (their account, the allies and groups whose contact address is
theirs, their login attempts) or by ally (that ally's contact). `export_person` gathers what is
held about them; `anonymise_person` replaces it with neutral values, disables the account, and
erases the personal values from the change log while keeping the fact that changes were made.
Coordination only (the CLI and the page at /admin/donnees-personnelles/ check it).
"""
import datetime as dt
import json
import re
from dataclasses import dataclass, field

from peewee import fn

from models import Ally, ChangeLog, Group, Transition, User, utcnow
from models.audit import to_text
from models.base import parse_id
from models.database import write_transaction
from models.login_attempt import LoginAttempt
from models.user import ROLES

from .accounts import normalize_email, unusable_password_hash

ERASED = "[effacé]"
MASKED = "[masqué]"
# Values that already hide nothing personal (the user model writes secrets to the log as "(masqué)").
NOTHING_TO_ERASE = (None, "", ERASED, MASKED, "(masqué)")
ANONYMOUS_NAME = "Personne anonymisée"
# Never exported, erased from the change log with the rest.
SECRETS = ("password_hash", "session_token")
# The columns of each table that hold someone's personal data (search_text copies the contact name).
PERSONAL_FIELDS = {
    "user": ("email", "full_name", "phone", *SECRETS),
    "ally": ("contact_name", "contact_email", "contact_phone", "search_text"),
    "group": ("contact_email", "contact_phone"),
}


class PersonalDataError(ValueError):
    """Nobody matches, or the operation is refused; the message is for the user (French)."""


@dataclass
class Person:
    """Where one person's data lives."""

    email: str = ""
    user: User | None = None
    allies: list = field(default_factory=list)  # allies they are the contact of
    groups: list = field(default_factory=list)  # groups whose contact address is theirs
    ally_id: int | None = None  # found by ally rather than by e-mail

    @property
    def label(self):
        if self.ally_id is not None:
            return f"le contact de l'allié « {self.allies[0].name} »"
        return self.email

    @property
    def empty(self):
        return self.user is None and not self.allies and not self.groups and not self.login_attempts()

    def login_attempts(self):
        if not self.email:
            return []
        return list(LoginAttempt.select().where(LoginAttempt.email == self.email).order_by(LoginAttempt.at))


def find_person(email=None, ally_id=None):
    """The person named by an e-mail address or an ally id (exactly one of them)."""
    email = normalize_email(email)
    ally_text = str(ally_id).strip() if ally_id not in (None, "") else ""
    if bool(email) == bool(ally_text):
        raise PersonalDataError("Indiquez soit une adresse e-mail, soit un allié (et pas les deux).")
    if ally_text:
        ally = Ally.get_or_none(Ally.id == parse_id(ally_text)) if parse_id(ally_text) is not None else None
        if ally is None:
            raise PersonalDataError(f"Aucun allié n° {ally_text}.")
        return Person(allies=[ally], ally_id=ally.id)
    person = Person(
        email=email,
        user=User.get_or_none(User.email == email),
        allies=list(Ally.select().where(fn.LOWER(Ally.contact_email) == email).order_by(Ally.name)),
        groups=list(Group.select().where(fn.LOWER(Group.contact_email) == email).order_by(Group.name)),
    )
    if person.empty:
        raise PersonalDataError(f"Aucune donnée personnelle trouvée pour {email}.")
    return person


# -- export --------------------------------------------------------------------------------------
def _values(text, keep=None, mask=()):
    """A change-log JSON object: only `keep` keys (all when None), `mask` keys masked, secrets dropped."""
    data = json.loads(text) if text else {}
    return {k: (MASKED if k in mask and v not in (None, "") else v) for k, v in sorted(data.items())
            if k not in SECRETS and (keep is None or k in keep)}


def _entry(entry, keep=None, mask=()):
    return {"le": to_text(entry.at), "table": entry.table_name, "enregistrement": entry.record_id,
            "type": entry.kind, "champs": entry.field,
            "avant": _values(entry.old_value, keep, mask), "apres": _values(entry.new_value, keep, mask)}


def _history_about(person):
    """Change-log entries on their account, and the contact fields of their allies and groups."""
    targets = [("user", [person.user.id] if person.user else [], None),
               ("ally", [a.id for a in person.allies], PERSONAL_FIELDS["ally"][:3]),
               ("group", [g.id for g in person.groups], PERSONAL_FIELDS["group"])]
    out = []
    for table, ids, keep in targets:
        if not ids:
            continue
        entries = (ChangeLog.select()
                   .where(ChangeLog.table_name == table, ChangeLog.record_id.in_(ids))
                   .order_by(ChangeLog.at, ChangeLog.id))
        for entry in entries:
            item = _entry(entry, keep)
            if item["avant"] or item["apres"]:
                out.append(item)
    return out


def export_person(person, now=None):
    """Everything held about the person, as a JSON-ready dict (French keys: it is handed to them)."""
    user = person.user
    out = {"exporte_le": to_text(now or utcnow()), "personne": person.label}
    out["compte"] = None if user is None else {
        "id": user.id, "email": user.email, "nom": user.full_name, "telephone": user.phone,
        "role": dict(ROLES)[user.role], "actif": user.is_active, "cree_le": to_text(user.created_at),
        "modifie_le": to_text(user.updated_at), "derniere_connexion": to_text(user.last_login_at),
    }
    group = user.group if user is not None and user.group_id else None
    out["groupe_refere"] = None if group is None else {
        "id": group.id, "nom": group.name, "commune": group.commune}
    out["contact_d_allies"] = [{"allie_id": a.id, "allie": a.name, "nom": a.contact_name,
                                "email": a.contact_email, "telephone": a.contact_phone}
                               for a in person.allies]
    out["contact_de_groupes"] = [{"groupe_id": g.id, "groupe": g.name, "email": g.contact_email,
                                  "telephone": g.contact_phone} for g in person.groups]
    out["historique_les_concernant"] = _history_about(person)
    out["modifications_faites"] = [] if user is None else [
        # Values they wrote about other people are not theirs to receive.
        _entry(e, mask=PERSONAL_FIELDS.get(e.table_name, ()))
        for e in ChangeLog.select().where(ChangeLog.user == user).order_by(ChangeLog.at, ChangeLog.id)]
    out["etapes_de_campagne"] = [] if user is None else [
        {"le": to_text(t.at), "campagne": t.campaign_id, "evenement": t.event, "de": t.from_state,
         "vers": t.to_state, "commentaire": t.comment}
        for t in Transition.select().where(Transition.actor == user).order_by(Transition.at)]
    out["tentatives_de_connexion"] = [
        {"le": to_text(a.at), "adresse": a.address, "reussie": a.succeeded} for a in person.login_attempts()]
    return out


def export_json(person, now=None):
    return json.dumps(export_person(person, now), ensure_ascii=False, indent=2)


def export_filename(person, now=None):
    if person.ally_id is not None:
        who = f"allie-{person.ally_id}"
    else:
        who = re.sub(r"[^a-z0-9]+", "-", person.email)
    return f"donnees-personnelles-{who.strip('-')}-{(now or dt.date.today()):%Y%m%d}.json"


# -- anonymisation -------------------------------------------------------------------------------
def anonymous_email(user):
    return f"anonyme-{user.id}@anonyme.invalid"


def _last_coordinator(user):
    return user.role == "coordination" and user.is_active and not User.select().where(
        User.role == "coordination", User.is_active == True, User.id != user.id).exists()  # noqa: E712


def anonymise_preview(person):
    """What anonymising would change, one French line per record (shown before confirming)."""
    lines = []
    if person.user is not None:
        lines.append(f"Compte {person.user.email} : nom, e-mail et téléphone remplacés, compte désactivé.")
    lines += [f"Allié « {a.name} » : nom, e-mail et téléphone du contact effacés." for a in person.allies]
    lines += [f"Groupe « {g.name} » : e-mail de contact effacé (et le téléphone, si c'est le sien)."
              for g in person.groups]
    attempts = len(person.login_attempts())
    if attempts:
        lines.append(f"{attempts} tentative(s) de connexion supprimée(s).")
    lines.append(f"Historique : ces valeurs remplacées par « {ERASED} » (les modifications restent datées).")
    return lines


def anonymise_person(person, actor=None):
    """Replace the person's data with neutral values, in one transaction; returns counts.

    Writes go through the models (so the anonymisation itself is in the change log, by `actor`
    or the system), then the change log is rewritten by `erase_from_change_log`.
    """
    user = person.user
    if user is not None and actor is not None and user.id == actor.id:
        raise PersonalDataError("Vous ne pouvez pas anonymiser votre propre compte : demandez-le à une "
                                "autre personne de la coordination.")
    with write_transaction():
        if user is not None:
            user = User.get_by_id(user.id)  # fresh version, inside the transaction
            if _last_coordinator(user):
                raise PersonalDataError("C'est le dernier compte de coordination actif : créez-en un autre "
                                        "avant de l'anonymiser.")
            old_phone = user.phone
            user.full_name, user.email, user.phone = ANONYMOUS_NAME, anonymous_email(user), ""
            user.is_active = False
            user.password_hash = unusable_password_hash()
            user.end_sessions()
            user.save()
        for ally in person.allies:
            ally = Ally.get_by_id(ally.id)
            ally.contact_name = ally.contact_email = ally.contact_phone = ""
            ally.save()
        for group in person.groups:
            group = Group.get_by_id(group.id)
            erase_phone = user is not None and old_phone and group.contact_phone == old_phone
            group.contact_email = ""
            if erase_phone:
                group.contact_phone = ""
            group.save()
        attempts = (LoginAttempt.delete().where(LoginAttempt.email == person.email).execute()
                    if person.email else 0)
        rewritten = 0
        if user is not None:
            rewritten += erase_from_change_log("user", [user.id], PERSONAL_FIELDS["user"],
                                               keep={ANONYMOUS_NAME, anonymous_email(user)})
        rewritten += erase_from_change_log("ally", [a.id for a in person.allies], PERSONAL_FIELDS["ally"])
        values = {person.email} | ({old_phone} if user is not None and old_phone else set())
        rewritten += erase_from_change_log("group", [g.id for g in person.groups], PERSONAL_FIELDS["group"],
                                           only=values)
    return {"comptes": int(user is not None), "allies": len(person.allies), "groupes": len(person.groups),
            "entrees_historique": rewritten, "tentatives_de_connexion": attempts}


def _erase(text, keys, keep, only):
    if not text:
        return text
    data = json.loads(text)
    changed = False
    for key, value in data.items():
        if key not in keys or value in NOTHING_TO_ERASE or value in keep:
            continue
        if only is not None and str(value).strip().lower() not in only:
            continue
        data[key], changed = ERASED, True
    return json.dumps(data, ensure_ascii=False, sort_keys=True) if changed else text


def erase_from_change_log(table, record_ids, keys, keep=(), only=None):
    """Replace the values of `keys` with "[effacé]" in the change-log entries of these records.

    The change log is append-only: ChangeLog.save() and delete_instance() refuse to rewrite an
    entry, so that no ordinary code path can alter history. The right to erasure is the one
    exception, and it is made here, explicitly, with an SQL UPDATE of `old_value` / `new_value`
    only: the entry itself (when, who, which record, which fields) stays, so the history still
    shows that a change was made and by whom, without the erased values. `keep` lists neutral
    values left as they are; with `only`, just the values in it (lowercased) are erased.
    Returns the number of entries rewritten. Call it inside the anonymising transaction.
    """
    if not record_ids:
        return 0
    only = None if only is None else {str(v).strip().lower() for v in only if v}
    entries = (ChangeLog.select(ChangeLog.id, ChangeLog.old_value, ChangeLog.new_value)
               .where(ChangeLog.table_name == table, ChangeLog.record_id.in_(list(record_ids)))
               .tuples())
    rewritten = 0
    for entry_id, old, new in list(entries):
        erased_old, erased_new = _erase(old, keys, set(keep), only), _erase(new, keys, set(keep), only)
        if (erased_old, erased_new) != (old, new):
            (ChangeLog.update(old_value=erased_old, new_value=erased_new)
             .where(ChangeLog.id == entry_id)
             .execute())
            rewritten += 1
    return rewritten

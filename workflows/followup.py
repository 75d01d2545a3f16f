"""The weekly follow-up the coordination team discusses: one workbook per ISO week.

The export of a week shows the network as it stood at the end of that week (Sunday midnight,
or now for the current week): campaign steps from the transition log, every other record rebuilt
from the change log (workflows.history). Exporting the same week twice gives the same content.
"Changes since the previous week" compares the week's state with the previous week's.
"""
import datetime as dt
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass

from peewee import JOIN, fn

from models import (
    Action,
    ActionKind,
    Campaign,
    CampaignStep,
    ChecklistItem,
    Group,
    Meeting,
    Transition,
    User,
    Victory,
    utcnow,
)
from models.action import ACTION_STATUSES
from models.meeting import MEETING_STATUSES, MEETING_WITH

from .definition import FINAL_STATES, STATE_LABELS
from .history import changed_since, rows_as_of
from .spreadsheet import csv_bytes, xlsx_bytes

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
# What the sheets use of each table (rows_as_of reads only these, with id and created_at).
ITEM_COLUMNS = ("action", "label", "due_on", "done")
ITEM_ACTION_COLUMNS = ("group", "title")
GROUP_COLUMNS = ("name", "commune", "departement_code")
USER_COLUMNS = ("role", "group", "is_active", "full_name", "email")
STEP_COLUMNS = ("campaign", "step", "opened_on", "due_on", "closed_on")
MEETING_COLUMNS = ("group", "date", "status", "with_whom", "contact_name", "outcome", "follow_up_on")
ACTION_COLUMNS = ("group", "date", "title", "kind", "status", "place", "people_expected", "people_mobilised",
                  "press_articles")
FORMATS = ("xlsx", "csv", "both")


class FollowupError(ValueError):
    """An unknown week or format (French message)."""


@dataclass(frozen=True)
class Week:
    year: int
    number: int

    @classmethod
    def parse(cls, text, today=None):
        """'2026-W47' -> Week; refused: malformed, non-existent, or not begun yet."""
        match = WEEK_RE.match((text or "").strip())
        if not match:
            raise FollowupError(f"Semaine « {text} » illisible : écrivez-la comme 2026-W47.")
        year, number = int(match[1]), int(match[2])
        try:
            dt.date.fromisocalendar(year, number, 1)
        except ValueError:
            raise FollowupError(f"La semaine {number} n'existe pas en {year}.") from None
        week = cls(year, number)
        if week.monday > (today or dt.date.today()):
            raise FollowupError(f"La semaine {week} n'a pas encore commencé.")
        return week

    @classmethod
    def of(cls, day):
        year, number, _ = day.isocalendar()
        return cls(year, number)

    def __str__(self):
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self):
        return dt.date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self):
        return self.monday + dt.timedelta(days=6)

    def previous(self):
        return Week.of(self.monday - dt.timedelta(days=7))


@dataclass
class Snapshot:
    """The network at the end of a week: `day` is the last day counted, `moment` the instant."""

    week: Week
    day: dt.date
    moment: dt.datetime
    groups: list
    referents: dict
    states: dict  # campaign group id -> (state, since date)
    open_steps: dict  # group id -> step row (dict)
    meetings: list
    actions: list
    items: list
    item_actions: dict
    victories: list
    kinds: dict

    def late_steps(self):
        """(group id, step row, days late) of running campaigns' open steps past due."""
        out = []
        for group_id, step in self.open_steps.items():
            state = self.states.get(group_id, (None, None))[0]
            if state in (None, "en_pause", *FINAL_STATES) or not step["due_on"]:
                continue
            if step["due_on"] < self.day:
                out.append((group_id, step, (self.day - step["due_on"]).days))
        return out

    def late_items(self):
        actions = self.item_actions
        return [(actions[i["action"]], i, (self.day - i["due_on"]).days) for i in self.items
                if not i["done"] and i["due_on"] and i["due_on"] < self.day and i["action"] in actions]


def snapshot(week, now=None, with_items=True):
    """Read the network as it stood at the end of `week` (or now, for the current week)."""
    now = now or utcnow()
    end = dt.datetime.combine(week.sunday + dt.timedelta(days=1), dt.time())
    moment = min(end, now)
    day = min(week.sunday, moment.date())
    groups = sorted(rows_as_of(Group, moment, columns=GROUP_COLUMNS).values(),
                    key=lambda g: (g["name"].casefold(), g["id"]))
    users = rows_as_of(User, moment, User.role == "referent", keep=lambda u: u["role"] == "referent",
                       columns=USER_COLUMNS)
    referents = defaultdict(list)
    for user in sorted(users.values(), key=lambda u: u["email"]):
        if user["is_active"] and user["group"]:
            referents[user["group"]].append(user["full_name"] or user["email"])
    campaigns = {c["id"]: c for c in rows_as_of(Campaign, moment).values()}
    states = {}
    for t in (Transition.select().where(Transition.at <= moment).order_by(Transition.at, Transition.id)):
        campaign = campaigns.get(t.campaign_id)
        if campaign is not None:
            states[campaign["group"]] = (t.to_state, t.at.date())
    open_steps = {}
    def open_at_day(step):
        return step["opened_on"] <= day and (step["closed_on"] is None or step["closed_on"] > day)

    steps = rows_as_of(CampaignStep, moment, CampaignStep.opened_on <= day, keep=open_at_day,
                       columns=STEP_COLUMNS)
    for step in sorted(steps.values(), key=lambda s: s["id"]):
        campaign = campaigns.get(step["campaign"])
        if campaign is not None:
            open_steps[campaign["group"]] = step
    until = week.sunday
    span = (week.monday, week.sunday)
    in_week = (Meeting.date.between(*span), Action.date.between(*span))
    meetings = list(rows_as_of(Meeting, moment, in_week[0] | _extreme(
        Meeting, moment, (Meeting.date <= day) & (Meeting.status != "annule"), fn.MAX),
        columns=MEETING_COLUMNS).values())
    last_or_next = (_extreme(Action, moment, Action.date <= day, fn.MAX)
                    | _extreme(Action, moment, Action.date > day, fn.MIN))
    actions = list(rows_as_of(Action, moment, in_week[1] | last_or_next, columns=ACTION_COLUMNS).values())
    items, item_actions = [], {}
    if with_items:
        late = ~ChecklistItem.done & (ChecklistItem.due_on < day)
        items = list(rows_as_of(ChecklistItem, moment, late, columns=ITEM_COLUMNS,
                                keep=lambda i: not i["done"] and i["due_on"] and i["due_on"] < day).values())
        wanted = {i["action"] for i in items}
        # one query for the actions of today's late items; changed rows are read by id as well
        item_actions = rows_as_of(Action, moment, Action.id.in_(ChecklistItem.select(ChecklistItem.action)
                                                                  .where(late)),
                                  keep=lambda a: a["id"] in wanted, columns=ITEM_ACTION_COLUMNS)
        missing = wanted - set(item_actions)
        if missing:  # late then, not now: their actions are read by id
            item_actions.update(rows_as_of(Action, moment, ids=missing, columns=ITEM_ACTION_COLUMNS))
    victories = list(rows_as_of(Victory, moment, Victory.obtained_on <= until,
                                keep=lambda v: v["obtained_on"] <= until).values())
    kinds = {k.id: k.label for k in ActionKind.select()}
    return Snapshot(week, day, moment, groups, referents, states, open_steps, meetings, actions, items,
                    item_actions, victories, kinds)


def _extreme(model, moment, where, pick):
    """SQL filter: per group, the rows at the latest (fn.MAX) or earliest (fn.MIN) date among those
    matching `where` and unchanged since `moment`; rows changed since are read anyway (rows_as_of),
    so the group's latest or earliest row as it stood then is among what is read."""
    best = (model.select(model.group.alias("best_group"), pick(model.date).alias("best_date"))
            .where(where, model.created_at <= moment, model.id.not_in(changed_since(model, moment)))
            .group_by(model.group).alias("best"))
    hits = model.select(model.id).join(best, on=((model.group == best.c.best_group)
                                                 & (model.date == best.c.best_date)))
    return model.id.in_(hits)


# -- the sheets ---------------------------------------------------------------------------------
GROUP_HEADERS = ["Groupe", "Commune", "Département", "Référent·es", "Étape", "Jours dans l'étape",
                 "Étape à échéance", "Échéance", "Retard (jours)", "Dernier rendez-vous", "Avec qui",
                 "Résultat du rendez-vous", "Dernière action", "Date de la dernière action",
                 "Prochaine action", "Date de la prochaine action", "Victoires",
                 "Changements depuis la semaine précédente"]
OVERDUE_HEADERS = ["Type", "Groupe", "Quoi", "Échéance", "Jours de retard"]
MEETING_HEADERS = ["Date", "Groupe", "Avec qui", "Interlocuteur·rice", "Statut", "Résultat", "Relance le"]
ACTION_HEADERS = ["Date", "Groupe", "Action", "Type", "Statut", "Lieu", "Personnes attendues",
                  "Personnes mobilisées", "Articles de presse"]
TRANSITION_HEADERS = ["Date", "Groupe", "De", "Vers", "Par", "Commentaire"]
WITH = dict(MEETING_WITH)
MEETING_STATUS = dict(MEETING_STATUSES)
ACTION_STATUS = dict(ACTION_STATUSES)
LATE_COLUMN = GROUP_HEADERS.index("Retard (jours)")


def _by_group(rows, key="group"):
    out = defaultdict(list)
    for row in rows:
        out[row[key]].append(row)
    return out


def _group_facts(snap):
    """Per group: what the "Groupes" sheet and the week-to-week comparison need."""
    late = {group_id: days for group_id, _, days in snap.late_steps()}
    meetings, actions = _by_group(snap.meetings), _by_group(snap.actions)
    victories = _by_group(snap.victories)
    week = (snap.week.monday, snap.week.sunday)
    facts = {}
    for g in snap.groups:
        past = [m for m in meetings[g["id"]] if m["date"] and m["date"] <= snap.day
                and m["status"] != "annule"]
        done = [a for a in actions[g["id"]] if a["date"] and a["date"] <= snap.day]
        coming = [a for a in actions[g["id"]] if a["date"] and a["date"] > snap.day]
        facts[g["id"]] = {
            "state": snap.states.get(g["id"], (None, None)),
            "step": snap.open_steps.get(g["id"]),
            "late": late.get(g["id"]),
            "last_meeting": max(past, key=lambda m: (m["date"], m["id"]), default=None),
            "last_action": max(done, key=lambda a: (a["date"], a["id"]), default=None),
            "next_action": min(coming, key=lambda a: (a["date"], a["id"]), default=None),
            "victories": len(victories[g["id"]]),
            "new_meetings": sum(1 for m in meetings[g["id"]] if _within(m["date"], week)),
            "new_actions": sum(1 for a in actions[g["id"]] if _within(a["date"], week)),
        }
    return facts


def _changes(now, before):
    """French summary of what changed for a group between two weeks."""
    if before is None:
        return "Nouveau groupe"
    out = []
    if now["state"][0] != before["state"][0]:
        old, new = (STATE_LABELS.get(f["state"][0], "—") for f in (before, now))
        out.append(f"Étape : {old} → {new}")
    if now["new_meetings"]:
        out.append(f"{now['new_meetings']} rendez-vous")
    if now["new_actions"]:
        out.append(f"{now['new_actions']} action(s)")
    if now["victories"] > before["victories"]:
        out.append(f"{now['victories'] - before['victories']} victoire(s)")
    if now["late"] and not before["late"]:
        out.append("Retard signalé")
    elif before["late"] and not now["late"]:
        out.append("Retard levé")
    return " ; ".join(out)


def group_rows(snap, previous):
    facts, before = _group_facts(snap), _group_facts(previous)
    rows = []
    for g in snap.groups:
        f = facts[g["id"]]
        state, since = f["state"]
        step, meeting = f["step"], f["last_meeting"]
        last, nxt = f["last_action"], f["next_action"]
        running = state not in (None, "en_pause", *FINAL_STATES)
        rows.append([
            g["name"], g["commune"], g["departement_code"], ", ".join(snap.referents.get(g["id"], [])),
            STATE_LABELS.get(state, "Pas de campagne"), (snap.day - since).days if since else None,
            STATE_LABELS.get(step["step"]) if step and running else None,
            step["due_on"] if step and running else None, f["late"],
            meeting and meeting["date"], meeting and WITH.get(meeting["with_whom"]),
            meeting and meeting["outcome"], last and last["title"], last and last["date"],
            nxt and nxt["title"], nxt and nxt["date"], f["victories"],
            _changes(f, before.get(g["id"])),
        ])
    return rows


def overdue_rows(snap):
    names = {g["id"]: g["name"] for g in snap.groups}
    rows = [("Étape", names.get(group_id, "?"), STATE_LABELS[step["step"]], step["due_on"], days)
            for group_id, step, days in snap.late_steps()]
    rows += [("Checklist", names.get(action["group"], "?"), f"{action['title']} — {item['label']}",
              item["due_on"], days) for action, item, days in snap.late_items()]
    return sorted(rows, key=lambda r: (-r[4], r[1], r[2]))


def _within(day, span):
    return day is not None and span[0] <= day <= span[1]


def _in_week(snap, rows):
    span = (snap.week.monday, snap.week.sunday)
    return sorted((r for r in rows if _within(r["date"], span)), key=lambda r: (r["date"], r["id"]))


def meeting_rows(snap):
    names = {g["id"]: g["name"] for g in snap.groups}
    return [[m["date"], names.get(m["group"]), WITH.get(m["with_whom"]), m["contact_name"],
             MEETING_STATUS.get(m["status"]), m["outcome"], m["follow_up_on"]]
            for m in _in_week(snap, snap.meetings)]


def action_rows(snap):
    names = {g["id"]: g["name"] for g in snap.groups}
    return [[a["date"], names.get(a["group"]), a["title"], snap.kinds.get(a["kind"]),
             ACTION_STATUS.get(a["status"]), a["place"], a["people_expected"], a["people_mobilised"],
             a["press_articles"]] for a in _in_week(snap, snap.actions)]


def transition_rows(snap):
    start = dt.datetime.combine(snap.week.monday, dt.time())
    groups = {c.id: c.group_id for c in Campaign.select(Campaign.id, Campaign.group)}
    names = {g["id"]: g["name"] for g in snap.groups}
    query = (Transition.select(Transition, User)
             .join(User, JOIN.LEFT_OUTER, on=(Transition.actor == User.id))
             .where(Transition.at >= start, Transition.at < snap.moment)
             .order_by(Transition.at, Transition.id))
    return [[t.at, names.get(groups.get(t.campaign_id)), STATE_LABELS.get(t.from_state, "—"),
             STATE_LABELS[t.to_state], (t.actor.full_name or t.actor.email) if t.actor_id else "",
             t.comment] for t in query]


def followup_sheets(week, now=None):
    """[(sheet name, headers, rows)] of the week's follow-up."""
    snap = snapshot(week, now)
    previous = snapshot(week.previous(), now, with_items=False)
    return [
        ("Groupes", GROUP_HEADERS, group_rows(snap, previous)),
        ("En retard", OVERDUE_HEADERS, overdue_rows(snap)),
        ("Rendez-vous", MEETING_HEADERS, meeting_rows(snap)),
        ("Actions", ACTION_HEADERS, action_rows(snap)),
        ("Transitions", TRANSITION_HEADERS, transition_rows(snap)),
    ]


def export_files(week, fmt="xlsx", now=None):
    """{file name: bytes}: one XLSX, one CSV per sheet zipped, or both."""
    if fmt not in FORMATS:
        raise FollowupError(f"Format « {fmt} » inconnu : choisissez xlsx, csv ou both.")
    sheets = followup_sheets(week, now)
    stem = f"suivi-hebdo-{week}"
    files = {}
    if fmt in ("xlsx", "both"):
        files[f"{stem}.xlsx"] = xlsx_bytes(sheets, highlight={"Groupes": LATE_COLUMN, "En retard": 4})
    if fmt in ("csv", "both"):
        files[f"{stem}-csv.zip"] = csv_zip(stem, sheets)
    return files


def csv_name(stem, sheet):
    slug = sheet.lower().replace(" ", "-").replace("é", "e").replace("è", "e")
    return f"{stem}-{slug}.csv"


def csv_zip(stem, sheets):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, headers, rows in sheets:
            info = zipfile.ZipInfo(csv_name(stem, name), date_time=(1980, 1, 1, 0, 0, 0))
            archive.writestr(info, csv_bytes(headers, rows))
    return out.getvalue()

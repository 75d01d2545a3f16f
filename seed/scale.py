"""A generated network of any size, for benchmarks: `flask seed scale --groups N --records M`.

Same shape as the demo (steps spread, about a third of running campaigns late,
meetings, actions with their checklists) but written with bulk inserts.
"""
import csv
import datetime as dt
import random

from models import (
    Action,
    ActionKind,
    Campaign,
    CampaignStep,
    ChecklistItem,
    ChecklistTemplate,
    Group,
    Meeting,
    StepDuration,
    db,
)
from models.audit import history_disabled
from models.base import fold

from .demo import DATA, STATE_SPREAD, STEP_CODES

CHUNK = 500
RANDOM_SEED = 5000


def _insert(model, rows):
    for start in range(0, len(rows), CHUNK):
        model.insert_many(rows[start:start + CHUNK]).execute()


def _ids(model, where):
    return [row.id for row in model.select(model.id).where(where).order_by(model.id)]


def build_scale(groups, records, today, prefix="scale"):
    """Add `groups` groups and about `records` meetings, actions and checklist items."""
    rng = random.Random(RANDOM_SEED)
    with open(DATA / "communes.csv", encoding="utf-8", newline="") as fh:
        communes = list(csv.DictReader(fh))
    states = [s for s, n in STATE_SPREAD for _ in range(n)]
    durations = {d.step: d.days for d in StepDuration.select()}
    kinds = [k.id for k in ActionKind.select()]
    templates = list(ChecklistTemplate.select().order_by(ChecklistTemplate.position))
    # Written the day before `today`: the rows exist at any moment of `today` (weekly export).
    stamp = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(12))
    per_group = max(0, records // max(groups, 1))
    actions_per_group = max(0, per_group // (len(templates) + 3))
    meetings_per_group = max(0, per_group - actions_per_group * (len(templates) + 1))
    with db.atomic(), history_disabled():
        rows = []
        for i in range(groups):
            c = communes[i % len(communes)]
            name = f"{prefix.capitalize()} {i:05d} {c['commune']}"
            rows.append({"name": name, "slug": f"{prefix}-{i:05d}", "commune": c["commune"],
                         "departement_code": c["departement_code"], "region": c["region"],
                         "townhall_relation": rng.choice(("dialogue", "neutre", "opposition")),
                         "mobilisable_count": rng.randint(5, 120),
                         "search_text": fold(f"{name} {c['commune']} {c['departement_code']} {c['region']}"),
                         "created_at": stamp, "updated_at": stamp - dt.timedelta(days=rng.randint(0, 90)),
                         "version": 1})
        _insert(Group, rows)
        group_ids = _ids(Group, Group.slug.startswith(f"{prefix}-"))
        campaign_states = [rng.choice(states) for _ in group_ids]
        _insert(Campaign, [{"group": g, "state": s, "started_on": today - dt.timedelta(days=200),
                            "ended_on": today if s in ("victoire", "bilan", "abandonnee") else None,
                            "paused_step": "priorisation" if s == "en_pause" else None,
                            "paused_on": today if s == "en_pause" else None,
                            "created_at": stamp, "updated_at": stamp, "version": 1}
                           for g, s in zip(group_ids, campaign_states, strict=True)])
        campaign_ids = _ids(Campaign, Campaign.group.in_(Group.select(Group.id).where(
            Group.slug.startswith(f"{prefix}-"))))
        steps = []
        for cid, state in zip(campaign_ids, campaign_states, strict=True):
            reached = STEP_CODES.index(state) if state in STEP_CODES else (
                1 if state == "en_pause" else 3)
            final = state in ("victoire", "bilan", "abandonnee")
            day = today - dt.timedelta(days=200)
            for n, step in enumerate(STEP_CODES[:reached + 1]):
                current = n == reached and not final
                length = rng.randint(1, durations[step] + 40) if current else durations[step]
                opened = today - dt.timedelta(days=length) if current else day
                steps.append({"campaign": cid, "step": step, "opened_on": opened,
                              "due_on": opened + dt.timedelta(days=durations[step]),
                              "closed_on": None if current else opened + dt.timedelta(days=length)})
                day = opened + dt.timedelta(days=length)
        _insert(CampaignStep, steps)
        meetings, actions = [], []
        for g in group_ids:
            for _ in range(meetings_per_group):
                meetings.append({"group": g, "with_whom": "maire", "status": rng.choice(("tenu", "demande")),
                                 "date": today + dt.timedelta(days=rng.randint(-200, 30)),
                                 "created_at": stamp, "updated_at": stamp, "version": 1})
            for _ in range(actions_per_group):
                actions.append({"group": g, "kind": rng.choice(kinds), "title": "Action",
                                "date": today + dt.timedelta(days=rng.randint(-120, 60)),
                                "status": "planifiee",
                                "difficulty": 1, "energy": 1, "press_articles": 0,
                                "created_at": stamp, "updated_at": stamp, "version": 1})
        _insert(Meeting, meetings)
        first_action = (Action.select(Action.id).order_by(Action.id.desc()).limit(1).scalar() or 0) + 1
        _insert(Action, actions)
        action_ids = _ids(Action, Action.id >= first_action)
        items = []
        for action_id, action in zip(action_ids, actions, strict=True):
            for t in templates:
                due = action["date"] + dt.timedelta(days=t.offset_days)
                items.append({"action": action_id, "template": t.id, "phase": t.phase, "label": t.label,
                              "position": t.position, "due_on": due,
                              "done": due < today and rng.random() < 0.85,
                              "created_at": stamp, "updated_at": stamp, "version": 1})
        _insert(ChecklistItem, items)
    return {"groups": len(group_ids), "campaign_steps": len(steps), "meetings": len(meetings),
            "actions": len(actions), "checklist_items": len(items)}

"""Small helpers to build rows in tests."""
import datetime as dt

from models import ActionKind, Group, Measure, Meeting, Theme


def make_group(n=1, **extra):
    values = dict(name=f"Collectif {n}", slug=f"collectif-{n}", commune=f"Commune {n}",
                  departement_code="91", region="Île-de-France")
    values.update(extra)
    return Group.create(**values)


def make_meeting(group, **extra):
    values = dict(group=group, status="tenu", date=dt.date(2026, 11, 2))
    values.update(extra)
    return Meeting.create(**values)


def make_reference():
    theme = Theme.create(code="velo", name="Place du vélo", in_campaign=True)
    measure = Measure.create(number=15, title="Mobilités actives")
    kind = ActionKind.create(code="velorution", label="Vélorution")
    return theme, measure, kind

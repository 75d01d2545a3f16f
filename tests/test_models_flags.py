"""Overdue and stale, computed by single SQL queries, agree with a plain-Python reading."""
import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import (
    Action,
    ActionKind,
    Campaign,
    CampaignStep,
    ChecklistItem,
    Group,
    Meeting,
    db,
)
from models.audit import history_disabled
from models.flags import overdue_items, overdue_steps, stale_groups
from tests.querycount import count_queries

TODAY = dt.date(2026, 11, 22)
STATES = ["etat_des_lieux", "priorisation", "rendez_vous", "mobilisation", "en_pause", "victoire"]
offsets = st.integers(min_value=-120, max_value=120)

group_strategy = st.fixed_dictionaries({
    "state": st.sampled_from(STATES),
    "steps": st.lists(st.tuples(offsets, st.booleans()), min_size=0, max_size=3),
    "items": st.lists(st.tuples(offsets, st.booleans()), min_size=0, max_size=4),
    "touched": st.lists(st.integers(min_value=0, max_value=200), min_size=1, max_size=3),
})


def _at(days_ago):
    return dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(12))


def _build(groups):
    """Write a random network; returns what plain Python says is overdue and stale."""
    kind = ActionKind.create(code="k", label="Rassemblement")
    expected_steps, expected_items, last_touch = set(), set(), {}
    for n, spec in enumerate(groups):
        touched = [_at(d) for d in spec["touched"]]
        group = Group.create(name=f"G{n}", slug=f"g{n}", commune="C", departement_code="01", region="R",
                             created_at=touched[0], updated_at=touched[0])
        ended = spec["state"] == "victoire"
        campaign = Campaign.create(group=group, state=spec["state"], started_on=TODAY,
                                   ended_on=TODAY if ended else None,
                                   created_at=touched[0], updated_at=touched[0])
        for offset, closed in spec["steps"]:
            due = TODAY + dt.timedelta(days=offset)
            step = CampaignStep.create(campaign=campaign, step="priorisation", opened_on=TODAY,
                                       due_on=due, closed_on=TODAY if closed else None)
            if not closed and due < TODAY and spec["state"] not in ("en_pause", "victoire"):
                expected_steps.add((step.id, (TODAY - due).days))
        action = Action.create(group=group, kind=kind, title="A", created_at=touched[-1],
                               updated_at=touched[-1])
        for offset, done in spec["items"]:
            due = TODAY + dt.timedelta(days=offset)
            item = ChecklistItem.create(action=action, phase="avant", label="x", due_on=due, done=done,
                                        created_at=touched[0], updated_at=touched[0])
            if not done and due < TODAY:
                expected_items.add((item.id, (TODAY - due).days))
        if len(touched) > 1:
            Meeting.create(group=group, created_at=touched[1], updated_at=touched[1])
        last_touch[group.id] = max(touched)
    cutoff = dt.datetime.combine(TODAY - dt.timedelta(days=45), dt.time())
    expected_stale = {gid for gid, at in last_touch.items() if at < cutoff}
    return expected_steps, expected_items, expected_stale


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(groups=st.lists(group_strategy, min_size=1, max_size=6))
def test_flags_agree_with_python(conn, groups):
    with db.atomic() as txn, history_disabled():
        expected_steps, expected_items, expected_stale = _build(groups)
        with count_queries() as seen:
            steps = {(s.id, s.days_late) for s in overdue_steps(TODAY)}
            items = {(i.id, i.days_late) for i in overdue_items(TODAY)}
            stale = {g.id for g in stale_groups(TODAY, 45)}
        assert len(seen) == 3  # one query each
        assert steps == expected_steps
        assert items == expected_items
        assert stale == expected_stale
        txn.rollback()  # every example starts from an empty database

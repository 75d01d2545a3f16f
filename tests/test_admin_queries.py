"""List pages run a fixed number of queries, however many rows they show (no N+1)."""
import datetime as dt

import pytest

from models import (
    Action,
    Ally,
    AssessmentRating,
    ChecklistItem,
    Demand,
    GroupAlly,
    Measure,
    Meeting,
    Victory,
)
from models.audit import history_disabled

from .querycount import count_queries

ENDPOINTS = ["groups", "allies", "group_allies", "campaigns", "campaign_steps", "assessments", "demands",
             "meetings", "actions", "checklist", "victories", "themes", "measures", "action_kinds",
             "checklist_templates", "step_durations", "users", "changelog"]
MAX_QUERIES = 10


def _grow(network, n=30):
    """n more rows of each group-owned kind, for both groups."""
    with history_disabled():
        for side in (network.a, network.b):
            for i in range(n):
                Meeting.create(group=side.group, status="demande", contact_name=f"Élu {i}")
                demand = Demand.create(group=side.group, title=f"Demande {i}")
                action = Action.create(group=side.group, kind=network.kind, demand=demand,
                                       title=f"Action {i}", date=dt.date(2026, 12, 1))
                ChecklistItem.create(action=action, phase="avant", label=f"Tâche {i}")
                Victory.create(group=side.group, title=f"Victoire {i}", obtained_on=dt.date(2026, 1, 1))
                measure = Measure.create(number=i + 1 if i + 1 != 15 else 32, title=f"Mesure {i}") \
                    if side is network.a else Measure.get(Measure.title == f"Mesure {i}")
                AssessmentRating.create(group=side.group, measure=measure, rating="rien")
                ally = Ally.create(name=f"Allié {i} {side.group.slug}", kind="sport")
                GroupAlly.create(group=side.group, ally=ally)


def _queries(client, endpoint):
    with count_queries() as seen:
        response = client.get(f"/admin/{endpoint}/")
    assert response.status_code == 200
    return len(seen)


@pytest.mark.parametrize("role", ["coordination", "referent"])
def test_list_queries_do_not_grow_with_rows(as_role, network, role):
    client = as_role(role)
    allowed = [e for e in ENDPOINTS if not (role == "referent" and e in ("users", "changelog"))]
    small = {e: _queries(client, e) for e in allowed}
    _grow(network)
    large = {e: _queries(client, e) for e in allowed}
    assert large == small, {e: (small[e], large[e]) for e in allowed if small[e] != large[e]}
    assert max(large.values()) <= MAX_QUERIES, large
    print(f"\nqueries per list page ({role}): {large}")


def test_long_lists_count_only_up_to_a_cap(as_role, network, monkeypatch):
    """Counting every row of a huge table costs more than the page: the count stops at a cap and
    the page says « plus de … » (pager included); below the cap the exact number is shown."""
    import admin.base

    client = as_role("coordination")
    exact = client.get("/admin/meetings/").get_data(as_text=True)
    assert f"({Meeting.select().count()})</a>" in exact
    monkeypatch.setattr(admin.base, "COUNT_CAP", 1)
    capped = client.get("/admin/meetings/").get_data(as_text=True)
    assert "(plus de\u202f1)</a>" in capped or "(plus de 1)</a>" in capped
    assert client.get("/admin/meetings/?page=1").status_code == 200

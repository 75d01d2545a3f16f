"""`flask workflow overdue` and `flask workflow graph`."""
import csv
import datetime as dt
import io

from models import CampaignStep, ChecklistItem
from models.audit import history_disabled


def _make_late(network):
    with history_disabled():
        CampaignStep.update(due_on=dt.date(2026, 11, 1)).where(CampaignStep.id == network.b.step.id).execute()
        ChecklistItem.update(due_on=dt.date(2026, 11, 20)).where(
            ChecklistItem.id == network.a.item.id).execute()


def test_overdue_lists_steps_and_items_most_late_first(runner, network):
    _make_late(network)
    result = runner.invoke(args=["workflow", "overdue", "--today", "2026-11-22"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "2 retard(s) au 22/11/2026 :"
    assert "21 j  Alternatiba Évry — Étape : Rendez-vous avec la mairie (échéance 01/11/2026)" in lines[1]
    assert "2 j  Collectif Transition Lyon — Checklist" in lines[2]


def test_overdue_as_csv(runner, network):
    _make_late(network)
    result = runner.invoke(args=["workflow", "overdue", "--today", "2026-11-22", "--format", "csv"])
    rows = list(csv.reader(io.StringIO(result.output), delimiter=";"))
    assert rows[0] == ["Type", "Groupe", "Quoi", "Échéance", "Jours de retard"]
    assert rows[1] == ["Étape", "Alternatiba Évry", "Rendez-vous avec la mairie", "01/11/2026", "21"]


def test_nothing_overdue_exits_zero(runner, network):
    result = runner.invoke(args=["workflow", "overdue", "--today", "2026-01-01"])
    assert result.exit_code == 0
    assert "Rien en retard au 01/01/2026." in result.output


def test_graph_is_printed_as_mermaid(runner):
    result = runner.invoke(args=["workflow", "graph", "--current", "mobilisation"])
    assert result.exit_code == 0
    assert result.output.startswith("stateDiagram-v2")
    assert "class mobilisation current" in result.output

"""Two people move the same campaign at the same moment: exactly one move wins."""
import datetime as dt
import threading

from models import Campaign, Transition, db
from workflows.campaign import TransitionConflict, fire

TODAY = dt.date(2026, 11, 22)


def test_concurrent_transitions_one_wins(conn, network):
    campaign = Campaign.get_by_id(network.a.campaign.id)
    db.close()  # each thread opens its own connection
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(event):
        try:
            barrier.wait(timeout=10)
            fire(campaign, event, today=TODAY, expected_version=campaign.version)
            outcomes.append(("ok", event))
        except TransitionConflict as exc:
            outcomes.append(("conflict", str(exc)))
        finally:
            if not db.is_closed():
                db.close()

    threads = [threading.Thread(target=attempt, args=(e,)) for e in ("suspendre", "abandonner")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    db.connect(reuse_if_open=True)
    assert sorted(kind for kind, _ in outcomes) == ["conflict", "ok"], outcomes
    winner = next(event for kind, event in outcomes if kind == "ok")
    stored = Campaign.get_by_id(campaign.id)
    assert stored.state == {"suspendre": "en_pause", "abandonner": "abandonnee"}[winner]
    assert stored.version == campaign.version + 1
    assert Transition.select().where(Transition.campaign == campaign.id).count() == 1

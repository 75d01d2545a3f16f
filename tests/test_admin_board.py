"""The board and the dashboard: who sees what, moves through the engine, fixed query counts."""
import datetime as dt

from models import Campaign, CampaignStep, Transition
from models.audit import history_disabled

from .network import csrf_token
from .querycount import count_queries


def _move(client, campaign, event, version=None, **extra):
    data = {"campaign": campaign.id, "version": campaign.version if version is None else version,
            "event": event, "csrf_token": csrf_token(client, "/admin/board/"), **extra}
    return client.post("/admin/board/deplacer", data=data, headers={"X-Requested-With": "fetch"})


def _state(campaign):
    return Campaign.get_by_id(campaign.id).state


def test_board_shows_every_step_and_the_cards(as_role, network):
    html = as_role("coordination").get("/admin/board/").get_data(as_text=True)
    for label in ("État des lieux", "Priorisation des demandes", "Rendez-vous avec la mairie",
                  "Actions de mobilisation", "Victoire obtenue", "En pause"):
        assert label in html
    assert "Collectif Transition Lyon" in html and "Alternatiba Évry" in html


def test_a_long_column_shows_its_first_cards_its_total_and_a_link_to_all(as_role, network, monkeypatch):
    import html as html_lib

    import workflows.board

    monkeypatch.setattr(workflows.board, "CARDS_PER_COLUMN", 1)
    for side in (network.a, network.b):
        Campaign.update(state="mobilisation").where(Campaign.id == side.campaign.id).execute()
    client = as_role("coordination")
    page = html_lib.unescape(client.get("/admin/board/").get_data(as_text=True))
    column = page[page.index('data-state="mobilisation"'):]
    column = column[:column.index("</section>")]
    assert column.count('class="board-card') == 1 and "Alternatiba Évry" in column  # first by name
    assert '<span class="badge badge-secondary count">2</span>' in column
    link = column[column.index('href="', column.index('class="more')) + 6:]
    link = link[:link.index('"')]
    assert "Et 1 autre(s) : voir la liste" in column
    assert link.startswith("/admin/campaigns/?flt1_") and link.endswith("=mobilisation")
    listed = client.get(link).get_data(as_text=True)
    assert "Collectif Transition Lyon" in listed and "Alternatiba Évry" in listed


def test_referent_sees_and_moves_only_their_card(as_role, network):
    client = as_role("referent")
    html = client.get("/admin/board/").get_data(as_text=True)
    assert "Collectif Transition Lyon" in html and "Alternatiba Évry" not in html
    refused = _move(client, network.b.campaign, "suspendre")
    assert refused.status_code == 404
    assert _state(network.b.campaign) == "rendez_vous"
    moved = _move(client, network.a.campaign, "suspendre")
    assert moved.status_code == 200 and moved.json["state"] == "en_pause"
    log = Transition.get(Transition.campaign == network.a.campaign.id)
    assert log.actor.email == "referent-a@example.org"


def test_observer_cannot_move(as_role, network):
    client = as_role("observer")
    assert "move-form" not in client.get("/admin/board/").get_data(as_text=True)
    assert _move(client, network.a.campaign, "suspendre").status_code == 403
    assert _state(network.a.campaign) == "rendez_vous"


def test_refused_move_says_why_and_changes_nothing(as_role, network):
    client = as_role("coordination")
    response = _move(client, network.a.campaign, "avancer")  # no meeting held yet
    assert response.status_code == 409
    assert "Aucun rendez-vous tenu" in response.json["message"]
    assert _state(network.a.campaign) == "rendez_vous"
    assert not Transition.select().exists()


def test_skip_with_reason_from_the_keyboard_form(as_role, network):
    client = as_role("coordination")
    data = {"campaign": network.a.campaign.id, "version": network.a.campaign.version,
            "event": "sauter_rendez_vous", "skip_reason": "opposition",
            "csrf_token": csrf_token(client, "/admin/board/")}
    response = client.post("/admin/board/deplacer", data=data)
    assert response.status_code == 302  # plain form: back to the board with a message
    assert _state(network.a.campaign) == "mobilisation"
    step = CampaignStep.get_by_id(network.a.step.id)
    assert step.skip_reason == "opposition"


def test_stale_card_and_missing_csrf_are_refused(as_role, network):
    client = as_role("coordination")
    assert _move(client, network.a.campaign, "suspendre", version=99).status_code == 409
    no_csrf = client.post("/admin/board/deplacer", data={
        "campaign": network.a.campaign.id, "version": 1, "event": "suspendre"},
        headers={"X-Requested-With": "fetch"})
    assert no_csrf.status_code == 400
    assert _state(network.a.campaign) == "rendez_vous"


def test_dashboard_for_coordination_home_for_referents(as_role, network):
    with history_disabled():
        CampaignStep.update(due_on=dt.date.today() - dt.timedelta(days=12)) \
            .where(CampaignStep.id == network.b.step.id).execute()
    html = as_role("coordination").get("/admin/").get_data(as_text=True)
    assert "Tableau de bord" in html and "Étapes en retard (1)" in html
    assert "Alternatiba Évry" in html and "12 j" in html
    assert "<svg" in html and "Campagnes par étape" in html and "Activité par semaine" in html
    assert "Tableau de bord" not in as_role("referent").get("/admin/").get_data(as_text=True)


def test_board_and_dashboard_queries_do_not_grow(as_role, network):
    from .test_admin_queries import _grow

    client = as_role("coordination")

    def count(url):
        with count_queries() as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    before = {url: count(url) for url in ("/admin/", "/admin/board/")}
    _grow(network)
    with history_disabled():
        for n in range(20):
            group = network.a.group
            Campaign.create(group=group, state="mobilisation", started_on=dt.date(2026, 1, n + 1))
    after = {url: count(url) for url in ("/admin/", "/admin/board/")}
    assert after == before
    assert max(after.values()) <= 10, after
    print(f"\nqueries: {after}")


def test_referent_home_shows_their_own_flags(as_role, network):
    with history_disabled():
        for side in (network.a, network.b):
            CampaignStep.update(due_on=dt.date.today() - dt.timedelta(days=5)) \
                .where(CampaignStep.id == side.step.id).execute()
    html = as_role("referent").get("/admin/").get_data(as_text=True)
    assert "En retard" in html and "5 j" in html and "Rendez-vous avec la mairie" in html
    assert html.count("badge-danger") == 1  # group B's late step is not theirs


def test_lists_show_days_late_and_filter_on_it(as_role, network):
    with history_disabled():
        CampaignStep.update(due_on=dt.date.today() - dt.timedelta(days=9)) \
            .where(CampaignStep.id == network.b.step.id).execute()
    client = as_role("coordination")
    for endpoint in ("groups", "campaigns"):
        html = client.get(f"/admin/{endpoint}/").get_data(as_text=True)
        assert "Retard" in html and "9 j de retard" in html
        # (both names also appear in the group filter's dropdown: count the rows instead)
        late = client.get(f"/admin/{endpoint}/?flt0_0=1").get_data(as_text=True)
        assert "Liste (1)" in late and "9 j de retard" in late
        on_time = client.get(f"/admin/{endpoint}/?flt0_0=0").get_data(as_text=True)
        assert "Liste (1)" in on_time and "j de retard" not in on_time


def test_dashboard_lists_show_their_first_rows_and_the_total(as_role, network, monkeypatch):
    import html as html_lib

    import workflows.dashboard

    monkeypatch.setattr(workflows.dashboard, "LISTED", 1)
    page = html_lib.unescape(as_role("coordination").get("/admin/").get_data(as_text=True))
    victories = page[page.index("Victoires (2)"):]
    assert victories[:victories.index("</ul>")].count("<li>") == 1
    assert "Les 1 premiers sur 2 — " in victories and 'href="/admin/victories/"' in victories


def test_referent_home_queries_do_not_grow(as_role, network):
    from .test_admin_queries import _grow

    client = as_role("referent")
    home = f"/groupe/{network.a.group.id}/"

    def count():
        with count_queries() as seen:
            assert client.get(home).status_code == 200
        return len(seen)

    before = count()
    _grow(network)
    assert count() == before <= 10

"""The coordination team drags campaign cards on the board; a refused move explains itself."""
from models import Campaign, Demand, Group

from .conftest import login


def _movable_campaign():
    """A demo campaign in prioritisation that has a dated demand, so it may go to the town hall."""
    dated = Demand.select(Demand.group).where(Demand.target_date.is_null(False))
    return (Campaign.select().join(Group).where(Campaign.state == "priorisation",
                                                 Campaign.group.in_(dated))
            .order_by(Group.name).first())


def _drag(page, campaign, state):
    # Drop near the column's header: aiming at its middle would scroll the page mid-drag.
    page.locator(f"#card-{campaign.id}").scroll_into_view_if_needed()
    page.drag_and_drop(f"#card-{campaign.id} .group", f'.board-col[data-state="{state}"]',
                       target_position={"x": 40, "y": 12})


def test_coordination_drags_a_card_to_the_next_step(page, live_server):
    campaign = _movable_campaign()
    login(page, live_server.url, "coordination@example.org")
    page.goto(f"{live_server.url}/admin/board/")
    _drag(page, campaign, "rendez_vous")
    message = page.locator("#board-message")
    message.wait_for(state="visible")
    assert "Rendez-vous avec la mairie" in message.inner_text(), message.inner_text()
    assert page.locator(f'.board-col[data-state="rendez_vous"] #card-{campaign.id}').count() == 1
    assert Campaign.get_by_id(campaign.id).state == "rendez_vous"


def test_a_refused_move_puts_the_card_back_and_says_why(page, live_server):
    campaign = (Campaign.select().join(Group).where(Campaign.state == "rendez_vous")
                .order_by(Group.name).first())
    login(page, live_server.url, "coordination@example.org")
    page.goto(f"{live_server.url}/admin/board/")
    _drag(page, campaign, "etat_des_lieux")  # no transition goes backwards
    message = page.locator("#board-message")
    message.wait_for(state="visible")
    assert "impossible" in message.inner_text()
    assert page.locator(f'.board-col[data-state="rendez_vous"] #card-{campaign.id}').count() == 1
    page.screenshot(path="/tmp/shots/board_refused.png")
    assert Campaign.get_by_id(campaign.id).state == "rendez_vous"

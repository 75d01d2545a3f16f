"""The live server answers and Chromium renders the public home page."""


def test_home_page_shows_network_counts(page, live_server):
    # Imported here, not at module level: without playwright the `page` fixture
    # skips (or fails under REQUIRE_BROWSER=1) instead of a collection error.
    from playwright.sync_api import expect

    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_text("groupes").first).to_be_visible()
    # The demo network has 50 groups ("<strong>50</strong> groupes").
    expect(page.locator("body")).to_contain_text("50")

"""A referent edits a meeting's date inline in a real browser, and cannot open another group's record."""
import datetime as dt

from models import Group, Meeting

from .conftest import login


def _meeting_of_some_group():
    """A demo meeting with a date, and its group (the first such group by name)."""
    return (Meeting.select(Meeting, Group).join(Group)
            .where(Meeting.date.is_null(False)).order_by(Group.name, Meeting.id).first())


def test_referent_edits_a_meeting_date_inline_and_is_refused_elsewhere(page, live_server):
    meeting = _meeting_of_some_group()
    other = (Meeting.select().where(Meeting.group != meeting.group_id).order_by(Meeting.id).first())
    login(page, live_server.url, f"referent-{meeting.group.slug}@example.org")
    page.goto(f"{live_server.url}/admin/meetings/")
    cell = page.locator(f'a[name="date"][data-pk^="{meeting.id}:"]')
    cell.click()
    new_date = meeting.date + dt.timedelta(days=3)
    popup = page.locator(".editable-container")
    popup.locator("select.day").select_option(str(new_date.day))
    popup.locator("select.month").select_option(str(new_date.month - 1))
    popup.locator("select.year").select_option(str(new_date.year))
    with page.expect_response(lambda r: "/ajax/update/" in r.url) as answer:
        popup.locator("button[type=submit]").click()
    assert answer.value.status == 200, answer.value.text()
    page.reload()
    cell = page.locator(f'a[name="date"][data-pk^="{meeting.id}:"]')
    assert cell.inner_text().strip() == new_date.strftime("%d/%m/%Y")
    assert Meeting.get_by_id(meeting.id).date == new_date
    # Another group's meeting, typed in the address bar.
    response = page.goto(f"{live_server.url}/admin/meetings/edit/?id={other.id}")
    assert response.status == 404
    assert "introuvable" in page.content().lower()
    page.screenshot(path="/tmp/shots/refused.png")

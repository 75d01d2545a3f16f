"""The Content-Security-Policy breaks nothing: the dashboard, inline cell edits (a dropdown and a
date), the board's drag-and-drop and the buttons that had inline handlers work, and the browser
reports no violation on the way."""
import pytest

from models import Campaign, Group, Meeting
from models.meeting import MEETING_STATUSES

from .conftest import login

# Installed before any page script: every violation the browser reports is kept in the page.
LISTEN = """window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(
    e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber);
});"""


LABELS = dict(MEETING_STATUSES)
# The first card of the prioritisation column that may go to the town hall now.
MOVABLE_CARD_JS = """() => [...document.querySelectorAll('.board-col[data-state=priorisation] .board-card')]
    .find(card => JSON.parse(card.dataset.moves || '[]')
                  .some(m => m.target === 'rendez_vous' && !m.needs_reason))
    .dataset.campaign"""


class Violations:
    """What the browser reported: securitypolicyviolation events and CSP console messages."""

    def __init__(self, page):
        self.page, self.console = page, []
        page.add_init_script(LISTEN)
        page.on("console", self._on_console)

    def _on_console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def all(self):
        return self.page.evaluate("window.__cspViolations || []") + self.console


@pytest.fixture
def watched(page):
    return page, Violations(page)


def test_no_violation_on_the_dashboard_and_the_mobile_pages(watched, live_server):
    page, violations = watched
    login(page, live_server.url, "coordination@example.org")
    for path in ("/admin/", "/admin/groups/", "/admin/actions/new/"):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert page.evaluate("typeof window.jQuery") == "function", path  # Flask-Admin's scripts ran
        assert violations.all() == [], (path, violations.all())
    group = Group.select().order_by(Group.name).first()
    for path in (f"/groupe/{group.id}/", f"/groupe/{group.id}/rendez-vous"):
        assert page.goto(live_server.url + path).status == 200, path
        assert violations.all() == [], (path, violations.all())


def test_inline_edits_work_under_the_policy(watched, live_server):
    page, violations = watched
    login(page, live_server.url, "coordination@example.org")
    page.goto(f"{live_server.url}/admin/meetings/")
    # A dropdown cell: x-editable reads its options from JSON (the policy forbids its eval).
    cell = page.locator('a[name="status"]').first
    meeting = Meeting.get_by_id(int(cell.get_attribute("data-pk").split(":")[0]))
    new_status = "annule" if meeting.status != "annule" else "tenu"
    cell.click()
    popup = page.locator(".editable-container")
    page.locator("#select2-drop .select2-result-label", has_text=LABELS[new_status]).click()
    with page.expect_response(lambda r: "/ajax/update/" in r.url) as answer:
        popup.locator("button[type=submit]").click()
    assert answer.value.status == 200, answer.value.text()
    assert Meeting.get_by_id(meeting.id).status == new_status
    # A date cell (x-editable's combodate).
    page.reload()
    cell = page.locator('a[name="date"]:not(.editable-empty)').first
    meeting = Meeting.get_by_id(int(cell.get_attribute("data-pk").split(":")[0]))
    new_day = meeting.date.day % 28 + 1
    cell.click()
    popup = page.locator(".editable-container")
    popup.locator("select.day").select_option(str(new_day))
    with page.expect_response(lambda r: "/ajax/update/" in r.url) as answer:
        popup.locator("button[type=submit]").click()
    assert answer.value.status == 200, answer.value.text()
    assert Meeting.get_by_id(meeting.id).date.day == new_day
    assert violations.all() == [], violations.all()


def test_drag_and_drop_on_the_board_works_under_the_policy(watched, live_server):
    page, violations = watched
    login(page, live_server.url, "coordination@example.org")
    page.goto(f"{live_server.url}/admin/board/")
    campaign = Campaign.get_by_id(int(page.evaluate(MOVABLE_CARD_JS)))
    page.locator(f"#card-{campaign.id}").scroll_into_view_if_needed()
    page.drag_and_drop(f"#card-{campaign.id} .group", '.board-col[data-state="rendez_vous"]',
                       target_position={"x": 40, "y": 12})
    page.locator("#board-message").wait_for(state="visible")
    assert Campaign.get_by_id(campaign.id).state == "rendez_vous"
    assert violations.all() == [], violations.all()


def test_buttons_that_had_inline_handlers_still_work(watched, live_server):
    """Delete asks first, a bulk action with nothing selected says so, "Add" adds a checklist row."""
    page, violations = watched
    login(page, live_server.url, "coordination@example.org")
    page.goto(f"{live_server.url}/admin/meetings/")
    meeting_id = int(page.locator('a[name="status"]').first.get_attribute("data-pk").split(":")[0])
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.locator(f'form.icon:has(input[name="id"][value^="{meeting_id}:"]) button[data-confirm]').click()
    page.wait_for_timeout(300)
    assert len(dialogs) == 1 and "supprimer" in dialogs[0].lower(), dialogs
    assert Meeting.get_or_none(Meeting.id == meeting_id) is not None  # dismissed: nothing deleted
    bulk_delete = page.locator("a[data-action=delete]")
    bulk_delete.locator("xpath=../preceding-sibling::a[1]").click()  # the "selection" menu
    bulk_delete.click()
    page.wait_for_timeout(300)
    assert len(dialogs) == 2, dialogs  # "select at least one record" alert
    assert Meeting.get_or_none(Meeting.id == meeting_id) is not None
    page.goto(f"{live_server.url}/admin/actions/new/")
    rows = page.locator(".inline-field-list > .inline-field")
    before = rows.count()
    page.locator("[data-add-inline]").click()
    assert rows.count() == before + 1
    assert violations.all() == [], violations.all()

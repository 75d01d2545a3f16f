"""The list pages' rows (admin/list_rows.py): each editable cell shows the French text and starts
its editor from the stored value; the row buttons and checkboxes follow what the user may do."""
import html
import re

from models import ChecklistItem, Meeting

CELL = re.compile(r'<a ([^>]*data-role="x-editable[^"]*"[^>]*)>([^<]*)</a>')
ATTR = re.compile(r'([\w-]+)="([^"]*)"')


def editable_cells(page):
    """{(name, pk): (attributes, shown text)} of a list page's inline editors."""
    cells = {}
    for attrs, text in CELL.findall(page):
        found = {k: html.unescape(v) for k, v in ATTR.findall(attrs)}
        cells[(found["name"], found["data-pk"])] = (found, html.unescape(text))
    return cells


def test_editors_start_from_the_stored_value_and_show_the_french_text(as_role, network):
    client = as_role("referent")
    meeting = Meeting.get(Meeting.group == network.a.group)
    cells = editable_cells(client.get("/admin/meetings/").get_data(as_text=True))
    pk = f"{meeting.id}:{meeting.version}"
    date, shown = cells[("date", pk)]
    assert (date["data-value"], shown) == (meeting.date.isoformat(), meeting.date.strftime("%d/%m/%Y"))
    assert date["data-role"] == "x-editable-combodate" and date["data-csrf"]
    status, shown = cells[("status", pk)]
    assert (status["data-value"], shown) == ("programme", "Programmé")
    assert status["data-type"] == "select2" and '"value": "tenu"' in status["data-source"]
    assert {pk for _, pk in cells} == {pk}  # only the referent's own group

    item = ChecklistItem.get(ChecklistItem.action == network.a.action)
    cells = editable_cells(client.get("/admin/checklist/").get_data(as_text=True))
    done, shown = cells[("done", f"{item.id}:{item.version}")]
    assert (done["data-value"], done["data-role"], shown) == ("", "x-editable-boolean", "non")


def test_row_buttons_follow_what_the_user_may_do(as_role, network):
    meeting = Meeting.get(Meeting.group == network.a.group)
    pk = f"{meeting.id}:{meeting.version}"
    coordination = as_role("coordination").get("/admin/meetings/").get_data(as_text=True)
    assert f'href="/admin/meetings/edit/?id={pk}&amp;url=/admin/meetings/' in coordination
    assert f'<input name="id" type="hidden" value="{pk}">' in coordination  # delete, with confirmation
    assert 'data-confirm="' in coordination
    assert f'class="action-checkbox" value="{pk}"' in coordination
    observer = as_role("observer").get("/admin/meetings/").get_data(as_text=True)
    assert f'href="/admin/meetings/details/?id={pk}&amp;url=/admin/meetings/' in observer
    for absent in ("/admin/meetings/edit/", "/admin/meetings/delete/", "action-checkbox", "data-pk="):
        assert absent not in observer, absent

"""The list pages' rows (admin/list_rows.py): each editable cell shows the French text and starts
its editor from the stored value; the row buttons and checkboxes follow what the user may do."""
import html
import json
import re

from models import ChecklistItem, Group, Meeting

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


def _group_filter(page):
    """The group filter as the page's filter script receives it."""
    data = re.search(r'<div id="filter-groups-data" class="d-none">(.*?)</div>', page, re.S).group(1)
    return json.loads(html.unescape(data))["Groupe"][0]


def test_group_filter_is_a_dropdown_then_a_search_beyond_300_groups(as_role, network):
    client = as_role("coordination")
    options = _group_filter(client.get("/admin/meetings/").get_data(as_text=True))["options"]
    assert options == [[str(network.b.group.id), "Alternatiba Évry"],
                       [str(network.a.group.id), "Collectif Transition Lyon"]]
    assert [o[0] for o in _group_filter(as_role("referent").get("/admin/meetings/")
                                        .get_data(as_text=True))["options"]] == [str(network.a.group.id)]
    Group.insert_many([{"name": f"Groupe {n:03d}", "slug": f"groupe-{n:03d}", "commune": "Rennes",
                        "departement_code": "35", "region": "Bretagne",
                        "search_text": f"groupe {n:03d} rennes"} for n in range(299)]).execute()
    national = _group_filter(client.get("/admin/meetings/").get_data(as_text=True))
    assert national["options"] is None and national["operation"] == "nom ou commune contient"
    found = client.get("/admin/meetings/?flt0_0=lyon").get_data(as_text=True)
    assert f'data-pk="{network.a.meeting.id}:' in found and f'data-pk="{network.b.meeting.id}:' not in found
    # a referent's dropdown still offers their own group
    assert _group_filter(as_role("referent").get("/admin/meetings/").get_data(as_text=True))["options"]

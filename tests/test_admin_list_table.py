"""The list pages' rows (admin/list_table.py): each editable cell shows the French text and starts
its editor from the stored value; the row buttons and checkboxes follow what the user may do."""
import html
import json
import re
import time

from models import ChecklistItem, Group, Meeting

from .querycount import count_queries

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


def test_a_national_network_is_not_counted_again_on_every_page(as_role, network, monkeypatch):
    """Beyond 300 groups the filter is a search for a minute without counting the groups again;
    a network that shrank below the limit gets its dropdown back after that minute."""
    client = as_role("coordination")
    Group.insert_many([{"name": f"Groupe {n:03d}", "slug": f"groupe-{n:03d}", "commune": "Rennes",
                        "departement_code": "35", "region": "Bretagne"} for n in range(299)]).execute()
    with count_queries() as first:
        assert _group_filter(client.get("/admin/meetings/").get_data(as_text=True))["options"] is None
    with count_queries() as second:
        assert _group_filter(client.get("/admin/meetings/").get_data(as_text=True))["options"] is None
    assert len(second) == len(first) - 2  # neither the capped read of names nor the count
    Group.delete().where(Group.slug.startswith("groupe-")).execute()
    assert _group_filter(client.get("/admin/meetings/").get_data(as_text=True))["options"] is None
    later = time.monotonic() + 61
    monkeypatch.setattr("admin.filters.time.monotonic", lambda: later)
    options = _group_filter(client.get("/admin/meetings/").get_data(as_text=True))["options"]
    assert [name for _, name in options] == ["Alternatiba Évry", "Collectif Transition Lyon"]


PAGER_LINK = re.compile(
    r'<li class="page-item( active| disabled)?"><a class="page-link" href="([^"]*)">([^<]*)</a>')


def _names(page):
    return re.findall(r'<td class="col-name">([^<]*)</td>', page)


def test_pager_and_sort_links_lead_to_the_right_rows(as_role, network):
    """47 groups, 20 a page: the pager of page 2 and the column headers' sort links, followed."""
    Group.insert_many([{"name": f"Groupe {n:02d}", "slug": f"groupe-{n:02d}", "commune": "Rennes",
                        "departement_code": "35", "region": "Bretagne"} for n in range(45)]).execute()
    by_name = [name for (name,) in Group.select(Group.name).order_by(Group.name).tuples()]
    client = as_role("coordination")
    page = client.get("/admin/groups/?page_size=20&page=1").get_data(as_text=True)
    assert _names(page) == by_name[20:40]
    links = [(state.strip(), html.unescape(href), text) for state, href, text in PAGER_LINK.findall(page)]
    assert [(state, text) for state, _, text in links] == [
        ("disabled", "&laquo;"), ("", "&lt;"), ("", "1"), ("active", "2"), ("", "3"), ("", "&gt;"),
        ("disabled", "&raquo;")]
    pages = {text: href for _, href, text in links}
    assert pages["1"] == pages["&lt;"] and "page=" not in pages["1"]  # the first page has no number
    assert pages["3"] == pages["&gt;"] == "/admin/groups/?page=2&page_size=20"
    assert _names(client.get(pages["1"]).get_data(as_text=True)) == by_name[:20]
    assert _names(client.get(pages["3"]).get_data(as_text=True)) == by_name[40:]

    sort_by_commune = re.search(r'<a href="([^"]*)" title="Trier par Commune">', page).group(1)
    assert html.unescape(sort_by_commune) == "/admin/groups/?page=1&sort=1&page_size=20"
    sorted_page = client.get("/admin/groups/?sort=1").get_data(as_text=True)
    communes = re.findall(r'<td class="col-commune">([^<]*)</td>', sorted_page)
    assert communes == sorted(communes) and "Lyon" in communes
    # the sorted column's link sorts the other way, and says which way it sorts now
    reverse = re.search(r'<a href="([^"]*)" title="Trier par Commune">Commune <span class="fa '
                        r'fa-chevron-up', sorted_page).group(1)
    assert html.unescape(reverse) == "/admin/groups/?sort=1&desc=1&page_size=50"


def test_menu_and_script_tags_kept_per_role_carry_each_request_nonce(as_role, network):
    """The menu and the <script> tags are written once per role and page (admin/page_parts.py):
    each role keeps its own menu, and each response its own nonce."""
    coordination, observer = as_role("coordination"), as_role("observer")
    for _ in range(2):
        for client, sees_accounts in ((coordination, True), (observer, False), (coordination, True)):
            response = client.get("/admin/meetings/")
            page = response.get_data(as_text=True)
            assert ('href="/admin/users/"' in page) is sees_accounts
            nonce = re.search(r"nonce-([\w-]+)", response.headers["Content-Security-Policy"]).group(1)
            scripts = re.findall(r"<script[^>]*>", page)
            assert len(scripts) > 10 and all(f'nonce="{nonce}"' in tag for tag in scripts)


def _listed(client, url):
    return int(re.search(r'class="nav-link active">Liste \((\d+)\)', client.get(url).get_data(as_text=True))
               .group(1))


def test_list_count_follows_the_rows_the_user_may_see_and_the_filters(as_role, network):
    """Without a condition the count reads the table alone (admin/base.py capped_count); a
    referent's scope, a filter or a search still count through the list's own query."""
    assert _listed(as_role("coordination"), "/admin/meetings/") == Meeting.select().count()
    own = Meeting.select().where(Meeting.group == network.a.group).count()
    assert 0 < own < Meeting.select().count()
    assert _listed(as_role("referent"), "/admin/meetings/") == own
    filtered = f"/admin/meetings/?flt0_0={network.a.group.id}"
    assert _listed(as_role("coordination"), filtered) == own
    assert _listed(as_role("coordination"), "/admin/checklist/") == ChecklistItem.select().count()


TABLE = re.compile(r'<table class="table[^"]*model-list">.*?</table>', re.S)
PER_REQUEST = re.compile(r'(data-csrf|name="csrf_token" type="hidden" value)="[^"]*"')


def _shown(client, endpoint):
    """A list page's table and its CSV export, without what changes on every request."""
    page = client.get(f"/admin/{endpoint}/").get_data(as_text=True)
    export = client.get(f"/admin/{endpoint}/export/csv/")
    assert export.status_code == 200, endpoint
    return PER_REQUEST.sub("", TABLE.search(page).group(0)), export.get_data(as_text=True)


def test_lists_and_exports_show_the_same_as_from_whole_rows(app, as_role, network, monkeypatch):
    """Lists read only the id and label of joined rows and not the long columns of their own
    (SecuredModelView.lean): every table and export shows exactly what whole rows show."""
    from admin import base
    from admin.base import SecuredModelView
    from models.prepared import SqlMemo

    views = [v for v in app.extensions["admin"][0]._views if isinstance(v, SecuredModelView)]
    assert len(views) >= 17
    for role in ("coordination", "referent"):
        client = as_role(role)
        readable = [v.endpoint for v in views if role in v.read_roles]
        lean = {endpoint: _shown(client, endpoint) for endpoint in readable}
        with monkeypatch.context() as whole:
            whole.setattr(SecuredModelView, "lean", lambda self, query: query)
            whole.setattr(base, "_LIST_SQL", SqlMemo())  # SQL written again, from whole rows
            for endpoint in readable:
                assert _shown(client, endpoint) == lean[endpoint], (role, endpoint)
    assert '<td class="col-group">Collectif Transition Lyon</td>' in lean["meetings"][0]


def _groups_shown(page):
    return set(re.findall(r'<td class="col-group">([^<]*)</td>', page))


def test_list_sql_written_once_still_reads_each_user_s_and_request_s_own_rows(as_role, network):
    """A list page's SQL is written once per view, scope, day and request arguments (admin/base.py
    _LIST_SQL): a referent never gets another group's rows, each filter value its own rows, and
    rows written since show at once."""
    from admin import base

    base._LIST_SQL._written.clear()
    a, b = network.a.group, network.b.group
    names = {a.id: html.escape(a.name, quote=True), b.id: html.escape(b.name, quote=True)}
    for _ in range(2):  # the second round runs on SQL written in the first
        for role, group in (("referent", a), ("referent_b", b)):
            page = as_role(role).get("/admin/meetings/").get_data(as_text=True)
            assert _groups_shown(page) == {names[group.id]}, role
        coordination = as_role("coordination")
        for group in (a, b):
            page = coordination.get(f"/admin/meetings/?flt0_0={group.id}").get_data(as_text=True)
            assert _groups_shown(page) == {names[group.id]}
        everyone = coordination.get("/admin/meetings/").get_data(as_text=True)
        assert _groups_shown(everyone) == set(names.values())
        written = dict(base._LIST_SQL._written)
    assert written == base._LIST_SQL._written and len(written) >= 10  # reused, not written again
    before = _listed(coordination, "/admin/meetings/")
    Meeting.create(group=b, status="demande", contact_name="Élue arrivée entre-temps")
    page = coordination.get("/admin/meetings/").get_data(as_text=True)
    assert "Élue arrivée entre-temps" in html.unescape(page)
    assert _listed(coordination, "/admin/meetings/") == before + 1

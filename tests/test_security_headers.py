"""Security headers on every response, and pages the Content-Security-Policy lets work as they are:
no inline script without the page's nonce, no inline event handler or style, no asset from
another site. Pages are crawled as the coordination team (every table's list, details, edit and
create pages, the board, « Mon groupe ») and as a visitor (login, home)."""
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
CSP_RE = re.compile(
    r"^default-src 'none'; script-src 'self' 'nonce-(?P<nonce>[A-Za-z0-9_-]{20,})'; style-src 'self'; "
    r"img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; "
    r"frame-ancestors 'none'; base-uri 'none'$"
)
# Attributes that make the browser fetch something.
ASSET_ATTRIBUTES = {("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"),
                    ("source", "src"), ("video", "src"), ("audio", "src"), ("embed", "src"),
                    ("object", "data"), ("use", "href"), ("image", "href"), ("form", "action")}


def nonce_of(response):
    """The nonce of the response's policy, after checking every header."""
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (response.request.path, name)
    match = CSP_RE.match(response.headers.get("Content-Security-Policy", ""))
    assert match, (response.request.path, response.headers.get("Content-Security-Policy"))
    return match.group("nonce")


class PageParser(HTMLParser):
    """What in a page the policy would block, and the local links to crawl."""

    def __init__(self, nonce):
        super().__init__()
        self.nonce, self.problems, self.links = nonce, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"inline handler <{tag} {name}={value!r}>")
            if name == "style":
                self.problems.append(f"inline style <{tag} style={value!r}>")
            if (tag, name) in ASSET_ATTRIBUTES and value and urlsplit(value).netloc:
                self.problems.append(f"external asset <{tag} {name}={value!r}>")
        if tag == "script" and attrs.get("nonce") != self.nonce and not attrs.get("src"):
            self.problems.append(f"inline script without the nonce: {attrs}")
        if tag == "script" and "src" in attrs and urlsplit(attrs["src"]).scheme == "data":
            self.problems.append(f"data: script {attrs['src'][:40]}")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "a" and (attrs.get("href") or "").startswith("/"):
            self.links.append(attrs["href"])


def check_page(client, url):
    """Fetch a page, check its headers and body; return its local links."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    parser = PageParser(nonce_of(response))
    parser.feed(response.get_data(as_text=True))
    assert parser.problems == [], (url, parser.problems)
    assert "http://" not in response.get_data(as_text=True).replace("http://www.w3.org/", ""), url
    return parser.links


def crawl_targets(links, prefix):
    """From a list page's links: the first details and edit page, and the create page."""
    picks = {}
    for link in links:
        path = urlsplit(link).path
        for kind in ("details/", "edit/", "new/"):
            if path == prefix + kind:
                picks.setdefault(kind, link)
    return list(picks.values())


def test_pages_follow_the_policy(as_role, network, app, client):
    for url in ("/connexion", "/"):
        check_page(client, url)
    coordination = as_role("coordination")
    admin = app.extensions["admin"][0]
    visited = 0
    for view in admin._views:
        links = check_page(coordination, view.url + "/")
        visited += 1
        for link in crawl_targets(links, view.url + "/"):
            check_page(coordination, link)
            visited += 1
    check_page(coordination, "/admin/donnees-personnelles/")
    group_links = check_page(coordination, f"/groupe/{network.a.group.id}/")
    for link in sorted({link for link in group_links if link.startswith("/groupe/")}):
        check_page(coordination, link)
        visited += 1
    referent = as_role("referent")
    for url in ("/admin/", "/admin/meetings/", f"/groupe/{network.a.group.id}/"):
        check_page(referent, url)
    assert visited > 40  # every table's list, details, edit and create pages, and the forms


def test_static_files_json_and_errors_carry_the_headers(as_role, client):
    responses = [
        client.get("/static/site.css"),
        client.get("/admin/static/vendor/jquery.min.js"),
        client.get("/healthz"),
        client.get("/nulle-part"),
        client.get("/deconnexion"),
        client.post("/deconnexion", data={}),
    ]
    board = as_role("coordination")
    responses.append(board.post("/admin/board/deplacer", data={},
                                headers={"X-Requested-With": "fetch"}))
    statuses = [r.status_code for r in responses]
    assert statuses == [200, 200, 200, 404, 405, 400, 400], statuses
    assert responses[2].is_json and responses[-1].is_json
    for response in responses:
        nonce_of(response)
        response.close()


def test_every_response_has_its_own_nonce(client):
    nonces = {nonce_of(client.get("/connexion")) for _ in range(3)}
    assert len(nonces) == 3


@pytest.mark.parametrize("url", ["/admin/meetings/", "/admin/actions/new/"])
def test_flask_admin_scripts_carry_the_nonce(as_role, network, url):
    """Flask-Admin's <script> tags get the request's nonce (Admin(csp_nonce_generator=...))."""
    response = as_role("coordination").get(url)
    nonce = nonce_of(response)
    scripts = re.findall(r"<script[^>]*>", response.get_data(as_text=True))
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts), scripts

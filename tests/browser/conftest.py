"""Real browser tests: Debian's headless Chromium driven by Playwright against a live server.

The browser is the system one (/usr/bin/chromium, Debian package `chromium`), never a
Playwright download (`playwright install` is not used). Without it or without the
`playwright` package these tests are skipped with the reason, unless REQUIRE_BROWSER=1
(CI sets it), which turns the skip into a failure.

The live server runs the real app in a background thread on its own SQLite database,
migrated and seeded with the reference and demo data once per session. The rest of the
suite re-points the global peewee `db` proxy at its own databases, so every browser test
first points it back at the live server's database.
"""
import datetime
import os
import shutil
import socket
import threading
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from models import db
from models.database import database_from_url
from models.migrate import upgrade
from seed.demo import load_demo
from seed.reference import load_reference
from tests.conftest import make_app

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach Google
# services, and those connections are refused on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
DEMO_PASSWORD = "victoires-demo"


def browser_unavailable_reason():
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "le paquet Python playwright n'est pas installé (pip install -e '.[dev]')"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"{CHROMIUM} introuvable (paquet Debian chromium : apt-get install chromium)"
    return None


@dataclass
class LiveServer:
    url: str
    database_url: str


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The real app, on a freshly seeded SQLite database, served on 127.0.0.1."""
    root = tmp_path_factory.mktemp("live_server")
    database_url = f"sqlite:///{root / 'live.sqlite3'}"
    # make_app binds the global db proxy to database_url; seed through it.
    app = make_app(database_url, root / "instance")
    with db.connection_context():
        upgrade()
        load_reference()
        load_demo(datetime.date.today())
    server = make_server("127.0.0.1", _free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live_server", daemon=True)
    thread.start()
    yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", database_url=database_url)
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(autouse=True)
def _live_database(browser, live_server):
    """Point the global db proxy back at the live server's database (other tests move it).

    Requests `browser` first so that a missing browser skips before any seeding.
    """
    if not db.is_closed():
        db.close()
    db.initialize(database_from_url(live_server.database_url))
    yield
    if not db.is_closed():
        db.close()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium, one per session."""
    reason = browser_unavailable_reason()
    if reason:
        if REQUIRE_BROWSER:
            pytest.fail(f"REQUIRE_BROWSER=1 mais {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _page(browser, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser):
    """A page in a fresh context (no cookies), desktop size."""
    yield from _page(browser, 1280, 800)


@pytest.fixture
def phone_page(browser):
    """A page in a fresh context (no cookies), phone size."""
    yield from _page(browser, 375, 812)


def login(page, base_url, email, password=DEMO_PASSWORD):
    """Sign in through the login form and wait for the page it leads to."""
    page.goto(base_url + "/connexion")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit]")

"""Login throttling: repeated failures are slowed then refused (429, in French), per account, per
address and per pair, across workers (state in the database), without locking the real user out."""
import datetime as dt
import html
import logging
import threading

import pytest

from models import LoginAttempt, User, db
from workflows import login_throttle

from .conftest import make_app
from .network import PASSWORD, csrf_token

EMAIL = "referent-a@example.org"
# Limits small enough for tests; the slowdown is off unless a test wants it.
SMALL = {"LOGIN_SLOWDOWN_AFTER": 100, "LOGIN_PAIR_LIMIT": 4, "LOGIN_ACCOUNT_LIMIT": 6,
         "LOGIN_ADDRESS_LIMIT": 5}


def another_app(database_url, instance_path, **config):
    """A second app (a worker) on the same database; the test's open connection is closed first."""
    if not db.is_closed():
        db.close()
    return make_app(database_url, instance_path, **config)


@pytest.fixture
def small_app(database_url, tmp_path, network):
    return another_app(database_url, tmp_path, **SMALL)


def browser(app, address="192.0.2.10"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(client, email=EMAIL, password="pas le bon mot de passe"):
    return client.post("/connexion", data={"email": email, "password": password,
                                           "csrf_token": csrf_token(client)})


def text(response):
    return html.unescape(response.get_data(as_text=True))


def logged_in(client):
    return client.get("/admin/").status_code == 200


def attempts():
    return list(LoginAttempt.select().order_by(LoginAttempt.id).tuples())


def time_passes(**delta):
    """Move every recorded attempt back in time (the clock moving forward)."""
    for row in LoginAttempt.select():
        LoginAttempt.update(at=row.at - dt.timedelta(**delta)).where(LoginAttempt.id == row.id).execute()


def fail(client, times, email=EMAIL):
    for _ in range(times):
        assert attempt(client, email).status_code == 400


def assert_throttled(response, message="Trop de tentatives de connexion échouées. Réessayez dans"):
    assert response.status_code == 429
    assert message in text(response)
    assert int(response.headers["Retry-After"]) > 0


# -- one account from one address ----------------------------------------------------------------
def test_pair_is_refused_after_n_failures_even_with_the_right_password(small_app):
    client = browser(small_app)
    fail(client, 4)
    before = attempts()
    response = attempt(client, password=PASSWORD)
    assert_throttled(response, "Trop de tentatives de connexion échouées. Réessayez dans 15 minutes.")
    assert 890 <= int(response.headers["Retry-After"]) <= 900
    assert not logged_in(client)
    assert attempts() == before  # a refused attempt is not recorded: hammering does not extend the lock
    for _ in range(5):
        assert attempt(client).status_code == 429
    time_passes(minutes=15)
    assert attempt(client, password=PASSWORD).status_code == 302
    assert logged_in(client)


def test_the_real_user_gets_in_from_another_address_meanwhile(small_app):
    fail(browser(small_app, "203.0.113.66"), 4)
    assert attempt(browser(small_app, "203.0.113.66"), password=PASSWORD).status_code == 429
    home = browser(small_app, "192.0.2.10")
    assert attempt(home, password=PASSWORD).status_code == 302
    assert logged_in(home)


def test_repeated_failures_are_slowed_first(app, network):
    """Default policy: after 3 failures each try waits 2 s, 4 s, 8 s... after the previous one."""
    client = browser(app)
    fail(client, 3)
    response = attempt(client, password=PASSWORD)
    assert_throttled(response, "Trop de tentatives de connexion. Patientez 2 secondes avant de réessayer.")
    assert response.headers["Retry-After"] == "2"
    time_passes(seconds=2)
    fail(client, 1)
    response = attempt(client)
    assert_throttled(response, "Patientez 4 secondes")
    time_passes(seconds=4)
    assert attempt(client, password=PASSWORD).status_code == 302


def test_a_successful_login_starts_the_pair_count_again(app, network):
    client = browser(app)
    fail(client, 2)
    assert attempt(client, password=PASSWORD).status_code == 302
    client.post("/deconnexion", data={"csrf_token": csrf_token(client, "/admin/")})
    fail(client, 2)
    assert attempt(client).status_code == 400  # 3rd failure since the success: not slowed yet


# -- one account from many addresses -------------------------------------------------------------
def test_account_is_refused_after_n_failures_from_several_addresses(small_app):
    trusted = browser(small_app, "192.0.2.10")
    assert attempt(trusted, password=PASSWORD).status_code == 302  # the owner's usual computer
    for i in range(6):
        fail(browser(small_app, f"203.0.113.{i}"), 1)
    response = attempt(browser(small_app, "198.51.100.1"), password=PASSWORD)
    assert_throttled(response)
    # The owner is not locked out: from an address they logged in from, the right password works.
    again = browser(small_app, "192.0.2.10")
    assert attempt(again, password=PASSWORD).status_code == 302 and logged_in(again)
    # From a new address, after the window.
    time_passes(minutes=15)
    newcomer = browser(small_app, "198.51.100.1")
    assert attempt(newcomer, password=PASSWORD).status_code == 302 and logged_in(newcomer)


def test_unknown_accounts_are_throttled_the_same_way(small_app):
    client = browser(small_app)
    fail(client, 4, email="personne@example.org")
    assert_throttled(attempt(client, email="personne@example.org"))


# -- one address, many accounts (password spraying) ----------------------------------------------
def test_address_is_refused_after_n_failures_on_several_accounts(small_app):
    office = "192.0.2.99"
    assert attempt(browser(small_app, office), "coordination@example.org", PASSWORD).status_code == 302
    for i in range(5):
        fail(browser(small_app, office), 1, email=f"inconnu-{i}@example.org")
    assert_throttled(attempt(browser(small_app, office), "observateur@example.org", PASSWORD))
    assert not User.get(User.email == "observateur@example.org").last_login_at
    # A colleague who logged in from this address before still can; others elsewhere too.
    assert attempt(browser(small_app, office), "coordination@example.org", PASSWORD).status_code == 302
    assert attempt(browser(small_app, "198.51.100.7"), "observateur@example.org", PASSWORD).status_code == 302


# -- across workers -----------------------------------------------------------------------------
def test_throttling_holds_across_two_app_instances_on_one_database(database_url, tmp_path, network):
    worker_1 = another_app(database_url, tmp_path / "w1", **SMALL)
    worker_2 = another_app(database_url, tmp_path / "w2", **SMALL)
    fail(browser(worker_1), 2)
    fail(browser(worker_2), 2)
    assert_throttled(attempt(browser(worker_1), password=PASSWORD))
    assert_throttled(attempt(browser(worker_2), password=PASSWORD))


def test_parallel_guesses_cannot_slip_past_the_limit(app):
    """20 guesses at once against a limit of 4: exactly 4 are let through to the password check."""
    policy = login_throttle.ThrottlePolicy(slowdown_after=100, pair_limit=4)
    verdicts, start = [], threading.Barrier(20)
    database = db.obj

    def guess():
        # Each thread its own connection, as separate workers would have.
        with database.connection_context():
            start.wait()
            verdicts.append(login_throttle.reserve(policy, EMAIL, "203.0.113.9"))

    threads = [threading.Thread(target=guess) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(not v.refused for v in verdicts) == 4
    assert {v.reason for v in verdicts if v.refused} == {"pair"}
    with database.connection_context():
        assert LoginAttempt.select().count() == 4


# -- re-authentication and logs -------------------------------------------------------------------
def test_reauthentication_is_throttled_too(small_app):
    client = browser(small_app)
    assert attempt(client, password=PASSWORD).status_code == 302
    before = User.get(User.email == EMAIL)
    for _ in range(4):
        response = client.post("/compte/mot-de-passe", data={
            "current_password": "devine", "new_password": "trois baleines bleues dansent",
            "confirm": "trois baleines bleues dansent", "csrf_token": csrf_token(client, "/compte")})
        assert response.status_code == 400
    response = client.post("/compte/mot-de-passe", data={
        "current_password": PASSWORD, "new_password": "trois baleines bleues dansent",
        "confirm": "trois baleines bleues dansent", "csrf_token": csrf_token(client, "/compte")})
    assert_throttled(response)
    after = User.get(User.email == EMAIL)
    assert (after.password_hash, after.session_token) == (before.password_hash, before.session_token)


def test_failures_and_refusals_are_logged_without_the_password(small_app, caplog):
    client = browser(small_app, "203.0.113.5")
    with caplog.at_level(logging.INFO, logger="petites_victoires.security"):
        fail(client, 4)
        attempt(client)
    lines = [r.getMessage() for r in caplog.records if r.name == "petites_victoires.security"]
    assert len([m for m in lines if m.startswith("login failed")]) == 4
    assert any(m.startswith("login throttled") for m in lines)
    assert all(EMAIL in m and "203.0.113.5" in m for m in lines)
    assert not any("pas le bon mot de passe" in m for m in lines)


def test_old_attempts_are_deleted(small_app):
    client = browser(small_app)
    fail(client, 2)
    time_passes(days=31)
    fail(client, 1)
    assert LoginAttempt.select().count() == 1

"""Production start: /healthz, SQLite in WAL mode with a busy timeout, debug off, and the
documented gunicorn command serving the app with several workers on both databases."""
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from app import create_app
from models import Group, db
from models.database import database_from_url

from .conftest import make_app

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_answers_ok_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_answers_503_in_french_when_the_database_is_down(backend, tmp_path):
    url = (f"sqlite:///{tmp_path / 'missing-dir' / 'db.sqlite3'}" if backend == "sqlite"
           else "postgresql://postgres:motdepasse@127.0.0.1:1/pv_absent")
    response = make_app(url, tmp_path).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "erreur", "message": "Base de données indisponible."}
    for leak in ("missing-dir", "127.0.0.1", "motdepasse", "pv_absent"):
        assert leak not in response.get_data(as_text=True)


def test_static_files_do_not_open_a_database_connection(backend, tmp_path):
    """A static file is served even while the database is down (and costs no connection)."""
    url = (f"sqlite:///{tmp_path / 'missing-dir' / 'db.sqlite3'}" if backend == "sqlite"
           else "postgresql://postgres@127.0.0.1:1/pv_absent")
    client = make_app(url, tmp_path).test_client()
    for path in ("/static/site.css", "/admin/static/vendor/jquery.min.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        response.close()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_outside_tests(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
                      "SECRET_KEY": "production-like", "INSTANCE_PATH": str(tmp_path)})
    assert not app.debug and not app.testing
    with app.test_request_context("/"):
        app.preprocess_request()
        assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    db.close()


def test_sqlite_writers_queue_instead_of_failing_when_a_transaction_reads_first(tmp_path):
    """Transaction A reads, B writes meanwhile, then A writes: both succeed, one after the other."""
    database = database_from_url(f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    database.execute_sql("CREATE TABLE counter (n INTEGER)")
    database.execute_sql("INSERT INTO counter VALUES (0)")
    database.close()
    a_has_read, errors = threading.Event(), []

    def transaction_a():
        try:
            with database.atomic():
                database.execute_sql("SELECT n FROM counter").fetchone()
                a_has_read.set()
                time.sleep(0.3)  # B tries to write now
                database.execute_sql("UPDATE counter SET n = n + 1")
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            database.close()

    def transaction_b():
        a_has_read.wait(5)
        try:
            with database.atomic():
                database.execute_sql("UPDATE counter SET n = n + 10")
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            database.close()

    threads = [threading.Thread(target=transaction_a), threading.Thread(target=transaction_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert database.execute_sql("SELECT n FROM counter").fetchone()[0] == 11
    database.close()


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_documented_gunicorn_command_serves_the_app(database_url, tmp_path):
    """`gunicorn -w 4 -b 127.0.0.1:8000 'app:create_app()'` with SECRET_KEY and DATABASE_URL."""
    port = _free_port()
    env = {**os.environ, "SECRET_KEY": "production-like-secret", "DATABASE_URL": database_url,
           "INSTANCE_PATH": str(tmp_path / "instance")}
    env.pop("FLASK_DEBUG", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "app:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, headers, body = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("gunicorn did not start")
                time.sleep(0.2)
        assert (status, body) == (200, b'{"status":"ok"}\n')
        assert "Content-Security-Policy" in headers
        status, headers, body = _get(f"http://127.0.0.1:{port}/connexion")
        assert status == 200 and 'name="password"' in body.decode()
        assert headers["X-Frame-Options"] == "DENY"
        # Debug is off: an unknown page is the French 404, never Werkzeug's debugger.
        status, _, body = _get(f"http://127.0.0.1:{port}/adresse-inconnue")
        assert status == 404 and "introuvable" in body.decode() and "Werkzeug" not in body.decode()
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert "Booting worker" in output, output


def _seen_address(app):
    """The address the login throttle would count for a request sent by 10.0.0.1 via a proxy."""
    from admin.auth import client_address

    seen = {}

    @app.route("/_address")
    def _address():
        seen["address"] = client_address()
        return "ok"

    app.test_client().get("/_address", headers={"X-Forwarded-For": "203.0.113.7"},
                          environ_base={"REMOTE_ADDR": "10.0.0.1"})
    return seen["address"]


def test_forwarded_addresses_are_ignored_unless_a_proxy_is_trusted(tmp_path):
    base = {"DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}", "SECRET_KEY": "x",
            "INSTANCE_PATH": str(tmp_path)}
    assert _seen_address(create_app(base)) == "10.0.0.1"  # a forged header changes nothing
    assert _seen_address(create_app({**base, "TRUSTED_PROXIES": "1"})) == "203.0.113.7"


@pytest.mark.parametrize("value", ["un", "-1", "99"])
def test_a_bad_trusted_proxies_value_stops_start_up_clearly(tmp_path, value):
    from app import ConfigError

    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}", "SECRET_KEY": "x",
                    "INSTANCE_PATH": str(tmp_path), "TRUSTED_PROXIES": value})


def _backend_pid(app):
    """The PostgreSQL server process that answered one request's query."""
    with app.test_request_context("/"):
        app.preprocess_request()
        pid = db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
        app.do_teardown_request()
    return pid


def test_postgresql_connections_are_reused_and_come_back_clean(backend, database_url, tmp_path):
    """Requests share pooled connections (opening one cost 5-10 ms a page); a request whose
    transaction failed leaves nothing open for the next one; without a pool, each request opens
    its own."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL only: tells connections apart by server process id (SQLite: next test)")
    app = make_app(database_url, tmp_path)
    assert app.config["DATABASE_POOL_SIZE"] == 20  # the default, as in production
    first = _backend_pid(app)
    with app.test_request_context("/"):
        app.preprocess_request()
        with pytest.raises(Exception, match="division by zero"):
            with db.atomic():
                db.execute_sql("SELECT 1 / 0")
        app.do_teardown_request()
    assert _backend_pid(app) == first
    with app.test_request_context("/"):
        app.preprocess_request()
        state = db.execute_sql("SELECT state FROM pg_stat_activity WHERE pid = %s", (first,)).fetchone()
        assert state == ("active",)  # this very query: no transaction was left open
        assert db.execute_sql("SELECT count(*) FROM \"group\"").fetchone() == (0,)
        app.do_teardown_request()
    unpooled = make_app(database_url, tmp_path, DATABASE_POOL_SIZE=0)
    assert _backend_pid(unpooled) != _backend_pid(unpooled)


def _request_connection(app):
    """The SQLite connection one request used, and whether a transaction was open when it began."""
    with app.test_request_context("/"):
        app.preprocess_request()
        connection = db.connection()
        was_in_transaction = connection.in_transaction
        app.do_teardown_request()
    return connection, was_in_transaction


def test_sqlite_connections_are_reused_and_come_back_clean(backend, database_url, tmp_path):
    """Requests share pooled SQLite connections too (opening the file and setting its pragmas cost
    ~0.7 ms a request); what a request left uncommitted is rolled back, never seen by the next."""
    if backend != "sqlite":
        pytest.skip("SQLite only: tells connections apart by object (PostgreSQL: the test above)")
    app = make_app(database_url, tmp_path)
    first, _ = _request_connection(app)
    with app.test_request_context("/"):
        app.preprocess_request()
        assert db.connection() is first
        db.execute_sql("BEGIN")
        Group.insert(name="Oublié", slug="oublie", commune="X", departement_code="91", region="R").execute()
        assert Group.select().count() == 1
        app.do_teardown_request()  # ends without a commit
    again, was_in_transaction = _request_connection(app)
    assert again is first and not was_in_transaction
    with app.test_request_context("/"):
        app.preprocess_request()
        assert db.execute_sql('SELECT count(*) FROM "group"').fetchone() == (0,)
        assert db.execute_sql("PRAGMA foreign_keys").fetchone() == (1,)  # the pragmas still hold
        app.do_teardown_request()
    unpooled = make_app(database_url, tmp_path, DATABASE_POOL_SIZE=0)
    assert _request_connection(unpooled)[0] is not _request_connection(unpooled)[0]


def test_a_pooled_connection_the_server_dropped_is_replaced(backend, database_url, app, as_role,
                                                           monkeypatch):
    """After a PostgreSQL restart (here: the server ends the pooled connection) and a quiet
    moment, the next request works on a new connection instead of failing."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL only: a SQLite file has no server to drop the connection")
    monkeypatch.setattr("models.database.PING_AFTER_IDLE_SECONDS", 0)  # no need to wait 5 s
    client = as_role("coordination")
    db.close()  # the test's own connection goes back to the pool: the only one there
    dropped = _backend_pid(app)
    admin = database_from_url(database_url)
    with admin.connection_context():
        assert admin.execute_sql("SELECT pg_terminate_backend(%s)", (dropped,)).fetchone() == (True,)
    response = client.get("/admin/groups/")
    assert response.status_code == 200
    assert _backend_pid(app) != dropped

"""Fixtures: an app per test on a migrated database, for SQLite and PostgreSQL.

Every database test runs once per backend. PostgreSQL runs when
TEST_DATABASE_URL is set (CI sets it); otherwise those runs are skipped with
the reason, unless REQUIRE_POSTGRES=1, which turns the skip into a failure.
"""
import shutil

import pytest

from app import create_app
from models import ALL_MODELS, db
from models.database import close_pools, database_from_url
from models.migrate import upgrade

from . import dbutil

FAST_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def make_app(database_url, instance_path, **extra):
    """An app in testing mode on the given database, with cheap password hashing."""
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "ARGON2_PARAMS": FAST_ARGON2,
        "INSTANCE_PATH": str(instance_path),
    }
    config.update(extra)
    return create_app(config)


def migrate(url):
    """Bring the database at `url` to the current schema."""
    db.initialize(database_from_url(url))
    with db.connection_context():
        upgrade()


@pytest.fixture(autouse=True)
def _close_pooled_connections():
    """Apps keep PostgreSQL connections open between requests (DATABASE_POOL_SIZE, as in
    production): closed after each test, before any database is dropped."""
    yield
    close_pools()


@pytest.fixture(scope="session", params=dbutil.BACKENDS)
def backend(request):
    if request.param == "postgresql":
        reason = dbutil.postgres_unavailable_reason()
        if reason:
            if dbutil.REQUIRE_POSTGRES:
                pytest.fail(f"REQUIRE_POSTGRES=1 mais {reason}")
            pytest.skip(reason)
    return request.param


@pytest.fixture(scope="session")
def migrated_template(backend, tmp_path_factory):
    """One migrated database per backend and session (a file to copy, or a PG database)."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        migrate(f"sqlite:///{path}")
        yield path
        return
    url = dbutil.create_pg_database()
    migrate(url)
    yield url
    if not db.is_closed():
        db.close()
    dbutil.drop_pg_database(url)


@pytest.fixture
def database_url(backend, migrated_template, tmp_path):
    """A migrated, empty database for this test."""
    if backend == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(migrated_template, path)
        return f"sqlite:///{path}"
    db.initialize(database_from_url(migrated_template))
    with db.connection_context():
        names = ", ".join(f'"{m._meta.table_name}"' for m in ALL_MODELS)
        db.execute_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    return migrated_template


@pytest.fixture
def empty_database_url(backend, tmp_path):
    """A database with no tables at all (for migration tests)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    url = dbutil.create_pg_database()
    yield url
    if not db.is_closed():
        db.close()
    dbutil.drop_pg_database(url)


@pytest.fixture
def app(database_url, tmp_path):
    app = make_app(database_url, tmp_path)
    yield app
    if not db.is_closed():
        db.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def conn(app):
    """An open connection for tests that read or write models directly."""
    db.connect(reuse_if_open=True)
    yield db
    if not db.is_closed():
        db.close()


@pytest.fixture
def network(conn):
    """Two groups with a row of every kind each, and one account per role."""
    from .network import build_network

    return build_network()


@pytest.fixture
def as_role(app, network):
    """Logged-in test clients: as_role("coordination" | "referent" | "observer" | "referent_b")."""
    from .network import login

    emails = {"coordination": "coordination@example.org", "observer": "observateur@example.org",
              "referent": "referent-a@example.org", "referent_b": "referent-b@example.org"}

    def make(role):
        return login(app.test_client(), emails[role])

    return make

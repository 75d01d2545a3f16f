"""Throw-away databases for the tests: SQLite files and PostgreSQL databases."""
import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
BACKENDS = ("sqlite", "postgresql")


def _server_url(url, dbname):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{dbname}"))


def _admin_connect():
    return psycopg.connect(_server_url(TEST_DATABASE_URL, "postgres"), autocommit=True)


def create_pg_database():
    """Create an empty PostgreSQL database; returns its URL."""
    name = f"pv_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with _admin_connect() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return _server_url(TEST_DATABASE_URL, name)


def drop_pg_database(url):
    name = urlsplit(url).path.lstrip("/")
    with _admin_connect() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))


def postgres_unavailable_reason():
    """None when PostgreSQL tests can run, else why not (in the skip message)."""
    if not TEST_DATABASE_URL:
        return "TEST_DATABASE_URL n'est pas défini : tests PostgreSQL non lancés"
    try:
        with _admin_connect():
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL injoignable ({TEST_DATABASE_URL}) : {exc}"

"""Choosing the database from DATABASE_URL; a connection per request, taken from a pool."""
import time
import weakref
from contextlib import contextmanager
from urllib.parse import unquote, urlsplit

import click
from flask import request
from peewee import InterfaceError, OperationalError, PostgresqlDatabase, SqliteDatabase
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

from .base import db

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "normal",
}


class DatabaseConfigError(ValueError):
    """DATABASE_URL cannot be understood."""


POOL_STALE_SECONDS = 300  # a pooled connection idle longer than this is reopened
POOL_WAIT_SECONDS = 10  # a request waits this long for a free connection before failing
PING_AFTER_IDLE_SECONDS = 5
_returned_at = weakref.WeakKeyDictionary()  # pooled connection -> when a request last gave it back
_pools = []  # the pools this process made (a pool dropped with connections open would leak them)


def database_from_url(url, pool_size=0):
    """Build (without connecting) the peewee database named by a URL.

    With `pool_size`, connections are kept open between requests (at most that many per process):
    opening one cost 5-10 ms a page on PostgreSQL, ~0.7 ms on SQLite (the file, then its pragmas)."""
    if not url or "://" not in url:
        raise DatabaseConfigError(
            f"DATABASE_URL invalide : {url!r} (attendu : sqlite:///chemin/fichier.db "
            "ou postgresql://utilisateur@hôte:port/base)"
        )
    scheme = url.split("://", 1)[0].lower()
    if scheme == "sqlite":
        path = url[len("sqlite:///"):] if url.lower().startswith("sqlite:///") else ""
        if not path:
            raise DatabaseConfigError(
                f"DATABASE_URL invalide : {url!r} (attendu : sqlite:///chemin/fichier.db)"
            )
        # Every transaction takes the write lock when it begins (BEGIN IMMEDIATE): one that read
        # first and then writes would otherwise fail at once with "database is locked" when
        # another worker wrote in between (WAL cannot upgrade a stale read; no busy wait).
        if pool_size:  # a connection serves one request at a time, whichever thread it is on
            return _pooled(PooledSqliteDatabase, path, pool_size, pragmas=SQLITE_PRAGMAS,
                           lock_type="IMMEDIATE", check_same_thread=False)
        return SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE")
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise DatabaseConfigError(f"DATABASE_URL invalide : {exc}") from None
        name = parts.path.lstrip("/")
        if not name or "/" in name:
            raise DatabaseConfigError(
                f"DATABASE_URL invalide : nom de base manquant dans {url!r}"
            )
        params = {"host": parts.hostname or None, "port": port}
        if parts.username:
            params["user"] = unquote(parts.username)
        if parts.password:
            params["password"] = unquote(parts.password)
        params = {k: v for k, v in params.items() if v is not None}
        if pool_size:
            return _pooled(_PostgresPool, unquote(name), pool_size, **params)
        return PostgresqlDatabase(unquote(name), **params)
    raise DatabaseConfigError(
        f"DATABASE_URL : type de base {scheme!r} non pris en charge "
        "(sqlite ou postgresql)"
    )


class _PostgresPool(PooledPostgresqlDatabase):
    """peewee's pool checks each connection it hands out with a round trip (SELECT 1): ~6% of a
    worker's time under load. A pooled connection the server may have closed meanwhile (a restart,
    an idle timeout) is checked only when it sat unused for PING_AFTER_IDLE_SECONDS, and replaced
    if it was dropped. Under load connections never sit that long: a restart in the middle of
    traffic fails the next request of each connection, once."""

    def _is_closed(self, conn):
        recent = time.monotonic() - _returned_at.get(conn, float("-inf")) < PING_AFTER_IDLE_SECONDS
        if recent and not conn.closed and self._adapter.txn_status(conn) == self._adapter.txn_idle:
            return False
        return super()._is_closed(conn)


def _pooled(kind, name, size, **params):
    pool = kind(name, max_connections=size, stale_timeout=POOL_STALE_SECONDS, timeout=POOL_WAIT_SECONDS,
                **params)
    _pools.append(pool)
    return pool


def close_pools():
    """Close the pooled connections no request is using, in every pool of this process (tests
    call it after each test; a database about to be dropped must have none open)."""
    for pool in _pools:
        pool.close_idle()


def write_transaction():
    """A transaction that reads then writes: on SQLite take the write lock up front
    (BEGIN IMMEDIATE, now also every SQLite transaction's default), so two writers queue
    instead of failing with "database is locked"."""
    if is_sqlite():
        return db.obj.atomic("IMMEDIATE")
    return db.atomic()


def is_sqlite(database=db):
    """True when the bound database is SQLite."""
    target = getattr(database, "obj", database)
    return isinstance(target, SqliteDatabase)


@contextmanager
def cli_connection():
    """Open a connection for a CLI command; a failure becomes a one-line error."""
    try:
        db.connect(reuse_if_open=True)
    except (OperationalError, InterfaceError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise click.ClickException(
            f"Impossible de se connecter à la base de données : {first_line}"
        ) from None
    try:
        yield db
    finally:
        if not db.is_closed():
            db.close()


def without_request_connection(view):
    """Mark a view that opens (and checks) its own connection, e.g. the health check."""
    view.without_request_connection = True
    return view


def _needs_connection(app):
    """Static files never touch the database; marked views connect themselves."""
    endpoint = request.endpoint or ""
    if endpoint == "static" or endpoint.endswith(".static"):
        return False
    return not getattr(app.view_functions.get(endpoint), "without_request_connection", False)


def _give_back():
    """End of a request: the connection goes back to the pool (or closes, without a pool)."""
    if db.is_closed():
        return
    if isinstance(db.obj, PooledPostgresqlDatabase):
        _returned_at[db.connection()] = time.monotonic()
    db.close()


def init_database(app):
    """Bind the models to the app's database; a connection per request, taken from the pool
    (DATABASE_POOL_SIZE) and given back after the request."""
    db.initialize(database_from_url(app.config["DATABASE_URL"], app.config["DATABASE_POOL_SIZE"]))

    @app.before_request
    def _open_connection():
        if _needs_connection(app):
            db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close_connection(exc):
        _give_back()

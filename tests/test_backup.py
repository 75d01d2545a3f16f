"""`flask db backup` and `flask db restore`: consistent while the app writes, checked before replacing.

A backup taken while another thread commits rows restores to a database where every row the
backup holds is complete (its partner row and its change-log entries are there too), the rows
committed before the backup started are all there, and the references hold. A restore refuses
a missing, damaged, foreign or wrong-kind file with one French line and changes nothing.
"""
import datetime as dt
import os
import sqlite3
import threading
import time
from pathlib import Path

import psycopg
import pytest
from peewee import Table

from models import ALL_MODELS, ChangeLog, Demand, Group, Meeting, db
from models import backup as backup_module
from models.database import database_from_url
from seed.demo import load_demo
from seed.reference import load_reference

from . import dbutil
from .conftest import make_app

TODAY = dt.date(2026, 11, 22)
WRITES = "écriture concurrente"


def all_rows():
    """Every row of every table, by table (ordered by id): what a restore must give back."""
    return {m._meta.table_name: list(m.select().order_by(m.id).tuples()) for m in ALL_MODELS}


def orphans():
    """References pointing nowhere, on either database (the foreign keys the data relies on)."""
    out = []
    for model in ALL_MODELS:
        for fk in model._meta.refs:
            parent = fk.rel_model
            missing = (model.select().where(fk.is_null(False), fk.not_in(parent.select(parent.id))).count())
            if missing:
                out.append((model._meta.table_name, fk.name, missing))
    return out


@pytest.fixture
def target_url(backend, tmp_path):
    """Where a backup is restored: a database that does not exist yet (SQLite) or is empty."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'restauree' / 'base.sqlite3'}"
        return
    url = dbutil.create_pg_database()
    yield url
    if not db.is_closed():
        db.close()
    dbutil.drop_pg_database(url)


def backup(runner, out):
    result = runner.invoke(args=["db", "backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Sauvegarde écrite" in result.output
    return out


def restore(url, instance, path, *extra):
    """Restore `path` into the database at `url` with the CLI; leaves `db` bound to that database."""
    if not db.is_closed():
        db.close()
    app = make_app(url, instance)
    return app.test_cli_runner().invoke(args=["db", "restore", str(path), *extra])


# -- round trip ----------------------------------------------------------------------------------
def test_demo_network_round_trips_row_for_row(conn, runner, backend, tmp_path, target_url):
    load_reference()
    load_demo(TODAY)
    expected = all_rows()
    assert len(expected["group"]) == 50 and len(expected["user"]) > 50
    path = backup(runner, tmp_path / "demo.backup")
    assert file_mode(path) == 0o600, "a backup holds personal data: readable by its owner only"

    result = restore(target_url, tmp_path / "other-instance", path)
    assert result.exit_code == 0, result.output
    assert "Base restaurée" in result.output and "50 groupes" in result.output
    with db.connection_context():
        assert all_rows() == expected
        assert orphans() == []
        # The restored database is a working one: the next id follows the restored ones.
        group = Group.create(name="Nouveau groupe", slug="nouveau", commune="Nouville",
                             departement_code="01", region="Région")
        assert group.id > max(row[0] for row in expected["group"])


def file_mode(path):
    return os.stat(path).st_mode & 0o777


def test_restore_over_data_needs_force_and_keeps_a_safety_copy(conn, network, runner, backend, tmp_path, app):
    path = backup(runner, tmp_path / "before.backup")
    expected = all_rows()
    network.a.group.notes = "changé après la sauvegarde"
    network.a.group.save()
    Meeting.create(group=network.b.group, with_whom="maire", status="demande")
    changed = all_rows()
    db.close()

    refused = app.test_cli_runner().invoke(args=["db", "restore", str(path)])
    assert refused.exit_code != 0
    assert "contient déjà des données" in refused.output and "--force" in refused.output
    with db.connection_context():
        assert all_rows() == changed, "a refused restore changed the database"

    done = app.test_cli_runner().invoke(args=["db", "restore", str(path), "--force"])
    assert done.exit_code == 0, done.output
    with db.connection_context():
        assert all_rows() == expected
    safety = [line.split(" : ", 1)[1] for line in done.output.splitlines() if "sécurité" in line]
    assert safety and os.path.exists(safety[0])
    # The safety copy is itself a backup of what was replaced: restoring it brings the changes back.
    again = app.test_cli_runner().invoke(args=["db", "restore", safety[0], "--force"])
    assert again.exit_code == 0, again.output
    with db.connection_context():
        assert all_rows() == changed


# -- a backup taken while the app writes -------------------------------------------------------
class Writer(threading.Thread):
    """Commits pairs of rows (a meeting and a demand, each with its change-log entry) in a loop."""

    def __init__(self, group_id):
        super().__init__(daemon=True)
        self.group_id = group_id
        self.committed = 0
        self.stop = threading.Event()
        self.error = None

    def run(self):
        try:
            with db.connection_context():
                while not self.stop.is_set():
                    n = self.committed
                    with db.atomic():
                        Meeting.create(group=self.group_id, with_whom="maire", status="demande",
                                       contact_name=f"{WRITES} {n}", outcome="x" * 2000)
                        Demand.create(group=self.group_id, title=f"{WRITES} {n}", text="y" * 2000)
                    self.committed = n + 1
        except Exception as exc:  # reported by the test
            self.error = exc


def written_numbers(model, column):
    return sorted(int(getattr(row, column.name).rsplit(" ", 1)[1])
                  for row in model.select().where(column.startswith(WRITES)))


def test_backup_taken_during_writes_restores_consistent(conn, runner, backend, tmp_path, target_url):
    load_reference()
    load_demo(TODAY)
    group_id = Group.select(Group.id).order_by(Group.id).first().id
    db.close()
    writer = Writer(group_id)
    writer.start()
    try:
        deadline = time.monotonic() + 30
        while writer.committed < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        # Back up until one backup has commits landing while it runs (usually the first).
        for attempt in range(20):
            path = tmp_path / f"pendant-{attempt}.backup"
            before = writer.committed
            backup(runner, path)
            after = writer.committed
            if after > before:
                break
        assert after > before, "no write happened while a backup ran"
    finally:
        writer.stop.set()
        writer.join(30)
    assert writer.error is None, writer.error
    assert writer.committed > after

    result = restore(target_url, tmp_path / "other-instance", path)
    assert result.exit_code == 0, result.output
    with db.connection_context():
        meetings = written_numbers(Meeting, Meeting.contact_name)
        demands = written_numbers(Demand, Demand.title)
        # Everything committed before the backup started, then a prefix of what followed: no gap.
        assert meetings == list(range(len(meetings)))
        assert before <= len(meetings) <= after
        # No half-written transaction: each meeting has its demand and both their history entries.
        assert demands == meetings
        for model in (Meeting, Demand):
            ids = [r.id for r in model.select(model.id).where(
                (Meeting.contact_name if model is Meeting else Demand.title).startswith(WRITES))]
            logged = (ChangeLog.select().where(ChangeLog.table_name == model._meta.table_name,
                                               ChangeLog.kind == "create", ChangeLog.record_id.in_(ids)))
            assert logged.count() == len(ids)
        written = Meeting.select().where(Meeting.contact_name.startswith(WRITES))
        assert all(len(m.outcome) == 2000 for m in written)
        assert orphans() == []
        if backend == "sqlite":
            assert db.execute_sql("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert db.execute_sql("PRAGMA foreign_key_check").fetchall() == []


# -- refusals: one French line, non-zero exit, nothing changed ----------------------------------
def junk_files(backend, tmp_path, good):
    """(name, path, words expected in the message) for files a restore must refuse."""
    files = []
    text = tmp_path / "notes.txt"
    text.write_text("Ceci n'est pas une sauvegarde.\n")
    files.append(("texte", text, "n'est pas une sauvegarde"))
    empty = tmp_path / "vide.backup"
    empty.write_bytes(b"")
    files.append(("vide", empty, "n'est pas une sauvegarde"))
    files.append(("absent", tmp_path / "absent.backup", "introuvable"))
    truncated = tmp_path / "tronquee.backup"
    data = good.read_bytes()
    truncated.write_bytes(data[: len(data) * 2 // 3])
    files.append(("tronquée", truncated, "endommagée"))
    foreign = tmp_path / "autre-appli.sqlite3"
    with sqlite3.connect(foreign) as other:
        other.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    other.close()
    if backend == "sqlite":
        files.append(("autre base SQLite", foreign, "tables absentes"))
        wrong = tmp_path / "pg.pgdump"
        wrong.write_bytes(b"PGDMP\x01\x0e\x00" + os.urandom(2000))
        files.append(("pg_dump", wrong,
                      "sauvegarde PostgreSQL (pg_dump) alors que la base configurée est SQLite"))
    else:
        files.append(("SQLite", foreign, "sauvegarde SQLite alors que la base configurée est PostgreSQL"))
    return files


def test_restore_refuses_junk_and_changes_nothing(conn, network, runner, backend, tmp_path, app):
    good = backup(runner, tmp_path / "bonne.backup")
    expected = all_rows()
    db.close()
    for name, path, words in junk_files(backend, tmp_path, good):
        result = app.test_cli_runner().invoke(args=["db", "restore", str(path), "--force"])
        assert result.exit_code != 0, name
        message = result.output.strip()
        assert words in message, (name, message)
        assert "Traceback" not in message and len(message.splitlines()) == 1, (name, message)
        with db.connection_context():
            assert all_rows() == expected, f"{name}: the database changed"
    # Refused before the safety copy: no file was written either.
    assert not (tmp_path / "backups").exists()


def test_restore_refuses_a_backup_from_a_newer_version(conn, network, runner, backend, tmp_path, app,
                                                       target_url):
    history = Table("schema_migration", ("id", "name", "applied")).bind(db)
    history.insert(name="9999_futur", applied=dt.datetime(2030, 1, 1)).execute()
    try:
        path = backup(runner, tmp_path / "future.backup")
    finally:  # the PostgreSQL test database is shared by the session's tests
        db.connect(reuse_if_open=True)
        history.delete().where(history.name == "9999_futur").execute()
    result = restore(target_url, tmp_path / "other-instance", path)
    assert result.exit_code != 0
    assert "version plus récente" in result.output and "9999_futur" in result.output
    if backend == "sqlite":
        assert not (tmp_path / "restauree").exists(), "a refused restore created the database"
    else:
        with db.connection_context():
            assert db.get_tables() == []


def test_backup_never_overwrites_a_file(runner, tmp_path, app):
    path = tmp_path / "existe.backup"
    path.write_text("à garder")
    result = runner.invoke(args=["db", "backup", "--out", str(path)])
    assert result.exit_code != 0 and "existe déjà" in result.output
    assert path.read_text() == "à garder"


def test_default_backup_goes_to_the_instance_folder(runner, app, backend):
    result = runner.invoke(args=["db", "backup"])
    assert result.exit_code == 0, result.output
    written = list((Path(app.instance_path) / "backups").iterdir())
    assert len(written) == 1 and written[0].suffix == (".sqlite3" if backend == "sqlite" else ".pgdump")
    assert written[0].name in result.output


def test_postgresql_restore_waits_then_gives_up_on_a_busy_database(conn, network, runner, backend, tmp_path,
                                                                   app, monkeypatch):
    if backend != "postgresql":
        pytest.skip("PostgreSQL only: SQLite restores through its own write lock")
    path = backup(runner, tmp_path / "bonne.backup")
    expected = all_rows()
    db.close()
    monkeypatch.setattr(backup_module, "LOCK_TIMEOUT", "1s")
    target = database_from_url(app.config["DATABASE_URL"])
    params = dict(target.connect_params, dbname=target.database)
    with psycopg.connect(**params) as busy:  # the running app, in the middle of a transaction
        busy.execute('SELECT 1 FROM "group" LIMIT 1')
        result = app.test_cli_runner().invoke(args=["db", "restore", str(path), "--force"])
    assert result.exit_code != 0
    assert "Restauration annulée, base inchangée" in result.output
    with db.connection_context():
        assert all_rows() == expected
